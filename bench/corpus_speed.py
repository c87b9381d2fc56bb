"""Corpus scoring speed with --jobs 1 and --jobs 2, and peak memory.

Builds a 10,000-article JSONL corpus from the seeds (the seed article and
one article per labelled document, repeated with new ids and dates), then
runs the real command `stance score --input corpus.jsonl --format jsonl`
with one and two jobs, output to /dev/null. Peak memory is the largest sum
of resident memory over the command's process tree, sampled from /proc.
Usage: python bench/corpus_speed.py [--articles N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from score_speed import build_corpus  # noqa: E402

SAMPLE_EVERY = 0.05  # seconds between memory samples


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


def run(corpus: Path, jobs: int) -> tuple[float, int]:
    cmd = [sys.executable, "-m", "stance", "score", "--input", str(corpus), "--format", "jsonl", "--jobs", str(jobs)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(SAMPLE_EVERY)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"scoring failed ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        write_corpus(corpus, args.articles)
        print(f"corpus: {args.articles} articles, {corpus.stat().st_size / 1e6:.1f} MB")
        results = {jobs: run(corpus, jobs) for jobs in (1, 2)}
    for jobs, (elapsed, peak) in results.items():
        print(f"--jobs {jobs}: {elapsed:6.1f} s  {args.articles / elapsed:7.1f} articles/s  peak memory {peak / 1e6:6.1f} MB")
    speedup = results[1][0] / results[2][0]
    print(f"speed-up with 2 jobs: x{speedup:.2f} (target >= 1.7); peak memory target < 500 MB")


if __name__ == "__main__":
    main()
