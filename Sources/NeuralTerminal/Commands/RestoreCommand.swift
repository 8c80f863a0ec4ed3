import ArgumentParser
import NTBackup
import NTConfig
import NTFiles
import NTIPC
import NTStorage

/// `neural-terminal restore FILE`: proves the backup sound, then swaps it in, keeping the current database aside.
///
/// The backup is checked before anything is touched (manifest, SHA-256 before decompressing, a size bounded by the
/// manifest, `backup.restore_max_mb` and the free space, then the database itself: `integrity_check`, exactly the
/// schema this build's migrations create at its version, `foreign_key_check`, every table readable) and
/// decompressed beside the database. While the appliance runs, the supervisor stops the writers, swaps the file,
/// starts them again and puts the previous database back if they fail on it; otherwise this process swaps it.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup (verified first; the current database is kept aside).",
        discussion: """
            Example:
              neural-terminal restore --config /etc/neural-terminal/neural-terminal.toml neural-terminal-20261130T040506Z.db.zst
            """
    )

    @OptionGroup var options: ConfigOption
    @Argument(help: "The backup: a path, or a file name in the backup directory.") var file: String

    func run() async throws {
        let config = try options.load()
        _ = try CommandDatabase.requireSQLite(config, for: "restore")
        var path = file
        if !FileOps.exists(path), !path.contains("/") { path = config.resolvedBackupDir + "/" + file }
        guard FileOps.exists(path) else {
            printError("no such backup: \(file)")
            throw ExitCode(1)
        }
        let staged: Restore.Staged
        let bar = ProgressBar()
        do {
            try FileOps.makeDirectories(config.storage.dataDir)
            let total = Double(max(1, FileOps.size(path) ?? 1))
            staged = try Restore.stage(path, dataDirectory: config.storage.dataDir, limits: config.decompressionLimits) { done in
                bar.update("verify", Double(done) / total)
            }
            bar.finish()
        } catch {
            bar.finish()
            printError("restore refused: \(error)")
            throw ExitCode(1)
        }
        printError("backup verified: sha256, size, zstd checksum, integrity_check, foreign_key_check, schema \(staged.schemaVersion) exactly as this release creates it, every table readable; \(staged.manifest.rowCounts.map { "\($0.key) \($0.value)" }.sorted().joined(separator: ", "))")

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
            report = Self.direct(staged: staged.path, database: DatabaseLocation.sqliteFile(in: config.storage.dataDir))
        }
        guard report.ok else {
            FileOps.remove(staged.path)
            printError("restore failed: \(report.error ?? "unknown error")")
            throw ExitCode(1)
        }
        print("restored \(path)")
        if let aside = report.aside { print("previous database kept as \(aside)") }
    }

    /// Swaps in the staged file with the appliance stopped, and migrates it forward (putting the previous database
    /// back if that fails).
    static func direct(staged: String, database: String) -> RestoreReport {
        do {
            let installed = try Restore.install(staged: staged, database: database)
            return RestoreReport(ok: true, aside: installed.aside, schemaVersion: installed.schemaVersion)
        } catch {
            switch error {
            case .swap(let reason):
                return RestoreReport(ok: false, error: "swap failed: \(reason); the previous database is unchanged")
            case .migration(let aside, let reason):
                guard (try? Restore.rollBack(database: database, aside: aside)) != nil else {
                    return RestoreReport(ok: false, error: "migrating the restored database failed: \(reason); the previous database is kept as \(aside)")
                }
                return RestoreReport(ok: false, error: "migrating the restored database failed: \(reason); the previous database is back")
            }
        }
    }
}
