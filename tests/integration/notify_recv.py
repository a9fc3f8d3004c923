#!/usr/bin/env python3
"""Stands in for systemd's notification socket in tests: binds an AF_UNIX
datagram socket (NOTIFY_SOCKET for the daemon under test) and appends every
message it receives to a log, one line per field, prefixed with the
receive time (monotonic seconds). With --port it also records whether that
UDP port was bound when READY=1 arrived."""
import argparse, os, socket, sys, time


def port_bound(port):
    hexport = ":%04X " % port
    for f in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            with open(f) as fh:
                if any(hexport in line for line in fh):
                    return True
        except OSError:
            pass
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("log")
    ap.add_argument("--port", type=int)
    a = ap.parse_args()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(a.socket)
    with open(a.log, "a", buffering=1) as log:
        log.write("%.3f LISTENING\n" % time.monotonic())
        while True:
            data = s.recv(4096).decode("utf-8", "replace")
            now = time.monotonic()
            for field in data.split("\n"):
                if not field:
                    continue
                log.write("%.3f %s\n" % (now, field))
                if field == "READY=1" and a.port:
                    log.write("%.3f PORT_BOUND=%d\n" % (now, port_bound(a.port)))


if __name__ == "__main__":
    main()
