#!/usr/bin/env python3
"""cg_diff.py A B PONGS_A PONGS_B [N]: per-pong instruction counts by
function, from two callgrind runs that differ only in the number of pongs
(so that start-up and handshakes cancel out). Self cost, then inclusive."""
import os
import re
import subprocess
import sys


def costs(path, inclusive):
    out = subprocess.run(["callgrind_annotate", f"--inclusive={'yes' if inclusive else 'no'}",
                          "--threshold=100", "--auto=no", path], capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\([\s\d.]+%\)\s+(.*)$", line)
        if m and "PROGRAM TOTALS" not in line and "=>" not in line:
            name = re.sub(r"^\S*?:(?=[^/])", "", m.group(2).split(" [")[0])
            lib = m.group(2).split(" [")[-1].rstrip("]").split("/")[-1] if " [" in m.group(2) else ""
            key = f"{name} ({lib})" if lib else name
            res[key] = max(res.get(key, 0), int(m.group(1).replace(",", "")))
    return res


def main():
    a, b, pa, pb = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 25
    dp = pb - pa
    for inclusive in (False, True):
        ca, cb = costs(a, inclusive), costs(b, inclusive)
        d = sorted(((cb.get(k, 0) - ca.get(k, 0)) / dp, k) for k in cb)
        d.reverse()
        unit = os.environ.get("CG_UNIT", "pong")
        print(f"\n{'inclusive' if inclusive else 'self'} instructions per {unit}:")
        for v, k in d[:n]:
            if v < 1:
                break
            print(f"  {v:10,.0f}  {k}")


if __name__ == "__main__":
    main()
