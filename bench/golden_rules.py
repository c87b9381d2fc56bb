"""The English "Golden Rules" of the Pragmatic Segmenter, and splitting speed.

Checks each rule (a text and the sentences it should split into) through
`segment()` and through `Classifier.score_text` (the sentences of its report),
prints the pass counts and every failure, then times `segment()` alone on the
corpus `score_speed.build_corpus()` builds, on one core.

The rules are not kept in this repository (they belong to the Pragmatic
Segmenter and pySBD). Give a local copy: a JSON or YAML file holding a list of
{"text": ..., "sentences": [...]} (or {"rules": [that list]}); pySBD's
`GOLDEN_EN_RULES_TEST_CASES` in tests/lang/test_english.py, written out as
such a list, is the reference. Without a path the script looks in
$STANCE_GOLDEN_RULES, then for test data shipped with an installed pysbd.

Usage: python bench/golden_rules.py [RULES.json|RULES.yaml] [--repeat N]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from score_speed import build_corpus  # noqa: E402

from stance import Classifier  # noqa: E402
from stance.text.segment import segment  # noqa: E402

# The floor for splitting alone: below it segmentation starts to show in the
# end-to-end figure (issue "Fast and unbreakable").
MIN_SENTENCES_PER_SECOND = 150_000


def _pysbd_rules() -> Path | None:
    """Golden rules shipped beside an installed pysbd, if a build ships them (0.3.4 does not)."""
    spec = importlib.util.find_spec("pysbd")
    if spec is None or spec.origin is None:
        return None
    package = Path(spec.origin).parent
    for candidate in ("golden_rules_english.json", "golden_rules_english.yaml", "tests/golden_rules_english.json"):
        for base in (package, package.parent):
            if (base / candidate).is_file():
                return base / candidate
    return None


def find_rules(given: str | None) -> Path:
    for path in (given, os.environ.get("STANCE_GOLDEN_RULES")):
        if path:
            return Path(path)
    found = _pysbd_rules()
    if found is None:
        sys.exit("No golden rules found. Pass a JSON or YAML file listing {text, sentences} pairs (e.g. pySBD's "
                 "GOLDEN_EN_RULES_TEST_CASES from tests/lang/test_english.py written out as JSON), "
                 "or set STANCE_GOLDEN_RULES to its path.")
    return found


def load_rules(path: Path) -> list[dict]:
    """Rules as dicts with `text` and `sentences`, from JSON or YAML."""
    raw = path.read_text(encoding="utf-8")
    data = json.loads(raw) if path.suffix == ".json" else yaml.safe_load(raw)
    rules = data["rules"] if isinstance(data, dict) else data
    return [r if isinstance(r, dict) else {"text": r[0], "sentences": r[1]} for r in rules]


def check(rules: list[dict], split) -> list[tuple[int, dict, list[str]]]:
    """The failures of `split` (text -> sentences): (number, rule, what it gave)."""
    failures = []
    for n, rule in enumerate(rules, 1):
        got = split(rule["text"])
        if got != rule["sentences"]:
            failures.append((n, rule, got))
    return failures


def splitting_rate(corpus: list[str], repeat: int) -> tuple[float, int]:
    """(sentences per second, sentences per pass) of `segment()` alone, after a warm-up pass."""
    per_pass = sum(len(segment(a)) for a in corpus)
    best = 0.0
    for _ in range(repeat):  # best of several passes: the least disturbed by the rest of the machine
        t0 = time.perf_counter()
        for article in corpus:
            segment(article)
        best = max(best, per_pass / (time.perf_counter() - t0))
    return best, per_pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rules", nargs="?", help="JSON or YAML file of golden rules")
    parser.add_argument("--repeat", type=int, default=20, help="timed passes over the corpus")
    args = parser.parse_args()
    path = find_rules(args.rules)
    rules = load_rules(path)
    clf = Classifier.load()
    ways = {
        "segment()": lambda text: [s.text for s in segment(text)],
        "Classifier.score_text": lambda text: [s.text for s in clf.score_text(text).sentences],
    }
    print(f"golden rules: {path} ({len(rules)} rules)")
    for name, split in ways.items():
        failures = check(rules, split)
        print(f"\n{name}: {len(rules) - len(failures)}/{len(rules)} pass")
        for n, rule, got in failures:
            print(f"  FAIL rule {n}: {rule['text']!r}\n    expected {rule['sentences']!r}\n    got      {got!r}")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as the floor is stated
    rate, per_pass = splitting_rate(build_corpus(), args.repeat)
    verdict = "ok" if rate >= MIN_SENTENCES_PER_SECOND else f"BELOW the {MIN_SENTENCES_PER_SECOND:,} floor"
    print(f"\nsplitting: {rate:,.0f} sentences/s on one core ({per_pass} sentences a pass, best of {args.repeat}) "
          f"{verdict}")


if __name__ == "__main__":
    main()
