#!/usr/bin/env python3
"""Time to start with fixtures, and time of a reset, for cognito-emu (issue 7).

start   from just before the process is spawned to the first answered request (GET /health
        returning 200), with --fixtures (the example by default) on a fresh :memory: database;
        the same without fixtures, for comparison. Median of N runs each.
reset   POST /_emu/reset on a server started with the fixtures, each after a little activity
        (a user signed up, a user pool made), measured at the client (the whole HTTP exchange)
        and as the server reports it (elapsedMs); then the first sign-in after a reset, which
        needs no new signing keys because reset keeps the fixture pools' keys. Median of N.

Usage:
    python3 bench/fixtures.py [path/to/cognito-emu] [fixtures path] [runs]

Only loopback addresses are used; every run is bounded by a 10 s timeout.
"""
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
POOL = "us-east-1_Example01"
CLIENT = "examplepublicclient0000001"


def spawn(binary, extra):
    proc = subprocess.Popen([binary, "--port", "0", "--db", ":memory:", "--log-level", "warn", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=10)
        raise RuntimeError(f"the server did not start ({' '.join(extra)}): exit {proc.returncode}")
    host, port = line.split()[-1].split("//")[1].rsplit(":", 1)
    return proc, host.strip("[]"), int(port)


def request(host, port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data


def aws(host, port, operation, payload):
    status, data = request(host, port, "POST", "/", json.dumps(payload),
                           {"X-Amz-Target": "AWSCognitoIdentityProviderService." + operation,
                            "Content-Type": "application/x-amz-json-1.1"})
    if status != 200:
        raise RuntimeError(f"{operation}: {status} {data[:200]!r}")
    return json.loads(data)


def one_start(binary, extra):
    t0 = time.perf_counter()
    proc, host, port = spawn(binary, extra)
    try:
        deadline = t0 + 10
        while True:
            try:
                if request(host, port, "GET", "/health")[0] == 200:
                    break
            except OSError:
                if time.perf_counter() > deadline:
                    raise
        return (time.perf_counter() - t0) * 1000
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def summary(name, values, unit="ms"):
    v = sorted(values)
    print(f"{name}: median {statistics.median(v):.2f} {unit} (min {v[0]:.2f}, max {v[-1]:.2f}, "
          f"{len(v)} runs)")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "build/cognito-emu"
    fixtures = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "..", "fixtures", "example.json")
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    with_fixtures = ["--fixtures", fixtures]

    one_start(binary, with_fixtures)  # warm the page cache so every run starts alike
    summary("start without fixtures", [one_start(binary, []) for _ in range(runs)])
    summary(f"start with {os.path.relpath(fixtures)}", [one_start(binary, with_fixtures) for _ in range(runs)])

    proc, host, port = spawn(binary, with_fixtures)
    try:
        client, server, sign_in = [], [], []
        for _ in range(runs):
            name = "bench-" + uuid.uuid4().hex[:8]
            aws(host, port, "SignUp", {"ClientId": CLIENT, "Username": name, "Password": "Passw0rd!bench",
                                       "UserAttributes": [{"Name": "email", "Value": name + "@example.com"}]})
            aws(host, port, "CreateUserPool", {"PoolName": name})
            t0 = time.perf_counter()
            status, data = request(host, port, "POST", "/_emu/reset")
            client.append((time.perf_counter() - t0) * 1000)
            if status != 200:
                raise RuntimeError(f"reset: {status} {data!r}")
            server.append(json.loads(data)["elapsedMs"])
            t0 = time.perf_counter()
            aws(host, port, "InitiateAuth", {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": CLIENT,
                                             "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!alice"}})
            sign_in.append((time.perf_counter() - t0) * 1000)
        summary("reset, as the client sees it (POST /_emu/reset)", client)
        summary("reset, as the server reports it (elapsedMs)", server)
        summary("first sign-in after a reset", sign_in)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
