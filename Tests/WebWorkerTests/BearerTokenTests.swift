import HTTPTypes
import NTSystem
import NTHTTP
import Testing

/// Constant-time comparison and `Authorization: Bearer` parsing, as `/metrics` uses them.
@Suite("Bearer tokens")
struct BearerTokenTests {
    @Test("equal bytes compare equal; any difference, length included, does not")
    func constantTimeEquality() {
        #expect(ConstantTime.equals("0123456789abcdef", "0123456789abcdef"))
        #expect(!ConstantTime.equals("0123456789abcdeF", "0123456789abcdef"))
        #expect(!ConstantTime.equals("X123456789abcdef", "0123456789abcdef"))
        #expect(!ConstantTime.equals("0123456789abcde", "0123456789abcdef"))
        #expect(!ConstantTime.equals("0123456789abcdef0", "0123456789abcdef"))
        #expect(!ConstantTime.equals("", "0123456789abcdef"))
        #expect(ConstantTime.equals("", ""))
        // A presented value that is the expected one plus NUL bytes must not pass as equal.
        #expect(!ConstantTime.equals(Array("abc".utf8) + [0, 0], Array("abc".utf8)))
    }

    @Test("the token follows the Bearer scheme, in any case, with blanks around it ignored")
    func parsing() {
        #expect(BearerToken.token(fromAuthorization: "Bearer abc.def-123") == "abc.def-123")
        #expect(BearerToken.token(fromAuthorization: "bearer   abc ") == "abc")
        #expect(BearerToken.token(fromAuthorization: "BEARER\tabc") == "abc")
        #expect(BearerToken.token(fromAuthorization: "Basic YWxhZGRpbjpvcGVu") == nil)
        #expect(BearerToken.token(fromAuthorization: "Bearer") == nil)
        #expect(BearerToken.token(fromAuthorization: "Bearer    ") == nil)
        #expect(BearerToken.token(fromAuthorization: "Bearerabc") == nil)
    }

    @Test("matches reads the Authorization field")
    func matching() {
        var headers = HTTPFields()
        #expect(!BearerToken.matches(headers, expected: "0123456789abcdef"))
        headers[.authorization] = "Bearer 0123456789abcdef"
        #expect(BearerToken.matches(headers, expected: "0123456789abcdef"))
        #expect(!BearerToken.matches(headers, expected: "0123456789abcdeg"))
    }
}
