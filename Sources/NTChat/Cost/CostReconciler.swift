import Logging
import Metrics
import NTSystem

/// Replaces the estimated (or missing) cost of answers that ended without the upstream's usage by the upstream's
/// own figure, fetched from its generation record after the answer: OpenRouter writes that record a few seconds
/// after a stream ends, so each answer is asked about on a back-off schedule until the record is there or
/// ``giveUpAfter`` passes (then the estimate stays). A reconciled cost replaces the estimate everywhere at once:
/// the message, and through the spend triggers its conversation, day, month and budgets.
///
/// Runs in the web worker, after the turn has ended and its client has been answered: it adds nothing to a turn.
/// A web worker that starts resumes the answers of the last ``giveUpAfter`` still unreconciled.
public final class CostReconciler: Sendable {
    /// The pauses before each look-up; the last one repeats until ``giveUpAfter``.
    public static let defaultSchedule: [Duration] = [.seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30), .seconds(60)]
    public static let defaultGiveUpAfter = Duration.seconds(15 * 60)

    let repository: any ChatRepository
    let records: any GenerationRecords
    let schedule: [Duration]
    let giveUpAfter: Duration
    let logger: Logger

    public init(repository: any ChatRepository, records: any GenerationRecords, logger: Logger,
                schedule: [Duration] = CostReconciler.defaultSchedule, giveUpAfter: Duration = CostReconciler.defaultGiveUpAfter) {
        self.repository = repository
        self.records = records
        self.schedule = schedule.isEmpty ? [.seconds(1)] : schedule
        self.giveUpAfter = giveUpAfter
        self.logger = logger
    }

    /// Starts reconciling one answer in the background; returns at once.
    public func reconcile(messageID: String, generationID: String, model: String, endedAt: ContinuousClock.Instant = .now) {
        Task { await self.run(messageID: messageID, generationID: generationID, model: model, deadline: endedAt + giveUpAfter) }
    }

    /// Resumes the answers a previous web worker left unreconciled (ended within ``giveUpAfter``); returns how many.
    @discardableResult
    public func resumePending(now: UTCTime = .now()) async throws -> Int {
        let since = UTCTime(unix: now.unix - giveUpAfter.components.seconds)
        let pending = try await repository.unreconciledAnswers(endedAfter: since)
        for answer in pending {
            reconcile(messageID: answer.messageID, generationID: answer.generationID, model: answer.model ?? "")
        }
        return pending.count
    }

    func run(messageID: String, generationID: String, model: String, deadline: ContinuousClock.Instant) async {
        var step = 0
        while true {
            let pause = schedule[min(step, schedule.count - 1)]
            guard ContinuousClock.now + pause < deadline else { break }
            try? await Task.sleep(for: pause)
            step += 1
            Counter(label: "neural_terminal_cost_reconciliation_attempts_total").increment()
            switch await records.generation(id: generationID) {
            case .notYet:
                continue
            case .unsupported(let why):
                logger.info("cost not reconciled: the upstream keeps no generation records", metadata: [
                    "message_id": "\(messageID)", "reason": "\(why)",
                ])
                Self.count("unsupported")
                return
            case .found(let record):
                do {
                    let changed = try await repository.reconcileCost(messageID: messageID, record: record)
                    if changed {
                        FloatingPointCounter(label: "neural_terminal_chat_reconciled_cost_usd_total", dimensions: [("model", model)])
                            .increment(by: record.totalCostUSD)
                        logger.info("cost reconciled", metadata: [
                            "message_id": "\(messageID)", "cost_usd": "\(record.totalCostUSD)", "attempts": "\(step)",
                            "cancelled": "\(record.cancelled)",
                        ])
                    }
                    Self.count(changed ? "reconciled" : "unchanged")
                } catch {
                    logger.warning("cost not reconciled: storage refused it", metadata: ["message_id": "\(messageID)", "error": "\(error)"])
                    Self.count("failed")
                }
                return
            }
        }
        logger.notice("cost not reconciled in time; the estimate stays", metadata: [
            "message_id": "\(messageID)", "generation_id": "\(generationID)", "attempts": "\(step)",
        ])
        Self.count("gave_up")
    }

    static func count(_ result: String) {
        Counter(label: "neural_terminal_cost_reconciliations_total", dimensions: [("result", result)]).increment()
    }
}

/// An answer whose cost still waits for the upstream's record.
public struct UnreconciledAnswer: Sendable, Equatable {
    public let messageID: String
    public let generationID: String
    public let model: String?

    public init(messageID: String, generationID: String, model: String?) {
        self.messageID = messageID
        self.generationID = generationID
        self.model = model
    }
}
