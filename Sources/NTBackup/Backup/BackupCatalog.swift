import NTStorage
import NTSystem

/// One backup file found in the backup directory.
public struct BackupEntry: Sendable {
    public let name: String
    public let path: String
    public let time: UTCTime
    public let bytes: Int
}

/// How a backup checked out.
public struct Verification: Sendable {
    public let entry: BackupEntry
    public let manifest: BackupManifest?
    /// `ok`, or what is wrong.
    public let status: String
    public var ok: Bool { status == "ok" }
}

/// Listing, verifying and pruning the backups in a directory.
public enum BackupCatalog {
    /// The backups in `directory`, newest first.
    public static func list(_ directory: String) -> [BackupEntry] {
        FileOps.list(directory).compactMap { name -> BackupEntry? in
            guard let time = BackupName.time(of: name) else { return nil }
            let path = directory + "/" + name
            return BackupEntry(name: name, path: path, time: time, bytes: FileOps.size(path) ?? 0)
        }.sorted { $0.time > $1.time }
    }

    /// The newest manifest in `directory`, if any (the last successful backup).
    public static func newest(_ directory: String) -> BackupManifest? {
        for entry in list(directory) {
            if let manifest = try? BackupManifest.read(forBackup: entry.path) { return manifest }
        }
        return nil
    }

    /// Checks a backup against its manifest: size and SHA-256 (reading the whole file), and with `deep` also
    /// decompresses it (zstd's frame checksum) into `scratch` and runs `PRAGMA integrity_check` on the result.
    public static func verify(_ entry: BackupEntry, deep: Bool, scratch: String? = nil) -> Verification {
        let manifest: BackupManifest
        do {
            manifest = try BackupManifest.read(forBackup: entry.path)
        } catch {
            return Verification(entry: entry, manifest: nil, status: "\(error)")
        }
        guard manifest.compressedBytes == entry.bytes else {
            return Verification(entry: entry, manifest: manifest, status: "truncated: \(entry.bytes) bytes, manifest says \(manifest.compressedBytes)")
        }
        do {
            if deep {
                let target = (scratch ?? (entry.path + ".verify")) + ".tmp"
                FileOps.remove(target)
                defer { FileOps.remove(target) }
                try check(entry.path, manifest: manifest, into: target)
            } else {
                let digest = try hashFile(entry.path)
                guard digest == manifest.sha256 else {
                    return Verification(entry: entry, manifest: manifest, status: "checksum mismatch: sha256 \(digest.prefix(12))…, manifest says \(manifest.sha256.prefix(12))…")
                }
            }
        } catch {
            return Verification(entry: entry, manifest: manifest, status: "\(error)")
        }
        return Verification(entry: entry, manifest: manifest, status: "ok")
    }

    /// Decompresses the backup at `path` into the new file `target` and proves it sound: the SHA-256 of the
    /// compressed file matches the manifest, zstd's checksum holds, the size matches and `integrity_check` is ok.
    /// Returns the database's schema version. On failure `target` is removed.
    @discardableResult
    public static func check(_ path: String, manifest: BackupManifest, into target: String, progress: (Int) -> Void = { _ in }) throws -> Int {
        do {
            let result = try Zstd.decompress(input: path, output: target, progress: progress)
            guard result.sha256 == manifest.sha256 else {
                throw BackupError.manifest("checksum mismatch: \(path) does not match its manifest")
            }
            guard result.decompressedBytes == manifest.databaseBytes else {
                throw BackupError.manifest("size mismatch: \(path) decompresses to \(result.decompressedBytes) bytes, manifest says \(manifest.databaseBytes)")
            }
            let database = try SQLiteDatabase(path: target, readOnly: true)
            let verdict = try database.integrityCheck()
            guard verdict == "ok" else { throw BackupError.integrity(verdict) }
            return try database.schemaVersion()
        } catch {
            FileOps.remove(target)
            throw error
        }
    }

    /// SHA-256 of a file, streamed.
    public static func hashFile(_ path: String) throws -> String {
        let fd = try FileOps.openRead(path)
        defer { close(fd) }
        var hasher = SHA256()
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: FileOps.chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = try FileOps.read(fd, into: buffer, count: FileOps.chunk, path: path)
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(start: buffer, count: n))
        }
        return hasher.finalizeHex()
    }

    /// Deletes the backups (and their manifests) that `policy` does not keep; returns the deleted names.
    @discardableResult
    public static func prune(_ directory: String, policy: RetentionPolicy) -> [String] {
        let entries = list(directory)
        let kept = Set(policy.apply(to: entries.map(\.time)).filter(\.kept).map(\.time.unix))
        var removed: [String] = []
        for entry in entries where !kept.contains(entry.time.unix) {
            FileOps.remove(entry.path)
            FileOps.remove(BackupName.manifest(of: entry.path))
            removed.append(entry.name)
        }
        if !removed.isEmpty { try? FileOps.syncDirectory(directory) }
        return removed
    }
}

#if canImport(Glibc)
import Glibc
#endif
