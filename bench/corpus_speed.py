"""Corpus scoring speed with --jobs 1 and --jobs 2, and peak memory.

Builds a 10,000-article JSONL corpus from the seeds (the seed article and
one article per labelled document, repeated with new ids and dates), then
runs the real command `stance score --input corpus.jsonl --format jsonl`
with one and two jobs, output to /dev/null. Peak memory is the largest sum
of resident memory over the command's process tree, sampled from /proc.
CPU is the command's own and its workers'; "others" is the CPU every other
process on the machine used meanwhile, in cores, so a run on a busy machine
shows as one (a speed-up needs both cores free). On a shared machine,
--tries N waits for a quiet moment before each run and runs again, up to N
times, while other processes were busy during it.
Usage: python bench/corpus_speed.py [--articles N] [--tries N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from score_speed import build_corpus  # noqa: E402

SAMPLE_EVERY = 0.05  # seconds between memory samples
BUSY_ELSEWHERE = 0.1  # cores used by other processes above which a run is flagged
QUIET_FOR = 5.0  # seconds of other processes under BUSY_ELSEWHERE before a try
QUIET_GIVE_UP = 600.0  # seconds to wait for such a moment before running anyway


def write_corpus(path: Path, n: int) -> None:
    articles = build_corpus()
    start = date(2024, 1, 1)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"article-{i:05d}", "date": (start + timedelta(days=i % 700)).isoformat(),
                                "text": articles[i % len(articles)]}) + "\n")


def _tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            with open(f"/proc/{p}/task/{p}/children") as f:
                stack.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def _busy_cpu_seconds() -> float:
    """CPU time every process on the machine has used so far, all cores, from /proc/stat."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run(corpus: Path, jobs: int) -> tuple[float, int, float, float]:
    """Seconds, peak memory (bytes), CPU seconds of the run, cores other processes used meanwhile."""
    cmd = [sys.executable, "-m", "stance", "score", "--input", str(corpus), "--format", "jsonl", "--jobs", str(jobs)]
    busy0, own0 = _busy_cpu_seconds(), time.process_time()
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        peak = 0
        while True:
            # wait4 gives the command's CPU time with that of the workers it waited for.
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(SAMPLE_EVERY)
        elapsed = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"scoring failed ({proc.returncode}): {err.read().decode()[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    others = _busy_cpu_seconds() - busy0 - cpu - (time.process_time() - own0)
    return elapsed, peak, cpu, max(others, 0.0) / elapsed


def _wait_until_quiet() -> None:
    """Until the machine has used under BUSY_ELSEWHERE cores for QUIET_FOR seconds, or QUIET_GIVE_UP."""
    deadline = time.monotonic() + QUIET_GIVE_UP
    while time.monotonic() < deadline:
        busy0 = _busy_cpu_seconds()
        time.sleep(QUIET_FOR)
        if (_busy_cpu_seconds() - busy0) / QUIET_FOR < BUSY_ELSEWHERE:
            return


def measure(corpus: Path, jobs: int, tries: int) -> tuple[float, int, float, float]:
    """run(), again while other processes were busy during it, up to `tries` times; the last run."""
    for attempt in range(1, tries + 1):
        if tries > 1:
            _wait_until_quiet()
        result = run(corpus, jobs)
        if result[3] <= BUSY_ELSEWHERE or attempt == tries:
            break
        print(f"--jobs {jobs}: run {attempt} set aside, {result[0]:.1f} s with others using {result[3]:.2f} cores")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--tries", type=int, default=1, help="runs of each measurement at most, until one is undisturbed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        write_corpus(corpus, args.articles)
        print(f"corpus: {args.articles} articles, {corpus.stat().st_size / 1e6:.1f} MB")
        results = {jobs: measure(corpus, jobs, max(args.tries, 1)) for jobs in (1, 2)}
    for jobs, (elapsed, peak, cpu, others) in results.items():
        print(f"--jobs {jobs}: {elapsed:6.1f} s  {args.articles / elapsed:7.1f} articles/s  peak memory {peak / 1e6:6.1f} MB"
              f"  CPU {cpu:6.1f} s  others {others:.2f} cores")
    speedup = results[1][0] / results[2][0]
    print(f"speed-up with 2 jobs: x{speedup:.2f} (target >= 1.7); peak memory target < 500 MB")
    if max(others for *_, others in results.values()) > BUSY_ELSEWHERE:
        print(f"note: other processes used more than {BUSY_ELSEWHERE} cores during a run; the figures understate "
              "what stance does on an idle machine")


if __name__ == "__main__":
    main()
