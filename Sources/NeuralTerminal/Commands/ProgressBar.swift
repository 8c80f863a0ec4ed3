#if canImport(Glibc)
import Glibc
#endif

/// Progress on stderr: a redrawn bar on a terminal, a plain line per phase (and per 25 %) otherwise.
final class ProgressBar {
    private let terminal = isatty(2) == 1
    private var phase = ""
    private var lastQuarter = -1
    private var lastDrawn = -1

    func update(_ phase: String, _ fraction: Double) {
        let percent = Int((min(max(fraction, 0), 1) * 100).rounded(.down))
        if terminal {
            guard phase != self.phase || percent != lastDrawn else { return }
            if phase != self.phase, !self.phase.isEmpty { emit("\n") }
            self.phase = phase
            lastDrawn = percent
            let filled = percent * 30 / 100
            let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: 30 - filled)
            let label = phase.count < 10 ? phase + String(repeating: " ", count: 10 - phase.count) : phase
            emit("\r\(label) [\(bar)] \(percent)%")
        } else {
            if phase != self.phase {
                self.phase = phase
                lastQuarter = -1
            }
            let quarter = percent / 25
            guard quarter != lastQuarter else { return }
            lastQuarter = quarter
            emit("\(phase): \(percent)%\n")
        }
    }

    /// Ends the bar's line.
    func finish() {
        if terminal, !phase.isEmpty { emit("\n") }
        phase = ""
    }

    private func emit(_ text: String) {
        var copy = text
        copy.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}

/// `1.5 MB`, `230 kB`, `12 B` (decimal units, as `du --si`).
func humanBytes(_ bytes: Int) -> String {
    let value = Double(bytes)
    if value >= 1e9 { return String(format1(value / 1e9)) + " GB" }
    if value >= 1e6 { return String(format1(value / 1e6)) + " MB" }
    if value >= 1e3 { return String(format1(value / 1e3)) + " kB" }
    return "\(bytes) B"
}

/// One decimal place, without Foundation's formatters.
func format1(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
}
