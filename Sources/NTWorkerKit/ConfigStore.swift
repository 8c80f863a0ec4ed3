import NTConfig
import Synchronization

/// The configuration a process runs with now; replaced whole when the supervisor sends a reload.
///
/// Readers take a snapshot (`current`) per operation, so a request never sees half of an old config and half of a
/// new one.
public final class ConfigStore: Sendable {
    private let value: Mutex<AppConfig>
    private let observers: Mutex<[@Sendable (AppConfig) -> Void]> = Mutex([])

    public init(_ config: AppConfig) {
        self.value = Mutex(config)
    }

    /// The configuration in force.
    public var current: AppConfig { value.withLock { $0 } }

    /// Installs `config` and tells every observer.
    public func replace(with config: AppConfig) {
        value.withLock { $0 = config }
        for observer in observers.withLock({ $0 }) { observer(config) }
    }

    /// Calls `observer` after every replacement (not for the initial value).
    public func observe(_ observer: @escaping @Sendable (AppConfig) -> Void) {
        observers.withLock { $0.append(observer) }
    }
}

/// A one-way flag a worker raises when it serves; the supervisor polls it through the worker's socket before it
/// counts the worker as up (and, in a rolling restart, before it retires the old one).
public final class ReadinessFlag: Sendable {
    private let ready = Atomic<Bool>(false)

    public init() {}

    public func markReady() { ready.store(true, ordering: .releasing) }

    public var isReady: Bool { ready.load(ordering: .acquiring) }
}
