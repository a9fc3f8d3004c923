#!/usr/bin/env python3
"""Helpers for tests/interop/browser.sh (Python 3 standard library only).

Subcommands:
  free-udp-port   print a UDP port free on 127.0.0.1 and ::1
  cert-hash       print the hex SHA-256 of a PEM certificate's DER encoding
  wait-udp        wait until a process has bound a UDP port (read-only check)
  serve           serve page.html/page.js (COOP+COEP) and take POST /result, /log
  wait-result     wait for the result file (bounded; stops early if chromium dies)
  check           verify the page's result and the server log, print RTT stats
  netlog          summarize Chromium's --log-net-log for WebTransport (diagnostics)
"""

import argparse
import hashlib
import http.server
import json
import os
import socket
import ssl
import sys
import time


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------- ports

def cmd_free_udp_port(args):
    for _ in range(50):
        s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s4.bind(("127.0.0.1", 0))
        port = s4.getsockname()[1]
        try:
            s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            s6.bind(("::1", port))
            s6.close()
        except OSError:
            s4.close()
            continue
        s4.close()
        print(port)
        return 0
    print("harness: no free UDP port found", file=sys.stderr)
    return 1


def udp_bound(port):
    """Families ('4', '6') with a UDP socket bound to |port|, from /proc."""
    found = set()
    for fam, path in (("4", "/proc/net/udp"), ("6", "/proc/net/udp6")):
        try:
            with open(path) as f:
                next(f)
                for line in f:
                    local = line.split()[1]
                    if int(local.rsplit(":", 1)[1], 16) == port:
                        found.add(fam)
        except OSError:
            pass
    return found


def pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return False


def cmd_wait_udp(args):
    want = set(args.family)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if want <= udp_bound(args.port):
            return 0
        if args.pid and not pid_alive(args.pid):
            log("harness: process %d exited before binding UDP port %d"
                % (args.pid, args.port))
            return 1
        time.sleep(0.05)
    log("harness: UDP port %d not bound (families %s) after %.0f s"
        % (args.port, ",".join(sorted(want)), args.timeout))
    return 1


# ---------------------------------------------------------------- cert

def cmd_cert_hash(args):
    with open(args.cert) as f:
        der = ssl.PEM_cert_to_DER_cert(f.read())
    print(hashlib.sha256(der).hexdigest())
    return 0


# ---------------------------------------------------------------- page server

def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


def make_handler(args):
    files = {
        "/page.html": ("page.html", "text/html; charset=utf-8"),
        "/page.js": ("page.js", "text/javascript; charset=utf-8"),
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "wtping-interop"

        def log_message(self, fmt, *a):
            if args.access_log:
                with open(args.access_log, "a") as f:
                    f.write("%s %s\n" % (self.log_date_time_string(), fmt % a))

        def _reply(self, code, body=b"", ctype="text/plain; charset=utf-8"):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
            self.send_header("Cross-Origin-Resource-Policy", "same-origin")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path == "/":
                path = "/page.html"
            if path not in files:
                return self._reply(404, b"not found\n")
            name, ctype = files[path]
            with open(os.path.join(args.page_dir, name), "rb") as f:
                self._reply(200, f.read(), ctype)

        do_HEAD = do_GET

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n > 0 else b""
            if self.path == "/log":
                line = body.decode("utf-8", "replace").rstrip("\n")
                log("page: " + line)
                if args.page_log:
                    with open(args.page_log, "a") as f:
                        f.write(line + "\n")
                return self._reply(204)
            if self.path == "/result":
                write_atomic(args.result, body)
                log("harness: result received (%d bytes)" % len(body))
                return self._reply(204)
            return self._reply(404, b"not found\n")

    return Handler


def cmd_serve(args):
    http.server.ThreadingHTTPServer.allow_reuse_address = True
    srv = http.server.ThreadingHTTPServer((args.host, args.port), make_handler(args))
    write_atomic(args.port_file, b"%d\n" % srv.server_address[1])
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def cmd_wait_result(args):
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        if os.path.exists(args.result):
            return 0
        if args.pid and not pid_alive(args.pid):
            log("harness: chromium (pid %d) exited without a result" % args.pid)
            return 1
        time.sleep(0.1)
    log("harness: no result from the page after %.0f s" % args.timeout)
    return 1


# ---------------------------------------------------------------- check

def percentile(sorted_vals, p):
    # nearest-rank
    if not sorted_vals:
        return float("nan")
    k = max(1, -(-p * len(sorted_vals) // 100))
    return sorted_vals[int(k) - 1]


def stats_line(name, vals):
    v = sorted(float(x) for x in vals)
    if not v:
        return "%-9s n=0" % name
    return "%-9s n=%d  min=%.3f  p50=%.3f  p90=%.3f  p99=%.3f  max=%.3f ms" % (
        name, len(v), v[0], percentile(v, 50), percentile(v, 90),
        percentile(v, 99), v[-1])


def wait_close_line(path, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            with open(path, errors="replace") as f:
                for line in f:
                    if "code=7" in line and 'reason="bye"' in line:
                        return line.rstrip("\n")
        except OSError:
            pass
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.1)


def cmd_check(args):
    fails = []
    try:
        with open(args.result) as f:
            r = json.load(f)
    except (OSError, ValueError) as e:
        log("FAIL: cannot read result %s: %s" % (args.result, e))
        return 1

    srtt = r.get("stream_rtts") or []
    drtt = r.get("datagram_rtts") or []
    log("RTT (loopback, measured in the page with performance.now()):")
    log("  " + stats_line("stream", srtt))
    log("  " + stats_line("datagram", drtt))
    log("  datagram lost=%s  performance.now() resolution ~%s ms  crossOriginIsolated=%s"
        % (r.get("datagram_lost"), r.get("timer_resolution_ms"),
           r.get("cross_origin_isolated")))
    if r.get("user_agent"):
        log("  browser: %s" % r["user_agent"])

    if r.get("ok") is not True:
        fails.append("page reported failure: %s" % r.get("error"))
    if len(srtt) != args.count:
        fails.append("stream pongs: %d, want %d" % (len(srtt), args.count))
    if len(drtt) < args.min_datagrams:
        fails.append("datagram pongs: %d, want >= %d (lost %s)"
                     % (len(drtt), args.min_datagrams, r.get("datagram_lost")))
    if r.get("unknown_reply") != "error unknown-message\n":
        fails.append("unknown-message reply: %r" % r.get("unknown_reply"))
    if r.get("unknown_fin") is not True:
        fails.append("server did not FIN the unknown-message stream")
    if r.get("uni_reply") != "pong uni-1\npong uni-2\n":
        fails.append("uni reply: %r" % r.get("uni_reply"))

    line = wait_close_line(args.server_log, args.close_wait)
    if line is None:
        fails.append('server log has no line with code=7 and reason="bye" (waited %.0f s)'
                     % args.close_wait)
    else:
        log("server saw the close: %s" % line.strip())

    for f in fails:
        log("FAIL: " + f)
    if not fails:
        log("PASS: page checks")
    return 1 if fails else 0


# ---------------------------------------------------------------- netlog

NETLOG_WORDS = ("WEBTRANSPORT", "CLOSE", "ERROR", "FAIL", "SETTINGS", "GOAWAY", "RST_STREAM",
                "STOP_SENDING", "TRANSPORT_PARAMETERS", "VERSION", "HEADERS", "CERTIFICATE",
                "HANDSHAKE", "CAPSULE", "DATAGRAM")
NETLOG_SKIP = ("PACKET", "CRYPTO_FRAME", "PADDING", "ACK_FRAME")


def read_netlog(path):
    """Constants and events of a net log, also one cut short by a kill."""
    with open(path, errors="replace") as f:
        text = f.read()
    i = text.find('"events": [')
    if i < 0:
        raise ValueError("no events array")
    head = text[:i].rstrip().rstrip(",") + "}"
    constants = json.loads(head)["constants"]
    events = []
    for line in text[i + len('"events": ['):].splitlines():
        line = line.strip().rstrip(",")
        if line.startswith("{"):
            try:
                events.append(json.loads(line))
            except ValueError:
                pass
    return constants, events


def cmd_netlog(args):
    try:
        constants, events = read_netlog(args.netlog)
    except (OSError, ValueError) as e:
        log("netlog: cannot read %s: %s" % (args.netlog, e))
        return 1
    etype = {v: k for k, v in constants["logEventTypes"].items()}
    stype = {v: k for k, v in constants["logSourceType"].items()}
    phase = {0: " ", 1: "+", 2: "-"}
    t0 = None
    quic_ids = set()
    out = []
    for e in events:
        name = etype.get(e.get("type"), str(e.get("type")))
        src = e.get("source", {})
        sname = stype.get(src.get("type"), "?")
        params = e.get("params") or {}
        if sname == "QUIC_SESSION" and e.get("phase") == 1:
            if str(params.get("host", "")).strip("[]") in args.hosts:
                quic_ids.add(src.get("id"))
        if sname != "WEB_TRANSPORT_CLIENT" and src.get("id") not in quic_ids:
            continue
        if (not any(w in name for w in NETLOG_WORDS)
                or any(w in name for w in NETLOG_SKIP)):
            continue
        t = int(e.get("time", 0))
        t0 = t if t0 is None else t0
        line = "%s%s %s" % (phase.get(e.get("phase"), "?"), name, json.dumps(params)[:400])
        if out and out[-1][1] == line:
            continue
        out.append((t - t0, line))
    log("netlog: %d WebTransport/QUIC events for %s" % (len(out), ",".join(args.hosts)))
    for t, line in out[-args.max:]:
        log("  +%5d ms %s" % (t, line))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    p = sub.add_parser("free-udp-port")
    p.set_defaults(fn=cmd_free_udp_port)

    p = sub.add_parser("cert-hash")
    p.add_argument("cert")
    p.set_defaults(fn=cmd_cert_hash)

    p = sub.add_parser("wait-udp")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--family", action="append", choices=["4", "6"], default=[])
    p.add_argument("--pid", type=int)
    p.add_argument("--timeout", type=float, default=10)
    p.set_defaults(fn=cmd_wait_udp)

    p = sub.add_parser("serve")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--page-dir", required=True)
    p.add_argument("--result", required=True)
    p.add_argument("--page-log")
    p.add_argument("--access-log")
    p.set_defaults(fn=cmd_serve)

    p = sub.add_parser("wait-result")
    p.add_argument("--result", required=True)
    p.add_argument("--pid", type=int)
    p.add_argument("--timeout", type=float, default=60)
    p.set_defaults(fn=cmd_wait_result)

    p = sub.add_parser("check")
    p.add_argument("--result", required=True)
    p.add_argument("--server-log", required=True)
    p.add_argument("--count", type=int, default=100)
    p.add_argument("--min-datagrams", type=int, default=95)
    p.add_argument("--close-wait", type=float, default=3)
    p.set_defaults(fn=cmd_check)

    p = sub.add_parser("netlog")
    p.add_argument("netlog")
    p.add_argument("--hosts", nargs="*", default=["127.0.0.1", "::1", "localhost"])
    p.add_argument("--max", type=int, default=40)
    p.set_defaults(fn=cmd_netlog)

    args = ap.parse_args()
    if args.cmd == "wait-udp" and not args.family:
        args.family = ["4"]
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
