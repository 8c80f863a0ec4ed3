import NTConfig
import Testing

@Suite("What a SIGHUP must do")
struct ReloadPlanTests {
    @Test("an unchanged configuration needs nothing")
    func unchanged() {
        #expect(AppConfig().reloadPlan(from: AppConfig()).isEmpty)
    }

    @Test("supervisor policy, log level and worker settings apply in place")
    func inPlace() throws {
        let new = try config("[log]\nlevel = \"debug\"\n[upstream]\ntitle = \"x\"\n[memory]\nlimit_mb = 512")
        let plan = new.reloadPlan(from: AppConfig())
        #expect(plan.changedKeys == ["upstream.title", "log.level", "memory.limit_mb"])
        #expect(plan.workersToRestart.isEmpty && plan.keysNeedingApplianceRestart.isEmpty)
    }

    @Test("a new listen address restarts only the worker behind it")
    func rolling() throws {
        let new = try config("[metrics]\nlisten = \"127.0.0.1:9191\"")
        #expect(new.reloadPlan(from: AppConfig()).workersToRestart == [.metrics])
        let both = try config("[server]\nlisten = \"127.0.0.2:80\"\n[metrics]\nlisten = \"127.0.0.1:9191\"")
        #expect(both.reloadPlan(from: AppConfig()).workersToRestart == [.web, .metrics])
    }

    @Test("the data and run directories need a restart of the appliance")
    func applianceRestart() throws {
        let new = try config("[storage]\ndata_dir = \"/srv\"\n[supervisor]\nrun_dir = \"/run/nt\"")
        #expect(new.reloadPlan(from: AppConfig()).keysNeedingApplianceRestart == ["storage.data_dir", "supervisor.run_dir"])
    }

    @Test("a rotated API key applies in place")
    func rotatedKey() {
        var new = AppConfig()
        new.upstreamAPIKey = "sk-new"
        let plan = new.reloadPlan(from: AppConfig())
        #expect(plan.changedKeys == ["upstream.api_key"])
        #expect(plan.workersToRestart.isEmpty && plan.keysNeedingApplianceRestart.isEmpty)
    }

    @Test("every key has a documented effect")
    func everyKeyHasAnEffect() {
        #expect(ConfigSchema.keyPaths.allSatisfy { ConfigSchema.reloadEffect(of: $0) != nil })
        #expect(ConfigSchema.reloadEffect(of: "server.listen")?.description == "rolling restart of web")
        #expect(ConfigSchema.reloadEffect(of: "storage.data_dir")?.description == "restart of the appliance")
        #expect(ConfigSchema.reloadEffect(of: "log.level")?.description == "in place")
        #expect(ConfigSchema.reloadEffect(of: "server.nope") == nil)
    }
}
