import NTPostgres
import Testing

@Suite("storage.url: what a postgres:// URL must and must not hold")
struct PostgresURLTests {
    @Test("a URL naming its user is accepted, in the authority or as ?user=, percent-decoded")
    func accepted() throws {
        #expect(try PostgresURL("postgres://neural@db.example:5432/neural?sslmode=verify-full").user == "neural")
        #expect(try PostgresURL("postgresql://db1,db2/neural?user=n%40x&sslmode=require").user == "n@x")
        #expect(try PostgresURL("POSTGRES://a@h/d").user == "a")
    }

    @Test("no user, a password in the URL, or another scheme is refused with a sentence saying why")
    func refused() {
        let cases: [(String, String)] = [
            ("postgres://db.example/neural", "must name the database user"),
            ("postgres://neural:secret@db.example/neural", "must not hold a password"),
            ("postgres://neural@db/neural?password=secret", "must not hold a password"),
            ("postgres://neural@db/neural?passfile=/x", "must not hold a password"),
            ("mysql://neural@db/neural", "must start with postgres://"),
            ("/var/lib/neural.db", "must start with postgres://"),
        ]
        for (text, reason) in cases {
            let error = #expect(throws: PostgresURLError.self, "\(text)") { _ = try PostgresURL(text) }
            #expect(error?.message.contains(reason) == true, "\(text): \(error?.message ?? "")")
        }
    }

    @Test("libpq's parameters: the URL first, then the application name, a connect timeout unless the URL sets one, the password")
    func parameters() throws {
        let url = try PostgresURL("postgres://neural@db/neural")
        let parameters = url.parameters(password: "pw", applicationName: "neural-terminal web")
        #expect(parameters.map(\.0) == ["dbname", "application_name", "options", "connect_timeout", "password"])
        #expect(parameters.first { $0.0 == "options" }?.1 == "-c lock_timeout=5000")
        let timed = try PostgresURL("postgres://neural@db/neural?connect_timeout=9").parameters(password: nil, applicationName: "x")
        #expect(timed.map(\.0) == ["dbname", "application_name", "options"])
    }
}
