"""Words, their spans and their matching keys.

Rules and model features both see a sentence as the same tokens, so a rule
phrase and a feature agree on what a word is. A token's key folds case and
inflection (release, releases, released, releasing -> "releas") with the
Snowball English stemmer (PyStemmer, the Snowball project's C build), plus
a table of irregular forms it cannot know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

# Letters and digits; a contracted "n't" is its own token so negation sees it.
TOKEN_RE = re.compile(r"[^\W_]+?(?=n['’]t\b)|n['’]t\b|[^\W_]+")

# Irregular forms the stemmer leaves apart from their base; diplomatic verbs
# first ("held talks", "freed prisoners", "met", "broke off", "froze assets").
IRREGULAR = {
    "n't": "not", "n’t": "not",
    "held": "hold", "met": "meet", "broke": "break", "broken": "break",
    "began": "begin", "begun": "begin", "sought": "seek", "took": "take", "taken": "take",
    "gave": "give", "given": "give", "struck": "strike", "fought": "fight", "spoke": "speak",
    "spoken": "speak", "won": "win", "drew": "draw", "drawn": "draw", "led": "lead",
    "sent": "send", "told": "tell", "threw": "throw", "thrown": "throw", "withdrew": "withdraw",
    "withdrawn": "withdraw", "froze": "freeze", "frozen": "freeze", "brought": "bring",
    "kept": "keep", "rose": "rise", "risen": "rise", "fell": "fall", "fallen": "fall",
    "wrote": "write", "written": "write", "shot": "shoot", "stood": "stand", "sold": "sell",
    "bought": "buy", "saw": "see", "seen": "see", "made": "make", "went": "go", "gone": "go",
    "came": "come", "felt": "feel", "paid": "pay", "laid": "lay", "hung": "hang",
    "overthrew": "overthrow", "overthrown": "overthrow", "forgave": "forgive",
    "forgiven": "forgive", "swore": "swear", "sworn": "swear", "shook": "shake",
    "shaken": "shake", "rebuilt": "rebuild", "upheld": "uphold", "withheld": "withhold",
    "mislead": "mislead", "misled": "mislead", "fled": "flee", "bore": "bear", "borne": "bear",
}

_STEMMER = Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def word_key(word: str) -> str:
    """The matching key of one lower-cased word."""
    base = IRREGULAR.get(word, word)
    return _STEMMER.stemWord(base)


@dataclass(frozen=True, slots=True)
class Tokens:
    """A text's tokens: parallel tuples of spans, lower-cased words and keys."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    words: tuple[str, ...]
    keys: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.words)


def tokenize(text: str) -> Tokens:
    """Split text into word tokens with character offsets into `text`."""
    starts: list[int] = []
    ends: list[int] = []
    words: list[str] = []
    for m in TOKEN_RE.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
        words.append(m.group().lower())
    return Tokens(tuple(starts), tuple(ends), tuple(words), tuple(map(word_key, words)))
