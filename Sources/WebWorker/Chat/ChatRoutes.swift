import HTTPTypes
import Hummingbird
import Logging
import NTChat
import NTHTTP

/// The chat API: conversations, messages streamed as SSE, stop, regenerate, branches, models.
struct ChatRoutes: Sendable {
    let service: ChatService
    let repository: any ChatRepository
    let catalog: ModelsCatalog
    /// `[limits]` at the point of use: message and title length, page size.
    let limits: @Sendable () -> InputLimits

    /// Answers 404 for another person's conversation, before any route reads or changes it.
    /// Ownership checks are reads: on PostgreSQL they go to the reading connection, beside the writes.
    var owned: Ownership { Ownership(repository: service.readRepository) }

    func add(to table: RouteTable) {
        table.add(.get, "/api/models") { _, _ in
            JSONBody.response(ModelsList(data: try await catalog.models(), refreshedAt: catalog.lastRefresh))
        }
        table.add(.post, "/api/models/refresh") { _, context in
            do {
                let count = try await catalog.refresh()
                return JSONBody.response(["refreshed": count])
            } catch {
                context.logger.warning("model refresh failed", metadata: ["error": "\(error)"])
                throw APIError(.badGateway, code: "upstream_unreachable", message: "could not refresh the models: \(error)")
            }
        }
        table.add(.get, "/api/conversations") { request, context in
            let limit = try Validate.pageSize(request.uri.queryParameters.get("limit"), default: 50, max: limits().pageMaxItems)
            let offset = try Validate.int(request.uri.queryParameters.get("offset"), "offset", default: 0, in: 0...Int.max)
            return JSONBody.response(try await repository.conversations(ownerID: try Ownership.accountID(context), limit: limit, offset: offset))
        }
        table.add(.post, "/api/conversations") { request, context in
            let body = try await request.decode(as: NewConversationBody.self, context: context)
            let title = try Validate.title(body.title ?? "New session", limits())
            let model = try body.model.map { try Validate.text($0, "model", max: ChatLimits.maxModelIDCharacters) }
            let prompt = try body.systemPrompt.map { try Validate.text($0, "system_prompt", max: ChatLimits.maxSystemPromptCharacters, allowEmpty: true) }
            let created = try await repository.createConversation(title: title, model: model, systemPrompt: prompt, ownerID: try Ownership.accountID(context))
            return JSONBody.response(created, status: .created)
        }
        table.add(.get, "/api/conversations/{id}") { request, context in
            let id = try await owned.conversationID(context)
            return try await detail(id, view: try Validate.view(request.uri.queryParameters.get("view")))
        }
        table.add(.patch, "/api/conversations/{id}") { request, context in
            let id = try await owned.conversationID(context)
            let body = try await request.decode(as: ConversationPatchBody.self, context: context)
            let limits = limits()
            let patch = ConversationPatch(
                title: try body.title.map { try Validate.title($0, limits) },
                model: try body.model.map { try $0.map { try Validate.text($0, "model", max: ChatLimits.maxModelIDCharacters) } },
                systemPrompt: try body.systemPrompt.map {
                    try $0.map { try Validate.text($0, "system_prompt", max: ChatLimits.maxSystemPromptCharacters, allowEmpty: true) }
                }
            )
            guard let updated = try await repository.updateConversation(id: id, patch: patch) else { throw APIError.notFound }
            return JSONBody.response(updated)
        }
        table.add(.delete, "/api/conversations/{id}") { _, context in
            let id = try await owned.conversationID(context)
            // An answer streaming on another instance is asked to stop too (its upstream call would go on costing).
            _ = try await service.stopAnywhere(conversationID: id, wait: .zero)
            guard try await repository.deleteConversation(id: id) else { throw APIError.notFound }
            return Response(status: .noContent)
        }
        table.add(.post, "/api/conversations/{id}/messages") { request, context in
            let id = try await owned.conversationID(context)
            let body = try await request.decode(as: NewMessageBody.self, context: context)
            let content = try Validate.message(body.content, "content", limits())
            return try await stream(TurnRequest(
                conversationID: id, content: content, branchFrom: try body.editOf.map(Validate.messageID), model: try Validate.model(body.model),
                maxTokens: try Validate.maxTokens(body.maxTokens), temperature: try Validate.temperature(body.temperature),
                requestID: context.requestID
            ), context: context)
        }
        table.add(.post, "/api/conversations/{id}/regenerate") { request, context in
            let id = try await owned.conversationID(context)
            let body = try await request.decodeIfPresent(as: RegenerateBody.self, context: context) ?? RegenerateBody()
            return try await stream(TurnRequest(
                conversationID: id, content: nil, branchFrom: try body.messageID.map(Validate.messageID), model: try Validate.model(body.model),
                maxTokens: try Validate.maxTokens(body.maxTokens), temperature: try Validate.temperature(body.temperature),
                requestID: context.requestID
            ), context: context)
        }
        addAttach(to: table)
        addBranches(to: table)
        table.add(.post, "/api/conversations/{id}/stop") { _, context in
            let id = try await owned.conversationID(context)
            return JSONBody.response(["stopped": try await service.stopAnywhere(conversationID: id)])
        }
        table.add(.post, "/api/chat") { request, context in
            let body = try await request.decode(as: QuickChatBody.self, context: context)
            let limits = limits()
            let message = try Validate.message(body.message, "message", limits)
            let model = try Validate.model(body.model)
            let conversationID: String
            var fresh: NewConversation?
            if let given = body.conversationID {
                conversationID = try await owned.check(given, context)
            } else {
                // The conversation is created with the turn's first messages, in one transaction: a refused request
                // leaves nothing behind.
                conversationID = Identifiers.uuid()
                let title = String(message.prefix(min(60, limits.titleMaxChars)))
                fresh = NewConversation(title: title, model: model, ownerID: try Ownership.accountID(context))
            }
            return try await stream(TurnRequest(
                conversationID: conversationID, content: message, model: model, requestID: context.requestID, newConversation: fresh
            ), context: context)
        }
    }

    /// Starts the turn (refusals become JSON errors with their status) and streams its events as SSE.
    ///
    /// The turn runs on the response's own task with the connection's event loop as its executor: bytes the curl
    /// thread hands over wake that loop once per batch, and are parsed, stored in the answer buffer, framed and
    /// written there, with one write per batch.
    func stream(_ turnRequest: TurnRequest, context: AppRequestContext) async throws -> Response {
        var turnRequest = turnRequest
        // The asker's own budgets are checked beside the appliance's.
        turnRequest.person = context.account?.personalBudget
        let turn: ChatTurn
        do {
            turn = try await service.start(turnRequest, logger: context.logger)
        } catch {
            throw APIError(refusal: error)
        }
        let timer = FirstTokenTimer(model: turn.model, received: context.receivedAt)
        let executor = EventLoopTaskExecutor(context.eventLoop)
        return Response(status: .ok, headers: Self.eventStreamHeaders, body: ResponseBody { writer in
            await withTaskExecutorPreference(executor) {
                var frames = SSEFrames()
                var firstToken = timer
                await turn.run(emit: { frames.append($0); firstToken.emitted($0) }, flush: {
                    if let batch = frames.take() {
                        try await writer.write(batch)
                        firstToken.flushed()
                    }
                })
            }
            try await writer.finish(nil)
        })
    }
}

struct ModelsList: Encodable {
    let data: [ModelSummary]
    let refreshedAt: String?

    enum CodingKeys: String, CodingKey {
        case data
        case refreshedAt = "refreshed_at"
    }
}
