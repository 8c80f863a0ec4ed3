@testable import NTOpenRouter
import Testing

/// The fast chunk reader answers exactly what `JSONDecoder` answers, or leaves the chunk to it.
struct ChunkFastPathTests {
    static let head = #""id":"gen-1","model":"openai/gpt-4o","provider":"OpenAI","object":"chat.completion.chunk","created":1731000000"#

    /// Shapes every stream sends many times: the fast reader must take them.
    static let common: [String] = [
        #"{\#(head),"choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null,"native_finish_reason":null,"logprobs":null}]}"#,
        #"{\#(head),"choices":[{"index":0,"delta":{"content":" there, \"quoted\" \\ back\/slash\n\ttab \u00e9 \ud83d\ude00 é"},"finish_reason":null}]}"#,
        #"{\#(head),"choices":[{"index":0,"delta":{"reasoning":"thinking…","content":null},"finish_reason":null}]}"#,
        #"{\#(head),"choices":[{"index":0,"delta":{},"finish_reason":"stop","native_finish_reason":"end_turn"}]}"#,
        #"{ "id" : "x" , "choices" : [ { "index" : 1 , "delta" : { "content" : "not first" } } , { "index" : 0 , "delta" : { "content" : "first" } } ] }"#,
        #"{"id":"x","choices":[],"system_fingerprint":{"nested":[1,-2.5e3,true,false,null,{"a":"b"}]}}"#,
        #"{"id":"x","choices":null}"#,
        #"{"foo":1}"#,
        #"{}"#,
    ]

    /// Shapes the fast reader leaves to `JSONDecoder` (rare members, wrong types, invalid JSON).
    static let others: [String] = [
        #"{\#(head),"choices":[{"index":0,"delta":{"content":""}}],"usage":{"prompt_tokens":3,"completion_tokens":5,"cost":0.0001}}"#,
        #"{"id":"x","error":{"code":429,"message":"slow down"}}"#,
        #"{"id":"x","choices":[{"delta":{"reasoning_details":[{"type":"reasoning.text","text":"r"}]}}]}"#,
        #"{"id":"x","choices":[{"index":"0","delta":{"content":"a"}}]}"#,
        #"{"id":"x","choices":[{"index":0.0,"delta":{"content":"a"}}]}"#,
        #"{"id":"x","choices":[{"index":0,"delta":{"content":5}}]}"#,
        #"{"id":5}"#,
        #"{"id":"a","id":"b"}"#,
        #"{"id":"x","choices":[{"index":0,"delta":{"content":"a\qb"}}]}"#,
        #"{"id":"x","choices":[{"index":0,"delta":{"content":"lone \ud800 surrogate"}}]}"#,
        #"{"id":"x"} trailing"#,
        #"{"id":"x","#,
        #"[1,2]"#,
        #"{"id":"x","n":01}"#,
        #"{"\u0069d":"x","choices":[]}"#,
        #"{"id":"x","choices":[{"index":0,"delta":{"content":"a"},"n\u00e9":1}]}"#,
        "{\"id\":\"raw\u{01}control\"}",
    ]

    @Test(arguments: common + others)
    func bothDecodersAgree(data: String) {
        var fast = ChunkDecoder(usesFastPath: true)
        var reference = ChunkDecoder(usesFastPath: false)
        #expect(fast.decode(data: data) == reference.decode(data: data))
    }

    @Test(arguments: common)
    func theCommonShapesAreReadWithoutJSONDecoder(data: String) {
        var copy = data
        #expect(copy.withUTF8 { ChunkFastPath.read($0) } != nil)
    }

    @Test(arguments: others)
    func theRestIsLeftToJSONDecoder(data: String) {
        var copy = data
        #expect(copy.withUTF8 { ChunkFastPath.read($0) } == nil)
    }

    @Test func invalidUTF8IsLeftToJSONDecoder() {
        let bytes: [UInt8] = Array(#"{"id":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(bytes.withUnsafeBufferPointer { ChunkFastPath.read($0) } == nil)
    }

    @Test("invalid UTF-8 in a member's name or in a value it skips is left to JSONDecoder too")
    func invalidUTF8AnywhereIsLeftToJSONDecoder() {
        let inSkipped: [UInt8] = Array(#"{"id":"x","object":""#.utf8) + [0xE2, 0x82] + Array(#"","choices":[]}"#.utf8)
        let inName: [UInt8] = Array(#"{"id":"x",""#.utf8) + [0xFF] + Array(#"":1,"choices":[]}"#.utf8)
        let valid: [UInt8] = Array(#"{"id":"x","object":""#.utf8) + [0xE2, 0x82, 0xAC] + Array(#"","choices":[]}"#.utf8)
        #expect(inSkipped.withUnsafeBufferPointer { ChunkFastPath.read($0) } == nil)
        #expect(inName.withUnsafeBufferPointer { ChunkFastPath.read($0) } == nil)
        #expect(valid.withUnsafeBufferPointer { ChunkFastPath.read($0) } != nil, "a valid euro sign is read")
    }
}
