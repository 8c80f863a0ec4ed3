"""One level of the chat-turn benchmark (bench/turn_bench.py): N streams at once straight to the fake upstream, then
N through the appliances' /api/chat, with time to first token, errors, turns per second, CPU and peak memory.

With several appliances (on one PostgreSQL database) the streams are dealt out evenly, stream i to appliance
i mod k, each client connecting to its appliance directly (no balancer); CPU and memory are summed over them all.
Every connection stays on 127.0.0.1 and every wait is bounded by the timeout.
"""
import asyncio, json, re, time

from ntharness import cpu_seconds, memory_mb, pct

DIRECT = re.compile(rb'"content":"[^"]')
THROUGH = re.compile(rb"event: delta")
DIRECT_BODY = {"model": "fake/lorem", "stream": True, "messages": [{"role": "user", "content": "bench"}]}
THROUGH_BODY = {"message": "bench", "model": "fake/lorem"}


async def one_stream(port, path, body, marker, timeout):
    """(time to first token in seconds or None, whether the answer came whole with a 200)."""
    start = time.perf_counter()
    ttft, seen = None, b""
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    payload = json.dumps(body).encode()
    writer.write(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode() + payload)
    ok, done = False, False
    deadline = start + timeout
    try:
        status = await asyncio.wait_for(reader.readline(), timeout)
        ok = b" 200 " in status
        while True:
            chunk = await asyncio.wait_for(reader.read(65536), max(0.01, deadline - time.perf_counter()))
            if not chunk:
                break
            seen = (seen + chunk)[-4096:]
            if ttft is None and marker.search(seen):
                ttft = time.perf_counter() - start
            if b'"status":"complete"' in seen or b"data: [DONE]" in seen:
                done = True
    finally:
        writer.close()
    return ttft, ok and done and ttft is not None


async def wave(n, ports, path, body, marker, timeout):
    """N streams at once, stream i to ports[i mod len(ports)]: (sorted times to first token in ms, errors)."""
    outcomes = await asyncio.gather(*[one_stream(ports[i % len(ports)], path, body, marker, timeout) for i in range(n)],
                                    return_exceptions=True)
    ttfts = sorted(o[0] * 1000 for o in outcomes if not isinstance(o, BaseException) and o[0] is not None)
    errors = sum(1 for o in outcomes if isinstance(o, BaseException) or not o[1])
    return ttfts, errors


async def measure_level(appls, fake_port, n, timeout, database_pids=()):
    """One run at N streams over the appliances `appls`. `database_pids`: the database server's processes, whose CPU
    during the appliance phase is reported apart (`db_cpu_ms`, per stream)."""
    # /proc counts CPU in 10 ms ticks: below 20 streams each wave is repeated (one after another) until 20 streams
    # have run, straight to the fake and through the appliance alike, so the CPU per stream is not one tick
    # divided by one stream.
    waves = max(1, -(-20 // n))
    direct, derr = [], 0
    for _ in range(waves):
        ttfts, errors = await wave(n, [fake_port], "/api/v1/chat/completions", DIRECT_BODY, DIRECT, timeout)
        direct, derr = sorted(direct + ttfts), derr + errors
    pids = [p for a in appls for p in a.pids]
    peak, peak_pss, sampling = 0.0, 0.0, True

    async def sampler():
        nonlocal peak, peak_pss
        while sampling:
            rss, pss = memory_mb(pids)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            await asyncio.sleep(0.05)

    task = asyncio.create_task(sampler())
    cpu0, db0, t0 = cpu_seconds(pids), cpu_seconds(database_pids), time.perf_counter()
    through, aerr = [], 0
    for _ in range(waves):
        ttfts, errors = await wave(n, [a.web for a in appls], "/api/chat", THROUGH_BODY, THROUGH, timeout)
        through, aerr = sorted(through + ttfts), aerr + errors
    wall = time.perf_counter() - t0
    cpu, db_cpu = cpu_seconds(pids) - cpu0, cpu_seconds(database_pids) - db0
    n *= waves
    sampling = False
    await task
    return {
        "direct50": pct(direct, 50), "direct99": pct(direct, 99), "appl50": pct(through, 50), "appl99": pct(through, 99),
        "added50": pct(through, 50) - pct(direct, 50), "added99": pct(through, 99) - pct(direct, 99),
        "ratio99": pct(through, 99) / pct(direct, 99) if direct else float("nan"),
        "errors": derr + aerr, "appl_errors": aerr, "turns_s": (n - aerr) / wall,
        "cpu_ms": cpu * 1000 / n, "cores": cpu / wall, "db_cpu_ms": db_cpu * 1000 / n, "rss": peak, "pss": peak_pss,
    }
