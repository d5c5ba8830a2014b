"""End-to-end benchmark: `coder run` as a user runs it, in a subprocess.

    python bench/run_bench.py                              # 100,000 sentences, --jobs 1 and 2
    python bench/run_bench.py --sizes 100000,1000000       # and a million
    python bench/run_bench.py --corpora dense --jobs 1,2,4
    python bench/run_bench.py --warm-start-only

For each corpus of bench/corpus.py (``general``: one sentence in six from an
event template, most sentences carry no event; ``dense``: every sentence is
built from an event template, so every sentence triggers a rule), each size
and each ``--jobs`` value, runs ``python -m coder run CORPUS.jsonl -o
events.csv --jobs N --report run.json -q`` and prints the wall time
(interpreter start, codebook load, reading, coding, validating and writing
included), sentences/s, documents/s, MB/s of JSONL input and the peak memory.

Memory: the process tree of the run (the main process and its worker
processes) is sampled every 50 ms from /proc (the tree is listed again every
0.5 s); ``RSS`` is the peak of the sum of
the resident sizes of all its processes (pages shared by forked workers are
counted once per process, so this over-counts), ``PSS`` the peak of the sum of
their proportional set sizes (shared pages divided among the processes that
share them: the honest total), and ``max1`` the largest resident size of any
single process, as ``getrusage``/``wait4`` report it (``/usr/bin/time -v``'s
"Maximum resident set size").  Outside Linux only ``max1`` is shown.

``CPU s`` is the CPU time of the run (main process and workers); ``other`` the
CPU time the rest of the machine used while it ran, from /proc/stat: if it is
not near zero, another job was competing for the cores and the figures are
low.

Then the warm start: ``coder run`` on a one-sentence file once the codebook
cache is warm (the target is under 0.5 s in all), best and median of 7 runs.

The corpora are generated once into ``--workdir`` (default a temporary
directory) with a fixed seed, so runs are comparable.  The outputs of the
different ``--jobs`` values are compared byte for byte.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import corpus as gen  # noqa: E402

CORPORA = {"general": 1 / 6, "dense": 1.0}


# -- memory of a process tree


def _proc_stat(pid: int) -> tuple[int, str] | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), fields[0]  # parent pid, state


def _tree(root: int) -> list[int]:
    """``root`` and its descendants (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            st = _proc_stat(int(entry.name))
            if st is not None and st[1] != "Z":
                parents.setdefault(st[0], []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, []))
    return out


def _kb(path: str, keys: tuple[str, ...]) -> dict[str, int]:
    out = {}
    try:
        with open(path) as f:
            for line in f:
                name = line.split(":", 1)[0]
                if name in keys:
                    out[name] = int(line.split()[1])
    except OSError:
        pass
    return out


class TreeMemory(threading.Thread):
    """Samples the summed RSS and PSS of a process tree until stopped."""

    def __init__(self, pid: int, interval: float = 0.05, rescan: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.interval, self.rescan = pid, interval, rescan
        self.rss = self.pss = 0
        self.processes = 0
        self.done = threading.Event()
        self.enabled = os.path.isdir("/proc/self")

    def run(self) -> None:
        pids: list[int] = []
        scanned = 0.0
        while self.enabled and not self.done.is_set():
            rss = pss = 0
            if time.monotonic() - scanned > self.rescan:  # scanning /proc costs
                pids, scanned = _tree(self.pid), time.monotonic()
            for pid in pids:
                rss += _kb(f"/proc/{pid}/status", ("VmRSS",)).get("VmRSS", 0)
                pss += _kb(f"/proc/{pid}/smaps_rollup", ("Pss",)).get("Pss", 0)
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
            self.processes = max(self.processes, len(pids))
            self.done.wait(self.interval)

    def stop(self) -> None:
        self.done.set()
        self.join()


def _busy() -> float | None:
    """CPU seconds the whole machine has been busy (all cores, from /proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run_coder(args: list[str], cwd: Path = ROOT) -> dict:
    """Run ``python -m coder run ARGS``; wall time, exit status, memory, and the
    CPU time other processes took meanwhile (a busy machine skews the figures)."""
    busy = _busy()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "coder", "run", *args], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    mem = TreeMemory(proc.pid)
    mem.start()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    mem.stop()
    max1 = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)  # MB
    cpu = usage.ru_utime + usage.ru_stime
    other = None if busy is None else max(0.0, _busy() - busy - cpu)
    return {"seconds": seconds, "status": proc.returncode, "stderr": err.decode(errors="replace"),
            "rss_mb": mem.rss / 1024, "pss_mb": mem.pss / 1024, "max1_mb": max1,
            "processes": mem.processes, "cpu": cpu, "other_cpu": other}


# -- corpora


def make_corpus(workdir: Path, name: str, sentences: int, seed: int) -> Path:
    path = workdir / f"{name}-{sentences}-seed{seed}.jsonl"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            for doc in gen.documents(sentences, seed, CORPORA[name]):
                f.write(json.dumps(doc) + "\n")
        tmp.rename(path)
    return path


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def warm_start(workdir: Path, runs: int = 7) -> list[float]:
    one = workdir / "one.jsonl"
    one.write_text(json.dumps({"id": "one", "date": "2017-11-03",
                               "text": "Iraqi forces captured Rawa on Friday."}) + "\n")
    out = workdir / "one.csv"
    run_coder([str(one), "-o", str(out), "-q"])  # warms the codebook cache
    times = []
    for _ in range(runs):
        r = run_coder([str(one), "-o", str(out), "-q"])
        assert r["status"] == 0, r["stderr"]
        times.append(r["seconds"])
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000", help="sentences per corpus, comma-separated (default 100000)")
    ap.add_argument("--corpora", default="general,dense", help="general, dense or both (default both)")
    ap.add_argument("--jobs", default="1,2", help="--jobs values, comma-separated (default 1,2)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--format", default="csv", choices=["csv", "xml", "jsonl"])
    ap.add_argument("--workdir", help="where corpora and outputs go (kept); default a temporary directory")
    ap.add_argument("--warm-start-only", action="store_true")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    args = ap.parse_args()

    tmp = None
    if args.workdir:
        workdir = Path(args.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory()
        workdir = Path(tmp.name)
    print(f"machine: {machine()}")
    print(f"date:    {time.strftime('%Y-%m-%d %H:%M')}")
    rows = []
    if not args.warm_start_only:
        sizes = [int(s) for s in args.sizes.split(",")]
        jobs_list = [int(j) for j in args.jobs.split(",")]
        header = (f"{'corpus':8} {'sentences':>10} {'docs':>8} {'MB':>6} {'jobs':>4} {'events':>8} "
                  f"{'seconds':>8} {'sent/s':>8} {'docs/s':>7} {'MB/s':>6} {'speed-up':>8} "
                  f"{'RSS MB':>7} {'PSS MB':>7} {'max1 MB':>7} {'CPU s':>6} {'other':>6}  same bytes")
        print(header)
        for name in args.corpora.split(","):
            for size in sizes:
                src = make_corpus(workdir, name, size, args.seed)
                mb = src.stat().st_size / 1e6
                first = None
                base = None
                for jobs in jobs_list:
                    out = workdir / f"{name}-{size}-j{jobs}.{args.format}"
                    rep = workdir / f"{name}-{size}-j{jobs}.json"
                    r = run_coder([str(src), "-o", str(out), "--jobs", str(jobs), "--report", str(rep), "-q"])
                    if r["status"] != 0:
                        sys.exit(f"coder run failed ({r['status']}): {r['stderr']}")
                    report = json.loads(rep.read_text())
                    docs, sents = report["documents"]["read"], report["sentences"]
                    same = "-" if first is None else ("yes" if filecmp.cmp(first, out, shallow=False) else "NO")
                    first = first or out
                    base = base or r["seconds"]
                    row = {"corpus": name, "sentences": sents, "documents": docs, "mb": round(mb, 1),
                           "jobs": jobs, "events": report["events"], "seconds": round(r["seconds"], 2),
                           "sentences_per_s": round(sents / r["seconds"]),
                           "documents_per_s": round(docs / r["seconds"]),
                           "mb_per_s": round(mb / r["seconds"], 2), "speedup": round(base / r["seconds"], 2),
                           "rss_mb": round(r["rss_mb"]), "pss_mb": round(r["pss_mb"]),
                           "max1_mb": round(r["max1_mb"]), "cpu_s": round(r["cpu"], 1),
                           "other_cpu_s": None if r["other_cpu"] is None else round(r["other_cpu"], 1),
                           "same": same}
                    rows.append(row)
                    print(f"{name:8} {sents:>10,} {docs:>8,} {mb:>6.1f} {jobs:>4} {row['events']:>8,} "
                          f"{r['seconds']:>8.2f} {row['sentences_per_s']:>8,} {row['documents_per_s']:>7,} "
                          f"{row['mb_per_s']:>6.2f} {row['speedup']:>7.2f}x {row['rss_mb']:>7} "
                          f"{row['pss_mb']:>7} {row['max1_mb']:>7} {row['cpu_s']:>6} "
                          f"{row['other_cpu_s'] if row['other_cpu_s'] is not None else '-':>6}  {same}", flush=True)
    times = warm_start(workdir)
    print(f"warm start (one-sentence file, warm codebook cache, {len(times)} runs): "
          f"best {min(times):.3f} s, median {statistics.median(times):.3f} s (target < 0.5 s)")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine(), "date": time.strftime("%Y-%m-%d"),
                                               "runs": rows, "warm_start": times}, indent=2) + "\n")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
