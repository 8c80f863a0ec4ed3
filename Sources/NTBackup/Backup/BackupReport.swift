import FoundationEssentials

/// The answer to a `backup` request on the control socket: what was written, or why nothing was.
public struct BackupReport: ControlReport, Sendable {
    public var ok: Bool
    /// The backup's path (when `ok`).
    public var path: String?
    /// Its manifest (when `ok`).
    public var manifest: BackupManifest?
    /// What went wrong (when not `ok`), and its short label as in `backup_failures_total{reason}`.
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

/// A report that travels as one line of JSON over the control and worker sockets (`backup`, `restore`, `archive`),
/// and that `--json` prints: snake_case keys, sorted, so the CLI, the supervisor and the workers agree on it.
public protocol ControlReport: Codable {}

extension ControlReport {
    /// One line of JSON (a fixed refusal if the value cannot be encoded, which does not happen for these types).
    public func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? #"{"ok":false,"error":"unencodable"}"#
    }

    /// Reads what ``encoded()`` wrote.
    public static func decode(_ text: String) throws -> Self {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Self.self, from: Data(text.utf8))
    }
}
