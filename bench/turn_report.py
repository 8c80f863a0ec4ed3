"""The chat-turn benchmark's table (bench/turn_bench.py): its header, one row per level from the runs' figures
(bench/turn_streams.py; medians of the runs, errors summed, peak memory the runs' highest), and what the appliances
logged meanwhile."""
import re
import statistics


def median(runs, key):
    return statistics.median(r[key] for r in runs)


HEADER = (f"{'database':<16} {'streams':>7} {'direct p50/p99 ms':>18} {'added p50/p99 ms':>17} {'p99 ratio':>9} "
          f"{'errors':>6} {'turns/s':>7} {'CPU/stream ms':>13} {'cores used':>10} {'peak RSS MB':>11} {'peak PSS MB':>11}")


def row(name, n, runs):
    return (f"{name:<16} {n:>7} {median(runs, 'direct50'):>8.1f} / {median(runs, 'direct99'):>6.1f} "
            f"{median(runs, 'added50'):>8.1f} / {median(runs, 'added99'):>6.1f} {median(runs, 'ratio99'):>8.3f}x "
            f"{sum(r['errors'] for r in runs):>6} {median(runs, 'turns_s'):>7.1f} {median(runs, 'cpu_ms'):>13.2f} "
            f"{median(runs, 'cores'):>10.2f} {max(r['rss'] for r in runs):>11.1f} {max(r['pss'] for r in runs):>11.1f}")


def log_summary(appls):
    """How many errors and warnings the appliances logged (JSON lines in their log files), and the first few
    distinct error messages."""
    counts, messages = {"error": 0, "warning": 0}, []
    for appl in appls:
        with open(appl.log_path, errors="replace") as f:
            for line in f:
                found = re.search(r'"level":"(error|warning)".*?"msg":"((?:[^"\\]|\\.)*)"', line)
                if found:
                    counts[found[1]] += 1
                    if found[1] == "error" and found[2] not in messages:
                        messages.append(found[2])
    shown = "".join(f"\n  error: {m}" for m in messages[:3])
    return f"appliance log{'s' if len(appls) > 1 else ''}: {counts['error']} errors, {counts['warning']} warnings{shown}"
