#!/usr/bin/env python3
"""Startup time, idle memory and binary size of cognito-emu.

Startup time is measured from just before the process is spawned to the first answered
request (GET /health returning 200), as the median of N runs: once on a fresh :memory:
database, once on a new database file in a fresh data directory (which includes creating the
schema).
Idle RSS is VmRSS of the process after it answered. Usage:

    python3 bench/startup.py [path/to/cognito-emu] [runs]

Only loopback addresses are used; every run is bounded by a 10 s timeout.
"""
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time


def one_start(binary, storage):
    t0 = time.perf_counter()
    proc = subprocess.Popen([binary, "--port", "0", *storage, "--log-level", "warn"],
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
    one_start(binary, ["--db", ":memory:"])  # warm the page cache so every run starts alike
    with tempfile.TemporaryDirectory() as tmp:
        variants = {
            ":memory:": lambda i: ["--db", ":memory:"],
            "new database file": lambda i: ["--data-dir", os.path.join(tmp, str(i))],
        }
        for name, storage in variants.items():
            results = [one_start(binary, storage(i)) for i in range(runs)]
            times = sorted(r[0] for r in results)
            rss = statistics.median(r[1] for r in results)
            print(f"{name}: startup to first answered request: median "
                  f"{statistics.median(times):.1f} ms (min {times[0]:.1f}, max {times[-1]:.1f}, "
                  f"{runs} runs); idle RSS {rss / 1024:.1f} MiB")
    size = os.path.getsize(binary)
    print(f"binary size: {size / 1024:.0f} KiB ({binary})")


if __name__ == "__main__":
    main()
