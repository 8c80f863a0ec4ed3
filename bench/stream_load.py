#!/usr/bin/env python3
"""Concurrent streaming chats through the appliance and directly against the fake upstream, in one run.

For each concurrency level N, N streams are opened at once (bounded count, bounded time), first against the fake
OpenRouter directly and then through the appliance's /api/chat. Time to first token (TTFT) is measured at the
client: directly, the first SSE chunk with non-empty `delta.content`; through the appliance, the first `delta`
event. The added TTFT is the appliance's percentile minus the direct one. Peak RSS sums every process of the
appliance (supervisor and workers), sampled every 50 ms. Traffic stays on 127.0.0.1.
"""
import argparse, asyncio, json, os, re, time


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def appliance_pids(supervisor):
    """The supervisor and its children (the workers), found through /proc/*/stat's parent pid field."""
    pids = [supervisor]
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == supervisor:
                pids.append(int(entry))
        except (OSError, IndexError, ValueError):
            pass
    return pids


async def stream(port, path, body, first_token_marker, timeout):
    start = time.perf_counter()
    ttft = None
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    payload = json.dumps(body).encode()
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer sk-or-v1-bench\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
        + payload
    )
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), timeout)
    ok = b" 200 " in status_line
    seen = b""
    deadline = start + timeout
    while True:
        chunk = await asyncio.wait_for(reader.read(65536), max(0.01, deadline - time.perf_counter()))
        if not chunk:
            break
        if ttft is None:
            seen += chunk
            if first_token_marker(seen):
                ttft = time.perf_counter() - start
            seen = seen[-256:]
    writer.close()
    complete = ok and ttft is not None
    return ttft, complete


def direct_marker(data):
    # The first chunk carries the role and "content":""; the first token is the first non-empty content.
    return re.search(rb'"content":"[^"]', data) is not None


def appliance_marker(data):
    return b"event: delta" in data


async def level(n, args, supervisor):
    results = {}
    peak = 0
    sampling = True

    async def sampler():
        nonlocal peak
        while sampling:
            peak = max(peak, sum(rss_kb(p) for p in appliance_pids(supervisor)))
            await asyncio.sleep(0.05)

    for name, port, path, body, marker in [
        ("direct", args.fake_port, "/api/v1/chat/completions",
         {"model": args.model, "stream": True, "messages": [{"role": "user", "content": "bench"}]}, direct_marker),
        ("appliance", args.web_port, "/api/chat", {"message": "bench", "model": args.model}, appliance_marker),
    ]:
        task = asyncio.create_task(sampler()) if name == "appliance" else None
        idle = sum(rss_kb(p) for p in appliance_pids(supervisor))
        outcomes = await asyncio.gather(
            *[stream(port, path, body, marker, args.timeout) for _ in range(n)], return_exceptions=True)
        if task:
            sampling = False
            await task
        ttfts = sorted(o[0] * 1000 for o in outcomes if not isinstance(o, Exception) and o[0] is not None)
        errors = sum(1 for o in outcomes if isinstance(o, Exception) or not o[1])
        results[name] = (ttfts, errors, idle)
    return results, peak


def pct(values, p):
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--web-port", type=int, required=True)
    ap.add_argument("--fake-port", type=int, required=True)
    ap.add_argument("--supervisor-pid", type=int, required=True)
    ap.add_argument("--levels", default="1,50,500")
    ap.add_argument("--model", default="fake/lorem")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--rounds", type=int, default=3, help="repeat each level this many times (more samples)")
    args = ap.parse_args()
    print(f"{'streams':>7} {'direct p50':>10} {'direct p99':>10} {'appl p50':>9} {'appl p99':>9} "
          f"{'added p50':>9} {'added p99':>9} {'errors':>6} {'peak RSS':>9} {'RSS/stream':>10}")
    for n in [int(x) for x in args.levels.split(",")]:
        direct, appl, errors, peak, idle = [], [], 0, 0, None
        for _ in range(args.rounds):
            res, pk = await level(n, args, args.supervisor_pid)
            direct += res["direct"][0]
            appl += res["appliance"][0]
            errors += res["direct"][1] + res["appliance"][1]
            idle = res["appliance"][2] if idle is None else min(idle, res["appliance"][2])
            peak = max(peak, pk)
        direct.sort(); appl.sort()
        growth = (peak - idle) / n if n else 0
        print(f"{n:>7} {pct(direct,50):>9.1f}ms {pct(direct,99):>9.1f}ms {pct(appl,50):>8.1f}ms {pct(appl,99):>8.1f}ms "
              f"{pct(appl,50)-pct(direct,50):>8.1f}ms {pct(appl,99)-pct(direct,99):>8.1f}ms {errors:>6} "
              f"{peak/1024:>7.1f}MB {growth:>8.1f}KB", flush=True)


asyncio.run(main())
