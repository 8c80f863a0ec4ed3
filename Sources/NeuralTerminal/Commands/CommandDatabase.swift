import ArgumentParser
import NTSystem
import NTChat
import NTConfig
import NTStorage
import Supervisor
#if canImport(Glibc)
import Glibc
#endif

/// The chat database for the commands that work on it directly: `export`, `import`, and `archive` while the
/// appliance is stopped.
enum CommandDatabase {
    /// The appliance's database, brought to this binary's schema (a no-op when the appliance already did).
    static func openRepository(_ config: AppConfig, creating: Bool) throws -> SQLChatRepository {
        let location = try open(config, creating: creating)
        do {
            return try SQLChatRepository(location: location, applicationName: "neural-terminal command")
        } catch {
            printError("\(location.displayName): \(error)")
            throw ExitCode(Exit.unavailable)
        }
    }

    /// The configuration's database, migrated: the SQLite file (created with its folder when `creating`, else it
    /// must exist), or the PostgreSQL server. Exits with a sentence when it cannot be reached.
    static func open(_ config: AppConfig, creating: Bool) throws -> DatabaseLocation {
        let location: DatabaseLocation
        do {
            location = try config.databaseLocation()
        } catch {
            printError("\(error)")
            throw ExitCode(Exit.config)
        }
        if let path = location.sqlitePath {
            if creating {
                do {
                    try Directories.create(config.storage.dataDir)
                } catch {
                    printError("cannot create \(config.storage.dataDir): \(error)")
                    throw ExitCode(Exit.cannotCreate)
                }
            } else if access(path, F_OK) != 0 {
                printError("no database at \(path): check storage.data_dir (the appliance creates the database when it first starts)")
                throw ExitCode(Exit.unavailable)
            }
        }
        do {
            try Migrator(database: location.open(applicationName: "neural-terminal command")).migrate()
            return location
        } catch {
            printError("\(location.displayName): \(error)")
            throw ExitCode(Exit.unavailable)
        }
    }

    /// Exits with a sentence when the database is PostgreSQL's: `command` works on the SQLite file only.
    static func requireSQLite(_ config: AppConfig, for command: String) throws -> String {
        if let path = (try? config.databaseLocation())?.sqlitePath { return path }
        printError("\(command) works on the embedded SQLite database; storage.url names a PostgreSQL database, "
            + "whose backups and restores are PostgreSQL's own (pg_dump and pg_restore, or pgBackRest: docs/runbook.md)")
        throw ExitCode(Exit.unavailable)
    }
}
