#!/usr/bin/env python3
"""Durability under SIGKILL: every write the server acknowledged must survive a crash.

The test starts the real server on a fresh data directory, runs concurrent writers that
create user pools and identity pools, kills the server with SIGKILL while they are still
writing, restarts it on the same directory, and checks that every pool whose creation was
answered with 200 can be described and is counted by the list operations.

Standard library only (Debian 12's python3, 3.11). Talks to 127.0.0.1 only. Bounded: the
whole run is aborted as a failure after 30 seconds.

Environment: COG_EMU_BIN, the server binary (default build/cognito-emu).
Exit status: 0 when every check passed, 1 when one failed, 77 when the binary is missing.
The last line is "N passed, N failed", one count per check, for the test runner to sum.
"""

import http.client
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HOST = "127.0.0.1"
OVERALL_TIMEOUT = 30.0  # seconds for the whole run
READY_TIMEOUT = 10.0  # seconds for the server's ready line
WRITERS = 8
MAX_REQUESTS = 400  # in all, across the writers
WRITE_WINDOW = 2.0  # seconds the writers may run at most
KILL_AFTER_REQUESTS = 200  # kill once this many requests were sent...
KILL_AFTER_SECONDS = 1.0  # ...or this long after the writers started, whichever is first
HTTP_TIMEOUT = 5.0

IDP = "AWSCognitoIdentityProviderService."
IDENTITY = "AWSCognitoIdentityService."


class Checks:
    """Counts checks; each check is one test for the runner."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append(what)
            if self.failed <= 20:
                print("FAIL: " + what, flush=True)
            elif self.failed == 21:
                print("FAIL: (further failures are counted, not printed)", flush=True)
        return ok


class Server:
    """One run of the server binary on a data directory."""

    def __init__(self, binary, data_dir, log_path):
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--data-dir", data_dir, "--log-level", "warn"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self.log,
        )
        self.port = None
        self.lines = queue.Queue()
        # Keep reading stdout so that the server can never block on a full pipe.
        self.reader = threading.Thread(target=self._read_stdout, daemon=True)
        self.reader.start()

    def _read_stdout(self):
        for raw in self.proc.stdout:
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self.lines.put(None)

    def wait_ready(self, timeout):
        """Wait for "cognito-emu <version> listening on http://127.0.0.1:<port>"."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("no ready line within %.0f s" % timeout)
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError("server exited before it was ready (status %s)"
                                   % self.proc.poll())
            if " listening on " not in line:
                continue
            url = line.split()[-1]
            prefix = "http://%s:" % HOST
            if not url.startswith(prefix):
                raise RuntimeError("server is not on %s: %r" % (HOST, line))
            self.port = int(url[len(prefix):].rstrip("/"))
            return self.port

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.log.close()

    def stop(self):
        """Stop gracefully (SIGTERM), falling back to SIGKILL."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if not self.log.closed:
            self.log.close()


def call(conn, target, body):
    """POST one AWS JSON 1.1 request on conn; returns (status, parsed body)."""
    data = json.dumps(body).encode()
    conn.request("POST", "/", body=data, headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": target,
    })
    resp = conn.getresponse()
    raw = resp.read()
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError:
        parsed = {"__raw": raw[:200].decode("utf-8", "replace")}
    return resp.status, parsed


class Writers:
    """WRITERS threads creating pools until stopped, the budget is spent or the window ends."""

    def __init__(self, port):
        self.port = port
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.sent = 0  # requests started
        self.in_flight = 0
        self.user_pools = []  # ids acknowledged with 200
        self.identity_pools = []
        self.errors = 0  # requests that got no answer (expected once the server is killed)
        self.non_200 = []  # answers other than 200 (unexpected)
        self.started = None
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                        for i in range(WRITERS)]

    def start(self):
        self.started = time.monotonic()
        for t in self.threads:
            t.start()

    def _take_ticket(self):
        with self.lock:
            if self.stop.is_set() or self.sent >= MAX_REQUESTS:
                return None
            if time.monotonic() - self.started >= WRITE_WINDOW:
                return None
            self.sent += 1
            self.in_flight += 1
            return self.sent

    def _run(self, index):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=HTTP_TIMEOUT)
        try:
            while True:
                n = self._take_ticket()
                if n is None:
                    return
                try:
                    if n % 2:
                        status, body = call(conn, IDP + "CreateUserPool",
                                            {"PoolName": "dur-%d-%d" % (index, n)})
                        pool_id = (body.get("UserPool") or {}).get("Id")
                        bucket = self.user_pools
                    else:
                        status, body = call(conn, IDENTITY + "CreateIdentityPool",
                                            {"IdentityPoolName": "dur-%d-%d" % (index, n),
                                             "AllowUnauthenticatedIdentities": False})
                        pool_id = body.get("IdentityPoolId")
                        bucket = self.identity_pools
                except (OSError, http.client.HTTPException):
                    # The server is gone (or the connection broke): this write was never
                    # acknowledged, so it may or may not have been kept. Stop this writer.
                    with self.lock:
                        self.errors += 1
                        self.in_flight -= 1
                    return
                with self.lock:
                    self.in_flight -= 1
                    if status == 200 and isinstance(pool_id, str):
                        bucket.append(pool_id)
                    else:
                        self.non_200.append((status, body))
        finally:
            conn.close()

    def alive(self):
        return sum(1 for t in self.threads if t.is_alive())

    def join(self, timeout):
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))
        return self.alive() == 0


def list_all(conn, target, key):
    """Every item of a paginated list operation (MaxResults 60), or None on an error."""
    items, token, pages = [], None, 0
    while pages < 1000:
        body = {"MaxResults": 60}
        if token:
            body["NextToken"] = token
        status, resp = call(conn, target, body)
        if status != 200:
            print("%s answered %d: %s" % (target, status, resp), flush=True)
            return None
        items.extend(resp.get(key) or [])
        token = resp.get("NextToken")
        pages += 1
        if not token:
            return items
    return None


def verify(port, writers, checks):
    """Describe every acknowledged pool and count the lists on the restarted server."""
    conn = http.client.HTTPConnection(HOST, port, timeout=HTTP_TIMEOUT)
    try:
        for pool_id in writers.user_pools:
            status, body = call(conn, IDP + "DescribeUserPool", {"UserPoolId": pool_id})
            found = status == 200 and (body.get("UserPool") or {}).get("Id") == pool_id
            checks.check(found, "acknowledged user pool %s lost after SIGKILL (%d %s)"
                         % (pool_id, status, body.get("__type", "")))
        for pool_id in writers.identity_pools:
            status, body = call(conn, IDENTITY + "DescribeIdentityPool",
                                {"IdentityPoolId": pool_id})
            found = status == 200 and body.get("IdentityPoolId") == pool_id
            checks.check(found, "acknowledged identity pool %s lost after SIGKILL (%d %s)"
                         % (pool_id, status, body.get("__type", "")))

        user_pools = list_all(conn, IDP + "ListUserPools", "UserPools")
        checks.check(user_pools is not None and len(user_pools) >= len(writers.user_pools),
                     "ListUserPools returned %s pools, %d were acknowledged"
                     % (None if user_pools is None else len(user_pools),
                        len(writers.user_pools)))
        if user_pools is not None:
            listed = {p.get("Id") for p in user_pools}
            missing = [i for i in writers.user_pools if i not in listed]
            checks.check(not missing, "ListUserPools misses acknowledged pools %s" % missing[:5])

        id_pools = list_all(conn, IDENTITY + "ListIdentityPools", "IdentityPools")
        checks.check(id_pools is not None and len(id_pools) >= len(writers.identity_pools),
                     "ListIdentityPools returned %s pools, %d were acknowledged"
                     % (None if id_pools is None else len(id_pools),
                        len(writers.identity_pools)))
        if id_pools is not None:
            listed = {p.get("IdentityPoolId") for p in id_pools}
            missing = [i for i in writers.identity_pools if i not in listed]
            checks.check(not missing,
                         "ListIdentityPools misses acknowledged pools %s" % missing[:5])

        # The restarted database takes new writes.
        status, body = call(conn, IDENTITY + "CreateIdentityPool",
                            {"IdentityPoolName": "after-restart",
                             "AllowUnauthenticatedIdentities": False})
        checks.check(status == 200, "CreateIdentityPool after restart answered %d %s"
                     % (status, body))
        return (len(user_pools) if user_pools is not None else -1,
                len(id_pools) if id_pools is not None else -1)
    finally:
        conn.close()


def tail(path, n=20):
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
        return "\n".join(lines[-n:])
    except OSError:
        return ""


def main():
    binary = os.environ.get("COG_EMU_BIN", "build/cognito-emu")
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print("SKIP: server binary %s not found (set COG_EMU_BIN)" % binary)
        print("0 passed, 0 failed")
        return 77
    binary = os.path.abspath(binary)

    checks = Checks()
    servers = []
    data_dir = tempfile.mkdtemp(prefix="cognito-emu-durability-")
    log_path = os.path.join(data_dir, "server.log")

    def watchdog():
        print("FAIL: durability test still running after %.0f s; aborting" % OVERALL_TIMEOUT,
              flush=True)
        for s in servers:
            if s.proc.poll() is None:
                s.proc.kill()
        print(tail(log_path), flush=True)
        print("%d passed, %d failed" % (checks.passed, checks.failed + 1), flush=True)
        shutil.rmtree(data_dir, ignore_errors=True)
        os._exit(1)

    timer = threading.Timer(OVERALL_TIMEOUT, watchdog)
    timer.daemon = True
    timer.start()
    try:
        run(binary, data_dir, log_path, servers, checks)
    finally:
        timer.cancel()
        for s in servers:
            s.stop()
        if checks.failed:
            print("server log (tail):\n" + tail(log_path), flush=True)
        shutil.rmtree(data_dir, ignore_errors=True)
    print("%d passed, %d failed" % (checks.passed, checks.failed))
    return 0 if checks.failed == 0 else 1


def run(binary, data_dir, log_path, servers, checks):
    t0 = time.monotonic()

    # 1. Start the server on a fresh data directory.
    first = Server(binary, data_dir, log_path)
    servers.append(first)
    try:
        port = first.wait_ready(READY_TIMEOUT)
    except RuntimeError as e:
        checks.check(False, "first start: %s" % e)
        return
    checks.check(True, "first start")

    # 2 and 3. Concurrent writers; SIGKILL while they are still writing.
    writers = Writers(port)
    writers.start()
    while True:
        with writers.lock:
            sent = writers.sent
        if sent >= KILL_AFTER_REQUESTS or time.monotonic() - writers.started >= KILL_AFTER_SECONDS:
            break
        if writers.alive() == 0:
            break
        time.sleep(0.005)
    with writers.lock:
        running = writers.alive()
        sent_at_kill = writers.sent
        in_flight_at_kill = writers.in_flight
        acked_at_kill = len(writers.user_pools) + len(writers.identity_pools)
    first.kill()
    checks.check(running > 0, "the writers had finished before the kill (%d sent)" % sent_at_kill)
    checks.check(writers.join(HTTP_TIMEOUT + 5), "writers still blocked after the kill")
    checks.check(not writers.non_200, "writes answered with errors before the kill: %s"
                 % writers.non_200[:3])
    acked = len(writers.user_pools) + len(writers.identity_pools)
    checks.check(acked > 0, "no write was acknowledged before the kill")

    # 4. Restart on the same directory and look for every acknowledged pool.
    second = Server(binary, data_dir, log_path)
    servers.append(second)
    try:
        port = second.wait_ready(READY_TIMEOUT)
    except RuntimeError as e:
        checks.check(False, "restart after SIGKILL: %s" % e)
        return
    checks.check(True, "restart after SIGKILL")
    listed_user, listed_identity = verify(port, writers, checks)

    # 5. Summary.
    print("durability: %d requests sent by %d writers, SIGKILL after %d sent (%d in flight, "
          "%d acknowledged at that moment); %d acknowledged in all (%d user pools, "
          "%d identity pools), %d unanswered; after restart %d user pools and %d identity "
          "pools listed, %d of %d acknowledged found; %.1f s"
          % (writers.sent, WRITERS, sent_at_kill, in_flight_at_kill, acked_at_kill, acked,
             len(writers.user_pools), len(writers.identity_pools), writers.errors,
             listed_user, listed_identity, acked - len([f for f in checks.failures
                                                        if f.startswith("acknowledged ")]),
             acked, time.monotonic() - t0), flush=True)


if __name__ == "__main__":
    sys.exit(main())
