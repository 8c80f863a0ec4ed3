import ArgumentParser
import NTBackup
import NTConfig
import NTIPC
import NTStorage

/// `neural-terminal restore FILE`: proves the backup sound, then swaps it in, keeping the current database aside.
///
/// The backup is checked before anything is touched (manifest, SHA-256, zstd checksum, `integrity_check`, a schema
/// no newer than this binary's) and decompressed beside the database. While the appliance runs, the supervisor
/// stops the writers, swaps the file and starts them again; otherwise this process swaps it.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup (verified first; the current database is kept aside)."
    )

    @OptionGroup var options: ConfigOption
    @Argument(help: "The backup: a path, or a file name in the backup directory.") var file: String

    func run() async throws {
        let config = try options.load()
        var path = file
        if !FileOps.exists(path), !path.contains("/") { path = config.resolvedBackupDir + "/" + file }
        guard FileOps.exists(path) else {
            printError("no such backup: \(file)")
            throw ExitCode(1)
        }
        let newest = Schema.migrations.map(\.version).max() ?? 0
        let staged: Restore.Staged
        let bar = ProgressBar()
        do {
            try FileOps.makeDirectories(config.storage.dataDir)
            let total = Double(max(1, FileOps.size(path) ?? 1))
            staged = try Restore.stage(path, dataDirectory: config.storage.dataDir, newestSchema: newest) { done in
                bar.update("verify", Double(done) / total)
            }
            bar.finish()
        } catch {
            bar.finish()
            printError("restore refused: \(error)")
            throw ExitCode(1)
        }
        printError("backup verified: sha256, zstd checksum and integrity_check ok, schema \(staged.schemaVersion), \(staged.manifest.rowCounts.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", "))")

        let report: RestoreReport
        if let socket = await RunningAppliance.controlSocket(config) {
            printError("the appliance is running: pausing the writers, swapping, resuming")
            do {
                report = try RestoreReport.decode(try await IPCClient.request(path: socket, command: "restore", argument: staged.path, timeout: 3600))
            } catch {
                FileOps.remove(staged.path)
                printError("restore request failed: \(error)")
                throw ExitCode(Exit.unavailable)
            }
        } else {
            report = Self.direct(staged: staged.path, database: config.storage.dataDir + "/neural-terminal.db")
        }
        guard report.ok else {
            FileOps.remove(staged.path)
            printError("restore failed: \(report.error ?? "unknown error")")
            throw ExitCode(1)
        }
        print("restored \(path)")
        if let aside = report.aside { print("previous database kept as \(aside)") }
    }

    /// Swaps in the staged file with the appliance stopped, and migrates it forward.
    static func direct(staged: String, database: String) -> RestoreReport {
        do {
            let aside = try Restore.swap(staged: staged, database: database)
            let migrated = try Migrator(database: SQLiteDatabase(path: database)).migrate()
            return RestoreReport(ok: true, aside: aside, schemaVersion: migrated.version)
        } catch {
            return RestoreReport(ok: false, error: "\(error)")
        }
    }
}
