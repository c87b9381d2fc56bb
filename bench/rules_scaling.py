"""Rule matching throughput with the shipped rules and with ten times as many.

Two synthetic rulebooks of ten times the rules, each made of the shipped
rules plus nine copies of each rule in which every phrase keeps its first
word (so lookups collide on the same first words, as rules written for the
same register do) and the other words are replaced:

- "silent": by nonce words that never occur, so the extra rules cost index
  walks but add no hits: the scaling of matching itself;
- "firing": by rare words of the corpus (seeded), so the extra rules also
  fire, and the time includes handling their hits.

Regex patterns are not indexed (they run per sentence); copies turn them
into phrases so that both rulebooks keep the shipped number of regexes.
Usage: python bench/rules_scaling.py
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from score_speed import build_corpus  # noqa: E402

from stance.rulebook.matcher import Matcher  # noqa: E402
from stance.rulebook.patterns import NearPattern, PhrasePattern, RegexPattern, parse_phrase  # noqa: E402
from stance.resources import default_rules_dir  # noqa: E402
from stance.rulebook.loading import Rulebook, load_rulebook  # noqa: E402
from stance.text.segment import segment  # noqa: E402
from stance.text.tokens import tokenize  # noqa: E402

COPIES = 9  # plus the originals: ten times the rules
RARE = 3  # a "rare" corpus word occurs at most this often


def synthetic(rulebook: Rulebook, new_word: Callable[[], str]) -> Rulebook:
    def variant(text: str) -> PhrasePattern:
        words = text.split()
        first = words[0] if len(words) > 1 else new_word()
        return PhrasePattern(parse_phrase(" ".join([first, *(new_word() for _ in words[1:])])))

    def copy(p: object) -> object:
        if isinstance(p, PhrasePattern):
            return variant(p.phrase.text)
        if isinstance(p, NearPattern):
            return NearPattern(((p.terms[0][0],), *((variant("x").phrase,) for _ in p.terms[1:])), p.within, p.ordered)
        assert isinstance(p, RegexPattern)
        return variant("x")

    rules = list(rulebook.rules)
    for n in range(COPIES):
        for rule in rulebook.rules:
            rules.append(replace(rule, id=f"{rule.id}.synthetic{n}", patterns=tuple(copy(p) for p in rule.patterns)))
    return replace(rulebook, rules=tuple(rules))


def throughput(matcher: Matcher, sentences: list[str], repeat: int = 3) -> float:
    for s in sentences:
        matcher.match(s)  # warm the stem cache
    t0 = time.perf_counter()
    for _ in range(repeat):
        for s in sentences:
            matcher.match(s)
    return len(sentences) * repeat / (time.perf_counter() - t0)


def main() -> None:
    sentences = [s.text for article in build_corpus() for s in segment(article)]
    counts = Counter(w for s in sentences for w in tokenize(s).words if w.isalpha() and len(w) > 2)
    rare = sorted(w for w, c in counts.items() if c <= RARE)
    rng = random.Random(7)
    shipped = load_rulebook(default_rules_dir())
    silent = synthetic(shipped, lambda: f"zq{rng.randrange(10**6)}")
    firing = synthetic(shipped, lambda: rng.choice(rare))
    base = throughput(Matcher(shipped), sentences)
    print(f"sentences: {len(sentences)}")
    print(f"{'shipped rules':<22} {len(shipped.rules):>5}  {base:>9,.0f} sentences/s")
    for name, book in (("10x rules, silent", silent), ("10x rules, firing", firing)):
        rate = throughput(Matcher(book), sentences)
        print(f"{name:<22} {len(book.rules):>5}  {rate:>9,.0f} sentences/s  time x{base / rate:.2f}")
    print("target: 10x silent rules cost at most x1.5 the matching time")


if __name__ == "__main__":
    main()
