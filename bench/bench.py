#!/usr/bin/env python3
"""Benchmarks csr-press on the full report; prints a Markdown report.

Measures, as median (min–max) of N runs: the cold `csr-press build` (whole
process), the stock Typst CLI compiling the same layouts with the emitted data,
the warm rebuild in `watch` after a one-value KPI edit, peak memory, and the
PDF size of each profile.

Usage: python3 bench/bench.py [--runs 7] [--typst PATH]
Needs: target/release/csr-press (cargo build --release), /usr/bin/time, and
for the comparison a Typst CLI of the same version (cargo install typst-cli
--version 0.15.1 --locked).
"""
import argparse, os, platform, re, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target/release/csr-press"


def timed(cmd, runs, **kw):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
        times.append(time.perf_counter() - t0)
    return times


def fmt(times, unit="s"):
    scale = 1000 if unit == "ms" else 1
    med = statistics.median(times) * scale
    return f"{med:.3f} {unit} ({min(times) * scale:.3f}–{max(times) * scale:.3f})" if unit == "s" else \
        f"{med:.0f} ms ({min(times) * scale:.0f}–{max(times) * scale:.0f})"


def peak_rss_mb(cmd):
    out = subprocess.run(["/usr/bin/time", "-v"] + cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1))
    return kb / 1024


def warm_rebuilds(runs, tmp, manifest):
    """Starts `watch` on a copy of data/, edits one KPI value per run and
    reads the rebuild time the status line prints, plus the wall time from
    the write to that line."""
    data = Path(tmp) / "data"
    shutil.copytree(manifest.parent, data)
    pdf = Path(tmp) / "watch.pdf"
    proc = subprocess.Popen([str(BIN), "watch", str(data / manifest.name), "-o", str(pdf), "--root", str(ROOT)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    try:
        for line in proc.stdout:
            if "watching" in line:
                break
        # A KPI value that occurs once: change it back and forth.
        target = next(p for p in sorted((data / "parts").glob("*.toml"))
                      if "type = \"kpi\"" in p.read_text() and re.search(r'values = \["[0-9]+"', p.read_text()))
        text = target.read_text()
        # A plain number (no thousands separators: "477,0069" would be refused).
        m = re.search(r'values = \["([0-9]+)"', text)
        old = m.group(1)
        printed, wall = [], []
        current = old
        for _ in range(runs):
            new = old + "9" if current == old else old
            edited = target.read_text().replace(f'values = ["{current}"', f'values = ["{new}"', 1)
            current = new
            t0 = time.perf_counter()
            target.write_text(edited)
            for line in proc.stdout:
                if "built" in line or "failed" in line:
                    wall.append(time.perf_counter() - t0)
                    ms = re.search(r"in (\d+) ms", line)
                    printed.append(int(ms.group(1)) / 1000 if ms else float("nan"))
                    break
            time.sleep(0.3)
        return printed, wall
    finally:
        proc.terminate()
        proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--typst", default=shutil.which("typst") or "/work/tools/bin/typst")
    ap.add_argument("--manifest", default="data/report.toml")
    args = ap.parse_args()
    if not BIN.exists():
        sys.exit("build first: cargo build --release")
    runs = args.runs
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        print(f"# csr-press benchmark, {time.strftime('%Y-%m-%d')}\n")
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
        mem = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) // 1024 // 1024
        print(f"Machine: {os.cpu_count()} cores, {cpu}, {mem} GiB RAM, {platform.platform()}\n")
        print(f"Runs per measurement: {runs} (median, min–max). Report: {args.manifest}\n")
        print("| measurement | result | target |\n|---|---|---|")
        manifest = str((ROOT / args.manifest).resolve())
        build = [str(BIN), "build", manifest, "-o", str(out / "report.pdf")]
        cold = timed(build, runs, cwd=ROOT)
        print(f"| cold `csr-press build` (print, whole process) | {fmt(cold)} | ≤ 1.0 s |")
        subprocess.run([str(BIN), "build", manifest, "-o", str(out / "x.pdf"), "--emit-data", str(ROOT / "out/report-data.json")],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        if Path(args.typst).exists():
            version = subprocess.run([args.typst, "--version"], capture_output=True, text=True).stdout.strip()
            typst = [args.typst, "compile", "--root", ".", "--font-path", "fonts", "--ignore-system-fonts",
                     "--input", "data=/out/report-data.json", "--input", "theme=/themes/cmcc-2020", "layout/report.typ", str(out / "typst.pdf")]
            cli = timed(typst, runs, cwd=ROOT)
            ratio = statistics.median(cold) / statistics.median(cli)
            print(f"| stock Typst CLI ({version}) on the same layouts + emitted data | {fmt(cli)} | |")
            print(f"| ratio csr-press / Typst CLI | {ratio:.2f}× | ≤ 1.3× |")
        else:
            print(f"| stock Typst CLI | not measured: {args.typst} missing | |")
        printed, wall = warm_rebuilds(max(runs, 5), tmp, Path(manifest))
        print(f"| warm rebuild in `watch` after a one-value KPI edit (as printed) | {fmt(printed, 'ms')} | ≤ 100 ms |")
        print(f"| same, wall time from the file write to the status line | {fmt(wall, 'ms')} | |")
        rss = peak_rss_mb(build)
        print(f"| peak memory of a cold build (max RSS) | {rss:.0f} MB | ≤ 400 MB |")
        for profile in ["print", "proof", "screen"]:
            pdf = out / f"{profile}.pdf"
            subprocess.run([str(BIN), "build", manifest, "--profile", profile, "-o", str(pdf)], check=True, cwd=ROOT,
                           stdout=subprocess.DEVNULL)
            print(f"| PDF size, {profile} | {pdf.stat().st_size / 1048576:.2f} MB | {'≤ 15 MB' if profile == 'print' else ''} |")


if __name__ == "__main__":
    main()
