#!/usr/bin/env python3
"""Startup time, idle memory and binary size of cognito-emu.

Startup time is measured from just before the process is spawned to the first answered
request (GET /health returning 200), on a fresh :memory: database, as the median of N runs.
Idle RSS is VmRSS of the process after it answered. Usage:

    python3 bench/startup.py [path/to/cognito-emu] [runs]

Only loopback addresses are used; every run is bounded by a 10 s timeout.
"""
import http.client
import os
import statistics
import subprocess
import sys
import time


def one_start(binary):
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary, "--port", "0", "--db", ":memory:", "--log-level", "warn"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        url = line.split()[-1]
        host, port = url.split("//")[1].rsplit(":", 1)
        deadline = t0 + 10
        while True:
            try:
                conn = http.client.HTTPConnection(host.strip("[]"), int(port), timeout=2)
                conn.request("GET", "/health")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                if time.perf_counter() > deadline:
                    raise
        elapsed_ms = (time.perf_counter() - t0) * 1000
        with open(f"/proc/{proc.pid}/status") as f:
            rss_kb = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        return elapsed_ms, rss_kb
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/cognito-emu"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    one_start(binary)  # warm the page cache so every measured run starts alike
    results = [one_start(binary) for _ in range(runs)]
    times = sorted(r[0] for r in results)
    rss = statistics.median(r[1] for r in results)
    size = os.path.getsize(binary)
    print(f"startup to first answered request: median {statistics.median(times):.1f} ms "
          f"(min {times[0]:.1f}, max {times[-1]:.1f}, {runs} runs)")
    print(f"idle RSS: {rss / 1024:.1f} MiB")
    print(f"binary size: {size / 1024:.0f} KiB ({binary})")


if __name__ == "__main__":
    main()
