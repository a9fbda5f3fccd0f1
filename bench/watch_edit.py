#!/usr/bin/env python3
"""Warm one-value KPI edits in `watch`, for two or more builds in turn.

Each build is NAME=BINARY:ROOT (as in compare.py). Every build watches a copy
of ROOT/data (print profile); each run writes a KPI value never built before
(unlike bench.py, whose values alternate, so that comemo has seen them) and
reads the rebuild time the status line prints and the wall time from the
write to that line. Builds are edited in turn, so load falls on all alike.

Usage: python3 bench/watch_edit.py [--runs 9] NAME=BIN:ROOT ...
"""
import argparse, re, shutil, statistics, subprocess, tempfile, time
from pathlib import Path


def start(binary, root, tmp):
    data = Path(tmp) / "data"
    shutil.copytree(root / "data", data)
    proc = subprocess.Popen([binary, "watch", str(data / "report.toml"), "-o", str(Path(tmp) / "watch.pdf"),
                             "--root", str(root)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            bufsize=1)
    for line in proc.stdout:
        if "watching" in line:
            break
    target = next(p for p in sorted((data / "parts").glob("*.toml"))
                  if "type = \"kpi\"" in p.read_text() and re.search(r'values = \["[0-9]+"', p.read_text()))
    return proc, target


def edit(proc, target, run):
    text = target.read_text()
    old = re.search(r'values = \["([0-9]+)"', text).group(1)
    new = str(1000 + run) if old != str(1000 + run) else str(2000 + run)
    t0 = time.perf_counter()
    target.write_text(text.replace(f'values = ["{old}"', f'values = ["{new}"', 1))
    for line in proc.stdout:
        if "built" in line or "failed" in line:
            wall = time.perf_counter() - t0
            ms = re.search(r"in (\d+) ms", line)
            time.sleep(0.3)
            return (int(ms.group(1)) if ms else float("nan")), wall * 1000
    raise SystemExit("watch stopped")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("builds", nargs="+")
    args = ap.parse_args()
    watches = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, spec in enumerate(args.builds):
            name, rest = spec.split("=", 1)
            binary, root = rest.rsplit(":", 1)
            (Path(tmp) / str(i)).mkdir()
            proc, target = start(str(Path(binary).resolve()), Path(root).resolve(), Path(tmp) / str(i))
            watches.append((name, proc, target, []))
        try:
            for run in range(args.runs):
                for name, proc, target, results in watches:
                    results.append(edit(proc, target, run))
        finally:
            for _, proc, _, _ in watches:
                proc.terminate()
                proc.wait()
    print(f"{args.runs} edits each, a new KPI value every time\n")
    print("| build | printed median (min–max) | write to status median (min–max) |")
    print("|---|---|---|")
    for name, _, _, results in watches:
        printed, wall = zip(*results)
        print(f"| {name} | {statistics.median(printed):.0f} ms ({min(printed):.0f}–{max(printed):.0f}) | "
              f"{statistics.median(wall):.0f} ms ({min(wall):.0f}–{max(wall):.0f}) |")


if __name__ == "__main__":
    main()
