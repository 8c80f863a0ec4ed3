import HTTPTypes
import Hummingbird
import NTChat
import NTHTTP

extension ChatRoutes {
    /// The headers of every chat event stream: no caching, no proxy buffering.
    static var eventStreamHeaders: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-cache, no-store"
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return headers
    }

    /// `GET /api/conversations/{id}/stream`: attaches to the conversation's streaming answer, from any page (a
    /// second tab, a reload): `meta`, the text so far as `snapshot`, then the answer's events live to `done`.
    /// Leaving does not stop the answer; `POST …/stop` from any page does. An answer streaming in another process
    /// (another instance on the same PostgreSQL database, another web worker during a rolling restart) is followed
    /// from the text it flushes. 404 `not_streaming` when no answer of the conversation streams anywhere (or its
    /// streamer died: it is then marked `interrupted`): the page then shows the stored text.
    func addAttach(to table: RouteTable) {
        table.add(.get, "/api/conversations/{id}/stream") { _, context in
            let id = try await owned.conversationID(context)
            var here = service.watch(conversationID: id)
            if here == nil { here = try await service.follow(conversationID: id) }
            guard let live = here else {
                throw APIError(.notFound, code: "not_streaming", message: "no answer is streaming in this conversation")
            }
            return Response(status: .ok, headers: Self.eventStreamHeaders, body: ResponseBody { writer in
                var frames = SSEFrames()
                frames.append(.meta(live.meta))
                for await event in live.events {
                    frames.append(event)
                    if let batch = frames.take() { try await writer.write(batch) }
                }
                try await writer.finish(nil)
            })
        }
    }
}
