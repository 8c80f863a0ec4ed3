import Hummingbird
import NTChat
import NTHTTP

/// Every conversation belongs to one account (ADR 0018), and every route answers only about the asker's own: an id
/// of another person's conversation gets the same 404 as an id that does not exist, so ids reveal nothing.
struct Ownership: Sendable {
    let repository: any ChatRepository

    /// The asking account's id. The authentication middleware sets it on every route that reaches here; a request
    /// without one is refused rather than served as nobody (or as everybody).
    static func accountID(_ context: AppRequestContext) throws -> String {
        guard let account = context.account else {
            throw APIError(.unauthorized, code: "unauthenticated", message: "log in at /login, or send an API token as Authorization: Bearer")
        }
        return account.id
    }

    /// The `{id}` of the route, when it names a conversation of the asker; else 404 `not_found`.
    func conversationID(_ context: AppRequestContext) async throws -> String {
        try await check(Validate.id(context), context)
    }

    /// `id`, when it names a conversation of the asker; else 404 `not_found`.
    func check(_ id: String, _ context: AppRequestContext) async throws -> String {
        let owner = try Self.accountID(context)
        guard Identifiers.isValid(id), try await repository.ownerID(ofConversation: id) == owner else { throw APIError.notFound }
        return id
    }
}
