import Logging
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// A request/response service on a Unix-domain socket: one line in, one body out, then the connection closes.
///
/// The supervisor's control socket and each worker's private socket speak it. A request is a command word and an
/// optional argument (`status`, `metrics`, `reload {json}`); answers are JSON or Prometheus text. It is local-only
/// by construction (a file in the run directory, mode 0600 through the process umask).
public struct IPCServer: Sendable {
    /// Answers one request; `argument` is everything after the first space, or empty.
    public typealias Handler = @Sendable (_ command: String, _ argument: String) async -> String

    /// The largest request accepted; a config reload is the largest request and stays far below it.
    public static let maxRequestBytes = 1 << 20

    let path: String
    let handler: Handler
    let logger: Logger

    public init(path: String, logger: Logger, handler: @escaping Handler) {
        self.path = path
        self.handler = handler
        self.logger = logger
    }

    /// Binds the socket and serves until the task is cancelled; removes the socket file on the way out.
    public func run() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        defer { unlink(path) }
        try await withTaskCancellationHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        } onCancel: {
            server.channel.close(promise: nil)
        }
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var request: [UInt8] = []
                for try await var chunk in inbound {
                    request.append(contentsOf: chunk.readBytes(length: chunk.readableBytes) ?? [])
                    if request.contains(UInt8(ascii: "\n")) || request.count > Self.maxRequestBytes { break }
                }
                let line = String(decoding: request.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
                let (command, argument) = IPCRequest.split(line)
                let answer = await handler(command, argument)
                try await outbound.write(ByteBuffer(string: answer))
            }
        } catch {
            logger.debug("ipc connection ended with an error", metadata: ["error": "\(error)"])
        }
    }
}

/// Splitting of a request line, shared by server and client so both agree on the framing.
public enum IPCRequest {
    /// `"reload {...}"` → `("reload", "{...}")`; `"status"` → `("status", "")`.
    public static func split(_ line: String) -> (String, String) {
        guard let space = line.firstIndex(of: " ") else { return (line, "") }
        return (String(line[..<space]), String(line[line.index(after: space)...]))
    }
}
