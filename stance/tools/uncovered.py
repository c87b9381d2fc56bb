"""Mining phrases near actors that no rule covers, to grow the rules.

After PETRARCH's null-verb mining: in sentences that name an actor but
fire no rule, count the word n-grams standing close to the actor mention;
frequent ones are candidates for new rules.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ..rulebook.actors import ActorMatcher
from ..rulebook.matcher import Matcher
from ..text.segment import segment
from ..text.tokens import tokenize

# Words that make an n-gram uninformative when it starts or ends with one.
STOPWORDS = frozenset(
    "a an the of in on at to for by with from and or but as is are was were be been has have had it its "
    "this that these those which who whom he she they them his her their s said says also after before "
    "than then there here not no will would could may might can".split()
)
NGRAM_SIZES = (2, 3, 4)
# Words on each side of an actor mention that count as "near" it.
NEAR_ACTOR = 8


@dataclass(frozen=True)
class Candidate:
    phrase: str
    count: int
    example: str


def uncovered_phrases(texts: Iterable[str], matcher: Matcher, actors: ActorMatcher,
                      top: int = 30, min_count: int = 2) -> list[Candidate]:
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for text in texts:
        for sentence in segment(text):
            toks = tokenize(sentence.text)
            mentions = actors.mentions(sentence.text, toks)
            if not mentions or matcher.match(sentence.text, 0, toks).hits:
                continue
            near: set[int] = set()
            for m in mentions:
                near.update(range(max(0, m.i - NEAR_ACTOR), min(len(toks), m.j + NEAR_ACTOR)))
                near.difference_update(range(m.i, m.j))
            words = toks.words
            for n in NGRAM_SIZES:
                for i in range(len(words) - n + 1):
                    span = range(i, i + n)
                    if not all(k in near for k in span):
                        continue
                    gram = words[i:i + n]
                    if gram[0] in STOPWORDS or gram[-1] in STOPWORDS or not all(w.isalpha() for w in gram):
                        continue
                    phrase = " ".join(gram)
                    counts[phrase] += 1
                    examples.setdefault(phrase, sentence.text)
    return [Candidate(p, c, examples[p]) for p, c in counts.most_common() if c >= min_count][:top]
