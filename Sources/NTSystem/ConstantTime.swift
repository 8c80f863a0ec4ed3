/// Comparison of secrets whose running time does not depend on where the inputs differ.
///
/// A plain `==` stops at the first differing byte, so an attacker who can time many requests learns a token one
/// byte at a time. Use this for every comparison of a presented credential with a stored one.
public enum ConstantTime {
    /// True when `presented` and `expected` are the same bytes.
    ///
    /// Every byte of `expected` is looked at whatever `presented` holds, so the time depends only on the length of
    /// the expected secret (which is fixed by configuration), never on the presented value's content or on how
    /// much of it matches. A length mismatch is folded into the result rather than returned early.
    public static func equals(_ presented: some Collection<UInt8>, _ expected: some Collection<UInt8>) -> Bool {
        let given = Array(presented)
        var difference = UInt(given.count ^ expected.count)
        var index = 0
        for byte in expected {
            // Past the end of `given`, compare against 0 (the length difference already made the result false).
            let other = index < given.count ? given[index] : 0
            difference |= UInt(other ^ byte)
            index += 1
        }
        return difference == 0
    }

    /// `equals` on the UTF-8 bytes of two strings.
    public static func equals(_ presented: String, _ expected: String) -> Bool {
        equals(Array(presented.utf8), Array(expected.utf8))
    }
}
