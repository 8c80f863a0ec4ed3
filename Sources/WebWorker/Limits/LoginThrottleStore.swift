import FoundationEssentials
import NTAuth
import NTConfig
import NTStorage
import NTWorkerKit

/// Where the web worker's login throttle keeps its state: in the process's memory on SQLite (one appliance), in the
/// database on PostgreSQL, so that appliances behind a load balancer count a client's failures together and a
/// lockout holds on every one of them. Same policy either way (``LoginRecord``).
///
/// Every call may throw on PostgreSQL (the database is unreachable): an ``admit(client:)`` that throws decided
/// nothing, and the attempt must be refused without checking the password.
enum LoginThrottleStore: Sendable {
    case inMemory(LoginThrottle)
    case shared(SharedLoginThrottle)

    /// The store for the database `config` names: shared on PostgreSQL (on a connection of its own, opened on first
    /// use), in memory on SQLite. A `storage.url` that no longer reads as a location gets the shared store too,
    /// whose every check then fails: closed, never unthrottled.
    init(config: ConfigStore) {
        let settings: @Sendable () -> LoginThrottleSettings = { LoginThrottleSettings(config.current) }
        let location = Result { try config.current.databaseLocation() }
        if case .success(let found) = location, found.engine == .sqlite {
            self = .inMemory(LoginThrottle(settings: settings))
            return
        }
        self = .shared(SharedLoginThrottle(settings: settings) {
            try location.get().open(applicationName: "neural-terminal web login throttle")
        })
    }

    /// Whether `client` may try to log in now (see ``LoginThrottle/admit(client:now:)``).
    func admit(client: String) async throws -> LoginAdmission {
        switch self {
        case .inMemory(let throttle): throttle.admit(client: client, now: .now)
        case .shared(let throttle): try await throttle.admit(client: client, now: Self.wallClock)
        }
    }

    func recordFailure(client: String) async throws {
        switch self {
        case .inMemory(let throttle): throttle.recordFailure(client: client, now: .now)
        case .shared(let throttle): try await throttle.recordFailure(client: client, now: Self.wallClock)
        }
    }

    func recordSuccess(client: String) async throws {
        switch self {
        case .inMemory(let throttle): throttle.recordSuccess(client: client, now: .now)
        case .shared(let throttle): try await throttle.recordSuccess(client: client, now: Self.wallClock)
        }
    }

    func abandon(client: String) async throws {
        switch self {
        case .inMemory(let throttle): throttle.abandon(client: client)
        case .shared(let throttle): try await throttle.abandon(client: client)
        }
    }

    /// The client's place in the ``LoginQueue``.
    func standing(client: String) async throws -> LoginQueue.Standing {
        switch self {
        case .inMemory(let throttle): throttle.standing(client: client, now: .now)
        case .shared(let throttle): try await throttle.standing(client: client, now: Self.wallClock)
        }
    }

    /// Now, in wall-clock milliseconds: what the appliances sharing the database compare.
    static var wallClock: EpochInstant { EpochInstant(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))) }
}
