"""Write the stored expectation that tests/test_equivalence.py compares against.

The expectation is what the scoring path answers, sentence by sentence, on
the project's own texts:

- the seed article, through `Classifier.score_text` (segmentation, the
  running subject across sentences, the article summary);
- every labelled document of `seeds/labels/*.jsonl`, its sentences joined
  into one article, through `score_text`;
- every labelled sentence of `seeds/labels/*.jsonl`, through
  `score_sentences`;
- every rule example (`match` / `no_match`), through the matcher, with what
  `unless` and negation removed.

Per sentence it keeps the span, the hits (rule, category, start and end
relative to the sentence, negated, actor, and the pattern as an index into
one shared list), the actors, and the probabilities in millionths; per
article the stance index, interval, posture and signal counts, the evidence
listed per signal and per actor (sentence, rule, span), and each actor's
sentences, mean stance and signal counts. The labelled documents keep their
sentences' stance but not their probabilities, which the labelled sentences
already pin (a document's sentences are mostly the same texts): so the file
stays small.

Regenerate only with a rule or model change, in the same commit:

    python tests/data/make_expectation.py

(from the repository root, in an environment with stance installed).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXPECTATION = Path(__file__).resolve().parent / "expectation.json.gz"
SEED_ARTICLE = ROOT / "seeds" / "belarus-us-prisoner-release-2025-02.txt"
LABELS = ROOT / "seeds" / "labels"
RULES = ROOT / "rules"
MODEL = ROOT / "models" / "stance-model.npz"
# Probabilities are stored and compared to this many decimals: past them,
# summing in another order may change the last bits, not the answer.
SCALE = 10**6
FORMAT = "stance.expectation/1"


class _Writer:
    """Turns results into compact JSON values; patterns go to one shared list."""

    def __init__(self) -> None:
        self.patterns: dict[str, int] = {}

    def hit(self, h: Any, offset: int = 0) -> list[Any]:
        pattern = self.patterns.setdefault(h.pattern, len(self.patterns))
        return [h.rule, h.category, h.start - offset, h.end - offset, int(h.negated), h.actor, pattern]

    def sentence(self, s: Any, probabilities: bool = True) -> dict[str, Any]:
        out = {"span": [s.start, s.end], "hits": [self.hit(h, s.start) for h in s.signals], "actors": list(s.actors)}
        if probabilities:
            out["p"] = [round(p * SCALE) for p in s.probabilities]
        else:
            out["stance"] = s.stance
        return out

    def evidence(self, e: Any) -> list[Any]:
        return [e.sentence, e.hit.rule, e.hit.start, e.hit.end]

    def article(self, report: Any, probabilities: bool = True) -> dict[str, Any]:
        st = report.stance
        return {"index": round(st.index * SCALE), "interval": [round(st.low * SCALE), round(st.high * SCALE)],
                "abstained": st.abstained, "posture": report.posture, "signal_counts": dict(report.signal_counts),
                "evidence": {c: [self.evidence(e) for e in ev] for c, ev in report.evidence.items()},
                "actors": [{"actor": a.actor, "sentences": list(a.sentences), "mean": round(a.mean_stance * SCALE),
                            "signal_counts": dict(a.signal_counts), "evidence": [self.evidence(e) for e in a.evidence]}
                           for a in report.actors],
                "sentences": [self.sentence(s, probabilities) for s in report.sentences]}


def _documents() -> tuple[list[tuple[str, str]], dict[str, list[str]]]:
    """Labelled sentences as (id, text), and each document's sentences in file order."""
    rows: list[tuple[str, str]] = []
    docs: dict[str, list[str]] = {}
    for path in sorted(LABELS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                rows.append((item["id"], item["text"]))
                docs.setdefault(item["id"].rsplit("/", 1)[0], []).append(item["text"])
    return rows, docs


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def inputs() -> dict[str, str]:
    """Hashes of what the expectation depends on besides the code."""
    from stance.model.labels import labels_sha256
    from stance.rulebook.loading import rules_digest

    return {"rules_sha256": rules_digest(RULES), "model_sha256": _sha256(MODEL),
            "labels_sha256": labels_sha256(sorted(LABELS.glob("*.jsonl"))), "seed_sha256": _sha256(SEED_ARTICLE)}


def observe() -> dict[str, Any]:
    """What the current code answers on the project's texts."""
    from stance import Classifier

    clf = Classifier.load(rules=RULES, model=None)
    w = _Writer()
    rows, docs = _documents()
    scored = clf.score_sentences([text for _, text in rows])
    examples: dict[str, list[Any]] = {}
    for rule in clf.rulebook.rules:
        for kind, sentences in (("match", rule.match_examples), ("no_match", rule.no_match_examples)):
            for k, sentence in enumerate(sentences):
                result = clf.matcher.match(sentence)
                examples[f"{rule.id}/{kind}/{k}"] = [
                    [w.hit(h) for h in result.hits],
                    [[w.hit(s.hit), s.by, s.reason] for s in result.suppressed],
                ]
    out = {
        "format": FORMAT,
        "inputs": inputs(),
        "seed": w.article(clf.score_text(SEED_ARTICLE.read_text(encoding="utf-8"))),
        "documents": {doc: w.article(clf.score_text(" ".join(texts)), probabilities=False)
                      for doc, texts in docs.items()},
        "sentences": {sid: w.sentence(s) for (sid, _), s in zip(rows, scored)},
        "examples": examples,
    }
    out["patterns"] = list(w.patterns)
    return out


def load() -> dict[str, Any]:
    with gzip.open(EXPECTATION, "rt", encoding="utf-8") as f:
        return json.load(f)


def write(data: dict[str, Any]) -> None:
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    # mtime=0: the same answers give the same bytes, so git sees no change.
    EXPECTATION.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))


def main() -> int:
    data = observe()
    write(data)
    print(f"{EXPECTATION.relative_to(ROOT)}: {len(data['sentences'])} labelled sentences, "
          f"{len(data['documents'])} documents, {len(data['examples'])} rule examples, "
          f"{EXPECTATION.stat().st_size / 1024:.0f} KB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
