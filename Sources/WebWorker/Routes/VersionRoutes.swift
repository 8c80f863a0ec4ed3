import Hummingbird
import NTHTTP
import NTStorage
import NTSystem

/// `GET /api/version`: what is running, for the UI's status line and for operators.
enum VersionRoutes {
    struct Version: Codable, Sendable {
        let name: String
        let version: String
        let commit: String
        let buildDate: String
        let sqlite: String

        enum CodingKeys: String, CodingKey {
            case name, version, commit, sqlite
            case buildDate = "build_date"
        }

        /// This binary's version (also part of `/api/diagnostics`).
        static var current: Version {
            Version(
                name: "neural-terminal", version: BuildInfo.version, commit: BuildInfo.commit,
                buildDate: BuildInfo.buildDate, sqlite: SQLiteDatabase.libraryVersion
            )
        }
    }

    static func add(to table: RouteTable) {
        table.add(.get, "/api/version") { _, _ in JSONBody.response(Version.current) }
    }
}
