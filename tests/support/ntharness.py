"""What the Python harnesses that drive the release binary share (bench/turn_bench.py, tests/chaos/): free
loopback ports, the process tree read from /proc, CPU time and memory of processes, the fake upstream and an
appliance with its own configuration and data directory, and percentiles.

Everything here is the standard library; every address is 127.0.0.1.
"""
import json
import os
import re
import signal
import socket
import subprocess
import time

TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    """A port nobody listens on right now (the kernel's pick for a bound, then closed, socket)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parent_of(pid):
    """The parent pid from /proc/PID/stat (after the command name, which may hold spaces and parentheses)."""
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def children(pid):
    """The pid and its direct children."""
    found = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if parent_of(int(entry)) == pid:
                    found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


def descendants(pid):
    """The pid and every process below it, however deep."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents.setdefault(parent_of(int(entry)), []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(parents.get(p, []))
    return found


def cmdline(pid):
    """The process's arguments, or [] once it is gone (or a zombie)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def alive(pid):
    """True while the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def cpu_seconds(pids):
    """User + system CPU time of the processes, in seconds."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / TICKS


def memory_mb(pids):
    """(RSS, PSS) summed over the processes, in MB. RSS counts the binary's shared pages once per process (the
    four processes are one binary); PSS shares them out, so its sum is the memory the appliance really holds."""
    rss = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass
    return rss / 1024, pss / 1024


def pct(values, p):
    """The p-th percentile of sorted values (linear interpolation), NaN for none."""
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


class FakeUpstream:
    """The fake OpenRouter on a free loopback port (docs/fake-openrouter.md); `tokens`, `token_delay_ms` and
    `ttft_ms` shape every lorem answer."""

    def __init__(self, binary, tokens=20, token_delay_ms=5, ttft_ms=50):
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--quiet", "--tokens", str(tokens), "--token-delay-ms", str(token_delay_ms),
             "--ttft-ms", str(ttft_ms)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        found = re.search(r"127\.0\.0\.1:(\d+)", line)
        if not found:
            self.stop()
            raise RuntimeError(f"the fake upstream did not start (printed {line!r})")
        self.port = int(found.group(1))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value))


class Appliance:
    """One appliance (`BINARY run`) on free loopback ports with its data under `work`, its config file written
    from `settings` (dotted keys → values) on top of the listeners, the data directory and the fake upstream,
    and its stdout and stderr appended to `work/NAME.log`."""

    def __init__(self, binary, fake_port, work, name, settings=None, data_dir=None, env=None):
        self.binary, self.work, self.name = binary, work, name
        self.web, self.met = free_port(), free_port()
        self.data = data_dir or os.path.join(work, f"data-{name}")
        self.config = os.path.join(work, f"{name}.toml")
        self.log_path = os.path.join(work, f"{name}.log")
        self.env = dict(os.environ, OPENROUTER_API_KEY="sk-or-v1-bench", **(env or {}))
        self.settings = {
            "server.listen": f"127.0.0.1:{self.web}",
            "metrics.listen": f"127.0.0.1:{self.met}",
            "storage.data_dir": self.data,
            "upstream.base_url": f"http://127.0.0.1:{fake_port}/api/v1",
            "upstream.default_model": "fake/lorem",
        }
        self.settings.update(settings or {})
        self.write_config()
        self.proc = None

    def write_config(self, **changes):
        """Writes the config file (with `changes`, given as key=value with `__` for the dot) atomically, so a
        SIGHUP never reads half a file."""
        for key, value in changes.items():
            self.settings[key.replace("__", ".")] = value
        temp = self.config + ".new"
        with open(temp, "w") as f:
            f.write("".join(f"{k} = {toml_value(v)}\n" for k, v in self.settings.items()))
        os.replace(temp, self.config)

    @property
    def db(self):
        return os.path.join(self.data, "neural-terminal.db")

    def launch(self):
        """Starts `run` without waiting for anything."""
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary, "run", "--config", self.config], stdout=log, stderr=log,
                                     env=self.env)
        log.close()
        return self.proc

    def ready_now(self):
        """(HTTP status, body) of GET /ready, or (None, reason) when nothing answers."""
        try:
            with socket.create_connection(("127.0.0.1", self.met), 1) as s:
                s.settimeout(2)
                s.sendall(b"GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            return int(head.split()[1]), body.decode(errors="replace")
        except (OSError, IndexError, ValueError) as error:
            return None, str(error)

    def start(self, timeout=30):
        """Starts `run` and waits until /ready answers 200."""
        self.launch()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.ready_now()[0] == 200:
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"the appliance exited {self.proc.returncode} before it was ready; see {self.log_path}")
            time.sleep(0.05)
        raise RuntimeError(f"the appliance did not become ready in {timeout} s; see {self.log_path}")

    def stop(self, timeout=30):
        """SIGTERM and wait; returns the exit status (None when it was not running)."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        self.proc = None
        return code

    def kill_tree(self):
        """SIGKILL to the supervisor and every process below it (clean-up after a failure)."""
        if not self.proc:
            return
        for pid in reversed(descendants(self.proc.pid)):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self.proc.wait(10)
        self.proc = None

    @property
    def pids(self):
        return children(self.proc.pid)

    def workers(self, role):
        """Pids of this appliance's living `role` workers (web, metrics, maintenance)."""
        if not self.proc:
            return []
        return [p for p in descendants(self.proc.pid)[1:] if cmdline(p)[1:3] == ["worker", role] and alive(p)]
