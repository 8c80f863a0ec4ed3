import ArgumentParser
import CZstd
import NTCurl
import NTStorage
import NTSystem

/// `neural-terminal version`: the version, commit and build date, and the C libraries linked in.
struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print version, git commit and build date.",
        discussion: """
            Example:
              neural-terminal version --json
            """
    )

    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let zstd = String(cString: ZSTD_versionString())
        if json {
            print(
                #"{"name":"neural-terminal","version":"\#(BuildInfo.version)","commit":"\#(BuildInfo.commit)","build_date":"\#(BuildInfo.buildDate)","sqlite":"\#(SQLiteDatabase.libraryVersion)","zstd":"\#(zstd)","curl":"\#(CurlClient.version)"}"#
            )
        } else {
            print("neural-terminal \(BuildInfo.version)")
            print("commit      \(BuildInfo.commit)")
            print("built       \(BuildInfo.buildDate)")
            print("sqlite      \(SQLiteDatabase.libraryVersion)")
            print("zstd        \(zstd)")
            print("curl        \(CurlClient.version)")
        }
    }
}
