// swift-tools-version:6.2
// Neural Terminal: one static binary holding a supervisor and its three workers.
// Dependencies flow one way (scripts/check-imports.py keeps each target's list equal to its imports, and
// `scripts/check-imports.py --graph` prints the graph):
//   C leaves (CNTSupport, CCrypto, CSQLite, CZstd, CCurl, CLibPQ)
//   ← leaf tools: NTIPC, NTMetrics, NTOpenRouter (no target of this package below them), NTPostgres (libpq),
//     NTConfig (NTPostgres, for storage.url), NTSystem (C shims; the UTC time arithmetic), NTLog (NTSystem),
//     NTStorage (SQLite and PostgreSQL behind one connection protocol), NTCurl (libcurl)
//   ← shared layers: NTFiles (NTSystem, CZstd), NTBackup (NTFiles, NTIPC, NTStorage, NTSystem),
//     NTAuth (NTConfig, NTStorage, NTSystem),
//     NTHTTP (NTLog, NTSystem), NTWorkerKit (NTConfig, NTLog, NTSystem, NTIPC, NTMetrics, NTStorage),
//     and the chat domain: NTChat (NTStorage, NTSystem, NTOpenRouter, NTLog) ← NTArchive (NTChat, NTFiles, NTIPC) and
//     NTUpstream (NTChat, NTCurl, NTOpenRouter, NTLog: the upstream adapter, which only WebWorker imports)
//   ← the four process modules WebWorker, MetricsWorker, MaintenanceWorker and Supervisor: each on NTWorkerKit,
//     none imports another (the supervisor only spawns the workers, as processes of this binary)
//   ← the CLI, NeuralTerminal, which imports all four. FakeOpenRouter (a test tool) uses none of them.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let nio: Target.Dependency = .product(name: "NIOCore", package: "swift-nio")
let nioPosix: Target.Dependency = .product(name: "NIOPosix", package: "swift-nio")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let lifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")

let package = Package(
    name: "neural-terminal",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "neural-terminal", targets: ["NeuralTerminal"]),
        .executable(name: "fake-openrouter", targets: ["FakeOpenRouter"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", exact: "2.5.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", exact: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
    ],
    targets: [
        // MARK: C leaf libraries
        .target(name: "CNTSupport", path: "Sources/CNTSupport"),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
        // SHA-256 from the OpenSSL libcrypto that libcurl's TLS links already (ADR 0007).
        .target(name: "CCrypto", path: "Sources/CCrypto", linkerSettings: [.linkedLibrary("crypto")]),
        // A minimal static libcurl built from Debian's source by scripts/build-curl.sh into vendor/curl (ADR 0003), and
        // a minimal static libpq by scripts/build-libpq.sh into vendor/libpq (ADR 0019). Their archives are ONE
        // ordered list here: the static linker resolves left to right, and both libcurl and libpq need OpenSSL after
        // them (two targets each listing ssl and crypto were merged by SwiftPM with libcurl after OpenSSL).
        .target(
            name: "CCurl",
            path: "Sources/CCurl",
            linkerSettings: [
                .unsafeFlags(["-L\(Context.packageDirectory)/vendor/curl/lib", "-L\(Context.packageDirectory)/vendor/libpq/lib"]),
                .linkedLibrary("curl"), .linkedLibrary("nghttp2"),
                .linkedLibrary("pq"), .linkedLibrary("pgcommon_shlib"), .linkedLibrary("pgport_shlib"),
                .linkedLibrary("ssl"), .linkedLibrary("crypto"), .linkedLibrary("zstd"), .linkedLibrary("z"),
            ]
        ),
        // libpq's header; its archives come with CCurl's list.
        // kept: CLibPQ CCurl — not imported: it brings the ordered link list that holds libpq's archives.
        .target(name: "CLibPQ", dependencies: ["CCurl"], path: "Sources/CLibPQ"),

        // MARK: leaf tools
        .target(name: "NTConfig", dependencies: ["NTPostgres"], swiftSettings: strict),
        .target(name: "NTLog", dependencies: ["NTSystem", logging], swiftSettings: strict),
        .target(name: "NTSystem", dependencies: ["CNTSupport", "CCrypto"], swiftSettings: strict),
        .target(name: "NTStorage", dependencies: ["CSQLite", "NTPostgres", "NTSystem"], swiftSettings: strict),
        // Durable file operations, the directory lock and zstd streams: what backups, archives and imports share.
        .target(name: "NTFiles", dependencies: ["NTSystem", "CZstd"], swiftSettings: strict),
        .target(name: "NTBackup", dependencies: ["NTFiles", "NTIPC", "NTStorage", "NTSystem"], swiftSettings: strict),
        .target(name: "NTIPC", dependencies: [nio, nioPosix, logging], swiftSettings: strict),
        .target(name: "NTCurl", dependencies: ["CCurl"], swiftSettings: strict),
        // PostgreSQL's client library, libpq, for the PostgreSQL storage backend (ADR 0019).
        .target(name: "NTPostgres", dependencies: ["CLibPQ"], swiftSettings: strict),
        .target(name: "NTOpenRouter", swiftSettings: strict),

        // MARK: shared infrastructure of the workers
        .target(
            name: "NTMetrics",
            dependencies: [
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "NTHTTP",
            dependencies: [
                "NTLog", "NTSystem", nio, nioPosix, logging,
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "NTWorkerKit",
            dependencies: [
                "NTConfig", "NTLog", "NTSystem", "NTIPC", "NTMetrics", "NTStorage", logging,
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // MARK: the chat domain
        // Passwords (bcrypt from hummingbird-auth), browser sessions and API tokens, stored in the database.
        .target(
            name: "NTAuth",
            dependencies: ["NTConfig", "NTStorage", "NTSystem", .product(name: "HummingbirdBcrypt", package: "hummingbird-auth")],
            swiftSettings: strict
        ),

        .target(
            name: "NTChat",
            dependencies: ["NTStorage", "NTSystem", "NTOpenRouter", "NTLog", logging, .product(name: "Metrics", package: "swift-metrics")],
            swiftSettings: strict
        ),
        // The chat domain's upstream adapter: OpenRouter (or any OpenAI-compatible server) over libcurl. Only the
        // web worker links it; the domain sees the ChatUpstream protocol.
        .target(name: "NTUpstream", dependencies: ["NTChat", "NTCurl", "NTOpenRouter", "NTLog"], swiftSettings: strict),

        // MARK: monthly archives (the chat domain's export format, compressed and verified like backups)
        .target(name: "NTArchive", dependencies: ["NTChat", "NTFiles", "NTIPC", "NTSystem", "NTConfig"], swiftSettings: strict),

        // MARK: the process model
        .target(
            name: "WebWorker",
            dependencies: ["NTAuth", "NTBackup", "NTChat", "NTFiles", "NTUpstream", "NTCurl", "NTConfig", "NTWorkerKit", "NTHTTP", "NTIPC", "NTStorage", "NTSystem", logging, lifecycle, nio, nioPosix,
                .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics")],
            // The UI's source files; they reach the binary through the generated Assets/EmbeddedAssets.swift.
            exclude: ["Assets/web"],
            swiftSettings: strict
        ),
        .target(
            name: "MetricsWorker",
            dependencies: ["NTConfig", "NTWorkerKit", "NTHTTP", "NTStorage", "NTBackup", "NTIPC", "NTMetrics", "NTSystem", logging, lifecycle, .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: strict
        ),
        .target(
            name: "MaintenanceWorker",
            dependencies: ["NTWorkerKit", "NTConfig", "NTStorage", "NTBackup", "NTArchive", "NTChat", "NTSystem", logging, lifecycle, .product(name: "Metrics", package: "swift-metrics")],
            swiftSettings: strict
        ),
        .target(
            name: "Supervisor",
            dependencies: [
                "NTConfig", "NTLog", "NTSystem", "NTStorage", "NTBackup", "NTFiles", "NTArchive", "NTIPC", "NTMetrics", "NTWorkerKit", logging,
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // MARK: the command line
        .executableTarget(
            name: "NeuralTerminal",
            dependencies: [
                "Supervisor", "WebWorker", "MetricsWorker", "MaintenanceWorker", "NTChat", "CZstd",
                "NTConfig", "NTLog", "NTSystem", "NTIPC", "NTWorkerKit", "NTStorage", "NTBackup", "NTFiles", "NTArchive", "NTCurl", "NTAuth", logging,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        // MARK: test tools (not part of the release binary)
        .executableTarget(
            name: "FakeOpenRouter",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        // MARK: tests
        .testTarget(name: "NTConfigTests", dependencies: ["NTConfig"], swiftSettings: strict),
        .testTarget(name: "NTLogTests", dependencies: ["NTLog", logging], swiftSettings: strict),
        .testTarget(name: "NTSystemTests", dependencies: ["NTSystem"], swiftSettings: strict),
        .testTarget(name: "NTFilesTests", dependencies: ["NTFiles", "NTSystem"], swiftSettings: strict),
        .testTarget(
            name: "NTMetricsTests",
            dependencies: [
                "NTMetrics", .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "NTOpenRouterTests", dependencies: ["NTOpenRouter"], swiftSettings: strict),
        .testTarget(name: "NTCurlTests", dependencies: ["NTCurl"], swiftSettings: strict),
        // A throwaway PostgreSQL 15 cluster from Debian's packages on a loopback port, for every test that needs one.
        .target(name: "PostgresTestSupport", dependencies: ["NTPostgres", "NTStorage", "NTSystem"], path: "Tests/PostgresTestSupport", swiftSettings: strict),
        .testTarget(name: "NTPostgresTests", dependencies: ["NTPostgres", "PostgresTestSupport"], swiftSettings: strict),
        // DatabaseConnection on both engines, and the PostgreSQL schema against its psql checks (Postgres/schema-checks.sql).
        .testTarget(
            name: "NTStorageTests", dependencies: ["NTStorage", "PostgresTestSupport"], exclude: ["Postgres/schema-checks.sql"],
            swiftSettings: strict
        ),
        .testTarget(name: "NTBackupTests", dependencies: ["NTBackup", "NTFiles", "NTStorage", "NTSystem"], swiftSettings: strict),
        .testTarget(name: "NTAuthTests", dependencies: ["NTAuth", "NTStorage", "PostgresTestSupport"], swiftSettings: strict),
        .testTarget(name: "NTArchiveTests", dependencies: ["NTArchive", "NTChat", "NTFiles", "NTStorage", "NTSystem", "PostgresTestSupport"], swiftSettings: strict),
        .testTarget(name: "NTChatTests", dependencies: ["NTChat", "NTStorage", "NTSystem", "NTOpenRouter", "NTLog", "PostgresTestSupport", logging], swiftSettings: strict),
        .testTarget(
            name: "WebWorkerTests",
            dependencies: [
                "WebWorker", "NTAuth", "NTChat", "NTConfig", "NTWorkerKit", "NTStorage", "NTSystem", "NTOpenRouter", "NTHTTP", "NTMetrics", logging,
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ApplianceTests",
            // kept: ApplianceTests NeuralTerminal — not imported: the tests start the built binary, so it is built first.
            dependencies: ["NeuralTerminal", "NTSystem", "NTIPC", "NTWorkerKit", "NTBackup", "NTFiles", "NTArchive", "NTStorage", "NTPostgres", "PostgresTestSupport"],
            swiftSettings: strict
        ),
    ]
)
