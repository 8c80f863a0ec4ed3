import NTLog
import NTOpenRouter

/// Removes the configured secrets from everything an upstream sends, before any of it is relayed, stored or
/// logged: an upstream or proxy may echo the request's key in any form (see `SecretVariants`) in its answer
/// text, its reasoning, its ids and names, or its errors.
///
/// Answer and reasoning text go through one `SecretStreamRedactor` each, so a key split over several deltas is
/// still caught; a delta may therefore come back shorter or empty, and `finish()` gives what was held back when
/// the stream ends. Error messages get the whole log redactor (keys, tokens, `Authorization` values, personal
/// data); everything else only the secrets, so answers are not otherwise changed. One value per upstream
/// attempt.
struct UpstreamRedaction {
    let redactor: Redactor
    private var content: SecretStreamRedactor
    private var reasoning: SecretStreamRedactor

    init(_ redactor: Redactor) {
        self.redactor = redactor
        content = SecretStreamRedactor(redactor.variants)
        reasoning = SecretStreamRedactor(redactor.variants)
    }

    /// `event` as it may be passed on (see the item and failure variants below).
    mutating func clean(_ event: UpstreamEvent) -> UpstreamEvent {
        switch event {
        case .opened(let generationID): .opened(generationID: generationID.map(redactor.variants.redact))
        case .item(let item): .item(clean(item))
        case .end(let failure): .end(failure.map(clean))
        }
    }

    /// `item` as it may be passed on. Content and reasoning text may come back empty (all of it held back).
    mutating func clean(_ item: StreamItem) -> StreamItem {
        let variants = redactor.variants
        switch item {
        case .content(let text):
            return .content(content.feed(text))
        case .reasoning(let text):
            return .reasoning(reasoning.feed(text))
        case .started(let id, let model, let provider):
            return .started(id: variants.redact(id), model: model.map(variants.redact), provider: provider.map(variants.redact))
        case .finished(let reason, let nativeReason):
            return .finished(reason: variants.redact(reason), nativeReason: nativeReason.map(variants.redact))
        case .upstreamError(var error):
            error.code = variants.redact(error.code)
            error.message = redactor.redact(error.message)
            error.metadata = error.metadata.map(redactor.redact)
            return .upstreamError(error)
        case .malformed(let detail):
            return .malformed(redactor.redact(detail))
        case .usage, .done:
            return item
        }
    }

    /// `failure` with its code and message redacted (again: `UpstreamFailure` redacts its message with the
    /// process's redactor when made, and this one may be a turn's own).
    func clean(_ failure: UpstreamFailure) -> UpstreamFailure {
        var clean = failure
        clean.code = redactor.variants.redact(failure.code)
        clean.message = redactor.redact(failure.message)
        return clean
    }

    /// The answer and reasoning text still held back, redacted; call once when the stream is over.
    mutating func finish() -> (content: String, reasoning: String) {
        (content.finish(), reasoning.finish())
    }
}
