import NTChat
import NTConfig

extension ArchiveSettings {
    /// The `[archive]` keys of a configuration (the directory resolved: `archive.dir` or `<data_dir>/archives`);
    /// the maintenance worker and `neural-terminal archive` both start from here. A conversation is archived only
    /// if an import under this configuration's limits takes it back.
    public init(_ config: AppConfig) {
        self.init(directory: config.resolvedArchiveDir, afterDays: config.archive.afterDays, prune: config.archive.prune)
        recordLimits = ImportLimits(config)
    }
}

extension ImportLimits {
    /// The limits of `[limits]` (`message_max_chars`, `title_max_chars`, `json_max_depth`): what an import under
    /// this configuration accepts, so nothing enters through it that the API would refuse.
    public init(_ config: AppConfig) {
        let l = config.limits
        self.init(maxMessageCharacters: l.messageMaxChars, maxTitleCharacters: l.titleMaxChars, maxJSONDepth: l.jsonMaxDepth)
    }
}
