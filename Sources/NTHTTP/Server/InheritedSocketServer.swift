import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle

/// An HTTP/1.1 server that accepts on a listening socket it inherited from the supervisor.
///
/// Hummingbird's `BindAddress` cannot adopt an existing socket, so this mirrors its `Server.run` on top of NIO's
/// `ServerBootstrap.bind(_ socket:)` (GUIDE §6). On graceful shutdown it first stops accepting (`autoRead = false`),
/// so connections still queued stay in the kernel's accept queue for the next worker, then lets in-flight
/// requests finish and closes idle connections.
public struct InheritedSocketServer<Responder: HTTPResponder>: Service
where Responder.Context == AppRequestContext {
    let fd: Int32
    let responder: Responder
    let logger: Logger
    let onRunning: @Sendable () async -> Void

    /// - Parameters:
    ///   - fd: a bound, listening TCP socket; the server takes ownership of this descriptor.
    ///   - onRunning: called once the socket is registered and accepting.
    public init(fd: Int32, responder: Responder, logger: Logger, onRunning: @escaping @Sendable () async -> Void = {}) {
        self.fd = fd
        self.responder = responder
        self.logger = logger
        self.onRunning = onRunning
    }

    public func run() async throws {
        let responder = self.responder
        let logger = self.logger
        let http1 = HTTP1Channel(
            responder: { request, responseWriter, channel in
                let context = AppRequestContext(source: .init(channel: channel, logger: logger))
                let response: Response
                do {
                    response = try await responder.respond(to: request, context: context)
                } catch {
                    response = Response(status: .internalServerError)
                }
                try await responseWriter.write(response: response.head, body: response.body)
            },
            configuration: .init(idleTimeout: .seconds(75))
        )
        let quiescing = ServerQuiescingHelper(group: MultiThreadedEventLoopGroup.singleton)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .bind(fd) { channel in http1.setup(channel: channel, logger: logger) }

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
                    logger.error("accept loop ended", metadata: ["error": "\(error)"])
                }
            }
        } onGracefulShutdown: {
            let channel = server.channel
            channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in
                // A moment for connections the kernel already handed us to be read before quiescing.
                channel.eventLoop.scheduleTask(in: .milliseconds(50)) {
                    quiescing.initiateShutdown(promise: nil)
                }
            }
        }
    }
}
