/// What decompressing a backup (a restore, `backups --deep`) may cost on disk, checked before any byte is written.
///
/// A backup of a few kilobytes can decompress to gigabytes; its manifest's `database_bytes` bounds the output, but
/// the manifest comes with the file, so the size it states must itself stay under a ceiling the operator set
/// (`backup.restore_max_mb`), and the file system must have room for it plus `min_free_bytes`.
public struct DecompressionLimits: Sendable, Equatable {
    /// The largest database a backup may decompress to.
    public var maxDatabaseBytes: Int
    /// Free space that must remain after the decompressed copy is written.
    public var minFreeBytes: Int

    /// `backup.restore_max_mb`'s default: 16 GiB.
    public static let defaultMaxDatabaseBytes = 16 << 30

    public init(maxDatabaseBytes: Int = defaultMaxDatabaseBytes, minFreeBytes: Int = 0) {
        self.maxDatabaseBytes = maxDatabaseBytes
        self.minFreeBytes = minFreeBytes
    }
}
