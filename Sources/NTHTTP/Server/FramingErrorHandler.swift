import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers broken HTTP/1.1 framing on a connection with a proper client error, once, and closes it; closes a
/// connection whose request was answered before its body was read.
///
/// NIO's decoder reports broken framing (a bad chunk, an oversized chunk extension, a body cut short by a
/// half-close) as an `HTTPParserError` on the channel. Hummingbird answers one that arrives between requests with a
/// bare `400` that carries none of the security headers, and one that arrives while a handler reads the body
/// reaches the handler as an error it cannot place (formerly a 500). This handler sits right after the HTTP/1 codec
/// and takes over:
/// - no response has started for the request in hand (or no request is open): it writes `400` (or `431`) with the
///   JSON error shape, the security headers and `Connection: close` itself, and fails every later write on the
///   connection, so the handler's own answer to the failed body read (or Hummingbird's bare 400) never follows it;
/// - a response is under way (a stream): that response may finish, then the connection closes;
/// - the handler already answered without reading the body whose rest is broken: the connection just closes.
/// It also closes a connection whose request is answered before its body has been read to the end (a 413, an
/// import refused on its first bad line), with `Connection: close` on that answer, instead of draining the rest or
/// holding the connection until the idle timeout.
/// The error is passed on either way, so a handler reading the body sees its read fail and never acts on a
/// truncated request.
///
/// Hand-written because Hummingbird offers no hook for it (its connection loop and `Request` initialiser are not
/// public); see ADR 0012.
final class FramingErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The requests received and not yet answered, oldest first, each with whether its end has arrived (a client
    /// may pipeline: the next request's head can arrive while the previous one is answered).
    private var unanswered: [Bool] = []
    /// The newest request's head has arrived and its end has not.
    private var newestRequestOpen = false
    /// A response's head has gone out and its end has not.
    private var responding = false
    /// Broken framing arrived while a response was under way: close once it ends.
    private var closeAfterResponse = false
    /// This handler answered the broken framing, or the connection is closing for it: nothing more goes out.
    private var closed = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            unanswered.append(false)
            newestRequestOpen = true
        case .end:
            // Still listed only if not answered yet; then it is the newest entry (answers go oldest first).
            if newestRequestOpen, !unanswered.isEmpty { unanswered[unanswered.count - 1] = true }
            newestRequestOpen = false
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parseError = error as? HTTPParserError, !closed, !closeAfterResponse else {
            context.fireErrorCaught(error)
            return
        }
        if responding {
            closeAfterResponse = true
        } else if newestRequestOpen && unanswered.isEmpty {
            // The handler answered without reading the rest of the body; that rest is broken. Nothing to add.
            closed = true
            context.close(promise: nil)
        } else {
            closed = true
            writeAnswer(to: parseError, context: context)
        }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !closed else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.kind != .informational:
            responding = true
            if unanswered.first == false {
                // Answered before the body was read to its end (a 413, a refused import): the rest would have to
                // be read and thrown away, or the connection sit idle until its timeout. Close it instead.
                head.headerFields[.connection] = "close"
                closeAfterResponse = true
                context.write(wrapOutboundOut(.head(head)), promise: promise)
                return
            }
        case .end:
            responding = false
            if !unanswered.isEmpty { unanswered.removeFirst() }
            if closeAfterResponse {
                closed = true
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.writeAndFlush(data).whenComplete { result in
                    promise?.completeWith(result)
                    bound.value.close(promise: nil)
                }
                return
            }
        default:
            break
        }
        context.write(data, promise: promise)
    }

    private func writeAnswer(to error: HTTPParserError, context: ChannelHandlerContext) {
        let body = context.channel.allocator.buffer(string: MalformedRequest.body(for: error))
        var fields = HTTPFields()
        fields[.contentType] = "application/json; charset=utf-8"
        fields[.cacheControl] = "no-store"
        fields[.contentLength] = String(body.readableBytes)
        fields[.connection] = "close"
        SecurityHeadersMiddleware<AppRequestContext>.apply(to: &fields)
        let head = HTTPResponse(status: MalformedRequest.status(for: error), headerFields: fields)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }
}
