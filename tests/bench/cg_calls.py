#!/usr/bin/env python3
"""cg_calls.py A B UNITS_A UNITS_B [FN...]: calls per unit (pong, session)
of the given functions (default: malloc, calloc, realloc, free), from two
callgrind runs that differ only in the number of units."""
import re
import sys


def calls(path, wanted):
    names, out, cur = {}, {}, None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
            if m:
                if m.group(2):
                    names[m.group(1)] = m.group(2).strip()
                cur = names.get(m.group(1)) if line.startswith("cfn=") else None
                continue
            m = re.match(r"calls=(\d+)", line)
            if m and cur in wanted:
                out[cur] = out.get(cur, 0) + int(m.group(1))
    return out


def main():
    a, b, ua, ub = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    wanted = sys.argv[5:] or ["malloc", "calloc", "realloc", "free"]
    ca, cb = calls(a, set(wanted)), calls(b, set(wanted))
    for fn in wanted:
        print(f"  {fn:<10} {(cb.get(fn, 0) - ca.get(fn, 0)) / (ub - ua):8.2f} per unit")


if __name__ == "__main__":
    main()
