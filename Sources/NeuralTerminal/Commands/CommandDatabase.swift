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
        let path = Supervisor.databasePath(config)
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
        do {
            try Migrator(database: SQLiteDatabase(path: path)).migrate()
            return try SQLChatRepository(path: path)
        } catch let error as StorageError {
            printError("\(path): \(error)")
            throw ExitCode(Exit.unavailable)
        }
    }
}
