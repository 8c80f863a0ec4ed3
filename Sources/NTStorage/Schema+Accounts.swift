extension Schema {
    /// Accounts: several people share one appliance, each signing in as themselves.
    ///
    /// `users` holds one row per person: a name (unique regardless of case), a role (`admin` or `member`), the
    /// bcrypt hash of their password (NULL for an account that signs in only through a trusted proxy or has no
    /// password yet), when it was disabled, and optional daily and monthly budgets in USD. The upgrade makes the one
    /// account there was — the owner, id `owner`, named `admin` — out of the appliance password (`auth_password`,
    /// which goes away), so the password in use keeps working. Browser sessions and API tokens belong to an account
    /// (`user_id`); those that exist at the upgrade belong to the owner. A session's `password_fingerprint` is now
    /// that of its account's password.
    static let accounts = """
        CREATE TABLE users (
            id                 TEXT PRIMARY KEY,
            name               TEXT NOT NULL COLLATE NOCASE UNIQUE,
            role               TEXT NOT NULL CHECK (role IN ('admin', 'member')),
            password_hash      TEXT,
            disabled_at        TEXT,
            daily_budget_usd   REAL CHECK (daily_budget_usd IS NULL OR daily_budget_usd >= 0),
            monthly_budget_usd REAL CHECK (monthly_budget_usd IS NULL OR monthly_budget_usd >= 0),
            created_at         TEXT NOT NULL,
            updated_at         TEXT NOT NULL
        );
        INSERT INTO users (id, name, role, password_hash, created_at, updated_at)
            VALUES ('owner', 'admin', 'admin', (SELECT hash FROM auth_password WHERE id = 1),
                    strftime('%Y-%m-%dT%H:%M:%fZ','now'), strftime('%Y-%m-%dT%H:%M:%fZ','now'));
        DROP TABLE auth_password;
        ALTER TABLE auth_sessions ADD COLUMN user_id TEXT NOT NULL DEFAULT 'owner';
        ALTER TABLE api_tokens ADD COLUMN user_id TEXT NOT NULL DEFAULT 'owner';
        CREATE INDEX auth_sessions_user ON auth_sessions (user_id);
        CREATE INDEX api_tokens_user ON api_tokens (user_id);
        """
}
