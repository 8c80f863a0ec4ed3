/// A worker process, as far as configuration is concerned.
public enum ConfigWorker: String, Sendable, CaseIterable, Comparable {
    case web, metrics, maintenance

    /// Declaration order: web, metrics, maintenance.
    public static func < (lhs: ConfigWorker, rhs: ConfigWorker) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What applying a changed key on SIGHUP takes; docs/configuration.md lists it for every key.
public enum ReloadEffect: Sendable, Equatable, CustomStringConvertible {
    /// The running processes take the new value without restarting: the supervisor applies its own keys and
    /// sends the new configuration to every worker, which reads it at the point of use.
    case inPlace
    /// A rolling restart of these workers: the supervisor binds the new listen address and starts a worker on it
    /// before the old one drains.
    case restartWorkers([ConfigWorker])
    /// Only a restart of the whole appliance applies it (the data and run directories); a SIGHUP logs a warning
    /// and keeps the old value.
    case restartAppliance

    /// The wording docs/configuration.md uses: "in place", "rolling restart of web", "restart of the appliance".
    public var description: String {
        switch self {
        case .inPlace: "in place"
        case .restartWorkers(let workers): "rolling restart of " + workers.map(\.rawValue).joined(separator: ", ")
        case .restartAppliance: "restart of the appliance"
        }
    }
}

/// What a SIGHUP has to do to move from a running configuration to a newly validated one.
public struct ReloadPlan: Sendable, Equatable {
    /// Every key whose value differs, as `section.key`, in schema order; `upstream.api_key` stands for a
    /// changed resolved API key (a rotated key file) and `metrics.bearer_token` for a changed metrics token, both
    /// applied in place.
    public var changedKeys: [String] = []
    /// The changed keys that only a restart of the appliance can apply.
    public var keysNeedingApplianceRestart: [String] = []
    /// Workers to restart one by one, in `ConfigWorker` order.
    public var workersToRestart: [ConfigWorker] = []

    /// True when the new configuration equals the running one.
    public var isEmpty: Bool { changedKeys.isEmpty }
}

extension AppConfig {
    /// The plan for replacing `old` (the running configuration) with `self`.
    public func reloadPlan(from old: AppConfig) -> ReloadPlan {
        var plan = ReloadPlan()
        var workers = Set<ConfigWorker>()
        func note(_ path: String, _ effect: ReloadEffect) {
            plan.changedKeys.append(path)
            switch effect {
            case .inPlace: break
            case .restartWorkers(let list): workers.formUnion(list)
            case .restartAppliance: plan.keysNeedingApplianceRestart.append(path)
            }
        }
        for key in ConfigSchema.keys where key.get(old) != key.get(self) {
            note(key.path, key.effect)
        }
        if old.upstreamAPIKey != upstreamAPIKey { note("upstream.api_key", ConfigSchema.apiKeyEffect) }
        if old.metricsBearerToken != metricsBearerToken { note("metrics.bearer_token", ConfigSchema.apiKeyEffect) }
        plan.workersToRestart = workers.sorted()
        return plan
    }
}
