import FoundationEssentials
import NTFiles

/// The JSON file beside each backup: enough to verify it and to decide whether it can be restored.
public struct BackupManifest: Codable, Sendable, Equatable {
    /// Version of this manifest's layout.
    public var format = 1
    /// The backup's file name.
    public var file: String
    /// When the snapshot was taken (ISO 8601, UTC).
    public var createdAt: String
    /// The appliance's version that wrote it.
    public var appVersion: String
    /// The database's schema version (`schema_migrations`) at the time.
    public var schemaVersion: Int
    /// SQLite's version that wrote it.
    public var sqliteVersion: String
    /// Size of the uncompressed database snapshot.
    public var databaseBytes: Int
    /// Size of the `.db.zst` file.
    public var compressedBytes: Int
    /// SHA-256 of the `.db.zst` file (hex).
    public var sha256: String
    /// The zstd level used.
    public var zstdLevel: Int
    /// `PRAGMA integrity_check`'s verdict on the snapshot (always `ok`: a failed check writes no backup).
    public var integrity: String
    /// Rows per table in the snapshot.
    public var rowCounts: [String: Int]
    /// Seconds the backup took.
    public var durationSeconds: Double
    /// Seconds per phase: `snapshot` (online backup copy), `check` (integrity check, row counts), `compress`
    /// (zstd and SHA-256, fsync).
    public var phaseSeconds: [String: Double]

    public init(
        file: String, createdAt: String, appVersion: String, schemaVersion: Int, sqliteVersion: String,
        databaseBytes: Int, compressedBytes: Int, sha256: String, zstdLevel: Int, integrity: String,
        rowCounts: [String: Int], durationSeconds: Double, phaseSeconds: [String: Double] = [:]
    ) {
        self.file = file
        self.createdAt = createdAt
        self.appVersion = appVersion
        self.schemaVersion = schemaVersion
        self.sqliteVersion = sqliteVersion
        self.databaseBytes = databaseBytes
        self.compressedBytes = compressedBytes
        self.sha256 = sha256
        self.zstdLevel = zstdLevel
        self.integrity = integrity
        self.rowCounts = rowCounts
        self.durationSeconds = durationSeconds
        self.phaseSeconds = phaseSeconds
    }

    /// Pretty, sorted, snake_case JSON.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return ((try? encoder.encode(self)).map { [UInt8]($0) } ?? []) + [0x0a]
    }

    /// Parses what ``encoded()`` wrote.
    public static func decode(_ bytes: [UInt8]) throws -> BackupManifest {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(BackupManifest.self, from: Data(bytes))
    }

    /// Reads the manifest beside the backup at `path`.
    public static func read(forBackup path: String) throws -> BackupManifest {
        let manifestPath = BackupName.manifest(of: path)
        guard FileOps.exists(manifestPath) else { throw BackupError.manifest("\(path) has no manifest (\(manifestPath))") }
        do {
            return try decode(try FileOps.readSmall(manifestPath))
        } catch {
            throw BackupError.converting(error) ?? .manifest("\(manifestPath) is not a valid manifest: \(error)")
        }
    }
}
