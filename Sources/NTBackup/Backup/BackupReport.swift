import NTIPC

/// The answer to a `backup` request on the control socket: what was written, or why nothing was.
public struct BackupReport: ControlReport, Sendable {
    public var ok: Bool
    /// The backup's path (when `ok`).
    public var path: String?
    /// Its manifest (when `ok`).
    public var manifest: BackupManifest?
    /// What went wrong (when not `ok`), and its short label as in `neural_terminal_backup_failures_total{reason}`.
    public var error: String?
    public var reason: String?
    /// Backups deleted by retention afterwards.
    public var pruned: [String]

    public init(ok: Bool, path: String? = nil, manifest: BackupManifest? = nil, error: String? = nil, reason: String? = nil, pruned: [String] = []) {
        self.ok = ok
        self.path = path
        self.manifest = manifest
        self.error = error
        self.reason = reason
        self.pruned = pruned
    }
}

/// The answer to a `restore` request on the control socket.
public struct RestoreReport: ControlReport, Sendable {
    public var ok: Bool
    /// Where the previous database was kept.
    public var aside: String?
    /// The schema version after migrating the restored database forward.
    public var schemaVersion: Int?
    public var error: String?

    public init(ok: Bool, aside: String? = nil, schemaVersion: Int? = nil, error: String? = nil) {
        self.ok = ok
        self.aside = aside
        self.schemaVersion = schemaVersion
        self.error = error
    }
}
