import NTConfig
import Testing

/// `log.format`: auto (the default), json or text; anything else is refused with the names to choose from.
@Suite("log.format")
struct LogFormatConfigTests {
    @Test("the default is auto")
    func defaultIsAuto() throws {
        #expect(try config("").logFormat == .auto)
        #expect(AppConfig().log.format == "auto")
    }

    @Test("auto, json and text are accepted, in the file and in NEURAL_TERMINAL_LOG_FORMAT")
    func accepted() throws {
        for setting in LogFormatSetting.allCases {
            #expect(try config("[log]\nformat = \"\(setting.rawValue)\"").logFormat == setting)
            #expect(try config("", environment: ["NEURAL_TERMINAL_LOG_FORMAT": setting.rawValue]).logFormat == setting)
        }
        #expect(try config("log.format = \"json\"", environment: ["NEURAL_TERMINAL_LOG_FORMAT": "text"]).logFormat == .text)
    }

    @Test("anything else is refused with the choices and the nearest one")
    func refused() {
        #expect(configErrors("[log]\nformat = \"txt\"") == [
            "nt.toml:2: 'log.format' must be one of auto, json, text (got 'txt'); did you mean 'text'?",
        ])
        #expect(configErrors("[log]\nformat = \"logfmt\"") == ["nt.toml:2: 'log.format' must be one of auto, json, text (got 'logfmt')"])
        #expect(configErrors("[log]\nformat = true") == ["nt.toml:2: 'log.format' must be a string, not a boolean (put it in quotes)"])
        #expect(configErrors("", environment: ["NEURAL_TERMINAL_LOG_FORMAT": "JSON"]) == [
            "environment NEURAL_TERMINAL_LOG_FORMAT: 'log.format' must be one of auto, json, text (got 'JSON'); did you mean 'json'?",
        ])
    }

    @Test("a change needs a restart of the appliance: the format is chosen once, at start")
    func reloadEffect() throws {
        #expect(ConfigSchema.reloadEffect(of: "log.format") == .restartAppliance)
        let plan = try config("log.format = \"text\"").reloadPlan(from: AppConfig())
        #expect(plan.keysNeedingApplianceRestart == ["log.format"])
    }
}
