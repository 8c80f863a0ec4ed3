import FoundationEssentials
import Hummingbird
import NTChat
import NTHTTP

/// Input checks of the chat API: each refusal is a 400 (or 404) with a message that names the field and limit.
enum Validate {
    static func id(_ context: AppRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), Identifiers.isValid(id) else { throw APIError.notFound }
        return id
    }

    /// Non-empty (unless `allowEmpty`) text of at most `max` characters; `setting` names the configuration key
    /// that sets `max`, so the refusal tells an operator what to change.
    static func text(_ value: String, _ field: String, max: Int, allowEmpty: Bool = false, setting: String? = nil) throws -> String {
        if !allowEmpty && value.allSatisfy(\.isWhitespace) {
            throw APIError(.badRequest, code: "invalid_\(field)", message: "\(field) must not be empty")
        }
        // The UTF-8 length (no walk) bounds the character count; characters are counted only when it is over.
        guard value.utf8.count <= max || value.count <= max else {
            let key = setting.map { " (\($0))" } ?? ""
            throw APIError(.badRequest, code: "invalid_\(field)", message: "\(field) is longer than \(max) characters\(key)")
        }
        return value
    }

    /// A message a user sends: `limits.message_max_chars`.
    static func message(_ value: String, _ field: String, _ limits: InputLimits) throws -> String {
        try text(value, field, max: limits.messageMaxChars, setting: "limits.message_max_chars")
    }

    /// A conversation title: `limits.title_max_chars`.
    static func title(_ value: String, _ limits: InputLimits) throws -> String {
        try text(value, "title", max: limits.titleMaxChars, setting: "limits.title_max_chars")
    }

    /// The `limit` of a page of conversations: 1 up to `limits.page_max_items`.
    static func pageSize(_ value: String?, default fallback: Int, max: Int) throws -> Int {
        guard let value else { return Swift.min(fallback, max) }
        if let number = Int(value), number > max {
            throw APIError(.badRequest, code: "invalid_limit",
                           message: "limit must be at most \(max) conversations per page (limits.page_max_items)")
        }
        return try int(value, "limit", default: fallback, in: 1...max)
    }

    static func model(_ value: String?) throws -> String? {
        guard let value else { return nil }
        let trimmed = String(value.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        guard !trimmed.isEmpty, trimmed.count <= ChatLimits.maxModelIDCharacters,
              trimmed.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 }) else {
            throw APIError(.badRequest, code: "invalid_model", message: "model must be a model id such as openai/gpt-4o")
        }
        return trimmed
    }

    static func maxTokens(_ value: Int?) throws -> Int? {
        guard let value else { return nil }
        guard ChatLimits.maxTokensRange.contains(value) else {
            throw APIError(.badRequest, code: "invalid_max_tokens", message: "max_tokens must be between 1 and \(ChatLimits.maxTokensRange.upperBound)")
        }
        return value
    }

    static func temperature(_ value: Double?) throws -> Double? {
        guard let value else { return nil }
        guard ChatLimits.temperatureRange.contains(value) else {
            throw APIError(.badRequest, code: "invalid_temperature", message: "temperature must be between 0 and 2")
        }
        return value
    }

    static func int(_ value: String?, _ field: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let value else { return fallback }
        guard let number = Int(value), range.contains(number) else {
            throw APIError(.badRequest, code: "invalid_\(field)", message: "\(field) must be a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }
}

extension APIError {
    static var notFound: APIError { APIError(.notFound, code: "not_found", message: "no such conversation") }

    /// The HTTP form of a turn that could not start.
    init(refusal: TurnRefusal) {
        switch refusal {
        case .conversationNotFound:
            self.init(.notFound, code: "not_found", message: "no such conversation")
        case .messageNotFound:
            self = .messageNotFound
        case .alreadyStreaming:
            self.init(.conflict, code: "already_streaming", message: "an answer is already streaming in this conversation; stop it first")
        case .nothingToRegenerate:
            self.init(.conflict, code: "nothing_to_regenerate", message: "the conversation's current message is not an answer")
        case .invalid(let message):
            self.init(.badRequest, code: "invalid_request", message: message)
        case .budgetExceeded(let exceeded):
            self.init(.init(code: 402, reasonPhrase: "Payment Required"), code: "budget_exceeded", message: exceeded.message)
        case .storage(let fault):
            self.init(storage: fault)
        case .circuitOpen(let open):
            self.init(.serviceUnavailable, code: "circuit_open", message: open.message)
            headers[.retryAfter] = String(open.retryAfterHeaderSeconds)
        }
    }
}

extension Request {
    /// Decodes a JSON body, or returns nil for an empty one (bodies that are optional, e.g. regenerate).
    func decodeIfPresent<T: Decodable>(as type: T.Type, context: AppRequestContext) async throws -> T? {
        var request = self
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError(.badRequest, code: "invalid_json", message: "the body is not valid JSON for this request: \(error)")
        }
    }
}
