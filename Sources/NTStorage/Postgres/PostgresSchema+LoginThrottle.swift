extension PostgresSchema {
    /// The login throttle shared by every appliance on the database (`SharedLoginThrottle`, ADR 0021): one row per
    /// client address (an IPv4 address or an IPv6 /64) with its consecutive failed logins, the attempt in flight and
    /// its last successful login, as wall-clock Unix milliseconds. Run-time state, not copied by `migrate` (a copied
    /// database starts with every client forgotten); rows restricting nothing any more are deleted as they age
    /// (`updated_at_ms`, the row's latest time).
    static let loginThrottle = """
        CREATE TABLE login_throttle (
            client           text PRIMARY KEY,
            failures         bigint NOT NULL,
            last_failure_ms  bigint,
            pending_since_ms bigint,
            succeeded_at_ms  bigint,
            updated_at_ms    bigint NOT NULL
        );
        CREATE INDEX login_throttle_by_update ON login_throttle (updated_at_ms);
        """
}
