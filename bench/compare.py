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

A build may end in options, each after an @: `@fresh` searches its plan
(as --fresh, for that build alone), `@VAR=VALUE` sets an environment
variable for it. Builds that share a ROOT share its plan cache: a fresh one
leaves its plan remembered for the next. The peak resident memory of each
build is read from the kernel (wait4).

Usage: python3 bench/compare.py [--runs 7] [--fresh] [--threads N] NAME=BIN:ROOT[@OPTION...] ...
Example: python3 bench/compare.py before=/tmp/old/target/release/csr-press:/tmp/old \\
             now=target/release/csr-press:.
The least a search costs (`CSR_PRESS_SEARCH`, README "Benchmarks"):
         python3 bench/compare.py searched=BIN:.@fresh remembered=BIN:. \\
             known=BIN:.@CSR_PRESS_SEARCH=known twice=BIN:.@CSR_PRESS_SEARCH=twice
"""
import argparse, os, re, shutil, statistics, subprocess, tempfile, time
from pathlib import Path


def build(binary, root, env, fresh):
    if fresh:
        shutil.rmtree(root / "out/.cache/copyfit", ignore_errors=True)
    cmd = [binary, "build", str(root / "data/report.toml"), "--root", str(root), "-o", str(root / "out/compare.pdf")]
    with tempfile.TemporaryFile("w+") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        out.seek(0)
        said = out.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{binary} failed on {root}:\n{said[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    compiles = [int(ms) for ms in re.findall(r"compile (\d+) ms", said)]
    # ru_maxrss is in KiB on Linux.
    return wall, cpu, sum(compiles), len(compiles), usage.ru_maxrss / 1024


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
        target, *options = rest.split("@")
        binary, root = target.rsplit(":", 1)
        own_env, fresh = dict(env), args.fresh
        for option in options:
            if option == "fresh":
                fresh = True
            elif "=" in option:
                var, value = option.split("=", 1)
                own_env[var] = value
            else:
                raise SystemExit(f"unknown option @{option} (use @fresh or @VAR=VALUE)")
        builds.append((name, str(Path(binary).resolve()), Path(root).resolve(), own_env, fresh))
    results = {name: [] for name, *_ in builds}
    for name, binary, root, own_env, fresh in builds:
        build(binary, root, own_env, fresh)
    for _ in range(args.runs):
        for name, binary, root, own_env, fresh in builds:
            results[name].append(build(binary, root, own_env, fresh))
    print(f"{args.runs} runs each{', fresh (no copyfit plan remembered)' if args.fresh else ''}"
          f"{f', RAYON_NUM_THREADS={args.threads}' if args.threads else ''}\n")
    print("| build | wall median (min) | CPU median (min) | compile median (min) | compositions | peak median (max) |")
    print("|---|---|---|---|---|---|")
    for name, *_ in builds:
        wall, cpu, comp, n, peak = zip(*results[name])
        print(f"| {name} | {statistics.median(wall):.3f} s ({min(wall):.3f}) | {statistics.median(cpu):.2f} s "
              f"({min(cpu):.2f}) | {statistics.median(comp):.0f} ms ({min(comp)}) | {max(n)} | "
              f"{statistics.median(peak):.0f} MiB ({max(peak):.0f}) |")


if __name__ == "__main__":
    main()
