import NTStorage
import NTSystem
import Testing

/// A restore compares a backup's schema, statement by statement, with what the migrations create at the backup's
/// version (``SchemaCheck``). Editing a released migration, even only its layout, would make every existing backup
/// of that version fail the check and be refused: the SQL text of each released migration is pinned here.
struct ReleasedMigrationsTests {
    /// SHA-256 of each released migration's SQL text, by version. A new migration is added here when it is
    /// released; an existing line never changes.
    static let released: [Int: String] = [
        1: "00b3494b0ad85fec4b277991dd179d11fec373d1e80857ce4af5b97226c94c36",
        2: "70b66f16a0a16a0fb55fd5325f26327432ab64cb46b0d754cc31e4135beb39b4",
        3: "cd93f993af776b3bbff046286ea8bbc8038f05f92349e312cf173f81d0117942",
        4: "ecd83d037b941fcc89a437b158acc488812fa86e46e751cc07d089641f24bb44",
        5: "72829adcde0aade294e0368272d9b911aaa133ef7049169375a317c5c4a9d007",
        6: "fb9c93c407a176aefd5cb25a51b56af66d783d7675bb732fdbb6e4e5cd39a230",
        7: "d72a508543bd8eabfc29d2b501b7265bdea0fff4aa3c1f21323faa55e5ce6b47",
        8: "955fad9a4d22e743046bb3287579c266a86b578352a87e533ae1d0b186349f94",
        9: "bfc8042f95a67069dd1a3a144c6772154cc5c96c2311d8fcd64ac23a7a4754bd",
        10: "7c97b084faa482108430f92f47952f2501a05744506532d600512100c37d3602",
        11: "5d1e0af8dc83fa73e401da3c53693aae6f344e7c842a156f4b295723a4ebd3a4",
        12: "fab4aa8128579e0b31cd49e8ad58fbf68c8242c3b8409f9430d3c55501a3040a",
        13: "81d14b1dea5c0678161bb119ff3e61aece7b14c8f08af2ef278cbda8e2e80be3",
    ]

    @Test func releasedMigrationsNeverChange() {
        for migration in Schema.migrations {
            guard let pinned = Self.released[migration.version] else { continue }
            #expect(
                SHA256.hex(of: Array(migration.sql.utf8)) == pinned,
                """
                migration \(migration.version) ("\(migration.name)") changed. Released migrations must never change, not \
                even their whitespace: every backup of that schema version would then fail the restore's schema check. \
                Put the change in a new migration instead.
                """
            )
        }
    }

    @Test func everyReleasedMigrationIsPinned() {
        let unpinned = Schema.migrations.map(\.version).filter { Self.released[$0] == nil }
        #expect(unpinned.isEmpty, "pin the SQL of migrations \(unpinned) here when they are released")
    }

    @Test func everyReleasedMigrationIsStillThere() {
        let versions = Set(Schema.migrations.map(\.version))
        #expect(Set(Self.released.keys).isSubset(of: versions), "a released migration was removed; backups of it could no longer be restored")
    }
}
