import Logging
import NTStorage

/// An answer's final state that storage refused when its turn ended (a full disk, a lock held elsewhere past the
/// write's wait): kept in memory and offered to storage again, with back-off, until it is taken or
/// ``giveUpAfter`` passes. Text a client received is then not lost once an operator frees the disk.
///
/// The row stays `streaming` meanwhile (with the text of its last periodic flush). If the web worker stops first,
/// the state held here is lost and the row becomes `interrupted` when a web worker next starts.
enum LateFinish {
    static let giveUpAfter = Duration.seconds(30 * 60)
    static let longestPause = Duration.seconds(30)

    static func keepTrying(_ repository: any ChatRepository, messageID: String, outcome: MessageOutcome, logger: Logger) {
        Task {
            let deadline = ContinuousClock.now + giveUpAfter
            var pause = Duration.seconds(1)
            var attempts = 0
            while ContinuousClock.now < deadline {
                try? await Task.sleep(for: pause)
                attempts += 1
                do {
                    try await repository.finish(messageID: messageID, outcome: outcome)
                    logger.notice("stored an answer's final state late", metadata: [
                        "message_id": "\(messageID)", "attempts": "\(attempts)",
                    ])
                    return
                } catch {
                    pause = min(pause * 2, longestPause)
                }
            }
            logger.error("gave up storing an answer's final state; it stays as last flushed", metadata: [
                "message_id": "\(messageID)", "attempts": "\(attempts)",
            ])
        }
    }
}
