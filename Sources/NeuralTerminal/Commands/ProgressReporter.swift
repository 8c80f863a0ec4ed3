#if canImport(Glibc)
import Glibc
#endif

/// Progress of `export` and `import` on stderr: a redrawn bar when stderr is a terminal, otherwise a plain line
/// at every 10 % (or every 10 s when the total is unknown), so logs of scripted runs stay readable.
final class ProgressReporter {
    enum Measure {
        case count(String)
        case bytes
    }

    let label: String
    let measure: Measure
    let isTerminal = isatty(2) == 1
    let started = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?
    private var lastStep = 0
    private var drawn = false

    init(label: String, measure: Measure) {
        self.label = label
        self.measure = measure
    }

    func update(done: Int, total: Int?) {
        let now = ContinuousClock.now
        if isTerminal {
            if let lastDraw, now - lastDraw < .milliseconds(100), done != total { return }
            lastDraw = now
            var text = "\r\(label) "
            if let total, total > 0 {
                let width = 30
                let filled = min(width, done * width / total)
                text += "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
                text += pad("\(min(100, done * 100 / total))%", 4) + "  \(ratio(done, total))"
            } else {
                text += amount(done)
            }
            text += "  \(seconds(now - started)) s\u{1B}[K"
            emit(text)
            drawn = true
            return
        }
        if let total, total > 0 {
            let step = done * 10 / total
            guard step > lastStep else { return }
            lastStep = step
            emit("\(label): \(ratio(done, total)) (\(min(100, step * 10))%), \(seconds(now - started)) s\n")
        } else {
            guard lastDraw.map({ now - $0 >= .seconds(10) }) ?? true else { return }
            lastDraw = now
            emit("\(label): \(amount(done)), \(seconds(now - started)) s\n")
        }
    }

    /// Clears the bar and prints `message` (with the elapsed time) as the last line.
    func finish(_ message: String?) {
        if isTerminal && drawn { emit("\r\u{1B}[K") }
        if let message { emit("\(message) in \(seconds(ContinuousClock.now - started)) s\n") }
    }

    /// `4500/10000 conversations`, `12.3/120.0 MiB`.
    private func ratio(_ done: Int, _ total: Int) -> String {
        switch measure {
        case .count(let unit): return "\(done)/\(total) \(unit)"
        case .bytes: return "\(mebibytes(done))/\(mebibytes(total)) MiB"
        }
    }

    private func amount(_ value: Int) -> String {
        switch measure {
        case .count(let unit): return "\(value) \(unit)"
        case .bytes: return "\(mebibytes(value)) MiB"
        }
    }

    private func mebibytes(_ value: Int) -> String {
        let tenths = value * 10 / (1 << 20)
        return "\(tenths / 10).\(tenths % 10)"
    }

    private func seconds(_ duration: Duration) -> String {
        let c = duration.components
        let tenths = Int(c.seconds) * 10 + Int(c.attoseconds / 100_000_000_000_000_000)
        return "\(tenths / 10).\(tenths % 10)"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }

    private func emit(_ text: String) {
        var line = text
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}
