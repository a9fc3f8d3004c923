#!/usr/bin/env python3
r"""Normalises one control-socket reply line (docs/control.md) for golden
comparison: keeps the member order, every key, every type and every value
that does not vary from run to run, and replaces the rest with a mark
that still says what it was.

  json_shape.py --tmp DIR --version V < reply-line

Checks on the way, each turned into a "<BAD ...>" mark or a message on
stdout so that the comparison fails:
- the line is one line of compact JSON (no white space between tokens),
  with no duplicate member names, in valid UTF-8;
- strings escape only what must be escaped (RFC 8259): '"' and '\',
  control characters (as \u00XX or the short forms \b \f \n \r \t);
  '/' and non-ASCII characters are written as they are;
- numbers under the keys in DOUBLES are written as the daemons write a
  double: C's %g form with at most 15 significant digits, "1500" not
  "1500.0", "0.1" not "0.10000000000000001", "1e-07" not "1.0e-7"
  -> "<double>";
- every other varying number is an integer literal -> "<int>"; the
  histogram's bounds_ms are kept as written.
Strings: the temporary directory becomes <TMP>, ":PORT" at the end of an
address or before a path becomes ":<PORT>", the package version <VERSION>,
a UTC time "2026-11-28T14:40:06Z" <time>, a SHA-256 in hex <sha256> and in
base64 (also inside a longer string) <sha256-base64>.
"""
import argparse
import json
import re
import sys

DOUBLES = {"uptime", "age", "srtt_ms", "min_rtt_ms", "last", "avg", "p99", "loss_percent",
           "downtime", "longest_outage", "downtime_seconds", "sum_ms", "backoff_until"}
# integers that are the same in every run of golden_daemons.sh
STABLE_INTS = {"connections_now", "connected_now", "reconnects"}
KEEP = {"bounds_ms"}

TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|[{}\[\]:,]|\s+|.',
                   re.S)
INT = re.compile(r"-?(0|[1-9][0-9]*)$")
# what "%.{1..15}g" can print (no trailing zeros, exponent with 2+ digits)
GFORM = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?(e[-+][0-9]{2,3})?$")


class Num:
    def __init__(self, text):
        self.text = text


def double_ok(text):
    """%g form with at most 15 significant digits (json-c's default would
    be %.17g, "0.10000000000000001", and "1.0" for 1)."""
    if not GFORM.match(text):
        return False
    mant = text.lstrip("-").split("e")[0]
    digits = mant.replace(".", "").lstrip("0")
    if "." not in mant:
        digits = digits.rstrip("0")
    return len(digits) <= 15


def norm_str(s, args):
    s = s.replace(args.tmp, "<TMP>") if args.tmp else s
    s = re.sub(r"(?<=[0-9a-z\]]):[0-9]{1,5}(?=$|/)", ":<PORT>", s)
    if args.version and s == args.version:
        s = "<VERSION>"
    s = re.sub(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", "<time>", s)
    s = re.sub(r"^[0-9a-f]{64}$", "<sha256>", s)
    s = re.sub(r"[A-Za-z0-9+/]{43}=", "<sha256-base64>", s)
    return s


def norm(v, key, args):
    if isinstance(v, Obj):
        return Obj([(k, norm(x, k, args)) for k, x in v.pairs])
    if isinstance(v, list):
        return [norm(x, key, args) for x in v]
    if isinstance(v, Num):
        if key in KEEP:
            return Raw(v.text)
        if key in DOUBLES:
            return "<double>" if double_ok(v.text) else "<BAD double %s>" % v.text
        if not INT.match(v.text):
            return "<BAD int %s>" % v.text
        return Raw(v.text) if key in STABLE_INTS else "<int>"
    if isinstance(v, str):
        return norm_str(v, args)
    return v


class Obj:
    def __init__(self, pairs):
        self.pairs = pairs


class Raw:
    def __init__(self, text):
        self.text = text


def dump(v, ind=0):
    pad = "  " * (ind + 1)
    if isinstance(v, Obj):
        if not v.pairs:
            return "{}"
        items = ["%s%s: %s" % (pad, json.dumps(k), dump(x, ind + 1)) for k, x in v.pairs]
        return "{\n" + ",\n".join(items) + "\n" + "  " * ind + "}"
    if isinstance(v, list):
        if not v:
            return "[]"
        return "[" + ", ".join(dump(x, ind + 1) for x in v) + "]"
    if isinstance(v, Raw):
        return v.text
    return json.dumps(v, ensure_ascii=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tmp", default="")
    ap.add_argument("--version", default="")
    args = ap.parse_args()
    data = sys.stdin.buffer.read()
    problems = []
    if not data.endswith(b"\n") or data.count(b"\n") != 1:
        problems.append("not exactly one line")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append("not UTF-8: %s" % e)
        text = data.decode("utf-8", "replace")
    toks = TOKEN.findall(text.rstrip("\n"))
    if any(t.isspace() for t in toks):
        problems.append("white space between tokens")
    for t in toks:
        if t.startswith('"'):
            for esc in re.findall(r"\\(u....|.)", t):
                if esc not in ('"', "\\", "b", "f", "n", "r", "t") and \
                        not re.match(r"u00[01][0-9a-fA-F]$", esc):
                    problems.append("escape \\%s in %s" % (esc, t))

    def pairs(ps):
        keys = [k for k, _ in ps]
        if len(set(keys)) != len(keys):
            problems.append("duplicate member names")
        return Obj(ps)

    v = json.loads(text, object_pairs_hook=pairs, parse_int=Num, parse_float=Num,
                   parse_constant=lambda c: problems.append("constant " + c))
    for p in problems:
        print("PROBLEM: " + p)
    print(dump(norm(v, None, args)))


if __name__ == "__main__":
    main()
