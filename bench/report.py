#!/usr/bin/env python3
"""The Markdown results table of bench/run.sh (issue 9), from the lines bench/load.c printed.

    report.py --raw FILE --startup FILE --sign-rate N --nproc N --model NAME --version V
              --seconds S --users N --smoke 0|1

Writes the table on stdout. Exit status 1 when a measurement had errors (INVALID) or an
expected measurement is missing; targets that are missed are shown, never an error. Standard
library only.
"""
import argparse
import datetime
import re
import sys

IA = "InitiateAuth USER_PASSWORD_AUTH"


def parse_raw(path):
    rows, meta = [], {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("|")
            if parts[0] == "R" and len(parts) == 13:
                name, users, conns, per, units, secs, p50, p99, errors, ccpu, scpu, ocpu = parts[1:]
                rows.append(dict(name=name, users=int(users), conns=int(conns), per=int(per),
                                 units=int(units), secs=float(secs), p50=float(p50),
                                 p99=float(p99), errors=int(errors), ccpu=float(ccpu),
                                 scpu=float(scpu), ocpu=max(0.0, float(ocpu))))
            elif parts[0] == "M" and len(parts) == 3:
                meta[parts[1]] = parts[2]
    return rows, meta


def parse_startup(path):
    """{variant: (median ms, idle RSS MiB)} from bench/startup.py's lines."""
    out = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"(.+?): startup to first answered request: median ([\d.]+) ms.*"
                         r"idle RSS ([\d.]+) MiB", line)
            if m:
                out[m.group(1)] = (float(m.group(2)), float(m.group(3)))
    return out


def fmt(x, digits=0):
    return f"{x:,.{digits}f}"


def main():
    ap = argparse.ArgumentParser()
    for name in ("raw", "startup", "model", "version"):
        ap.add_argument("--" + name, required=True)
    ap.add_argument("--sign-rate", type=float, required=True)
    ap.add_argument("--nproc", type=int, required=True)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--users", type=int, required=True)
    ap.add_argument("--smoke", type=int, default=0)
    ap.add_argument("--loadavg", default="?")
    a = ap.parse_args()
    rows, meta = parse_raw(a.raw)
    startup = parse_startup(a.startup)
    bound = a.sign_rate * a.nproc / 2
    # A row is disturbed when the rest of the machine took more than a tenth of its CPU: its
    # rates are then too low to judge a target by (the row stays valid: no errors).
    for r in rows:
        r["disturbed"] = r["ocpu"] > 0.1 * a.nproc * r["secs"]
    invalid = [r for r in rows if r["errors"] > 0]
    p = print

    p(f"# cognito-emu benchmark{' (smoke run: not a measurement)' if a.smoke else ''}")
    p()
    p(f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
      f"{a.version}, release build, fresh `--data-dir` (database file), 127.0.0.1")
    p(f"- machine: {a.nproc} cores (`nproc`), {a.model}; the load client runs on the same "
      f"cores as the server; load average before the run: {a.loadavg}")
    p(f"- {fmt(a.seconds, 1)} s per workload and concurrency; one keep-alive connection per "
      f"client thread (bench/load.c, libcurl)")
    p(f"- RSA-2048 sign rate (`openssl speed rsa2048`, one core): {fmt(a.sign_rate)}/s; bound of "
      f"two signatures per sign-in on all cores: {fmt(a.sign_rate)} × {a.nproc} / 2 = "
      f"{fmt(bound)} sign-ins/s")
    p("- **Only ratios measured in one run compare across machines** (a fraction of the RSA "
      "bound, 100,000 users against 1,000); absolute rates belong to this machine.")
    p()
    p("| workload | users stored | conns | per second | requests/s | p50 ms | p99 ms | errors "
      "| client CPU / server CPU | other processes' CPU | valid |")
    p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        rate = r["units"] / r["secs"] if r["secs"] else 0
        unit = "flows" if r["per"] > 1 else "req"
        cpu = (f"{r['ccpu']:.2f} s / {r['scpu']:.2f} s ({100 * r['ccpu'] / r['scpu']:.0f}%)"
               if r["scpu"] > 0 else f"{r['ccpu']:.2f} s / ?")
        p(f"| {r['name']} | {fmt(r['users'])} | {r['conns']} | {fmt(rate)} {unit} "
          f"| {fmt(rate * r['per'])} | {r['p50']:.2f} | {r['p99']:.2f} | {r['errors']} | {cpu} "
          f"| {r['ocpu']:.2f} s{' (disturbed)' if r['disturbed'] else ''} "
          f"| {'INVALID' if r['errors'] else 'ok'} |")
    p()
    p(f"CPU columns: seconds of CPU over the {fmt(a.seconds, 1)} s of each measurement "
      f"({a.nproc} cores: {fmt(a.nproc * a.seconds, 1)} s available). The client's share "
      "shows it is not the bottleneck; \"other processes\" is what the rest of the machine "
      "used meanwhile (from /proc/stat): when it is large, the numbers of that row are low.")
    p()

    def rate_of(name, conns, many=None):
        """Rate of workload name at conns; many: False the first (1,000 users) run, True the
        last (many users) run of that workload."""
        found = [r for r in rows if r["name"] == name and r["conns"] == conns]
        if not found:
            return None
        r = found[-1] if many else found[0]
        return r["units"] / r["secs"] if r["secs"] else 0, r["users"], r["disturbed"]

    mem = startup.get("new database file")
    stored = {k: v for k, v in meta.items() if k.startswith("fill_")}
    p("| measurement | value |")
    p("|---|---:|")
    for variant, (ms, rss) in startup.items():
        p(f"| start-up to first answered request, {variant} (median of 10) | {ms:.1f} ms |")
        p(f"| idle RSS after start-up, {variant} | {rss:.1f} MiB |")
    for key, label in (("rss_idle_kib", "RSS of the benchmarked server, idle after start-up"),
                       ("rss_1000_kib", "RSS with 1,000 users stored (idle)"),
                       ("rss_big_kib", f"RSS with {fmt(int(meta.get('rss_big_users', 0)))} "
                                       "users stored (idle)")):
        if key in meta:
            p(f"| {label} | {int(meta[key]) / 1024:.1f} MiB |")
    for key, text in stored.items():
        p(f"| storing users up to {fmt(int(key[5:]))} | {text} |")
    p()

    targets = []
    ia1 = rate_of(IA, 32, many=False)
    ia_many = rate_of(IA, 32, many=True)
    su = rate_of("SignUp", 32)
    gu = [x for x in (rate_of("GetUser", 1), rate_of("GetUser", 32)) if x]
    if ia1:
        targets.append(("InitiateAuth ≥ 50% of the RSA bound (32 conns)",
                        f"{fmt(ia1[0])}/s = {100 * ia1[0] / bound:.0f}% of {fmt(bound)}",
                        ia1[0] >= 0.5 * bound, ia1[2]))
    if su:
        targets.append(("SignUp ≥ 2,500/s at 32 conns", f"{fmt(su[0])}/s", su[0] >= 2500,
                        su[2]))
    if gu:
        best = max(gu)
        targets.append(("GetUser ≥ 15,000/s (best of 1 and 32 conns)", f"{fmt(best[0])}/s",
                        best[0] >= 15000, all(x[2] for x in gu)))
    if mem:
        targets.append(("start-up ≤ 20 ms (new database file, median)", f"{mem[0]:.1f} ms",
                        mem[0] <= 20, False))
    if "rss_idle_kib" in meta:
        kib = int(meta["rss_idle_kib"])
        targets.append(("idle RSS ≤ 10 MB (10,000,000 bytes; benchmarked server after start)",
                        f"{kib * 1024 / 1e6:.1f} MB", kib * 1024 <= 10_000_000, False))
    if ia1 and ia_many and ia_many[1] > ia1[1]:
        targets.append((f"InitiateAuth with {fmt(ia_many[1])} users ≥ 90% of with "
                        f"{fmt(ia1[1])} (32 conns)",
                        f"{fmt(ia_many[0])}/s vs {fmt(ia1[0])}/s = "
                        f"{100 * ia_many[0] / ia1[0]:.0f}%", ia_many[0] >= 0.9 * ia1[0],
                        2 if ia1[2] or ia_many[2] else False))
    p("| target (issue 9, for a 2-core machine) | measured | |")
    p("|---|---:|---|")
    for name, value, met, disturbed in targets:
        verdict = "met" if met else "**missed**"
        if a.smoke:
            verdict = "not judged (smoke)"
        elif disturbed == 2:  # a ratio: neither side is a lower bound
            verdict = "not judged: other processes used the CPU meanwhile; run again"
        elif disturbed and not met:
            verdict = "missed, **but measured while other processes used the CPU**: run again"
        elif disturbed:
            verdict = "met (other processes used the CPU meanwhile)"
        p(f"| {name} | {value} | {verdict} |")
    p()
    expected = 14
    if invalid or len(rows) < expected:
        p(f"**INVALID run**: {len(invalid)} measurement(s) with errors, "
          f"{len(rows)} of {expected} measurements present.")
        return 1
    p(f"Valid run: {len(rows)} measurements, none with an error.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
