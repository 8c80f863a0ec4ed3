import Logging
import NTOpenRouter
import Synchronization

/// A model as the API lists it: ids, limits and prices (USD per token and per million tokens).
public struct ModelSummary: Codable, Sendable, Equatable {
    public let id: String
    public let name: String
    public let contextLength: Int?
    public let maxCompletionTokens: Int?
    public let promptPrice: Double?
    public let completionPrice: Double?
    public let promptPricePerMillion: Double?
    public let completionPricePerMillion: Double?

    enum CodingKeys: String, CodingKey {
        case id, name
        case contextLength = "context_length"
        case maxCompletionTokens = "max_completion_tokens"
        case promptPrice = "prompt_price"
        case completionPrice = "completion_price"
        case promptPricePerMillion = "prompt_price_per_million"
        case completionPricePerMillion = "completion_price_per_million"
    }

    public init(_ info: ModelInfo) {
        id = info.id
        name = info.name
        contextLength = info.contextLength
        maxCompletionTokens = info.maxCompletionTokens
        promptPrice = info.promptPrice
        completionPrice = info.completionPrice
        promptPricePerMillion = info.promptPrice.map { ($0 * 1_000_000 * 1e6).rounded() / 1e6 }
        completionPricePerMillion = info.completionPrice.map { ($0 * 1_000_000 * 1e6).rounded() / 1e6 }
    }
}

/// The upstream's models and prices, cached in the database so the appliance starts and serves while the
/// upstream is unreachable; refreshed on a schedule and on demand.
public final class ModelsCatalog: Sendable {
    let repository: any ChatRepository
    let upstream: any ChatUpstream
    let logger: Logger
    private let refreshedAt = Mutex<String?>(nil)
    private let cache = Mutex<[String: ModelInfo]>([:])

    public init(repository: any ChatRepository, upstream: any ChatUpstream, logger: Logger) {
        self.repository = repository
        self.upstream = upstream
        self.logger = logger
    }

    /// When the list was last fetched by this process (RFC 3339), nil if it is served from the cache only.
    public var lastRefresh: String? { refreshedAt.withLock { $0 } }

    /// Fetches the upstream's list and replaces the cached one; returns how many models it has.
    @discardableResult
    public func refresh() async throws -> Int {
        let models = try await upstream.listModels()
        guard !models.isEmpty else { return 0 }
        try await repository.replaceModels(models)
        cache.withLock { map in map = Dictionary(models.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }) }
        refreshedAt.withLock { $0 = Identifiers.now() }
        logger.info("models refreshed", metadata: ["count": "\(models.count)"])
        return models.count
    }

    /// Reads the list another instance stored (several instances on one database: only the leader asks the
    /// upstream); returns how many models it has.
    @discardableResult
    public func reload() async throws -> Int {
        let stored = try await repository.models()
        cache.withLock { $0 = Dictionary(stored.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }) }
        return stored.count
    }

    /// Every cached model, sorted by id.
    public func models() async throws -> [ModelSummary] {
        try await loadIfNeeded().values.sorted { $0.id < $1.id }.map(ModelSummary.init)
    }

    /// The cached entry for one model (prices for cost fallbacks and budgets), if known.
    public func model(_ id: String) async -> ModelInfo? {
        try? await loadIfNeeded()[id]
    }

    private func loadIfNeeded() async throws -> [String: ModelInfo] {
        let current = cache.withLock { $0 }
        if !current.isEmpty { return current }
        let stored = try await repository.models()
        let map = Dictionary(stored.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        cache.withLock { $0 = map }
        return map
    }
}
