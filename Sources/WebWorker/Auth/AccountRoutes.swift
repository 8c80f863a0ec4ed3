import FoundationEssentials
import Hummingbird
import NIOPosix
import NTAuth
import NTHTTP

/// `/api/admin/users`: what an admin does to accounts from the browser, the same as `neural-terminal user` on the
/// host. Members get 403 on every route here; nobody reads another person's conversations through them.
struct AccountRoutes {
    let gate: AuthGate

    struct NewAccountBody: Decodable {
        let name: String
        let role: String?
        /// Absent for an account that signs in through a trusted proxy.
        let password: String?
    }

    /// Every field optional: only what is present changes. A budget of `null` removes that limit.
    struct AccountPatchBody: Decodable {
        let name: String?
        let role: String?
        let disabled: Bool?
        let password: String?
        let dailyBudgetUSD: Double??
        let monthlyBudgetUSD: Double??

        enum CodingKeys: String, CodingKey {
            case name, role, disabled, password
            case dailyBudgetUSD = "daily_budget_usd"
            case monthlyBudgetUSD = "monthly_budget_usd"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decodeIfPresent(String.self, forKey: .name)
            role = try c.decodeIfPresent(String.self, forKey: .role)
            disabled = try c.decodeIfPresent(Bool.self, forKey: .disabled)
            password = try c.decodeIfPresent(String.self, forKey: .password)
            dailyBudgetUSD = c.contains(.dailyBudgetUSD) ? .some(try c.decodeIfPresent(Double.self, forKey: .dailyBudgetUSD)) : nil
            monthlyBudgetUSD = c.contains(.monthlyBudgetUSD) ? .some(try c.decodeIfPresent(Double.self, forKey: .monthlyBudgetUSD)) : nil
        }
    }

    struct AccountList: Encodable {
        let users: [Account]
    }

    func add(to table: RouteTable) {
        table.add(.get, "/api/admin/users") { _, context in
            try Self.requireAdmin(context)
            return JSONBody.response(AccountList(users: try await gate.store.accounts()))
        }
        table.add(.post, "/api/admin/users") { request, context in
            try Self.requireAdmin(context)
            let body = try await request.decode(as: NewAccountBody.self, context: context)
            let role = try Self.role(body.role ?? "member")
            var hash: String?
            if let password = body.password { hash = try await Self.hash(password) }
            let made = try await Self.refusals { try await gate.store.addAccount(name: body.name, role: role, passwordHash: hash, now: AuthGate.now) }
            gate.logger.notice("account added", metadata: ["user": "\(made.name)", "role": "\(made.role.rawValue)", "by": "\(context.account?.name ?? "")"])
            return JSONBody.response(made, status: .created)
        }
        table.add(.patch, "/api/admin/users/{name}") { request, context in
            try Self.requireAdmin(context)
            let target = try await account(context)
            let body = try await request.decode(as: AccountPatchBody.self, context: context)
            let now = AuthGate.now
            try await Self.refusals {
                if let name = body.name { try await gate.store.rename(accountID: target.id, to: name, now: now) }
                if let role = body.role { try await gate.store.setRole(accountID: target.id, try Self.role(role), now: now) }
                if let disabled = body.disabled { try await gate.store.setDisabled(accountID: target.id, disabled, now: now) }
                if let password = body.password { try await gate.store.setPassword(accountID: target.id, hash: try await Self.hash(password), now: now) }
                if body.dailyBudgetUSD != nil || body.monthlyBudgetUSD != nil {
                    let daily = try Self.budget(body.dailyBudgetUSD ?? .some(target.dailyBudgetUSD), "daily_budget_usd")
                    let monthly = try Self.budget(body.monthlyBudgetUSD ?? .some(target.monthlyBudgetUSD), "monthly_budget_usd")
                    try await gate.store.setBudgets(accountID: target.id, daily: daily, monthly: monthly, now: now)
                }
            }
            gate.logger.notice("account changed", metadata: ["user": "\(target.name)", "by": "\(context.account?.name ?? "")"])
            guard let changed = try await gate.store.account(id: target.id) else { throw Self.notFound }
            return JSONBody.response(changed)
        }
    }

    private func account(_ context: AppRequestContext) async throws -> Account {
        guard let name = context.parameters.get("name"), AccountName.problem(with: name) == nil,
              let found = try await gate.store.account(named: name) else { throw Self.notFound }
        return found
    }

    static var notFound: APIError { APIError(.notFound, code: "not_found", message: "no such account") }

    static func requireAdmin(_ context: AppRequestContext) throws {
        guard context.account?.isAdmin == true else {
            throw APIError(.forbidden, code: "admin_only", message: "only an admin manages accounts")
        }
    }

    static func role(_ text: String) throws -> AccountRole {
        guard let role = AccountRole(rawValue: text) else {
            throw APIError(.badRequest, code: "invalid_request", message: "role must be \"admin\" or \"member\"")
        }
        return role
    }

    static func budget(_ value: Double??, _ field: String) throws -> Double? {
        guard case .some(.some(let amount)) = value else { return nil }
        guard amount.isFinite, amount >= 0, amount <= 1_000_000 else {
            throw APIError(.badRequest, code: "invalid_request", message: "\(field) must be a number from 0 to 1000000, or null for no limit")
        }
        return amount
    }

    /// The bcrypt hash of a new password, after the same rules as `neural-terminal passwd`; bcrypt runs on NIO's
    /// blocking pool, off the event loop.
    static func hash(_ password: String) async throws -> String {
        if let problem = Password.problem(with: password) {
            throw APIError(.badRequest, code: "invalid_password", message: "the password \(problem)")
        }
        return try await NIOThreadPool.singleton.runIfActive { Password.hash(password) }
    }

    /// Runs account changes, turning a refusal of the store into its HTTP answer.
    @discardableResult
    static func refusals<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as AccountError {
            switch error.kind {
            case .notFound: throw notFound
            case .invalidName: throw APIError(.badRequest, code: "invalid_request", message: error.description)
            case .nameTaken: throw APIError(.conflict, code: "name_taken", message: error.description)
            case .ownerProtected, .lastAdmin: throw APIError(.conflict, code: "account_protected", message: error.description)
            }
        }
    }
}
