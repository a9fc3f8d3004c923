#!/usr/bin/env python3
"""massif_sites.py FILE [SESSIONS]: the heap at massif's peak snapshot,
grouped by the first frame in wtping's own code (and the library function
it called), in bytes and in bytes per session."""
import re
import sys


def peak_tree(path):
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    best, start = -1, None
    for i, l in enumerate(lines):
        if l.startswith("mem_heap_B="):
            heap = int(l.split("=")[1])
            # the tree follows "heap_tree=..." a few lines later
            j = i
            while j < len(lines) and not lines[j].startswith("heap_tree="):
                j += 1
            if j < len(lines) and lines[j] != "heap_tree=empty" and heap > best:
                best, start = heap, j + 1
    nodes = []
    i = start
    while i < len(lines) and lines[i].startswith((" ", "n")):
        m = re.match(r"( *)n(\d+): (\d+) (.*)", lines[i])
        if not m:
            break
        nodes.append((len(m.group(1)), int(m.group(3)), m.group(4)))
        i += 1
    return best, nodes


OURS = re.compile(r"\(([a-z_0-9]+\.c):(\d+)\)")


def main():
    best, nodes = peak_tree(sys.argv[1])
    sessions = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    sites = {}
    # walk: a node belongs to the first of its ancestors-or-self (toward main)
    # that is our code; the frame above it is the library entry point.
    stack = []
    for depth, size, label in nodes:
        stack = stack[:depth]
        stack.append(label)
        if OURS.search(label) and not any(OURS.search(s) for s in stack[:-1]):
            fn = label.split(": ", 1)[-1].split(" (")[0]
            where = OURS.search(label).group(0)
            lib = stack[-2].split(": ", 1)[-1].split(" (")[0] if len(stack) > 1 else ""
            key = f"{fn} {where} -> {lib}"
            sites[key] = sites.get(key, 0) + size
    print(f"peak heap {best:,} B")
    for k, v in sorted(sites.items(), key=lambda kv: -kv[1])[:25]:
        per = f"{v / sessions / 1024:8.2f} KiB/session" if sessions else ""
        print(f"  {v:12,} B {per}  {k}")


if __name__ == "__main__":
    main()


def by_library(path, sessions):
    """Bytes by the library that called malloc, per first own frame."""
    _, nodes = peak_tree(path)
    out = {}
    stack = []
    for depth, size, label in nodes:
        stack = stack[:depth]
        stack.append(label)
        if OURS.search(label) and not any(OURS.search(s) for s in stack[:-1]) and len(stack) > 2:
            m = re.search(r"\(in /usr/lib/[^/]*/(lib[a-z0-9_]+)", stack[1])
            lib = m.group(1) if m else stack[1].split(": ", 1)[-1][:40]
            fn = label.split(": ", 1)[-1].split(" (")[0]
            out[(fn, lib)] = out.get((fn, lib), 0) + size
    print("by the library that called malloc:")
    for (fn, lib), v in sorted(out.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {v / max(sessions, 1) / 1024:8.2f} KiB/session  {fn} -> {lib}")


if __name__ == "__main__" and len(sys.argv) > 2:
    by_library(sys.argv[1], int(sys.argv[2]))
