import CSQLite
#if canImport(Glibc)
import Glibc
#endif

extension SQLiteDatabase {
    /// Copies a consistent snapshot of this database into a new file at `destination` with SQLite's online
    /// backup API, `pagesPerStep` pages at a time, calling `progress(copiedPages, totalPages)` after each step.
    ///
    /// The connection holds one read transaction for the whole copy, so every step reads the same snapshot:
    /// writers in other processes keep committing to the WAL meanwhile, and the copy neither restarts nor sees
    /// their changes (without the held transaction, a write by another connection would restart the copy, and a
    /// busy database would never finish). The copy is written without a journal (it is a new file: a failed copy
    /// is deleted, not rolled back) and its header is set to rollback-journal mode, so it is one self-contained
    /// file that opens without creating `-wal` or `-shm` files beside it. `destination` must not exist.
    public func backup(
        to destination: String,
        pagesPerStep: Int32 = 1024,
        shouldContinue: () -> Bool = { true },
        progress: (_ copied: Int, _ total: Int) -> Void = { _, _ in }
    ) throws(StorageError) {
        var dest: OpaquePointer?
        let rc = sqlite3_open_v2(destination, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let dest else {
            let message = dest.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(dest)
            throw StorageError(code: rc, message: "\(destination): \(message)")
        }
        var destOpen = true
        defer { if destOpen { sqlite3_close_v2(dest) } }
        guard sqlite3_exec(dest, "PRAGMA journal_mode = OFF", nil, nil, nil) == SQLITE_OK else {
            throw StorageError(code: sqlite3_errcode(dest), message: String(cString: sqlite3_errmsg(dest)))
        }

        try execute("BEGIN DEFERRED")
        defer { try? execute("COMMIT") }
        _ = try scalarInt("SELECT COUNT(*) FROM sqlite_schema")

        guard let backup = sqlite3_backup_init(dest, "main", handle, "main") else {
            throw StorageError(code: sqlite3_errcode(dest), message: String(cString: sqlite3_errmsg(dest)))
        }
        var step: Int32 = SQLITE_OK
        repeat {
            guard shouldContinue() else {
                sqlite3_backup_finish(backup)
                throw StorageError(code: SQLITE_INTERRUPT, message: "backup cancelled")
            }
            step = sqlite3_backup_step(backup, pagesPerStep)
            let total = Int(sqlite3_backup_pagecount(backup))
            progress(total - Int(sqlite3_backup_remaining(backup)), total)
            if step == SQLITE_BUSY || step == SQLITE_LOCKED { sqlite3_sleep(5) }
        } while step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED
        let finished = sqlite3_backup_finish(backup)
        guard step == SQLITE_DONE, finished == SQLITE_OK else {
            throw StorageError(code: step == SQLITE_DONE ? finished : step, message: String(cString: sqlite3_errmsg(dest)))
        }
        sqlite3_close_v2(dest)
        destOpen = false
        try Self.setRollbackJournalHeader(destination)
    }

    /// Sets the file format read/write versions (header bytes 18 and 19) to 1, "legacy" rollback journal: the copy
    /// of a WAL database would otherwise say WAL, and opening it would create `-wal` and `-shm` files.
    static func setRollbackJournalHeader(_ path: String) throws(StorageError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageError(code: SQLITE_CANTOPEN, message: "\(path): cannot open to set the header") }
        defer { close(fd) }
        let versions: [UInt8] = [1, 1]
        let written = versions.withUnsafeBytes { pwrite(fd, $0.baseAddress, 2, 18) }
        guard written == 2, fsync(fd) == 0 else {
            throw StorageError(code: SQLITE_IOERR, message: "\(path): cannot write the header (errno \(errno))")
        }
    }

    /// `PRAGMA integrity_check`'s verdict: `"ok"`, or its first problems joined by `; `.
    public func integrityCheck(maxErrors: Int = 10) throws(StorageError) -> String {
        let statement = try prepare("PRAGMA integrity_check(\(maxErrors))")
        var lines: [String] = []
        while try statement.step() { lines.append(statement.string(0) ?? "") }
        return lines.joined(separator: "; ")
    }

    /// The size of the main database in bytes (`page_count × page_size`).
    public func sizeInBytes() throws(StorageError) -> Int {
        let pages = try scalarInt("PRAGMA page_count") ?? 0
        let size = try scalarInt("PRAGMA page_size") ?? 0
        return pages * size
    }

    /// The schema version recorded by ``Migrator`` (0 when the table is missing or empty).
    public func schemaVersion() throws(StorageError) -> Int {
        let exists = try scalarInt("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'") ?? 0
        guard exists > 0 else { return 0 }
        return try scalarInt("SELECT COALESCE(MAX(version), 0) FROM schema_migrations") ?? 0
    }

    /// Row counts of the ordinary tables (SQLite's own, virtual tables and full-text shadow tables left out).
    public func rowCounts() throws(StorageError) -> [String: Int] {
        let names = try prepare(
            """
            SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
            AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE '%_fts_%' ORDER BY name
            """
        )
        var counts: [String: Int] = [:]
        while try names.step() {
            guard let name = names.string(0) else { continue }
            let quoted = "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
            counts[name] = try scalarInt("SELECT COUNT(*) FROM \(quoted)") ?? 0
        }
        return counts
    }
}
