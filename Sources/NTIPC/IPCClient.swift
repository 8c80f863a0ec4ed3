import NIOCore
import NIOPosix

/// Why an IPC call failed.
public enum IPCError: Error, Sendable, CustomStringConvertible {
    case unreachable(path: String, underlying: String)
    case timedOut(path: String, seconds: Double)
    case responseTooLarge(path: String)

    public var description: String {
        switch self {
        case .unreachable(let path, let underlying): return "cannot reach \(path): \(underlying)"
        case .timedOut(let path, let seconds): return "no answer from \(path) within \(seconds) s"
        case .responseTooLarge(let path): return "answer from \(path) exceeds the size limit"
        }
    }
}

/// The client side of ``IPCServer``: sends one request line, returns the whole answer.
public enum IPCClient {
    /// The largest answer read (a metrics exposition with many series stays far below it).
    public static let maxResponseBytes = 16 << 20

    /// Sends `command` (and `argument`) to the socket at `path`, waiting at most `timeout` seconds in all.
    public static func request(
        path: String,
        command: String,
        argument: String = "",
        timeout: Double = 2
    ) async throws -> String {
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask { try await exchange(path: path, line: argument.isEmpty ? command : "\(command) \(argument)") }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(timeout * 1000)))
                throw IPCError.timedOut(path: path, seconds: timeout)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    private static func exchange(path: String, line: String) async throws -> String {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: path) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw IPCError.unreachable(path: path, underlying: "\(error)")
        }
        return try await withTaskCancellationHandler {
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: line + "\n"))
                var answer = ByteBuffer()
                for try await var chunk in inbound {
                    answer.writeBuffer(&chunk)
                    if answer.readableBytes > maxResponseBytes { throw IPCError.responseTooLarge(path: path) }
                }
                return String(buffer: answer)
            }
        } onCancel: {
            channel.channel.close(promise: nil)
        }
    }
}
