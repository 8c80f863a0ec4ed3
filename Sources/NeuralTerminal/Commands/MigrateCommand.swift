import ArgumentParser
import NTBackup
import NTConfig
import NTFiles
import NTStorage
import NTWorkerKit

/// `neural-terminal migrate --to URL`: copies the configuration's database to the other engine (SQLite to
/// PostgreSQL, or PostgreSQL to a new SQLite file) and verifies every table (``DatabaseCopy``).
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy the database to PostgreSQL (or back to a SQLite file) and verify every table.",
        discussion: """
            Copies everything from the configuration's database into --to, which is migrated to this binary's \
            schema first: from SQLite (storage.url empty) to postgres://USER@HOST/DB, or from PostgreSQL \
            (storage.url set) to a new SQLite file, sqlite://PATH. Then it compares every table: row counts and \
            a SHA-256 of every row in key order, the same on both sides, one line per table; the running spend \
            totals are rebuilt by the target's triggers and compared with the source's. Exit 65 on any mismatch.

            The copy is one consistent snapshot of the source, read in one transaction: what the appliance writes \
            after it began is not copied. Stop the appliance before the copy (or accept losing those writes), then \
            switch storage.url and start it.

            Safe to run again: the target is emptied and filled in one transaction, so it becomes exactly the \
            source (an upsert by key would keep rows deleted from the source since, and spend of deleted answers \
            has no key), and a failure leaves it as it was. Anything written to the target since the last copy \
            is replaced.

            The PostgreSQL password comes from --password-file or NEURAL_TERMINAL_DATABASE_PASSWORD, never the \
            URL. A sqlite:// target must not exist (--force replaces its contents). --verify-only compares \
            without copying. Refused (exit 65): a database of a newer or older schema than this binary's, a \
            target that is the source; exit 69 when a database cannot be reached or the source does not exist.

            Examples:
              NEURAL_TERMINAL_DATABASE_PASSWORD=… neural-terminal migrate --to postgres://neural@db.internal/neural
              neural-terminal migrate --to postgres://neural@db.internal/neural --password-file /etc/neural-terminal/db-password --verify-only
              neural-terminal migrate --config pg.toml --to sqlite:///var/lib/neural-terminal/neural-terminal.db
            """
    )

    @OptionGroup var options: ConfigOption
    @Option(help: "The target: postgres://USER@HOST/DB (no password in it) or sqlite://PATH.") var to: String
    @Option(help: "A file holding the target PostgreSQL password (else $NEURAL_TERMINAL_DATABASE_PASSWORD).")
    var passwordFile: String?
    @Flag(help: "Replace the contents of an existing sqlite:// target file.") var force = false
    @Flag(help: "Only compare the two databases; copy nothing.") var verifyOnly = false

    func validate() throws {
        guard to.hasPrefix("sqlite://") || to.hasPrefix("postgres://") || to.hasPrefix("postgresql://") else {
            throw ValidationError("--to must be postgres://USER@HOST/DB or sqlite://PATH")
        }
        if to.hasPrefix("sqlite://") && to.dropFirst("sqlite://".count).isEmpty {
            throw ValidationError("--to sqlite://PATH needs the path of the new file")
        }
        if !to.hasPrefix("sqlite://") {
            do {
                _ = try DatabaseLocation(url: to, password: nil, dataDir: "")
            } catch {
                throw ValidationError(((error as? StorageError)?.message ?? "\(error)").replacing("storage.url", with: "--to")
                    .replacing("storage.password_file", with: "--password-file"))
            }
        }
    }

    func run() throws {
        let config = try options.load()
        let source: DatabaseLocation
        do {
            source = try config.databaseLocation()
        } catch {
            printError("\(error)")
            throw ExitCode(Exit.config)
        }
        let target = try targetLocation(config)
        try refuseUnsuitable(source: source, target: target)
        let createdTarget = target.sqlitePath.map { !FileOps.exists($0) } ?? false
        do {
            let sourceDatabase = try MigrateCommand.open(source, role: "source")
            let targetDatabase = try MigrateCommand.open(target, role: "target")
            let started = ContinuousClock.now
            let report: DatabaseCopyReport
            if verifyOnly {
                report = try DatabaseCopy.verify(source: sourceDatabase, target: targetDatabase)
            } else {
                printError("copying one consistent snapshot of \(source.displayName) to \(target.displayName): what the appliance "
                    + "writes after it began is not copied, so stop the appliance first (or accept losing those writes) before switching storage.url")
                report = try DatabaseCopy.copy(from: sourceDatabase, to: targetDatabase) { table, rows in
                    printError("copied \(table): \(rows) rows")
                }
            }
            for check in report.checks { print(check.line) }
            guard report.matches else {
                printError("verification failed: \(report.mismatches.joined(separator: ", ")) differ")
                throw ExitCode(Exit.dataError)
            }
            let elapsed = started.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let milliseconds = Int((seconds * 1000).rounded())
            printError(verifyOnly ? "verified in \(milliseconds) ms" : "copied and verified in \(milliseconds) ms. \(nextStep(target))")
        } catch let error as DatabaseCopyError {
            removeIfCreated(target, createdTarget)
            printError("migrate refused: \(error)")
            throw ExitCode(Exit.dataError)
        } catch let error as StorageError {
            removeIfCreated(target, createdTarget)
            printError("migrate failed, nothing changed in the target: \(error)")
            throw ExitCode(error.fault == .unavailable ? Exit.unavailable : Exit.dataError)
        }
    }

    private func targetLocation(_ config: AppConfig) throws -> DatabaseLocation {
        if to.hasPrefix("sqlite://") { return .sqlite(path: String(to.dropFirst("sqlite://".count))) }
        var password = ProcessEnvironment.current["NEURAL_TERMINAL_DATABASE_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        if let passwordFile {
            do {
                var text = String(decoding: try FileOps.readSmall(passwordFile, limit: 4096), as: UTF8.self)
                while text.last?.isWhitespace == true { text.removeLast() }
                password = text
            } catch {
                printError("cannot read --password-file: \(error)")
                throw ExitCode(Exit.noInput)
            }
        }
        do {
            return try DatabaseLocation(url: to, password: password, dataDir: config.storage.dataDir)
        } catch {
            printError("--to: \((error as? StorageError)?.message ?? "\(error)")")
            throw ExitCode(Exit.dataError)
        }
    }

    /// Exits with a sentence when the copy cannot be what the operator means.
    private func refuseUnsuitable(source: DatabaseLocation, target: DatabaseLocation) throws {
        if source.engine == target.engine {
            printError(source == target || source.displayName == target.displayName
                ? "the target \(target.displayName) is the configuration's own database: migrate copies it to the other engine"
                : "the configuration's database is \(source.engine == .sqlite ? "SQLite" : "PostgreSQL") already: migrate copies "
                    + "between engines (SQLite to postgres://, PostgreSQL to sqlite://); "
                    + (source.engine == .sqlite ? "copy a SQLite database with neural-terminal backup"
                        : "copy a PostgreSQL database with pg_dump and pg_restore (docs/runbook.md#postgresql)"))
            throw ExitCode(Exit.dataError)
        }
        if let path = source.sqlitePath, !FileOps.exists(path) {
            printError("no database at \(path): check storage.data_dir (the appliance creates the database when it first starts)")
            throw ExitCode(Exit.unavailable)
        }
        if let path = target.sqlitePath {
            if verifyOnly && !FileOps.exists(path) {
                printError("no database at \(path) to verify")
                throw ExitCode(Exit.unavailable)
            }
            if !verifyOnly && !force && FileOps.exists(path) {
                printError("\(path) exists: pass --force to replace its contents, or name a new file")
                throw ExitCode(Exit.dataError)
            }
        }
    }

    private static func open(_ location: DatabaseLocation, role: String) throws -> any DatabaseConnection {
        do {
            return try location.open(applicationName: "neural-terminal migrate")
        } catch {
            printError("cannot open the \(role) \(location.displayName): \(error)")
            throw ExitCode(Exit.unavailable)
        }
    }

    private func nextStep(_ target: DatabaseLocation) -> String {
        if target.engine == .postgres {
            return "Next, with the appliance stopped: set storage.url = \"\(target.displayName)\" and storage.password_file, then start it."
        }
        return "Next, with the appliance stopped: put the file at <storage.data_dir>/neural-terminal.db, remove storage.url, then start it."
    }

    /// A new SQLite target is removed again when the copy fails, so a second run is not refused as existing.
    private func removeIfCreated(_ target: DatabaseLocation, _ created: Bool) {
        guard created, let path = target.sqlitePath else { return }
        for suffix in ["", "-wal", "-shm"] { FileOps.remove(path + suffix) }
    }
}
