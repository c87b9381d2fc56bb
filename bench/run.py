"""One table of the figures that matter, measured in one run.

- cold start: `stance score` on the seed article, whole process, wall time
  (median of 5 runs), and `stance rules check`;
- steady throughput on one core after loading, in sentences and MB per
  second, for segmentation, rule matching, the model and end to end, on a
  corpus built from the seeds (one warm-up pass first, as a long run is);
- the same corpus through a reference pipeline, pysbd segmentation plus
  VADER scoring (install the `bench` extra), and the ratio;
- peak memory of a process scoring the corpus with the default model.

Usage: python bench/run.py   (targets: see issues "Fast and unbreakable" and 11)
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from score_speed import build_corpus  # noqa: E402

from stance import Classifier  # noqa: E402
from stance.text.segment import segment  # noqa: E402
from stance.text.tokens import tokenize  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "belarus-us-prisoner-release-2025-02.txt"
REPEAT = 5  # passes over the corpus per throughput figure
RUNS = 5  # runs per cold-start figure


def wall(cmd: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def rate(fn: Callable[[], int]) -> tuple[float, float]:
    """(items per second, seconds) of fn, after one warm-up call."""
    fn()
    t0 = time.perf_counter()
    n = sum(fn() for _ in range(REPEAT))
    elapsed = time.perf_counter() - t0
    return n / elapsed, elapsed / REPEAT


def peak_memory(corpus: list[str]) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.jsonl"
        path.write_text("".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(corpus)))
        subprocess.run([sys.executable, "-m", "stance", "score", "--input", str(path), "--format", "jsonl"],
                       check=True, stdout=subprocess.DEVNULL)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KB -> MB (Linux)


def main() -> None:
    corpus = build_corpus()
    mb = sum(len(a.encode()) for a in corpus) / 1e6
    sentences = [s.text for a in corpus for s in segment(a)]
    n_sent = len(sentences)
    clf = Classifier.load()
    rows: list[tuple[str, str, str]] = []

    memory = peak_memory(corpus * 4)
    cold = wall([sys.executable, "-m", "stance", "score", str(SEED)])
    check = wall([sys.executable, "-m", "stance", "rules", "check"])
    rows.append(("cold start: stance score seed article", f"{cold:.2f} s", "<= 0.5 s"))
    rows.append(("cold start: stance rules check", f"{check:.2f} s", "<= 0.3 s"))

    seg_rate, seg_t = rate(lambda: sum(len(segment(a)) for a in corpus))
    match_rate, _ = rate(lambda: sum(1 for s in sentences if clf.matcher.match(s) is not None))
    hits = [clf.matcher.match(s).hits for s in sentences]

    def model_pass() -> int:
        rows_ = [clf.model.feature_ids(tokenize(s).keys, h) for s, h in zip(sentences, hits)]
        return len(clf.model.predict_proba(rows_))

    model_rate, _ = rate(model_pass)
    e2e_rate, e2e_t = rate(lambda: sum(clf.score_text(a).sentence_count for a in corpus))
    rows.append(("segmentation", f"{seg_rate:,.0f} sent/s  {mb / seg_t:.2f} MB/s", ""))
    rows.append(("rule matching (tokenize + rules)", f"{match_rate:,.0f} sent/s", ""))
    rows.append(("model (features + predict)", f"{model_rate:,.0f} sent/s", ""))
    rows.append(("end to end (one core)", f"{e2e_rate:,.0f} sent/s  {mb / e2e_t:.2f} MB/s", ">= 15,000 sent/s"))

    try:
        import pysbd
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        rows.append(("reference pysbd + VADER", "not installed: pip install '.[bench]'", ""))
    else:
        segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
        vader = SentimentIntensityAnalyzer()

        def reference() -> int:
            n = 0
            for a in corpus:
                for span in segmenter.segment(a):
                    vader.polarity_scores(span.sent)
                    n += 1
            return n

        ref_rate, _ = rate(reference)
        rows.append(("reference pysbd + VADER", f"{ref_rate:,.0f} sent/s", ""))
        rows.append(("ratio stance / reference", f"x{e2e_rate / ref_rate:.1f}", ">= x10"))
    rows.append(("peak memory, default model, scoring a corpus", f"{memory:.0f} MB", "<= 300 MB"))

    print(f"corpus: {len(corpus)} articles, {n_sent} sentences, {mb:.2f} MB; {REPEAT} passes per figure")
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'figure':<32} target")
    for name, figure, target in rows:
        print(f"{name:<{width}}  {figure:<32} {target}")


if __name__ == "__main__":
    main()
