import NTStorage
import NTSystem

/// Where budget reservations live when several appliances share one database (ADR 0021): in the database, so a
/// check on any instance counts every instance's answers in flight at their worst case. The check and the new
/// reservation are one write transaction under the writers' lock, so N instances × M concurrent turns are admitted
/// one after the other and never together overrun a budget each alone would fit.
public protocol ReservationLedger: Sendable {
    /// In one write transaction: releases the reservations of runners that died, reads the stored spend plus every
    /// open reservation (for the appliance's budgets, and with `entry.ownerID` for the person's), asks `decide`,
    /// and records the reservation unless `decide` refuses. Returns the reservation's id.
    /// - Throws: the ``BudgetExceeded`` `decide` returned; storage errors as they come.
    func reserve(_ entry: LedgerEntry, decide: @Sendable (_ appliance: Spend, _ personal: Spend) -> BudgetExceeded?) async throws -> Int64
    /// Deletes a reservation (its answer's cost is stored, or it never reached the upstream).
    func release(reservationID: Int64) async throws
}

/// One reservation asked of a ``ReservationLedger``.
public struct LedgerEntry: Sendable, Equatable {
    public var conversationID: String
    /// The account whose personal budgets it counts against, if any.
    public var ownerID: String?
    public var day: UTCDay
    public var amountUSD: Double
}

/// The ledger in the appliance's database, for the runner `presence` (whose reservations are released when it
/// dies: ``ClusterSweep``).
public struct DatabaseReservations: ReservationLedger {
    let repository: SQLChatRepository
    let presence: RunnerPresence

    public init(repository: SQLChatRepository, presence: RunnerPresence) {
        self.repository = repository
        self.presence = presence
    }

    /// Refused (storage unavailable) while the runner is not present: a reservation under a runner every other
    /// instance takes for dead would be deleted by the next admission anywhere, and the budget overrun.
    public func reserve(_ entry: LedgerEntry, decide: @Sendable (Spend, Spend) -> BudgetExceeded?) async throws -> Int64 {
        guard await presence.ensurePresent() else {
            throw StorageError(sqlState: StorageError.connectionState, message: "this runner is not registered with the database")
        }
        return try await repository.reserveBudget(entry, runnerID: presence.runnerID, decide: decide)
    }

    public func release(reservationID: Int64) async throws {
        try await repository.releaseBudget(reservationID: reservationID)
    }
}
