#!/usr/bin/env python3
"""Medians of `make bench` results (one JSON object per line, tagged with a
scenario) printed as one table, with issue 14's targets beside them."""
import json
import statistics
import sys


def load(path):
    runs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                o = json.loads(line)
            except ValueError:
                continue
            runs.setdefault(o["scenario"], []).append(o["result"])
    return runs


def med(runs, name, *keys):
    vals = []
    for r in runs.get(name, []):
        v = r
        for k in keys:
            v = v.get(k) if isinstance(v, dict) else None
        if isinstance(v, (int, float)):
            vals.append(float(v))
    return statistics.median(vals) if vals else None


def fmt(v, nd=1):
    return "-" if v is None else f"{v:,.{nd}f}"


def verdict(ok):
    return "" if ok is None else ("met" if ok else "NOT met")


def main():
    runs = load(sys.argv[1])
    n = max((len(v) for v in runs.values()), default=0)
    print(f"\nMedians of {n} run(s). RTT in microseconds.\n")

    print("1. Latency (server, client and floor on one core)")
    print(f"  {'':<22}{'p50':>9}{'p99':>9}{'p99.9':>9}{'p50/floor':>11}")
    fl = med(runs, "floor", "p50_us")
    print(f"  {'UDP floor':<22}{fmt(fl):>9}{fmt(med(runs, 'floor', 'p99_us')):>9}"
          f"{fmt(med(runs, 'floor', 'p999_us')):>9}{'1.00':>11}")
    ratios = {}
    for kind in ("stream", "datagram"):
        s = f"lat-{kind}"
        p50 = med(runs, s, "rtt_us", "p50")
        ratios[kind] = p50 / fl if p50 and fl else None
        print(f"  {'wtping ' + kind:<22}{fmt(p50):>9}{fmt(med(runs, s, 'rtt_us', 'p99')):>9}"
              f"{fmt(med(runs, s, 'rtt_us', 'p999')):>9}{fmt(ratios[kind], 2):>11}")

    print("\n2. Throughput (server on one core, load on the other)")
    print(f"  {'sessions x in flight':<24}{'pongs/s':>10}{'srv us/pong':>12}"
          f"{'pongs/srv-CPU-s':>16}{'srv CPU':>8}{'bench us/pong':>14}{'p50':>9}{'p99':>9}"
          f"{'errors':>7}")
    for name in sorted((k for k in runs if k.startswith("tput-")),
                       key=lambda k: (k.split("-")[1], int(k.split("-")[2].split("x")[0]),
                                      int(k.split("x")[1]))):
        label = name[5:].replace("-", " ")
        util = med(runs, name, "server_cpu_util")
        print(f"  {label:<24}{fmt(med(runs, name, 'pongs_per_s'), 0):>10}"
              f"{fmt(med(runs, name, 'server_cpu_us_per_pong'), 2):>12}"
              f"{fmt(med(runs, name, 'server_pongs_per_cpu_s'), 0):>16}"
              f"{fmt(util * 100 if util is not None else None, 0) + '%':>8}"
              f"{fmt(med(runs, name, 'bench_cpu_us_per_pong'), 2):>14}"
              f"{fmt(med(runs, name, 'rtt_us', 'p50')):>9}{fmt(med(runs, name, 'rtt_us', 'p99')):>9}"
              f"{fmt(med(runs, name, 'errors'), 0):>7}")

    print("\n3. Scale (idle sessions, one connection each, fresh server)")
    rss = med(runs, "scale-idle", "server_rss_per_session_kib")
    print(f"  idle sessions          {fmt(med(runs, 'scale-idle', 'idle_sessions'), 0)}")
    print(f"  server RSS per session {fmt(rss, 1)} KiB "
          f"({fmt(med(runs, 'scale-idle', 'server_rss_base_kib'), 0)} KiB before, "
          f"{fmt(med(runs, 'scale-idle', 'server_rss_loaded_kib'), 0)} KiB loaded)")
    print(f"  a live session meanwhile: p50 {fmt(med(runs, 'scale-idle', 'rtt_us', 'p50'))} us, "
          f"p99 {fmt(med(runs, 'scale-idle', 'rtt_us', 'p99'))} us")

    print("\n4. New sessions (connect, CONNECT/200, one ping, close)")
    us = med(runs, "handshake-rate", "server_cpu_us_per_new_session")
    print(f"  at the target rate     {fmt(med(runs, 'handshake-rate', 'new_sessions_per_s'), 0)}/s, "
          f"server {fmt(us, 0)} us each = {fmt(1e6 / us if us else None, 0)} per CPU second, "
          f"open p50 {fmt(med(runs, 'handshake-rate', 'open_us', 'p50') / 1e3 if med(runs, 'handshake-rate', 'open_us', 'p50') else None, 2)} ms "
          f"p99 {fmt(med(runs, 'handshake-rate', 'open_us', 'p99') / 1e3 if med(runs, 'handshake-rate', 'open_us', 'p99') else None, 2)} ms")
    hl50 = med(runs, "handshake-latency", "open_us", "p50")
    hl99 = med(runs, "handshake-latency", "open_us", "p99")
    print(f"  at 100/s               open p50 {fmt(hl50 / 1e3 if hl50 else None, 2)} ms, "
          f"p99 {fmt(hl99 / 1e3 if hl99 else None, 2)} ms")

    print("\n5. Control under load")
    c99 = med(runs, "control", "wtpctl_ms", "p99")
    print(f"  load                   {fmt(med(runs, 'control-load', 'pongs_per_s'), 0)} pongs/s")
    print(f"  wtpctl status          p50 {fmt(med(runs, 'control', 'wtpctl_ms', 'p50'), 2)} ms, "
          f"p99 {fmt(c99, 2)} ms (process start included)")
    print(f"  socket round trip      p50 {fmt(med(runs, 'control', 'socket_ms', 'p50'), 2)} ms, "
          f"p99 {fmt(med(runs, 'control', 'socket_ms', 'p99'), 2)} ms")

    print("\nTargets")
    t = [
        ("stream 256x16: >= 100k pongs per server CPU second",
         med(runs, "tput-stream-256x16", "server_pongs_per_cpu_s"), lambda v: v >= 100000, 0),
        ("datagram 256x16: >= 100k pongs per server CPU second",
         med(runs, "tput-datagram-256x16", "server_pongs_per_cpu_s"), lambda v: v >= 100000, 0),
        ("<= 32 KiB RSS per idle session", rss, lambda v: v <= 32, 1),
        (">= 4000 new sessions per server CPU second", 1e6 / us if us else None,
         lambda v: v >= 4000, 0),
        ("new-session p50 <= 2 ms (at 100/s)", hl50 / 1e3 if hl50 else None, lambda v: v <= 2, 2),
        ("datagram p50 <= 1.5 x floor", ratios["datagram"], lambda v: v <= 1.5, 2),
        ("stream p50 <= 2 x floor", ratios["stream"], lambda v: v <= 2, 2),
        ("wtpctl status p99 <= 5 ms under load", c99, lambda v: v <= 5, 2),
    ]
    for label, v, ok, nd in t:
        print(f"  {label:<54}{fmt(v, nd):>12}  {verdict(None if v is None else ok(v))}")


if __name__ == "__main__":
    main()
