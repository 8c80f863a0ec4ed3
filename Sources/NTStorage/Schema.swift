/// The schema of the appliance's database, as an ordered list of migrations.
public enum Schema {
    public static let migrations: [Migration] = [
        Migration(
            version: 1,
            name: "app metadata",
            sql: """
                CREATE TABLE app_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                INSERT INTO app_meta (key, value) VALUES ('created_at', strftime('%Y-%m-%dT%H:%M:%fZ','now'));
                """
        ),
    ]
}
