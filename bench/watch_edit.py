#!/usr/bin/env python3
"""Warm one-value KPI edits in `watch`, for two or more builds in turn.

Each build is NAME=BINARY:ROOT (as in compare.py). Every build watches a copy
of ROOT/data (print profile); each run writes a KPI value never built before
(unlike bench.py, whose values alternate, so that comemo has seen them) and
reads the rebuild time the status line prints and the wall time from the
write to that line. Builds are edited in turn, so load falls on all alike.

--typst PATH also watches the same layouts with the stock Typst CLI (`typst
watch`, on the data the first build emits, the same fonts and theme), edited
in turn with the others: the same KPI value changed to a new one in the
emitted data; its time is the compile time Typst prints.

Usage: python3 bench/watch_edit.py [--runs 9] [--typst PATH] NAME=BIN:ROOT ...
"""
import argparse, queue, re, shutil, statistics, subprocess, tempfile, threading, time
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


class TypstWatch:
    """The stock `typst watch` on ROOT's layouts and the data BINARY emits."""

    def __init__(self, typst, binary, root, tmp):
        self.data = root / "out" / f"watch-edit-{id(self)}.json"
        subprocess.run([binary, "build", str(root / "data/report.toml"), "--root", str(root), "-o",
                        str(Path(tmp) / "emit.pdf"), "--emit-data", str(self.data)], check=True, capture_output=True)
        design = (root / "data/report.toml").read_text().split("[design]", 1)[1]
        theme = re.search(r'^theme\s*=\s*"([^"]+)"', design, re.M).group(1)
        cmd = [typst, "watch", "--root", str(root), "--font-path", str(root / "fonts"), "--ignore-system-fonts",
               "--input", f"data=/out/{self.data.name}", "--input", f"theme=/themes/{theme}",
               str(root / "layout/report.typ"), str(Path(tmp) / "typst.pdf")]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.lines = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(l) for l in self.proc.stdout], daemon=True).start()
        self.wait()

    def wait(self):
        while True:
            m = re.search(r"compiled (?:successfully|with warnings) in ([0-9.]+) ?(ms|s)", self.lines.get(timeout=120))
            if m:
                return float(m.group(1)) * (1000 if m.group(2) == "s" else 1)

    def edit(self, run):
        text = self.data.read_text()
        old = re.search(r'"values":\["([0-9]+)"', text).group(1)
        new = str(1000 + run) if old != str(1000 + run) else str(2000 + run)
        t0 = time.perf_counter()
        self.data.write_text(text.replace(f'"values":["{old}"', f'"values":["{new}"', 1))
        ms = self.wait()
        wall = time.perf_counter() - t0
        time.sleep(0.3)
        return ms, wall * 1000

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        self.data.unlink(missing_ok=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--typst")
    ap.add_argument("builds", nargs="+")
    args = ap.parse_args()
    watches = []
    stock = None
    with tempfile.TemporaryDirectory() as tmp:
        for i, spec in enumerate(args.builds):
            name, rest = spec.split("=", 1)
            binary, root = rest.rsplit(":", 1)
            (Path(tmp) / str(i)).mkdir()
            proc, target = start(str(Path(binary).resolve()), Path(root).resolve(), Path(tmp) / str(i))
            watches.append((name, proc, target, []))
        if args.typst:
            _, binary, root = watches[0][0], *args.builds[0].split("=", 1)[1].rsplit(":", 1)
            stock = (TypstWatch(args.typst, str(Path(binary).resolve()), Path(root).resolve(), tmp), [])
        try:
            for run in range(args.runs):
                for name, proc, target, results in watches:
                    results.append(edit(proc, target, run))
                if stock:
                    stock[1].append(stock[0].edit(run))
        finally:
            for _, proc, _, _ in watches:
                proc.terminate()
                proc.wait()
            if stock:
                stock[0].stop()
    print(f"{args.runs} edits each, a new KPI value every time\n")
    print("| build | printed median (min–max) | write to status median (min–max) |")
    print("|---|---|---|")
    for name, _, _, results in watches:
        printed, wall = zip(*results)
        print(f"| {name} | {statistics.median(printed):.0f} ms ({min(printed):.0f}–{max(printed):.0f}) | "
              f"{statistics.median(wall):.0f} ms ({min(wall):.0f}–{max(wall):.0f}) |")
    if stock:
        printed, wall = zip(*stock[1])
        print(f"| stock `typst watch` (compile + export as it prints) | {statistics.median(printed):.0f} ms "
              f"({min(printed):.0f}–{max(printed):.0f}) | {statistics.median(wall):.0f} ms ({min(wall):.0f}–{max(wall):.0f}) |")


if __name__ == "__main__":
    main()
