import NTFiles
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
    /// everything a restore checks (``check(_:manifest:into:limits:newestSchema:progress:)``), decompressing into
    /// `scratch` (removed afterwards).
    public static func verify(
        _ entry: BackupEntry, deep: Bool, scratch: String? = nil, limits: DecompressionLimits = .init(),
        newestSchema: Int = Schema.newestVersion
    ) -> Verification {
        let manifest: BackupManifest
        do {
            manifest = try BackupManifest.read(forBackup: entry.path)
        } catch {
            return Verification(entry: entry, manifest: nil, status: "\(error)")
        }
        do {
            if deep {
                let target = (scratch ?? (entry.path + ".verify")) + ".tmp"
                DatabaseFiles.remove(target)
                defer { DatabaseFiles.remove(target) }
                try check(entry.path, manifest: manifest, into: target, limits: limits, newestSchema: newestSchema)
            } else {
                try checkCompressed(entry.path, manifest: manifest)
            }
        } catch {
            return Verification(entry: entry, manifest: manifest, status: "\(error)")
        }
        return Verification(entry: entry, manifest: manifest, status: "ok")
    }

    /// Proves the backup at `path` sound and decompresses it into the new file `target` (mode 0600), in an order
    /// that never writes more than the manifest vouches for:
    /// 1. the compressed file's size and SHA-256 match the manifest (before any decompression);
    /// 2. the manifest's `database_bytes` is within `limits` and fits in the free space beside `target`;
    /// 3. decompression stops at `database_bytes` (zstd's checksum holds, the size matches exactly);
    /// 4. ``SchemaCheck`` on the result: integrity, the exact schema of its version, foreign keys, readable tables.
    /// Returns the database's schema version. On failure `target` is removed.
    @discardableResult
    public static func check(
        _ path: String, manifest: BackupManifest, into target: String, limits: DecompressionLimits = .init(),
        newestSchema: Int = Schema.newestVersion, progress: (Int) -> Void = { _ in }
    ) throws -> Int {
        guard manifest.schemaVersion <= newestSchema else {
            throw BackupError.newerSchema(backup: manifest.schemaVersion, binary: newestSchema)
        }
        guard manifest.databaseBytes >= 0, manifest.databaseBytes <= limits.maxDatabaseBytes else {
            throw BackupError.tooLarge(bytes: manifest.databaseBytes, limit: limits.maxDatabaseBytes)
        }
        try checkCompressed(path, manifest: manifest) { progress($0 / 2) }
        let directory = Restore.directory(of: target)
        let free = FileOps.freeBytes(directory) ?? Int.max
        let needed = manifest.databaseBytes + limits.minFreeBytes
        guard free >= needed else { throw BackupError.diskFull(path: directory, free: free, needed: needed) }
        do {
            let result = try Zstd.decompress(input: path, output: target, limit: manifest.databaseBytes) {
                progress((manifest.compressedBytes + $0) / 2)
            }
            guard result.sha256 == manifest.sha256 else {
                throw BackupError.manifest("checksum mismatch: \(path) changed while it was being verified")
            }
            guard result.decompressedBytes == manifest.databaseBytes else {
                throw BackupError.manifest("size mismatch: \(path) decompresses to \(result.decompressedBytes) bytes, manifest says \(manifest.databaseBytes)")
            }
            return try SchemaCheck.verify(path: target, newestSchema: newestSchema)
        } catch {
            DatabaseFiles.remove(target)
            throw BackupError.converting(error) ?? error
        }
    }

    /// The compressed file's size and SHA-256 against the manifest (reads the file once; writes nothing).
    static func checkCompressed(_ path: String, manifest: BackupManifest, progress: (Int) -> Void = { _ in }) throws {
        let bytes = FileOps.size(path) ?? -1
        guard bytes == manifest.compressedBytes else {
            throw BackupError.manifest("truncated: \(path) has \(bytes) bytes, its manifest says \(manifest.compressedBytes)")
        }
        let digest = try hashFile(path, progress: progress)
        guard digest == manifest.sha256 else {
            throw BackupError.manifest("checksum mismatch: sha256 \(digest.prefix(12))…, manifest says \(manifest.sha256.prefix(12))…")
        }
    }

    /// SHA-256 of a file, streamed; `progress(bytesRead)` after each chunk.
    public static func hashFile(_ path: String, progress: (Int) -> Void = { _ in }) throws -> String {
        try BackupError.mapping {
            let fd = try FileOps.openRead(path)
            defer { close(fd) }
            var hasher = SHA256()
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: FileOps.chunk, alignment: 16)
            defer { buffer.deallocate() }
            var done = 0
            while true {
                let n = try FileOps.read(fd, into: buffer, count: FileOps.chunk, path: path)
                if n == 0 { break }
                hasher.update(UnsafeRawBufferPointer(start: buffer, count: n))
                done += n
                progress(done)
            }
            return hasher.finalizeHex()
        }
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
