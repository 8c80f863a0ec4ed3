import Hummingbird

/// `POST /api/v1/chat/completions`: the scripted answer of the requested model, streamed or whole.
struct ChatCompletions: Sendable {
    let settings: Settings
    let state: FakeState

    func respond(_ request: Request) async throws -> Response {
        state.countAPIRequest()
        // `collectBody` keeps the connection's part stream behind the collected body, which
        // `consumeWithCancellationOnInboundClose` needs later to notice the client leaving; iterating
        // `request.body` directly would lose it (and crash Hummingbird 2.28 when the client then leaves).
        var request = request
        guard let collected = try? await request.collectBody(upTo: Responses.bodyLimit) else {
            return Responses.json(Wire.error(413, "Request payload too large"), status: 413)
        }
        let bytes = Array(collected.readableBytesView)
        let parsed = JSON.parse(bytes)
        state.countChatRequest([
            "model": parsed?["model"] ?? .null,
            "headers": Responses.reported(request),
            "body": parsed ?? .string(String(decoding: bytes, as: UTF8.self)),
        ])
        if let denied = ScriptedErrors.denied(request, settings: settings) { return denied }
        guard let body = parsed, case .object = body else { return ScriptedErrors.invalidBody() }
        let chat = ChatRequest(body: body)
        guard let model = Catalog.byID[chat.modelID] else { return ScriptedErrors.invalidModel(chat.modelID) }
        if case .httpError(let status) = model.behaviour {
            return ScriptedErrors.response(status: status, model: model.id)
        }
        if model.behaviour == .echoAuthorization { return ScriptedErrors.echoingAuthorization(request) }
        let authorization = Responses.header(request, "Authorization")
        if model.behaviour == .echoKeyID { return ScriptedErrors.keyIDNotFound(authorization) }
        if model.behaviour == .echoKeyForms { return ScriptedErrors.echoingKeyForms(authorization) }
        var plan = Plan(model: model, request: chat, defaultTokens: settings.tokens)
        if model.behaviour == .echoKeyInStream { KeyEcho.plan(authorization, into: &plan) }
        var script = StreamScript(
            head: ChunkHead(model: model.id), model: model, plan: plan, promptTokens: chat.promptTokens, settings: settings)
        if model.behaviour == .midstreamErrorEchoingKey {
            script.errorMessage = "Provider returned error: " + KeyEcho.sentence(authorization)
        }
        let served = Served(request: chat, userAgent: Responses.header(request, "User-Agent"),
                             referer: Responses.header(request, "HTTP-Referer"), startedAt: .now)
        if model.behaviour == .stallBeforeFirstByte || (!chat.stream && model.behaviour == .stall) {
            // Not even headers: the client's first-byte timeout is what is under test.
            state.streamStarted()
            await Responses.untilClientLeaves(request)
            state.streamEnded(.clientDisconnected)
            return Response(status: .ok)
        }
        return chat.stream ? stream(request, script: script, served: served) : try await whole(script, served)
    }

    /// What is known about a request when its generation is recorded.
    struct Served: Sendable {
        let request: ChatRequest
        let userAgent: String?
        let referer: String?
        let startedAt: ContinuousClock.Instant

        func generation(_ script: StreamScript, streamed: Bool, cancelled: Bool, reasoning: Int, content: Int,
                        finish: String?, firstToken: ContinuousClock.Instant?) -> Generation
        {
            let completion = reasoning + content
            let now = ContinuousClock.now
            let latency = (firstToken ?? now) - startedAt
            return Generation(
                head: script.head, request: request, userAgent: userAgent, referer: referer, streamed: streamed,
                cancelled: cancelled, promptTokens: script.promptTokens, completionTokens: completion,
                reasoningTokens: reasoning, finishReason: finish, cost: script.cost(completionTokens: completion),
                latencyMs: Self.milliseconds(latency), generationMs: Self.milliseconds(now - startedAt))
        }

        static func milliseconds(_ d: Duration) -> Int {
            Int(d.components.seconds) * 1000 + Int(d.components.attoseconds / 1_000_000_000_000_000)
        }
    }

    /// The SSE response. Headers go out at once; the body runs the script and notices a client that leaves,
    /// either by a failed write or, while nothing is written (`fake/stall`), by the inbound side closing.
    private func stream(_ request: Request, script: StreamScript, served: Served) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[.init("X-Generation-Id")!] = script.head.id
        // Watching for the client to leave consumes the connection, so Hummingbird closes it after the stream;
        // saying so up front keeps HTTP/1.1 clients from reusing it and racing the close.
        headers[.connection] = "close"
        let state = self.state
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            state.streamStarted()
            var out = SSEEmitter(writer: writer, framing: script.framing, startedAt: served.startedAt)
            var end = StreamEnd.clientDisconnected
            var cut = false
            do {
                try await request.body.consumeWithCancellationOnInboundClose { _ in try await script.run(&out) }
                end = .completed
            } catch is CutConnection {
                end = .completed
                cut = true
            } catch {
                end = .clientDisconnected
            }
            let finished = end == .completed && !cut
            let finish: String? =
                switch script.model.behaviour {
                case _ where !finished: nil
                case .midstreamError, .midstreamErrorNoDone, .midstreamErrorEchoingKey: "error"
                default: script.plan.finishReason
                }
            // Billed for the tokens that reached the wire; `cancelled` only when the client left (a cut or a
            // mid-stream error is the provider's failure, not a cancellation).
            state.record(served.generation(
                script, streamed: true, cancelled: end == .clientDisconnected, reasoning: out.reasoningSent,
                content: out.contentSent, finish: finish, firstToken: out.firstTokenAt))
            state.streamEnded(end)
            // Throwing makes Hummingbird close the connection without ending the chunked body.
            if !finished { throw CutConnection() }
        })
    }

    /// The non-streaming answer, after as long as the stream would have taken.
    private func whole(_ script: StreamScript, _ served: Served) async throws -> Response {
        let behaviour = script.model.behaviour
        if behaviour == .midstreamError || behaviour == .midstreamErrorNoDone || behaviour == .midstreamErrorEchoingKey {
            // Without a stream the failure is seen before the response starts: an ordinary 502.
            return ScriptedErrors.response(status: 502, model: script.model.id)
        }
        let plan = script.plan
        let completion = plan.reasoning.count + plan.content.count
        try await Task.sleep(for: script.settings.ttft + script.tokenDelay * max(0, completion - 1))
        let cost = behaviour == .noCost ? nil : script.cost(completionTokens: completion)
        let usage = Wire.usage(prompt: script.promptTokens, completion: completion,
                               reasoning: plan.reasoning.count, cost: cost)
        let body = Wire.completion(script.head, plan: plan, usage: behaviour == .noUsage ? nil : usage)
        state.record(served.generation(
            script, streamed: false, cancelled: false, reasoning: plan.reasoning.count,
            content: plan.content.count, finish: plan.finishReason, firstToken: nil))
        let headers = [("X-Generation-Id", script.head.id)]
        guard behaviour == .cut else { return Responses.json(body, headers: headers) }
        // Half of the promised Content-Length, then the connection drops.
        let bytes = Array(body.serialized.utf8)
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.init("X-Generation-Id")!] = script.head.id
        return Response(status: .ok, headers: fields, body: ResponseBody(contentLength: bytes.count) { writer in
            try await writer.write(ByteBuffer(bytes: bytes.prefix(bytes.count / 2)))
            throw CutConnection()
        })
    }
}
