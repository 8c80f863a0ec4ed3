#if canImport(Glibc)
import Glibc
#endif
import NTConfig
import NTStorage

extension AppConfig {
    /// Where this configuration's database is: `storage.url` (a PostgreSQL server) or the SQLite file in
    /// `storage.data_dir`, with the resolved password. Every process opens its own connections from it.
    public func databaseLocation() throws -> DatabaseLocation {
        try DatabaseLocation(url: storage.url, password: databasePassword, dataDir: storage.dataDir)
    }
}

extension AppConfig {
    /// This appliance's name among several on one database: `instance.name`, or the host's name.
    public var instanceName: String {
        if !instance.name.isEmpty { return instance.name }
        let host = HostName.current
        return host.isEmpty ? "localhost" : host
    }
}

/// The host's name (`gethostname`), empty when it cannot be read.
public enum HostName {
    public static var current: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
