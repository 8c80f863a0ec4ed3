import HTTPTypes
import Hummingbird
import NTChat
import NTHTTP

extension ChatRoutes {
    /// The branches of a conversation (ADR 0017): switch the visible path, delete a message with everything below
    /// it. Both answer 409 `turn_running` while an answer streams in the conversation (its path must not move
    /// under it). Sending (`edit_of`) and regenerating (`message_id`) are the turn routes.
    func addBranches(to table: RouteTable) {
        table.add(.put, "/api/conversations/{id}/leaf") { request, context in
            let id = try await owned.conversationID(context)
            let body = try await request.decode(as: LeafBody.self, context: context)
            let messageID = try Validate.messageID(body.messageID)
            do {
                try await repository.setLeaf(conversationID: id, through: messageID)
            } catch let error as ChatStoreError {
                throw APIError(branch: error)
            }
            return try await detail(id, view: .path)
        }
        table.add(.delete, "/api/conversations/{id}/messages/{message_id}") { _, context in
            let id = try await owned.conversationID(context)
            let messageID = try Validate.messageID(context.parameters.get("message_id"))
            do {
                _ = try await repository.deleteSubtree(conversationID: id, messageID: messageID)
            } catch let error as ChatStoreError {
                throw APIError(branch: error)
            }
            return Response(status: .noContent)
        }
    }

    /// Which messages `GET /api/conversations/{id}` lists.
    enum DetailView: String {
        /// The visible path, root first.
        case path
        /// Every message, in creation order.
        case tree
    }

    /// The conversation with the messages of `view`: the answer of `GET /api/conversations/{id}` and `PUT …/leaf`.
    func detail(_ id: String, view: DetailView) async throws -> Response {
        guard let conversation = try await repository.conversation(id: id) else { throw APIError.notFound }
        let messages = switch view {
        case .path: try await repository.path(conversationID: id)
        case .tree: try await repository.tree(conversationID: id)
        }
        return JSONBody.response(ConversationDetail(conversation: conversation, messages: messages))
    }
}

/// `PUT /api/conversations/{id}/leaf`.
struct LeafBody: Decodable {
    var messageID: String

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
    }
}

extension Validate {
    /// A message id from a path or a body; one that cannot be an id names no message (404).
    static func messageID(_ value: String?) throws -> String {
        guard let value, Identifiers.isValid(value) else { throw APIError.messageNotFound }
        return value
    }

    /// `?view=` of `GET /api/conversations/{id}`: `path` (the default) or `tree`.
    static func view(_ value: String?) throws -> ChatRoutes.DetailView {
        guard let value else { return .path }
        guard let view = ChatRoutes.DetailView(rawValue: value) else {
            throw APIError(.badRequest, code: "invalid_view", message: "view must be path or tree")
        }
        return view
    }
}

extension APIError {
    static var messageNotFound: APIError { APIError(.notFound, code: "not_found", message: "no such message in this conversation") }

    /// The HTTP form of a refused change of branches.
    init(branch error: ChatStoreError) {
        switch error {
        case .conversationNotFound: self = .notFound
        case .turnRunning:
            self.init(.conflict, code: "turn_running", message: "an answer is streaming in this conversation; stop it or wait for it to end")
        default: self = .messageNotFound
        }
    }
}
