import Hummingbird
import NTConfig
import NTHTTP
import Testing
@testable import WebWorker

/// The pure parts of the input limits: the JSON depth scan, which bucket a request counts in, the checks of
/// message, title and page size, and the names the development asset folder will serve.
struct InputLimitsTests {
    static func nested(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    @Test func depthCountsArraysAndObjects() {
        #expect(JSONDepth.exceeds(1, in: Array(#"{"title":"x","n":[1,2]}"#.utf8)))
        #expect(!JSONDepth.exceeds(2, in: Array(#"{"title":"x","n":[1,2]}"#.utf8)))
        #expect(!JSONDepth.exceeds(1, in: Array("{}".utf8)))
        #expect(!JSONDepth.exceeds(32, in: Array(Self.nested(32).utf8)))
        #expect(JSONDepth.exceeds(32, in: Array(Self.nested(33).utf8)))
        #expect(JSONDepth.exceeds(32, in: Array(#"{"a":{"b":"#.utf8) + Array(Self.nested(31).utf8) + Array("}}".utf8)))
    }

    @Test func bracketsInsideStringsDoNotCountAndEscapesAreHonoured() {
        let inString = #"{"text":"\#(String(repeating: "[{", count: 1_000))"}"#
        #expect(!JSONDepth.exceeds(1, in: Array(inString.utf8)))
        // An escaped quote does not end the string; an escaped backslash before a quote does.
        #expect(!JSONDepth.exceeds(1, in: Array(#"{"a":"\"[[[[\"","b":1}"#.utf8)))
        #expect(JSONDepth.exceeds(1, in: Array(#"{"a":"\\",[[["#.utf8)))
        // Unbalanced closers cannot hide depth that follows them.
        #expect(JSONDepth.exceeds(3, in: Array(("]]]]" + Self.nested(4)).utf8)))
    }

    @Test func aHundredThousandLevelsAreRefusedInOneLinearPass() {
        #expect(JSONDepth.exceeds(32, in: Array(Self.nested(100_000).utf8)))
        #expect(JSONDepth.exceeds(512, in: ByteBuffer(string: Self.nested(100_000))))
        #expect(!JSONDepth.exceeds(100_000, in: ByteBuffer(string: Self.nested(100_000))))
    }

    @Test func chatTurnsCountInTheChatBucketAndOtherAPIRequestsInTheAPIBucket() {
        #expect(RateBucket.of(method: .post, path: "/api/chat") == .chat)
        #expect(RateBucket.of(method: .post, path: "/api/conversations/0190c0de-0000-7000-8000-000000000000/messages") == .chat)
        #expect(RateBucket.of(method: .post, path: "/api/conversations/x/regenerate") == .chat)
        #expect(RateBucket.of(method: .post, path: "//api//chat/") == .chat, "split as the router splits")
        #expect(RateBucket.of(method: .get, path: "/api/chat") == .api)
        #expect(RateBucket.of(method: .post, path: "/api/conversations/x/stop") == .api)
        #expect(RateBucket.of(method: .post, path: "/api/conversations") == .api)
        #expect(RateBucket.of(method: .get, path: "/api/version") == .api)
        #expect(RateBucket.of(method: .get, path: "/") == nil)
        #expect(RateBucket.of(method: .get, path: "/assets/app.js") == nil)
        #expect(RateBucket.of(method: .get, path: "/apiary") == nil)
    }

    @Test func importStreamsItsBodyAndOnlyAPIWritesAreCollected() {
        #expect(BodyLimitMiddleware.streamsItsBody(method: .post, path: "/api/import"))
        #expect(BodyLimitMiddleware.streamsItsBody(method: .post, path: "/api/import/"))
        #expect(!BodyLimitMiddleware.streamsItsBody(method: .post, path: "/api/chat"))
        #expect(JSONDepthMiddleware.decodesBody(method: .patch, path: "/api/conversations/x"))
        #expect(!JSONDepthMiddleware.decodesBody(method: .get, path: "/api/conversations"))
        #expect(!JSONDepthMiddleware.decodesBody(method: .post, path: "/assets/app.js"))
    }

    @Test func messageTitleAndPageSizeRefusalsNameTheSetting() throws {
        var config = AppConfig()
        config.limits.messageMaxChars = 5
        config.limits.titleMaxChars = 3
        config.limits.pageMaxItems = 10
        let limits = InputLimits(config)
        #expect(try Validate.message("hello", "content", limits) == "hello")
        #expect(try Validate.message("héllo", "content", limits) == "héllo", "characters, not bytes")
        let long = #expect(throws: APIError.self) { try Validate.message("hello!", "content", limits) }
        #expect(long?.status == .badRequest)
        #expect(long?.message == "content is longer than 5 characters (limits.message_max_chars)")
        let title = #expect(throws: APIError.self) { try Validate.title("abcd", limits) }
        #expect(title?.code == "invalid_title")
        #expect(title?.message.hasSuffix("(limits.title_max_chars)") == true)

        #expect(try Validate.pageSize(nil, default: 50, max: 10) == 10)
        #expect(try Validate.pageSize("10", default: 50, max: 10) == 10)
        let page = #expect(throws: APIError.self) { try Validate.pageSize("11", default: 50, max: 10) }
        #expect(page?.code == "invalid_limit")
        #expect(page?.message == "limit must be at most 10 conversations per page (limits.page_max_items)")
        #expect(throws: APIError.self) { try Validate.pageSize("0", default: 50, max: 10) }
        #expect(throws: APIError.self) { try Validate.pageSize("ten", default: 50, max: 10) }
    }

    @Test func theDevelopmentFolderServesOnlyPlainNames() {
        for name in ["app.js", "app.css", "index.html", "favicon.svg", "a-b_c.1.js"] {
            #expect(AssetRoutes.isPlainName(name), "\(name)")
        }
        let hostile = [
            "", ".", "..", "../Package.swift", "..%2f..%2fPackage.swift", "%2e%2e%2fPackage.swift", "..\\secret.js",
            "/etc/passwd", "a/b.js", ".hidden.js", "app.js\u{0}.txt", "app.js%00", "app js", "ápp.js",
            String(repeating: "a", count: 300) + ".js",
        ]
        for name in hostile {
            #expect(!AssetRoutes.isPlainName(name), "\(name)")
        }
    }
}
