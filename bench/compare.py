#!/usr/bin/env python3
"""Compares builds of csr-press: two versions, or two variants of the layouts.

Each build is NAME=BINARY:ROOT (ROOT holds layout/, themes/, fonts/ and the
manifest at ROOT/data/report.toml, as a checkout does). Builds run in turn,
RUNS times each after one untimed build, so that load on the machine falls on
all of them alike. Prints, per build, the whole-process wall time and CPU time
(user + system) and the compile stage csr-press reports
(CSR_PRESS_TIMINGS), as median and minimum.

--fresh deletes ROOT/out/.cache/copyfit before every run: a build on inputs
never seen, as on a clean clone, which searches its copyfit plan. Without it
the plan of the untimed build is remembered (one composition).
--threads N sets RAYON_NUM_THREADS (1 gives steadier numbers on a shared
machine; Typst lays out page runs in parallel).

Usage: python3 bench/compare.py [--runs 7] [--fresh] [--threads N] NAME=BIN:ROOT ...
Example: python3 bench/compare.py before=/tmp/old/target/release/csr-press:/tmp/old \\
             now=target/release/csr-press:.
"""
import argparse, os, re, shutil, statistics, subprocess, time
from pathlib import Path


def build(binary, root, env, fresh):
    if fresh:
        shutil.rmtree(root / "out/.cache/copyfit", ignore_errors=True)
    cmd = [binary, "build", str(root / "data/report.toml"), "--root", str(root), "-o", str(root / "out/compare.pdf")]
    t0, c0 = time.perf_counter(), os.times()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall, c1 = time.perf_counter() - t0, os.times()
    if out.returncode != 0:
        raise SystemExit(f"{binary} failed on {root}:\n{out.stderr[-2000:]}")
    cpu = (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
    compiles = [int(ms) for ms in re.findall(r"compile (\d+) ms", out.stdout + out.stderr)]
    return wall, cpu, sum(compiles), len(compiles)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--threads", type=int)
    ap.add_argument("builds", nargs="+")
    args = ap.parse_args()
    env = dict(os.environ, CSR_PRESS_TIMINGS="1")
    if args.threads:
        env["RAYON_NUM_THREADS"] = str(args.threads)
    builds = []
    for spec in args.builds:
        name, rest = spec.split("=", 1)
        binary, root = rest.rsplit(":", 1)
        builds.append((name, str(Path(binary).resolve()), Path(root).resolve()))
    results = {name: [] for name, _, _ in builds}
    for name, binary, root in builds:
        build(binary, root, env, args.fresh)
    for _ in range(args.runs):
        for name, binary, root in builds:
            results[name].append(build(binary, root, env, args.fresh))
    print(f"{args.runs} runs each{', fresh (no copyfit plan remembered)' if args.fresh else ''}"
          f"{f', RAYON_NUM_THREADS={args.threads}' if args.threads else ''}\n")
    print("| build | wall median (min) | CPU median (min) | compile median (min) | compositions |")
    print("|---|---|---|---|---|")
    for name, _, _ in builds:
        wall, cpu, comp, n = zip(*results[name])
        print(f"| {name} | {statistics.median(wall):.3f} s ({min(wall):.3f}) | {statistics.median(cpu):.2f} s "
              f"({min(cpu):.2f}) | {statistics.median(comp):.0f} ms ({min(comp)}) | {max(n)} |")


if __name__ == "__main__":
    main()
