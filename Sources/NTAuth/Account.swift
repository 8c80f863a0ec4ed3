/// What an account may do. Admins manage accounts and see everyone's spend totals; members see only their own.
/// Nobody reads another person's conversations through the appliance (docs/adr/0018-accounts.md).
public enum AccountRole: String, Sendable, Codable, CaseIterable {
    case admin, member
}

/// One person's account, without its password hash.
public struct Account: Sendable, Equatable, Codable {
    /// The id the appliance's own account has: made by the upgrade from a single password, it is the account
    /// `auth.mode = "none"` acts as, the one `auth.password_hash` and `neural-terminal passwd` set the password of,
    /// and it cannot be disabled or lose its admin role (someone must always be able to get in).
    public static let ownerID = "owner"

    public let id: String
    public let name: String
    public let role: AccountRole
    /// Whether a password is stored (accounts made on first sight behind a proxy have none).
    public let hasPassword: Bool
    /// When it was disabled (ISO 8601, UTC), nil while active.
    public let disabledAt: String?
    /// Spend limits of this person in USD, nil for none (the appliance-wide `[budget]` limits bind everyone).
    public let dailyBudgetUSD: Double?
    public let monthlyBudgetUSD: Double?
    public let createdAt: String

    public var isAdmin: Bool { role == .admin }
    public var isDisabled: Bool { disabledAt != nil }
    public var isOwner: Bool { id == Self.ownerID }

    public init(
        id: String, name: String, role: AccountRole, hasPassword: Bool, disabledAt: String?,
        dailyBudgetUSD: Double?, monthlyBudgetUSD: Double?, createdAt: String
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.hasPassword = hasPassword
        self.disabledAt = disabledAt
        self.dailyBudgetUSD = dailyBudgetUSD
        self.monthlyBudgetUSD = monthlyBudgetUSD
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, role
        case hasPassword = "has_password"
        case disabledAt = "disabled_at"
        case dailyBudgetUSD = "daily_budget_usd"
        case monthlyBudgetUSD = "monthly_budget_usd"
        case createdAt = "created_at"
    }
}

/// The rules for account names: what people type at the login and what a proxy sends in its user header
/// (a login name or an e-mail address).
public enum AccountName {
    public static let maxCharacters = 64

    /// Why `name` cannot name an account, or nil when it can.
    public static func problem(with name: String) -> String? {
        guard !name.isEmpty else { return "must not be empty" }
        guard name.count <= maxCharacters else { return "must be at most \(maxCharacters) characters long" }
        guard let first = name.unicodeScalars.first, isAlphanumeric(first) else { return "must begin with a letter or a digit" }
        guard name.unicodeScalars.allSatisfy({ isAlphanumeric($0) || "._@+-".unicodeScalars.contains($0) }) else {
            return "may contain only ASCII letters, digits and . _ @ + -"
        }
        return nil
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}

/// A refused change to an account, with a sentence for the operator.
public struct AccountError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case notFound, nameTaken, invalidName, ownerProtected, lastAdmin
    }
    public let kind: Kind
    public let description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
