/// The shape of one conversation's tree (ADR 0017): which message follows which, without their text. Built from
/// `(id, parent id)` pairs in creation order, so every list of children is oldest first.
///
/// It answers the questions that pick a path: the alternatives of a message, the deepest message along the
/// newest children (where a switch of branch or a deletion lands), and everything below a message.
public struct MessageTree: Sendable, Equatable {
    /// Children of each message, oldest first; the key nil holds the first messages of the conversation.
    private(set) var children: [String?: [String]] = [:]
    /// The parent of each message (nil for a first message).
    private(set) var parents: [String: String?] = [:]

    /// `links` in creation order (`seq`).
    public init(_ links: [(id: String, parentID: String?)]) {
        for link in links {
            parents[link.id] = .some(link.parentID)
            children[link.parentID, default: []].append(link.id)
        }
    }

    public func contains(_ id: String) -> Bool { parents[id] != nil }

    /// Whether any message follows `id` (false for an unknown id).
    public func hasChildren(_ id: String) -> Bool { children[id]?.isEmpty == false }

    /// The parent of `id` (nil for a first message or an unknown id).
    public func parent(of id: String) -> String? { parents[id] ?? nil }

    /// The messages sharing `id`'s parent, itself included, oldest first; empty for an unknown id.
    public func siblings(of id: String) -> [String] {
        guard let parent = parents[id] else { return [] }
        return children[parent] ?? []
    }

    /// The end of the branch through `id`: from it, the newest child at each step, down to a message without
    /// children. `id` nil starts above the first messages (the newest of them); nil when there is none.
    public func deepestNewest(from id: String?) -> String? {
        var current = id
        if let id, !contains(id) { return nil }
        while let next = children[current]?.last { current = next }
        return current
    }

    /// The path from a first message down to `leaf`, root first; empty for an unknown id.
    public func path(to leaf: String) -> [String] {
        var path: [String] = []
        var current: String? = leaf
        while let id = current, contains(id), path.count < parents.count {
            path.append(id)
            current = parent(of: id)
        }
        return path.reversed()
    }

    /// Where the visible path goes when the subtree under `removed` (whose parent was `parent`) is gone: the newest
    /// remaining branch under that parent, followed down its newest children; the parent itself when it has no
    /// other child; nil when nothing is left. Call it on the tree without the subtree.
    public func fallbackLeaf(afterRemovingChildOf parent: String?) -> String? {
        if let parent, !contains(parent) { return deepestNewest(from: nil) }
        return deepestNewest(from: parent)
    }
}
