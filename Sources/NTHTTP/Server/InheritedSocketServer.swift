import Glibc
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOExtras
import NIOPosix
import NTSystem
import ServiceLifecycle
import Synchronization

/// An HTTP/1.1 server that accepts on a listening socket it inherited from the supervisor.
///
/// Hummingbird's `BindAddress` cannot adopt an existing socket, so this mirrors its `Server.run` on top of NIO's
/// `ServerBootstrap.bind(_ socket:)`. On graceful shutdown it first stops accepting (`autoRead = false`),
/// so connections still queued stay in the kernel's accept queue for the next worker, then lets in-flight
/// requests finish and closes idle connections; quiescing closes this worker's descriptor of the socket (at most
/// two seconds after the stop signal). That is the rolling restart, where the new worker holds the socket and
/// serves what is queued (closing the descriptor at once there lost requests). When the stop is final (the
/// appliance shuts down, or the port moves), the supervisor first closes its own copy and asks the worker to close
/// the listener through its ``ListenerHandle``, so the port refuses new connections before the drain begins.
public struct InheritedSocketServer<Responder: HTTPResponder>: Service
where Responder.Context == AppRequestContext {
    let fd: Int32
    let responder: Responder
    let logger: Logger
    let onRunning: @Sendable () async -> Void
    let onShutdownStarted: @Sendable () -> Void
    let listener: ListenerHandle?

    /// - Parameters:
    ///   - fd: a bound, listening TCP socket; the server takes ownership of this descriptor.
    ///   - onRunning: called once the socket is registered and accepting.
    ///   - onShutdownStarted: called when graceful shutdown begins (accepting stops; in-flight requests go on).
    ///   - listener: lets the worker close the listening socket at once when its stop is final.
    public init(
        fd: Int32, responder: Responder, logger: Logger, onRunning: @escaping @Sendable () async -> Void = {},
        onShutdownStarted: @escaping @Sendable () -> Void = {}, listener: ListenerHandle? = nil
    ) {
        self.fd = fd
        self.responder = responder
        self.logger = logger
        self.onRunning = onRunning
        self.onShutdownStarted = onShutdownStarted
        self.listener = listener
    }

    public func run() async throws {
        let responder = self.responder
        let logger = self.logger
        let http1 = HTTP1Channel(
            responder: { request, responseWriter, channel in
                let context = AppRequestContext(source: .init(channel: channel, logger: logger))
                let response: Response
                do {
                    // The middlewares and the route run in a child task, which frees its stack of async frames when
                    // it returns the response. The connection's task, which writes the body, would otherwise keep the
                    // deepest stack it reached (about 50 KB: each middleware's frames, the route, the turn's start)
                    // for as long as the connection lives, so for the whole of a streamed answer.
                    async let answered = responder.respond(to: request, context: context)
                    response = try await answered
                } catch {
                    response = Response(status: .internalServerError)
                }
                try await responseWriter.write(response: response.head, body: response.body)
            },
            // Broken framing gets a JSON 4xx with the security headers (FramingErrorHandler), not a bare 400.
            configuration: .init(additionalChannelHandlers: [FramingErrorHandler()], idleTimeout: .seconds(75))
        )
        let quiescing = ServerQuiescingHelper(group: MultiThreadedEventLoopGroup.singleton)
        let openConnections = ConnectionCount()
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Counted on the listening channel's event loop at the moment of accept, before the connection
                    // hops to its own event loop: once `autoRead = false` has taken effect (on this same loop), the
                    // count includes every connection the kernel handed this worker.
                    try channel.pipeline.syncOperations.addHandler(AcceptCounter(count: openConnections))
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .bind(fd) { channel in http1.setup(channel: channel, logger: logger) }
        // SwiftNIO calls listen(2) again on an adopted socket with its default backlog of 128, and a backlog option
        // set on the bootstrap does not reach that call: 500 clients connecting at once then lost their SYNs and
        // waited a second to retry. Listening again restores the queue the socket was opened with.
        _ = Glibc.listen(fd, ListeningSocket.backlog)
        listener?.attach(server.channel)

        await onRunning()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                do {
                    try await server.executeThenClose { inbound in
                        for try await child in inbound {
                            group.addTask { await http1.handle(value: child, logger: logger) }
                        }
                    }
                } catch {
                    logger.info("stopped accepting connections", metadata: ["error": "\(error)"])
                }
            }
            // Should the accept loop end before the stop signal (the socket failed), the service runs on until it
            // comes, so the worker's shutdown stays the graceful one it was asked for.
            try? await gracefulShutdown()
        } onGracefulShutdown: {
            onShutdownStarted()
            let channel = server.channel
            channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in
                // Quiescing closes connections with no request in flight, including ones accepted a moment ago
                // whose request has not been read yet. So first let open connections finish by themselves (a
                // client sending `Connection: close` is done after one answer), for up to two seconds; then
                // quiesce, which also closes idle keep-alive connections.
                Task {
                    let deadline = ContinuousClock.now + .seconds(2)
                    while openConnections.value.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline {
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                    quiescing.initiateShutdown(promise: nil)
                }
            }
        }
    }
}

/// Connections accepted and not yet closed, shared by the accept loop and the shutdown sequence.
final class ConnectionCount: Sendable {
    let value = Atomic<Int>(0)
}

/// Counts each accepted connection as it arrives on the listening channel, until it closes.
///
/// Counting in the child initializer instead (as before) left a window: the child runs its initializer on another
/// event loop, after the accept. A drain that read the count inside that window saw 0, quiesced at once, and the
/// quiescing helper closed the fresh connection before its request was read — a failed request during a rolling
/// restart, seen about once in four runs of the watchdog test on a loaded machine.
final class AcceptCounter: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    let count: ConnectionCount

    init(count: ConnectionCount) {
        self.count = count
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        count.value.add(1, ordering: .relaxed)
        child.closeFuture.whenComplete { [count] _ in count.value.subtract(1, ordering: .relaxed) }
        context.fireChannelRead(data)
    }
}
