import NTConfig
import NTStorage

extension AppConfig {
    /// Where this configuration's database is: `storage.url` (a PostgreSQL server) or the SQLite file in
    /// `storage.data_dir`, with the resolved password. Every process opens its own connections from it.
    public func databaseLocation() throws -> DatabaseLocation {
        try DatabaseLocation(url: storage.url, password: databasePassword, dataDir: storage.dataDir)
    }
}
