/// The advisory locks several appliances on one PostgreSQL database coordinate with (ADR 0021). Each is a pair of
/// 32-bit keys, a key space apart from the single 64-bit keys of the writers' and the migrator's locks.
public enum ClusterLocks {
    /// A runner (a web worker process, ``RunnerPresence``) holds `(runnerClass, its id)` while it lives.
    public static let runnerClass: Int32 = 0x4E54_5252  // "NTRR"
    /// The leader of a kind of scheduled job holds `(leaderClass, the job's key)` (``LeaderLock``).
    public static let leaderClass: Int32 = 0x4E54_4C44  // "NTLD"

    /// A SQL condition, true when the runner whose id `column` holds is alive: some session of this database holds
    /// its lock. A runner that died, however it died, lets go of its lock when its connection closes (a host that
    /// vanished: when the server's TCP keepalives give up on it, about 30 s with the settings ``RunnerPresence``
    /// asks for).
    public static func runnerAlive(_ column: String) -> String {
        """
        EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND l.classid::bigint = \(runnerClass) AND l.objid::bigint = \(column))
        """
    }

    /// libpq options that make the server notice a vanished client within about 30 s (idle 10 s, then 4 probes
    /// 5 s apart), so the locks of a host that died are released, not held for the kernel's two hours.
    public static let keepaliveOptions = "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=4"
}
