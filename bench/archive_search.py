#!/usr/bin/env python3
"""Search latency through the running appliance: ~200 queries (common, middling and rare words, two-word AND,
prefixes, phrases), one keep-alive connection, p50/p99 of the wall time per request."""
import argparse
import http.client
import json
import random
import statistics
import time
import urllib.parse


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--words", required=True)
    p.add_argument("--count", type=int, default=200)
    a = p.parse_args()
    words = open(a.words).read().split()
    rng = random.Random(7)
    queries = []
    for i in range(a.count):
        kind = i % 5
        if kind == 0:
            queries.append(rng.choice(words[:20]))                      # very common
        elif kind == 1:
            queries.append(rng.choice(words[100:1000]))                 # middling
        elif kind == 2:
            queries.append(rng.choice(words[2000:]))                    # rare
        elif kind == 3:
            queries.append(f"{rng.choice(words[:200])} {rng.choice(words[200:2000])}")  # two terms
        else:
            w = rng.choice(words[:500])
            queries.append(w[:3] + "*" if i % 2 else f'"{w} {rng.choice(words[:50])}"')  # prefix or phrase
    conn = http.client.HTTPConnection("127.0.0.1", a.port)
    times, hits, by_kind = [], 0, {}
    for i, q in enumerate(queries):
        start = time.perf_counter()
        conn.request("GET", "/api/search?" + urllib.parse.urlencode({"q": q, "limit": 20}))
        r = conn.getresponse()
        body = r.read()
        elapsed = (time.perf_counter() - start) * 1000
        assert r.status == 200, (q, r.status, body[:200])
        hits += len(json.loads(body)["results"])
        times.append(elapsed)
        by_kind.setdefault(["common", "middling", "rare", "two terms", "prefix/phrase"][i % 5], []).append(elapsed)
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"search: {len(times)} queries, p50 {statistics.median(times):.1f} ms, p99 {p99:.1f} ms, "
          f"max {times[-1]:.1f} ms, {hits / len(times):.1f} hits/query")
    for kind, values in by_kind.items():
        values.sort()
        print(f"  {kind:>13}: p50 {statistics.median(values):.1f} ms, max {values[-1]:.1f} ms")


if __name__ == "__main__":
    main()
