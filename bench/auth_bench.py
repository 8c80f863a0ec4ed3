#!/usr/bin/env python3
"""What authentication costs per request (issue 7), measured at the client on loopback.

Starts the given binary three times on free loopback ports with its own data folder and times N sequential
GET /api/conversations over one keep-alive connection:
  none     auth.mode = "none" (the Host check and the origin check only)
  session  auth.mode = "password", a session cookie (one SQLite lookup of the session, one of the stored hash)
  token    auth.mode = "password", Authorization: Bearer ntk_… (one SQLite lookup of the token)
and the time of a login (bcrypt cost 12 on NIO's blocking pool), each as p50/p99, with the ratio to "none".
Bounded: N requests (default 3000) per mode and 60 s per mode at most. Nothing leaves 127.0.0.1.

usage: bench/auth_bench.py [BINARY] [N]     (default .build/release/neural-terminal 3000)
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BINARY = sys.argv[1] if len(sys.argv) > 1 else ".build/release/neural-terminal"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
PASSWORD = "benchmark password 42"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(mode):
    directory = tempfile.mkdtemp(prefix="nt-auth-bench-")
    web, metrics = free_port(), free_port()
    config = os.path.join(directory, "nt.toml")
    with open(config, "w") as f:
        f.write(f'auth.mode = "{mode}"\nserver.listen = "127.0.0.1:{web}"\nmetrics.listen = "127.0.0.1:{metrics}"\n'
                f'storage.data_dir = "{directory}/data"\nlog.level = "warning"\n'
                "limits.api_requests_per_minute = 0\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEURAL_TERMINAL_")}
    token = None
    if mode == "password":
        subprocess.run([BINARY, "passwd", "--stdin", "--config", config], input=PASSWORD + "\n", text=True, check=True, capture_output=True, env=env)
        token = subprocess.run([BINARY, "token", "create", "--name", "bench", "--config", config], text=True, check=True,
                               capture_output=True, env=env).stdout.strip()
    proc = subprocess.Popen([BINARY, "run", "--config", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", metrics, timeout=1)
            c.request("GET", "/ready")
            if c.getresponse().status == 200:
                break
        except OSError:
            pass
        time.sleep(0.05)
    return proc, directory, web, token


def stop(proc, directory):
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)
    shutil.rmtree(directory, ignore_errors=True)


def quantiles(samples):
    s = sorted(samples)
    return s[len(s) // 2] * 1000, s[min(len(s) - 1, int(len(s) * 0.99))] * 1000


def timed_gets(port, headers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    samples, deadline = [], time.monotonic() + 60
    for i in range(N + 100):
        t0 = time.perf_counter()
        conn.request("GET", "/api/conversations", headers=headers)
        r = conn.getresponse()
        r.read()
        assert r.status == 200, r.status
        if i >= 100:  # warm-up
            samples.append(time.perf_counter() - t0)
        if time.monotonic() > deadline:
            break
    return samples


def login(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    t0 = time.perf_counter()
    conn.request("POST", "/api/auth/login", body=json.dumps({"password": PASSWORD}), headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    r.read()
    assert r.status == 200, r.status
    return time.perf_counter() - t0, r.getheader("Set-Cookie").split(";")[0]


results = {}
proc, directory, web, _ = start("none")
try:
    results["none"] = quantiles(timed_gets(web, {}))
finally:
    stop(proc, directory)
proc, directory, web, token = start("password")
try:
    logins = [login(web) for _ in range(10)]
    cookie = logins[-1][1]
    results["session"] = quantiles(timed_gets(web, {"Cookie": cookie}))
    results["token"] = quantiles(timed_gets(web, {"Authorization": f"Bearer {token}"}))
    results["login"] = quantiles([t for t, _ in logins])
finally:
    stop(proc, directory)

print(f"# auth bench: {BINARY}, {N} sequential GET /api/conversations per mode, one keep-alive connection, {os.cpu_count()} cores")
base50, base99 = results["none"]
for name in ("none", "session", "token"):
    p50, p99 = results[name]
    print(f"{name:8s} p50 {p50:6.3f} ms  p99 {p99:6.3f} ms   ratio to none: p50 {p50 / base50:4.2f}  p99 {p99 / base99:4.2f}")
p50, p99 = results["login"]
print(f"login    p50 {p50:6.1f} ms  p99 {p99:6.1f} ms   (10 logins, bcrypt cost 12)")
