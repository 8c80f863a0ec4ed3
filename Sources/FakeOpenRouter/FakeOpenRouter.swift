import ArgumentParser
import Hummingbird

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The knobs of the default answer, fixed for the life of the process.
struct Settings: Sendable {
    /// Completion length of `fake/lorem` and friends, before `max_tokens` caps it.
    let tokens: Int
    let tokenDelay: Duration
    /// Time from request to the first token, during which the keep-alive comments are spread.
    let ttft: Duration
    let keepalives: Int
    /// When set, requests must carry `Authorization: Bearer <apiKey>` (except `/models`, public on OpenRouter).
    let apiKey: String?
    /// Keys refused with OpenRouter's 401 on every authenticated endpoint, whatever `apiKey` says.
    let invalidKeys: [String]
}

/// `fake-openrouter`: a stand-in for OpenRouter that the appliance is tested against.
///
/// It speaks OpenRouter's wire format exactly, and its models, picked by id, script the faults the real service
/// shows now and then (errors before and during the stream, stalls, cuts, odd framing), so that every one of
/// them can be produced on demand. Once listening it prints one JSON line, `{"listening":"HOST:PORT"}`, to stdout,
/// so a test can start it with `--port 0` and read the port it got.
@main
struct FakeOpenRouter: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-openrouter",
        abstract: "A scripted fake of OpenRouter's chat API, for tests. See docs/fake-openrouter.md.")

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free port (printed on stdout).")
    var port = 0

    @Option(help: "Default completion length in tokens.")
    var tokens = 20

    @Option(help: "Delay between tokens, in milliseconds.")
    var tokenDelayMs = 5

    @Option(help: "Delay before the first token, in milliseconds.")
    var ttftMs = 50

    @Option(help: "': OPENROUTER PROCESSING' comments sent before the first token.")
    var keepalives = 2

    @Option(help: "Require 'Authorization: Bearer <key>'; other keys get OpenRouter's 401.")
    var apiKey: String?

    @Option(help: "A key to refuse with 401 'User not found.' (repeatable); other keys pass unless --api-key says otherwise.")
    var invalidKey: [String] = []

    @Option(help: "Milliseconds after a stream ends during which GET /api/v1/generation still answers 404, as OpenRouter's lags.")
    var generationLagMs = 0

    @Option(help: "The key's credit limit in USD for GET /api/v1/key (limit_remaining = limit - usage); default: none.")
    var keyLimit: Double?

    @Flag(help: "Log nothing to stderr (stdout still gets the listening line).")
    var quiet = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard tokens >= 0, tokenDelayMs >= 0, ttftMs >= 0, keepalives >= 0, generationLagMs >= 0 else {
            throw ValidationError(
                "--tokens, --token-delay-ms, --ttft-ms, --keepalives and --generation-lag-ms must not be negative")
        }
    }

    func run() async throws {
        let settings = Settings(
            tokens: tokens, tokenDelay: .milliseconds(tokenDelayMs), ttft: .milliseconds(ttftMs),
            keepalives: keepalives, apiKey: apiKey, invalidKeys: invalidKey)
        let state = FakeState(generationLag: .milliseconds(generationLagMs))
        state.setKeyLimit(keyLimit)
        let router = Routes.router(settings: settings, state: state, logRequests: !quiet)
        let host = self.host
        var app = Application(
            router: router,
            // A deep accept queue: load tests open hundreds of connections at once.
            configuration: .init(address: .hostname(host, port: port), serverName: nil, backlog: 4096),
            onServerRunning: { channel in
                Self.announce(host: host, port: channel.localAddress?.port ?? 0)
            })
        app.logger.logLevel = quiet ? .critical : .info
        // No graceful-shutdown signals: SIGTERM and SIGINT end the process at once. Graceful shutdown would wait
        // for every open stream, and `fake/stall` streams never end by themselves.
        try await app.runService(gracefulShutdownSignals: [])
    }

    /// The one line a test reads to learn the port, written straight to fd 1: stdout is a pipe in tests, and
    /// a buffered `print` could sit in the buffer until exit.
    static func announce(host: String, port: Int) {
        let line: JSON = ["listening": .string("\(host):\(port)")]
        let bytes = Array((line.serialized + "\n").utf8)
        _ = bytes.withUnsafeBufferPointer { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }
}
