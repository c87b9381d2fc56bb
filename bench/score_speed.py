"""Sentences per second of the scoring path (segmentation, rules, model).

Builds a corpus from the seed article and the labelled sentences, loads the
default classifier once (start-up excluded), then times scoring it.
Usage: python bench/score_speed.py [--articles N]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from stance import Classifier
from stance.text.segment import segment

ROOT = Path(__file__).resolve().parent.parent


def build_corpus() -> list[str]:
    """The seed article plus one article per labelled document."""
    articles = [(ROOT / "seeds" / "belarus-us-prisoner-release-2025-02.txt").read_text(encoding="utf-8")]
    docs: dict[str, list[str]] = {}
    for path in sorted((ROOT / "seeds" / "labels").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            docs.setdefault(item["id"].rsplit("/", 1)[0], []).append(item["text"])
    articles += [" ".join(sentences) for sentences in docs.values()]
    return articles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="passes over the corpus")
    args = parser.parse_args()
    corpus = build_corpus()
    clf = Classifier.load()
    clf.score_text(corpus[0])  # warm caches as a long-running job would be
    n_sentences = sum(len(segment(a)) for a in corpus) * args.repeat
    n_bytes = sum(len(a.encode()) for a in corpus) * args.repeat
    t0 = time.perf_counter()
    for _ in range(args.repeat):
        for article in corpus:
            clf.score_text(article)
    elapsed = time.perf_counter() - t0
    print(f"articles: {len(corpus) * args.repeat}  sentences: {n_sentences}  MB: {n_bytes / 1e6:.2f}")
    print(f"end to end: {n_sentences / elapsed:,.0f} sentences/s  {n_bytes / 1e6 / elapsed:.2f} MB/s  ({elapsed:.2f} s)")


if __name__ == "__main__":
    main()
