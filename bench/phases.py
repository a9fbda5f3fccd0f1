#!/usr/bin/env python3
"""Where a compile's wall time goes: a Typst timing trace read as phases.

Reads the Chrome trace that `typst compile --timings FILE` (or csr-press
with CSR_PRESS_TRACE=FILE) writes and prints, per layout iteration, when
the page runs start and end, how much work they hold in all, and the
longest runs with what they lay out (the layout file and line most called
in them). A long stretch before the first run is work Typst does on one
core (realizing the document); a long run that ends last, alone, is a tail
the other cores wait for. Both showed where session 9 of BENCHMARKS.md
found its savings.

Usage: python3 bench/phases.py TRACE.json [--top 5]
"""
import argparse, collections, json


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("--top", type=int, default=5)
    args = ap.parse_args()
    events = json.load(open(args.trace))
    starts, runs = {}, []
    for e in events:
        if e["name"] == "page run":
            if e["ph"] == "B":
                starts.setdefault(e["tid"], []).append(e["ts"])
            elif starts.get(e["tid"]):
                runs.append((starts[e["tid"]].pop() / 1000, e["ts"] / 1000, e["tid"]))
    marks = collections.defaultdict(list)
    for e in events:
        if e["name"].startswith("iter (") or e["name"] == "compile":
            marks[e["name"]].append(e["ts"] / 1000)
    print(f"compile: {max(marks['compile'], default=0):.0f} ms")
    for name in sorted(k for k in marks if k.startswith("iter")):
        begin, end = marks[name][0], marks[name][-1]
        inside = sorted(r for r in runs if begin <= r[0] <= end)
        if not inside:
            print(f"{name}: {begin:.0f}-{end:.0f} ms, no page run")
            continue
        work = sum(r[1] - r[0] for r in inside)
        first, last = inside[0][0], max(r[1] for r in inside)
        print(f"{name}: {begin:.0f}-{end:.0f} ms; before the first run {first - begin:.0f} ms; "
              f"runs {first:.0f}-{last:.0f} ms holding {work:.0f} ms of work on {len({r[2] for r in inside})} threads")
        for s, t, tid in sorted(inside, key=lambda r: r[0] - r[1])[: args.top]:
            where = collections.Counter(
                (a.get("file", "").strip('"'), a.get("line"))
                for e in events
                if e["tid"] == tid and e["ph"] == "B" and s <= e["ts"] / 1000 <= t
                for a in [e.get("args") or {}]
                if a.get("file") not in (None, "unknown")
            )
            top = ", ".join(f"{f}:{l}" for (f, l), _ in where.most_common(2))
            print(f"  run {s:.0f}-{t:.0f} ms ({t - s:.0f} ms){' ends last' if t == last else ''}: {top}")


if __name__ == "__main__":
    main()
