#!/usr/bin/env python3
"""A stand-in for the control socket of wtping-server or wtping-client
(docs/control.md), for testing wtpctl: it answers each request line with a
canned JSON line.

  fake_ctl_daemon.py --socket PATH --daemon server|client [--pidfile FILE]
                     [--reply 'COMMAND=LINE']... [--hang COMMAND]...
                     [--close COMMAND]... [--big COMMAND]... [--pid N]

--reply sends LINE (as is: it need not be JSON) for COMMAND (the whole
request line, e.g. 'check ready'); --hang never answers COMMAND; --close
closes the connection instead of answering; --big answers with a line of
more than 1 MiB; --pid puts N in the replies instead of the real pid (for
golden outputs). The pid file is written once the socket accepts
connections. SIGTERM removes the socket; SIGKILL leaves it stale.
"""

import argparse
import json
import os
import signal
import socketserver
import sys

VERSION = "0.1.0"


def server_replies(pid):
    status = {
        "ok": True, "daemon": "wtping-server", "version": VERSION, "pid": pid,
        "state": "running", "uptime": 3723.4, "config": "/etc/wtping/server.conf",
        "listen": ["0.0.0.0:4433", "[::]:4433"], "path": "/wtping", "connections": 3,
        "sessions": {"now": 2, "total": 17}, "pings": {"stream": 1500, "datagram": 200},
        "errors": {"unknown_lines": 1, "datagrams_dropped": 2, "streams_reset": 0,
                   "packets_dropped": 4},
    }
    stats = {
        "ok": True,
        "counters": {
            "connections_now": 3, "connections_total": 40, "sessions_now": 2,
            "sessions_total": 17, "pings_stream": 1500,
            "pings_datagram": 200, "errors_unknown_lines": 1, "errors_datagrams_dropped": 2,
            "errors_streams_reset": 0, "errors_packets_dropped": 4,
        },
        "rtt_histogram": None,
    }
    sessions = {
        "ok": True,
        "sessions": [
            {"id": 0, "peer": "127.0.0.1:50000", "age": 1.5, "pings": 10, "auth": "token",
             "srtt_ms": 0.2, "min_rtt_ms": 0.1, "cwnd": 13500},
            {"id": 4, "peer": "[2001:db8::1]:61234", "age": 3723.9, "pings": 123456,
             "origin": "https://ping.example.org", "auth": "none",
             "srtt_ms": 12.3456, "min_rtt_ms": 10.5, "cwnd": 1048576},
        ],
    }
    return {
        "version": {"ok": True, "daemon": "wtping-server", "version": VERSION},
        "check ready": {"ok": True, "ready": True},
        "check live": {"ok": True, "live": True},
        "status": status, "stats": stats, "sessions": sessions,
        "reload": {"ok": True, "reloaded": True},
        "drain": {"ok": True, "draining": True},
    }


def client_replies(pid):
    status = {
        "ok": True, "daemon": "wtping-client", "version": VERSION, "pid": pid,
        "state": "connected", "uptime": 310.2, "config": None,
        "url": "https://example.net:4433/wtping", "server": "192.0.2.1:4433",
        "mode": "datagram", "rtt_ms": {"last": 0.412, "avg": 0.5013, "p99": 1.25},
        "transmitted": 100, "received": 98, "loss_percent": 2.0, "reconnects": 1,
        "downtime": 12.34, "longest_outage": 5.0, "last_error": None,
    }
    stats = {
        "ok": True,
        "counters": {
            "transmitted": 100, "received": 98, "lost": 2, "duplicates": 0, "late": 1,
            "reconnects": 1, "downtime_seconds": 12.34, "connected_now": 1,
        },
        "rtt_histogram": {
            "bounds_ms": [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000],
            "counts": [3, 10, 40, 40, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0],
            "sum_ms": 49.1, "count": 98,
        },
    }
    return {
        "version": {"ok": True, "daemon": "wtping-client", "version": VERSION},
        "check ready": {"ok": True, "ready": True},
        "check live": {"ok": True, "live": True},
        "status": status, "stats": stats,
        "reload": {"ok": True, "reloaded": True},
    }


class Handler(socketserver.StreamRequestHandler):
    timeout = 5  # the daemon closes a connection silent for 5 s

    def handle(self):
        cfg = self.server.cfg
        while True:
            try:
                line = self.rfile.readline(1025)
            except OSError:
                return
            if not line:
                return
            if not line.endswith(b"\n"):
                self.send({"ok": False, "error": "request line too long"})
                return
            cmd = line[:-1].decode("utf-8", "replace")
            if cmd in cfg.hang:
                try:
                    self.rfile.read()  # until the peer gives up
                except OSError:
                    pass
                return
            if cmd in cfg.close:
                return
            if cmd in cfg.big:
                try:  # wtpctl hangs up after 1 MiB
                    self.wfile.write(b'{"ok":true,"x":"' + b"x" * (1 << 20) + b'"}\n')
                except OSError:
                    pass
                return
            if cmd in cfg.raw:
                self.wfile.write(cfg.raw[cmd].encode() + b"\n")
                continue
            reply = cfg.canned.get(cmd)
            if reply is None:
                reply = {"ok": False, "error": "unknown command '%s'" % cmd.split(" ")[0]}
            self.send(reply)

    def send(self, obj):
        self.wfile.write(json.dumps(obj, separators=(",", ":")).encode() + b"\n")


class Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--socket", required=True)
    ap.add_argument("--daemon", choices=("server", "client"), default="server")
    ap.add_argument("--pidfile")
    ap.add_argument("--reply", action="append", default=[])
    ap.add_argument("--hang", action="append", default=[])
    ap.add_argument("--close", action="append", default=[])
    ap.add_argument("--big", action="append", default=[])
    ap.add_argument("--pid", type=int)
    cfg = ap.parse_args()

    pid = os.getpid()
    shown = cfg.pid if cfg.pid is not None else pid
    cfg.canned = server_replies(shown) if cfg.daemon == "server" else client_replies(shown)
    cfg.raw = {}
    for r in cfg.reply:
        cmd, sep, text = r.partition("=")
        if not sep:
            ap.error("--reply wants COMMAND=LINE")
        cfg.raw[cmd] = text

    if os.path.exists(cfg.socket):
        os.unlink(cfg.socket)
    srv = Server(cfg.socket, Handler)
    srv.cfg = cfg

    def stop(signum, frame):
        os.unlink(cfg.socket)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    if cfg.pidfile:
        with open(cfg.pidfile + ".tmp", "w") as f:
            f.write("%d\n" % pid)
        os.rename(cfg.pidfile + ".tmp", cfg.pidfile)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
