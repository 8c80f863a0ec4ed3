import ArgumentParser
import FoundationEssentials
import NTBackup
import NTConfig

/// `neural-terminal backups`: lists the backups, newest first, each verified against its manifest.
struct BackupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backups",
        abstract: "List the backups with their verification status (size and SHA-256; --deep also checks each database as a restore would).",
        discussion: """
            Example:
              neural-terminal backups --config /etc/neural-terminal/neural-terminal.toml --deep
            """
    )

    @OptionGroup var options: ConfigOption
    @Flag(help: "Also decompress each backup (bounded by its manifest) and check its database as a restore would: integrity, exact schema, foreign keys, readable tables.") var deep = false
    @Flag(help: "Print JSON lines.") var json = false

    func run() async throws {
        let config = try options.load()
        let directory = config.resolvedBackupDir
        let entries = BackupCatalog.list(directory)
        if entries.isEmpty {
            printError("no backups in \(directory)")
            return
        }
        if !json {
            print(Self.row(["BACKUP", "SIZE", "DATABASE", "SCHEMA", "STATUS"], widths: [44, 10, 10, 8]))
        }
        var bad = 0
        for entry in entries {
            let check = BackupCatalog.verify(
                entry, deep: deep, scratch: config.storage.dataDir + "/.verify-" + entry.time.compact, limits: config.decompressionLimits
            )
            if !check.ok { bad += 1 }
            if json {
                print(Self.jsonLine(check))
            } else {
                print(Self.row([
                    entry.name, humanBytes(entry.bytes), check.manifest.map { humanBytes($0.databaseBytes) } ?? "-",
                    check.manifest.map { String($0.schemaVersion) } ?? "-", check.status,
                ], widths: [44, 10, 10, 8]))
            }
        }
        if bad > 0 {
            printError("\(bad) of \(entries.count) backups failed verification")
            throw ExitCode(1)
        }
    }

    static func row(_ cells: [String], widths: [Int]) -> String {
        var line = ""
        for (index, cell) in cells.enumerated() {
            guard index < widths.count else {
                line += cell
                continue
            }
            let width = widths[index]
            line += cell.count >= width ? cell + " " : cell + String(repeating: " ", count: width - cell.count)
        }
        return line
    }

    struct Line: Encodable {
        let file: String
        let path: String
        let takenAt: String
        let bytes: Int
        let status: String
        let manifest: BackupManifest?
    }

    static func jsonLine(_ check: Verification) -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        let line = Line(file: check.entry.name, path: check.entry.path, takenAt: check.entry.time.iso8601, bytes: check.entry.bytes, status: check.status, manifest: check.manifest)
        return (try? encoder.encode(line)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
