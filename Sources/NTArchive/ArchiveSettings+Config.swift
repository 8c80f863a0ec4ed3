import NTConfig

extension ArchiveSettings {
    /// The `[archive]` keys of a configuration (the directory resolved: `archive.dir` or `<data_dir>/archives`);
    /// the maintenance worker and `neural-terminal archive` both start from here.
    public init(_ config: AppConfig) {
        self.init(directory: config.resolvedArchiveDir, afterDays: config.archive.afterDays, prune: config.archive.prune)
    }
}
