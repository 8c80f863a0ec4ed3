extension ImportValidator {
    /// Gives each message its parent and returns the conversation's current leaf (ADR 0017).
    ///
    /// A message whose record names no `parent_id` (every file written before messages formed a tree) follows the
    /// message listed before it, and a conversation that names no `current_leaf_id` ends at its last message: such
    /// a file imports as one linear chain, as it was. A named parent must be a message listed earlier in the same
    /// conversation, which also rules out cycles; a named leaf must be one of its messages.
    func linkParents(_ messages: inout [Message], links: [ParentLink], currentLeafID: String?) throws(ImportProblem) -> String? {
        var position: [String: Int] = [:]
        for (index, message) in messages.enumerated() { position[message.id] = index }
        for index in messages.indices {
            guard index < links.count, links[index].given else {
                messages[index].parentID = index > 0 ? messages[index - 1].id : nil
                continue
            }
            messages[index].parentID = links[index].parentID
            guard let parent = links[index].parentID else { continue }
            let at = "messages[\(index)].parent_id"
            guard let found = position[parent] else {
                throw ImportProblem("\(at): \(parent.prefix(60)) is not a message of this conversation; a parent must be listed in the same conversation, before the messages that follow it")
            }
            guard found < index else {
                throw ImportProblem(found == index
                    ? "\(at): a message cannot follow itself"
                    : "\(at): \(parent) is listed after this message (messages[\(found)]); a parent must come before the messages that follow it")
            }
        }
        guard let leaf = currentLeafID else { return messages.last?.id }
        guard position[leaf] != nil else {
            throw ImportProblem("conversation.current_leaf_id: \(leaf.prefix(60)) is not a message of this conversation")
        }
        return leaf
    }
}
