import NTChat

extension ArchiveRunner {
    /// Prunes conversations archived earlier (with `prune` off then, or before a failure) that are still unchanged,
    /// file by file, each file first read in full and checked against its manifest. A file that does not verify
    /// keeps its conversations in the database and is reported; the others go on.
    func pruneEarlier(_ state: inout RunState) async throws {
        let pending = try await repository.prunableArchives()
        guard !pending.isEmpty else { return }
        var ids: [String] = []
        for (file, candidates) in pending.sorted(by: { $0.key < $1.key }) {
            guard shouldContinue() else { throw ArchiveError.cancelled }
            do {
                ids += try verifiedIDs(file, among: candidates)
            } catch let error as ArchiveError {
                guard let month = ArchiveMonth(fileName: file) else { throw error }
                state.skip(month, error)
            }
        }
        guard !ids.isEmpty else { return }
        await hooks.beforePrune()
        var start = 0
        while start < ids.count {
            let batch = Array(ids[start..<min(ids.count, start + settings.batchSize)])
            start += batch.count
            let pruned = try await repository.pruneArchived(ids: batch, at: Identifiers.now())
            state.report.prunedConversations += pruned.count
            state.report.keptChanged += batch.count - pruned.count
        }
    }

    /// The `candidates` that the month file `file` holds, after reading all of it against its manifest.
    func verifiedIDs(_ file: String, among candidates: [String]) throws -> [String] {
        let path = settings.directory + "/" + file
        guard let manifest = ArchiveManifest.read(of: path) else { throw ArchiveError.damaged(file: file, problem: "no manifest") }
        let back: ArchiveReadBack
        do {
            back = try ArchiveReadBack.read(path)
        } catch ArchiveError.verification(_, let problem) {
            throw ArchiveError.damaged(file: file, problem: problem)
        }
        let matches = back.sha256 == manifest.sha256 && back.bytes == manifest.bytes
            && back.conversations == manifest.conversations && back.messages == manifest.messages
        if !matches {
            // A stale manifest (the file grew, the manifest's rename did not happen) is counted again, not damage:
            // the file read through cleanly above and begins with exactly what the manifest vouched for.
            guard manifest.describesPrefix(of: path, fileBytes: back.bytes) else {
                throw ArchiveError.damaged(file: file, problem: "it does not match its manifest (size, SHA-256 or counts)")
            }
            var recounted = manifest
            recounted.sha256 = back.sha256
            recounted.bytes = back.bytes
            recounted.conversations = back.conversations
            recounted.messages = back.messages
            recounted.frames = back.headers
            recounted.updatedAt = Identifiers.now()
            do {
                try recounted.write(besideFileAt: path, directory: settings.directory)
            } catch {
                throw ArchiveError.damaged(file: file, problem: "its manifest is stale and could not be rewritten: \(error)")
            }
        }
        let inFile = Set(back.ids)
        return candidates.filter { inFile.contains($0) }
    }
}
