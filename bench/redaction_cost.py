#!/usr/bin/env python3
"""What redacting the upstream key from streamed answers costs the web worker, measured in CPU time.

Every content and reasoning delta passes through the key's stream redactor (SecretStreamRedactor), which does
nothing when no key long enough to be a secret is configured. This starts one fake upstream and the appliance
twice against it: once with a 64-hex OpenRouter-shaped key (redaction on), once with a 7-byte key, shorter than
the shortest secret the redactor looks for (redaction off; the fake upstream takes any key). Each relays the same
load: ROUNDS rounds of C concurrent /api/chat streams of the fake's lorem model (TOKENS tokens each). Reported:
the web worker's CPU time (utime + stime from /proc) per relayed stream and per token, the median over the
rounds, and the ratio on/off. Bounded in count and time; nothing leaves 127.0.0.1.

usage: bench/redaction_cost.py APPLIANCE_BINARY FAKE_BINARY [C] [ROUNDS]   (default 50 streams, 8 rounds)
"""
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

APP, FAKE = sys.argv[1], sys.argv[2]
C = int(sys.argv[3]) if len(sys.argv) > 3 else 50
ROUNDS = int(sys.argv[4]) if len(sys.argv) > 4 else 8
TOKENS = 200
KEY = "sk-or-v1-" + "7d3f" * 16
TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port, path, deadline=20):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
                if b" 200 " in s.recv(64):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"127.0.0.1:{port}{path} never answered 200")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def chat(port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = json.dumps({"message": "bench", "model": "fake/lorem"}).encode()
    writer.write(f"POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
    await writer.drain()
    data = b""
    while chunk := await asyncio.wait_for(reader.read(65536), 60):
        data += chunk
    writer.close()
    return b"event: done" in data and b'"complete"' in data


async def relay_round(port):
    return await asyncio.wait_for(asyncio.gather(*[chat(port) for _ in range(C)]), 120)


def run(with_key, fake_port):
    directory = tempfile.mkdtemp(prefix="nt-redaction-bench-")
    web, metrics = free_port(), free_port()
    config = os.path.join(directory, "nt.toml")
    with open(config, "w") as f:
        f.write(f'server.listen = "127.0.0.1:{web}"\nmetrics.listen = "127.0.0.1:{metrics}"\n'
                f'storage.data_dir = "{directory}/data"\nupstream.base_url = "http://127.0.0.1:{fake_port}/api/v1"\n'
                'upstream.default_model = "fake/lorem"\nlog.level = "warning"\n'
                "limits.api_requests_per_minute = 0\nlimits.chat_requests_per_minute = 0\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEURAL_TERMINAL_") and k != "OPENROUTER_API_KEY"}
    env["OPENROUTER_API_KEY"] = KEY if with_key else "sk-1234"
    proc = subprocess.Popen([APP, "run", "--config", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_http(metrics, "/ready")
        status = json.loads(subprocess.run([APP, "status", "--json", "--config", config], env=env, capture_output=True,
                                           text=True, check=True).stdout)
        web_pid = next(w["pid"] for w in status["workers"] if w["role"] == "web")
        per_stream = []
        for _ in range(ROUNDS):
            before = cpu_seconds(web_pid)
            outcomes = asyncio.run(relay_round(web))
            assert all(outcomes), f"{outcomes.count(False)} of {C} streams did not complete"
            per_stream.append((cpu_seconds(web_pid) - before) / C)
        return sorted(per_stream)[len(per_stream) // 2]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        shutil.rmtree(directory, ignore_errors=True)


fake_out = tempfile.NamedTemporaryFile(mode="w+", delete=False)
fake = subprocess.Popen([FAKE, "--port", "0", "--quiet", "--tokens", str(TOKENS), "--token-delay-ms", "2", "--ttft-ms", "20"],
                        stdout=fake_out, stderr=subprocess.DEVNULL)
try:
    for _ in range(200):
        text = open(fake_out.name).read()
        if "listening" in text:
            break
        time.sleep(0.05)
    fake_port = int(re.search(r"127\.0\.0\.1:(\d+)", text).group(1))
    off = run(False, fake_port)
    on = run(True, fake_port)
    print(f"# redaction cost: {APP}, {ROUNDS} rounds of {C} concurrent streams of {TOKENS} tokens, {os.cpu_count()} cores")
    print(f"web worker CPU per stream: 64-hex key (redaction on) {on * 1000:.2f} ms, short key (off) {off * 1000:.2f} ms, "
          f"ratio {on / off:.3f}; per token {on / TOKENS * 1e6:.1f} µs vs {off / TOKENS * 1e6:.1f} µs")
finally:
    fake.send_signal(signal.SIGTERM)
    fake.wait(timeout=10)
    os.unlink(fake_out.name)
