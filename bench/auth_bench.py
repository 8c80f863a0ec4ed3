#!/usr/bin/env python3
"""What authentication costs per request, measured at the client on loopback.

Starts the given binary three times on free loopback ports with its own data folder and times N sequential
GET /api/conversations over one keep-alive connection:
  none     auth.mode = "none" (the Host check and the origin check only)
  session  auth.mode = "password", a session cookie (one SQLite lookup of the session, one of the stored hash)
  token    auth.mode = "password", Authorization: Bearer ntk_… (one SQLite lookup of the token)
and the time of a login (bcrypt cost 12 on NIO's blocking pool), each as p50/p99, with the ratio to "none".
Then the owner's login under a flood: in each of 5 rounds, 40 wrong logins from 40 fresh addresses (named by
X-Forwarded-For from the trusted loopback proxy) start at once and the owner logs in 100 ms later; reported: how
many owner logins succeeded, their time p50/max, and what the 40 guesses got.
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
                "limits.api_requests_per_minute = 0\n"
                + ('server.trusted_proxies = "127.0.0.1"\n' if mode == "password" else ""))
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


def attempt(port, password, client=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if client:
        headers["X-Forwarded-For"] = client
    t0 = time.perf_counter()
    conn.request("POST", "/api/auth/login", body=json.dumps({"password": password}), headers=headers)
    r = conn.getresponse()
    r.read()
    return r.status, time.perf_counter() - t0, r.getheader("Set-Cookie")


def login(port):
    status, elapsed, cookie = attempt(port, PASSWORD)
    assert status == 200, status
    return elapsed, cookie.split(";")[0]


def flood_rounds(port, rounds=5, guesses=40):
    import collections
    import threading
    owner = []
    guessed = collections.Counter()
    attempt(port, PASSWORD, "10.200.0.1")  # the owner has logged in from this address before
    for round_ in range(rounds):
        statuses = []
        threads = [threading.Thread(target=lambda i=i: statuses.append(attempt(port, f"wrong {i}", f"10.{round_}.0.{i + 2}")[0]))
                   for i in range(guesses)]
        for t in threads:
            t.start()
        time.sleep(0.1)
        status, elapsed, _ = attempt(port, PASSWORD, "10.200.0.1")
        owner.append((status, elapsed))
        for t in threads:
            t.join()
        guessed.update(statuses)
    return owner, guessed


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
    flood_owner, flood_guesses = flood_rounds(web)
finally:
    stop(proc, directory)

print(f"# auth bench: {BINARY}, {N} sequential GET /api/conversations per mode, one keep-alive connection, {os.cpu_count()} cores")
base50, base99 = results["none"]
for name in ("none", "session", "token"):
    p50, p99 = results[name]
    print(f"{name:8s} p50 {p50:6.3f} ms  p99 {p99:6.3f} ms   ratio to none: p50 {p50 / base50:4.2f}  p99 {p99 / base99:4.2f}")
p50, p99 = results["login"]
print(f"login    p50 {p50:6.1f} ms  p99 {p99:6.1f} ms   (10 logins, bcrypt cost 12)")
ok = [t for status, t in flood_owner if status == 200]
print(f"flood    owner logged in {len(ok)} of {len(flood_owner)} rounds while 40 addresses guessed; owner login "
      f"p50 {sorted(ok)[len(ok) // 2] * 1000 if ok else float('nan'):6.1f} ms  max {max(ok) * 1000 if ok else float('nan'):6.1f} ms; "
      f"guesses answered {dict(sorted(flood_guesses.items()))}")
