import NTStorage
import NTSystem

/// The budget reservations of ``DatabaseReservations``: one row per answer admitted and not yet settled, on any
/// instance (PostgreSQL's `budget_reservations`, ADR 0021).
extension SQLChatRepository {
    func reserveBudget(_ entry: LedgerEntry, runnerID: Int64, decide: (Spend, Spend) -> BudgetExceeded?) async throws -> Int64 {
        try await writing {
            defer { db.resetCachedStatements() }
            return try db.transaction {
                try db.execute("DELETE FROM budget_reservations WHERE NOT \(ClusterLocks.runnerAlive("runner_id"))")
                var appliance = try spend(day: entry.day, conversationID: entry.conversationID)
                add(try reserved(entry, ownerID: nil), to: &appliance)
                var personal = Spend()
                if let ownerID = entry.ownerID {
                    personal = try spend(day: entry.day, ownerID: ownerID)
                    add(try reserved(entry, ownerID: ownerID), to: &personal)
                }
                if let exceeded = decide(appliance, personal) { throw exceeded }
                let insert = try db.cachedStatement("""
                    INSERT INTO budget_reservations (runner_id, conversation_id, owner_id, day, amount_usd, created_at)
                    VALUES (?, ?, ?, ?, ?, ?) RETURNING id
                    """)
                insert.bind(1, Int(runnerID))
                insert.bind(2, entry.conversationID)
                insert.bind(3, entry.ownerID)
                insert.bind(4, entry.day.description)
                insert.bind(5, entry.amountUSD)
                insert.bind(6, Identifiers.now())
                guard try insert.step() else { throw StorageError(sqlState: "XX000", message: "the reservation was not stored") }
                return Int64(insert.int(0))
            }
        }
    }

    func releaseBudget(reservationID: Int64) async throws {
        try await writing {
            defer { db.resetCachedStatements() }
            let delete = try db.cachedStatement("DELETE FROM budget_reservations WHERE id = ?")
            delete.bind(1, Int(reservationID))
            _ = try delete.step()
        }
    }

    /// The open reservations on the entry's day, in its month and in its conversation (all of them, or one account's).
    private func reserved(_ entry: LedgerEntry, ownerID: String?) throws -> Spend {
        let query = try db.cachedStatement("""
            SELECT COALESCE(SUM(CASE WHEN day = ?1 THEN amount_usd END), 0),
                   COALESCE(SUM(CASE WHEN day >= ?2 AND day < ?3 THEN amount_usd END), 0),
                   COALESCE(SUM(CASE WHEN conversation_id = ?4 THEN amount_usd END), 0)
            FROM budget_reservations WHERE ?5 IS NULL OR owner_id = ?5
            """)
        query.bind(1, entry.day.description)
        query.bind(2, entry.day.firstOfMonth.description)
        query.bind(3, entry.day.firstOfNextMonth.description)
        query.bind(4, entry.conversationID)
        query.bind(5, ownerID)
        guard try query.step() else { return Spend() }
        return Spend(today: query.double(0), month: query.double(1), conversation: query.double(2))
    }

    private func add(_ reserved: Spend, to spend: inout Spend) {
        spend.today += reserved.today
        spend.month += reserved.month
        spend.conversation += reserved.conversation
    }
}
