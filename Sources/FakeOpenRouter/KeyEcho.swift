import FoundationEssentials

/// The request's key, echoed back in the forms a careless upstream or proxy might use, for the models that test
/// the appliance's redaction (`fake/http-401-key-id`, `fake/http-401-echo-forms`, `fake/echo-key`,
/// `fake/midstream-error-echo`).
enum KeyEcho {
    /// The key of `Authorization: Bearer KEY` (the whole header value when it has no `Bearer `).
    static func key(_ authorization: String?) -> String {
        let auth = authorization ?? "(none)"
        return auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)) : auth
    }

    /// The key without an OpenRouter `sk-or-v1-` prefix.
    static func secret(_ key: String) -> String {
        key.hasPrefix("sk-or-v1-") ? String(key.dropFirst(9)) : key
    }

    /// Each form, named: the key upper-cased, without its prefix, the header URL-encoded, and base64 of the header
    /// value, of the key alone and of a JSON body holding it. The key's random part sits at a different offset
    /// modulo 3 in each base64 text (16, 9 and 17 bytes in), so every base64 alignment is covered.
    static func forms(_ authorization: String?) -> [(name: String, text: String)] {
        let key = key(authorization)
        let header = "Bearer \(key)"
        return [
            ("upper", key.uppercased()),
            ("bare", secret(key)),
            ("url", percentEncoded(header)),
            ("base64-header", Data(header.utf8).base64EncodedString()),
            ("base64-key", Data(key.utf8).base64EncodedString()),
            ("base64-json", Data("{\"key\":\"\(key)\"}".utf8).base64EncodedString()),
        ]
    }

    /// One sentence naming every form, for error messages.
    static func sentence(_ authorization: String?) -> String {
        forms(authorization).map { "\($0.name)=\($0.text)" }.joined(separator: " ")
    }

    /// `fake/echo-key`: reasoning that mentions the key, then content with every form, both cut into pieces of
    /// 1 to 7 characters so that each form is split over several chunks at changing places.
    static func plan(_ authorization: String?, into plan: inout Plan) {
        let key = key(authorization)
        plan.reasoning = pieces("The caller sent the key \(key) in its header; its bare form is \(secret(key)).")
        plan.content = pieces("Here is what you sent: " + forms(authorization).map { "\($0.name) \($0.text)" }.joined(separator: ", ") + ".")
        plan.finishReason = "stop"
    }

    /// `text` in pieces of 1, 2, … 7 characters, repeating.
    static func pieces(_ text: String) -> [String] {
        var pieces: [String] = []
        var rest = Substring(text)
        var size = 1
        while !rest.isEmpty {
            pieces.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
            size = size % 7 + 1
        }
        return pieces
    }

    /// RFC 3986 percent-encoding of everything but unreserved characters (a space becomes `%20`).
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF")
        var out = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if byte < 0x80, Character(scalar).isLetter || Character(scalar).isNumber || "-._~".unicodeScalars.contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 0xF)])"
            }
        }
        return out
    }
}
