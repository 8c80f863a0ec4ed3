import ArgumentParser
import NTBackup
import NTConfig
import NTFiles
import NTIPC
import NTStorage
import NTSystem
import NTWorkerKit

/// `neural-terminal backup`: takes a backup now. While the appliance runs, its maintenance worker takes it
/// (through the control socket, so it never races a scheduled one); otherwise this process does, with a progress
/// bar on a terminal.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Take a backup now (through the running appliance, or directly when it is not running).",
        discussion: """
            Example:
              neural-terminal backup --config /etc/neural-terminal/neural-terminal.toml
            """
    )

    @OptionGroup var options: ConfigOption
    @Flag(help: "Print the result as JSON.") var json = false

    func run() async throws {
        let config = try options.load()
        _ = try CommandDatabase.requireSQLite(config, for: "backup")
        let report: BackupReport = try await RunningAppliance.ask(config, "backup", doing: "takes the backup") ?? Self.direct(config)
        if json {
            print(report.encoded())
        } else if let manifest = report.manifest, let path = report.path, report.ok {
            let ratio = manifest.compressedBytes > 0 ? Double(manifest.databaseBytes) / Double(manifest.compressedBytes) : 0
            print("backup written: \(path)")
            print("database \(humanBytes(manifest.databaseBytes)) → \(humanBytes(manifest.compressedBytes)) (×\(format1(ratio))) in \(format1(manifest.durationSeconds)) s, schema \(manifest.schemaVersion), integrity \(manifest.integrity)")
            for name in report.pruned { print("pruned by retention: \(name)") }
        } else {
            printError("backup failed (\(report.reason ?? "error")): \(report.error ?? "unknown error")")
        }
        if !report.ok { throw ExitCode(1) }
    }

    /// Takes the backup in this process (the appliance is not running).
    static func direct(_ config: AppConfig) -> BackupReport {
        let settings = BackupSettings(
            databasePath: DatabaseLocation.sqliteFile(in: config.storage.dataDir), directory: config.resolvedBackupDir,
            zstdLevel: Int32(config.backup.zstdLevel), minFreeBytes: config.backup.minFreeMB * 1_048_576,
            appVersion: BuildInfo.version
        )
        let bar = ProgressBar()
        defer { bar.finish() }
        do {
            let result = try BackupEngine.create(settings, progress: { phase, fraction in bar.update(phase.rawValue, fraction) })
            bar.finish()
            let pruned = BackupCatalog.prune(settings.directory, policy: config.retentionPolicy)
            return BackupReport(ok: true, path: result.path, manifest: result.manifest, pruned: pruned)
        } catch let error as BackupError {
            return BackupReport(ok: false, error: error.description, reason: error.reason)
        } catch {
            return BackupReport(ok: false, error: "\(error)", reason: "other")
        }
    }
}

extension AppConfig {
    /// The `[backup]` retention keys as a policy.
    var retentionPolicy: RetentionPolicy {
        RetentionPolicy(last: backup.keepLast, daily: backup.keepDaily, weekly: backup.keepWeekly, monthly: backup.keepMonthly)
    }

    /// What a restore or `backups --deep` may decompress: `backup.restore_max_mb`, leaving `backup.min_free_mb`.
    var decompressionLimits: DecompressionLimits {
        DecompressionLimits(maxDatabaseBytes: backup.restoreMaxMB << 20, minFreeBytes: backup.minFreeMB << 20)
    }
}

/// Finding the running appliance of a configuration.
enum RunningAppliance {
    /// The control socket, if an appliance answers on it.
    static func controlSocket(_ config: AppConfig) async -> String? {
        let socket = RunDirectory(path: config.resolvedRunDir).controlSocket
        guard FileOps.exists(socket), (try? await IPCClient.request(path: socket, command: "ping", timeout: 2)) == "ready" else {
            return nil
        }
        return socket
    }

    /// Asks the running appliance to run `command` (its maintenance worker does it, so it never races a scheduled
    /// run) and decodes the report; nil when no appliance answers, so the caller does the work itself.
    static func ask<Report: ControlReport>(_ config: AppConfig, _ command: String, doing what: String) async throws -> Report? {
        guard let socket = await controlSocket(config) else { return nil }
        printError("the appliance is running: its maintenance worker \(what)")
        do {
            return try Report.decode(try await IPCClient.request(path: socket, command: command, argument: "cli", timeout: 24 * 3600))
        } catch {
            printError("\(command) request failed: \(error)")
            throw ExitCode(Exit.unavailable)
        }
    }
}
