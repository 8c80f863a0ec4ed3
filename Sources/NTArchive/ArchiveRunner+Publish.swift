import NTChat
import NTFiles

extension ArchiveRunner {
    /// Ends a month's new frame, reads the file back, and publishes it only if it holds exactly what it should.
    /// A month whose existing file is damaged is left out of the rest of the run (and the file left as it is).
    func publish(_ writer: MonthFileWriter, state: inout RunState) async throws -> [ArchiveRecord] {
        let name = writer.month.fileName
        let manifest: ArchiveManifest
        do {
            let previous: (conversations: Int, messages: Int, frames: Int)
            do {
                previous = try previousContents(writer)
            } catch let error as ArchiveError {
                guard case .damaged = error else { throw error }
                writer.discard()
                state.skip(writer.month, error)
                return []
            }
            let written = try writer.finish()
            hooks.afterWrite(writer.tempPath)
            let back = try ArchiveReadBack.read(writer.tempPath, decodeFrom: writer.previousBytes)
            func require(_ condition: Bool, _ problem: String) throws {
                if !condition { throw ArchiveError.verification(file: name, problem: problem) }
            }
            try require(back.bytes == written.bytes && back.sha256 == written.sha256, "the file read back is not the file written (size or SHA-256)")
            try require(back.prefixSHA256 == writer.previousSHA256, "the copy of the earlier conversations differs from the old file")
            try require(back.headers == 1, "expected one export header in the new frame, found \(back.headers)")
            try require(back.ids == writer.added.map(\.id), "the new frame holds \(back.conversations) conversations, \(writer.added.count) were written")
            try require(back.messages == writer.addedMessages, "the new frame holds \(back.messages) messages, \(writer.addedMessages) were written")
            manifest = ArchiveManifest(
                file: name, sha256: written.sha256, bytes: written.bytes, conversations: previous.conversations + back.conversations,
                messages: previous.messages + back.messages, frames: previous.frames + 1, updatedAt: Identifiers.now(),
                format: ExportFileFormat.name, version: ExportFileFormat.version
            )
            try writer.publish(manifest: manifest)
        } catch {
            writer.discard()
            if let error = error as? FileError { throw ArchiveError.file(error) }
            throw error
        }
        let archivedAt = Identifiers.now()
        let records = writer.added.map {
            ArchiveRecord(conversationID: $0.id, fingerprint: $0.fingerprint, file: name, archivedAt: archivedAt)
        }
        try await repository.recordArchived(records)
        state.report.archivedConversations += records.count
        state.report.archivedMessages += writer.addedMessages
        // A month can be published by more than one batch of the run: one entry, its additions summed.
        let earlier = state.report.files.first { $0.file == name }?.added ?? 0
        state.report.files.removeAll { $0.file == name }
        state.report.files.append(.init(file: name, added: earlier + records.count, conversations: manifest.conversations,
                                        bytes: manifest.bytes, sha256: manifest.sha256))
        state.report.files.sort { $0.file < $1.file }
        return records
    }

    /// What the month file held before this run: its manifest's counts when the manifest matches the bytes that
    /// were copied, else a full read of the old file (a crash between the two renames leaves a stale manifest).
    /// A file that cannot be read through is damaged: the caller skips that month and leaves the file as it is.
    func previousContents(_ writer: MonthFileWriter) throws -> (conversations: Int, messages: Int, frames: Int) {
        guard writer.previousBytes > 0 else { return (0, 0, 0) }
        let manifest = ArchiveManifest.read(of: writer.finalPath)
        if let manifest, manifest.bytes == writer.previousBytes, manifest.sha256 == writer.previousSHA256 {
            return (manifest.conversations, manifest.messages, manifest.frames)
        }
        // Counted again below only when the manifest is missing or merely stale (it vouches for a beginning of the
        // file); a file shorter than its manifest, or different from it, has lost or changed frames.
        if let manifest, !manifest.describesPrefix(of: writer.finalPath, fileBytes: writer.previousBytes) {
            throw ArchiveError.damaged(file: writer.month.fileName, problem: "it does not match its manifest (size or SHA-256)")
        }
        do {
            let old = try ArchiveReadBack.read(writer.finalPath)
            guard old.sha256 == writer.previousSHA256 else {
                throw ArchiveError.damaged(file: writer.month.fileName, problem: "it changed while it was being copied")
            }
            return (old.conversations, old.messages, old.headers)
        } catch ArchiveError.verification(_, let problem) {
            throw ArchiveError.damaged(file: writer.month.fileName, problem: problem)
        }
    }
}
