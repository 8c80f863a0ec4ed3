import Foundation
import NTBackup
import NTFiles
import NTStorage

/// Makes backups by hand, with manifests that match them, the way someone with write access to the backup folder
/// could: the project's own zstd and manifest code, so only the database inside is hostile.
enum Forge {
    /// A copy of the scratch database, changed by `edit`, compressed into `<scratch>/backups/<name>` with a manifest
    /// whose SHA-256, sizes and schema version match it.
    static func backup(in scratch: Scratch, named name: String, edit: (SQLiteDatabase) throws -> Void) throws -> String {
        let work = scratch.path + "/forge.db"
        do {
            let live = try SQLiteDatabase(path: scratch.path + "/neural-terminal.db")
            try live.execute("VACUUM INTO '\(work)'")
            let copy = try SQLiteDatabase(path: work)
            try edit(copy)
            try copy.execute("PRAGMA journal_mode = DELETE")
        }
        defer { FileOps.remove(work) }
        let version = try SQLiteDatabase(path: work, readOnly: true).schemaVersion()
        return try publish(work, in: scratch, named: name, schemaVersion: version)
    }

    /// `bytes` zero bytes compressed (a few kilobytes per gigabyte) into `<scratch>/backups/<name>`, with a
    /// manifest that claims `claimed` decompressed bytes and, unless given, the file's true SHA-256.
    static func zeros(in scratch: Scratch, named name: String, bytes: Int, claimed: Int, sha256: String? = nil) throws -> String {
        try FileManager.default.createDirectory(atPath: scratch.path + "/backups", withIntermediateDirectories: true)
        let path = scratch.path + "/backups/" + name
        let handle = try FileOps.createNew(path)
        defer { close(handle) }
        let encoder = try ZstdEncoder(level: 1) { chunk in try FileOps.writeAll(handle, chunk.baseAddress!, chunk.count, path: path) }
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        for _ in 0..<(bytes >> 20) { try encoder.write(zeros) }
        try encoder.finish()
        try writeManifest(for: path, databaseBytes: claimed, schemaVersion: Schema.migrations.count, sha256: sha256)
        return path
    }

    static func publish(_ database: String, in scratch: Scratch, named name: String, schemaVersion: Int) throws -> String {
        try FileManager.default.createDirectory(atPath: scratch.path + "/backups", withIntermediateDirectories: true)
        let path = scratch.path + "/backups/" + name
        let output = try Zstd.compress(input: database, output: path, level: 3)
        try writeManifest(for: path, databaseBytes: output.inputBytes, schemaVersion: schemaVersion, sha256: nil)
        return path
    }

    static func writeManifest(for path: String, databaseBytes: Int, schemaVersion: Int, sha256: String?) throws {
        let manifest = BackupManifest(
            file: String(path.split(separator: "/").last!), createdAt: "2026-01-01T00:00:00Z", appVersion: "forged",
            schemaVersion: schemaVersion, sqliteVersion: SQLiteDatabase.libraryVersion, databaseBytes: databaseBytes,
            compressedBytes: FileOps.size(path)!, sha256: try sha256 ?? BackupCatalog.hashFile(path), zstdLevel: 3,
            integrity: "ok", rowCounts: [:], durationSeconds: 0
        )
        try FileOps.writeSmall(BackupName.manifest(of: path), manifest.encoded())
    }
}
