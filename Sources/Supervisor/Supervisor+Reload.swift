import FoundationEssentials
import Logging
import NTConfig
import NTIPC
import NTLog
import NTSystem
import NTWorkerKit

extension Supervisor {
    /// SIGHUP: read and validate the whole file first; a bad file is logged line by line and changes nothing.
    ///
    /// A good one is applied in place where possible (log level, upstream, limits: sent to every worker), by a
    /// rolling restart of the web or metrics worker where a listen address changed, and keys that need a full
    /// restart (`storage.data_dir`, `supervisor.run_dir`) are kept at their running values with a warning.
    /// Returns false when the file was refused.
    @discardableResult
    func reload() async -> Bool {
        let fresh: AppConfig
        do {
            fresh = try ConfigLoader.load(path: configPath, environment: environment)
        } catch let error as ConfigErrors {
            for item in error.errors {
                logger.error("config reload refused; keeping the running config", metadata: ["error": "\(item)"])
            }
            return false
        } catch {
            logger.error("config reload refused; keeping the running config", metadata: ["error": "\(error)"])
            return false
        }
        var next = fresh
        let old = config
        if next.storage.dataDir != old.storage.dataDir || next.resolvedRunDir != old.resolvedRunDir {
            logger.warning("storage.data_dir and supervisor.run_dir apply only after a restart; keeping the running values")
            next.storage.dataDir = old.storage.dataDir
            next.supervisor.runDir = old.supervisor.runDir
        }
        var newSockets: [WorkerRole: ListeningSocket] = [:]
        for (role, oldListen, newListen) in [
            (WorkerRole.web, old.server.listen, next.server.listen),
            (WorkerRole.metrics, old.metrics.listen, next.metrics.listen),
        ] where oldListen != newListen {
            do {
                newSockets[role] = try bind(newListen)
            } catch {
                logger.error("cannot listen on the new address; keeping the old one", metadata: ["role": "\(role.rawValue)", "listen": "\(newListen)", "error": "\(error)"])
                if role == .web { next.server.listen = oldListen } else { next.metrics.listen = oldListen }
            }
        }
        config = next
        policy = Self.policy(for: next)
        LogLevelControl.shared.level = LogLevelParsing.level(next.log.level)
        NTLogging.setSecrets(next.secrets)
        logger.logLevel = LogLevelParsing.level(next.log.level)
        for warning in ConfigAdvice.warnings(for: next, environment: environment) {
            logger.warning("configuration: \(warning)")
        }
        logger.info("configuration reloaded", metadata: ["log_level": "\(next.log.level)", "rolling_restart": "\(newSockets.keys.map(\.rawValue).sorted())"])

        let json = (try? JSONEncoder().encode(next)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        for role in WorkerRole.allCases where newSockets[role] == nil {
            guard let pid = slots[role]?.pid else { continue }
            let path = RunDirectory(path: next.resolvedRunDir).workerSocket(role: role, pid: pid)
            let answer = (try? await IPCClient.request(path: path, command: "reload", argument: json)) ?? "unreachable"
            if answer != "ok" {
                logger.warning("worker did not apply the reload", metadata: ["role": "\(role.rawValue)", "answer": "\(answer)"])
            }
        }
        for (role, socket) in newSockets {
            await rollingRestart(role, socket: socket)
        }
        return true
    }
}
