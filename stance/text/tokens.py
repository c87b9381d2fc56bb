"""Words, their spans and their matching keys.

Rules and model features both see a sentence as the same tokens, so a rule
phrase and a feature agree on what a word is. A token's key folds case and
inflection (release, releases, released, releasing -> "releas") with the
Snowball English stemmer (PyStemmer, the Snowball project's C build), plus
a table of irregular forms it cannot know.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate

import Stemmer

from ..fastinit import frozen_init

# Letters and digits. A contracted "n't" becomes its own token ("did",
# "n't") in a fix-up pass, so negation sees it; the plain pattern keeps the
# common case fast.
TOKEN_RE = re.compile(r"[^\W_]+")
# The same, as a split: text between tokens, token, text between ... in one C call.
_SPLIT = re.compile(r"([^\W_]+)")
# On ASCII text [^\W_] is exactly the letters and digits, and a plain class is faster.
_SPLIT_ASCII = re.compile(r"([A-Za-z0-9]+)")
# Lower-casing is context-free except for capital sigma (final or not), so
# words without it can be lower-cased all at once.
_SIGMA = "\u03a3"
_CONTRACTION = re.compile(r"(?<=[^\W_])n['’]t\b", re.IGNORECASE)

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


# Keys of words seen so far. Cleared when full, so memory stays bounded on
# endless streams; the vocabulary of news is small enough that it rarely is.
KEY_CACHE_LIMIT = 200_000


class _KeyCache(dict[str, str]):
    # Keys and words are interned: every dictionary keyed by them (the rule
    # trie, the model's vocabulary tables) then finds them by identity,
    # without reading a second copy of the string.
    def __missing__(self, word: str) -> str:
        if len(self) >= KEY_CACHE_LIMIT:
            self.clear()
        key = self[word] = sys.intern(_STEMMER.stemWord(IRREGULAR.get(word, word)))
        return key


_KEYS = _KeyCache()


class _LowerCache(dict[str, str]):
    """Words as written -> lower-cased; bounded like the key cache."""

    def __missing__(self, word: str) -> str:
        if len(self) >= KEY_CACHE_LIMIT:
            self.clear()
        lowered = self[word] = sys.intern(word.lower())
        return lowered


_LOWER = _LowerCache()


def word_key(word: str) -> str:
    """The matching key of one lower-cased word."""
    return _KEYS[word]


@frozen_init
@dataclass(frozen=True, slots=True)
class Tokens:
    """A text's tokens: parallel tuples of spans, lower-cased words and keys,
    and the words as written (empty when whoever made the tokens left it out)."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    words: tuple[str, ...]
    keys: tuple[str, ...]
    surface: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.words)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Tokens [i, j) covering characters [start, end) of the text."""
        i = max(0, bisect_right(self.starts, start) - 1)
        return i, max(i + 1, bisect_left(self.starts, end))


_EMPTY = Tokens((), (), (), ())


def tokenize(text: str) -> Tokens:
    """Split text into word tokens with character offsets into `text`."""
    # The search is slow; every match holds one of these pairs ("n" is only
    # "n" or "N" under re.IGNORECASE), and most text with an apostrophe has none.
    if ("n'" in text or "n’" in text or "N'" in text or "N’" in text) and _CONTRACTION.search(text):
        return _tokenize_spans(text, _split_contractions(text, [m.span() for m in TOKEN_RE.finditer(text)]))
    # Every step runs in C: split gives gaps and tokens in turn, and the
    # running sum of their lengths gives each token's start and end.
    parts = (_SPLIT_ASCII if text.isascii() else _SPLIT).split(text)
    if len(parts) == 1:
        return _EMPTY
    bounds = list(accumulate(map(len, parts)))
    surface = tuple(parts[1::2])
    if _SIGMA in text:  # sigma's lower case depends on its neighbours in the sentence
        lowered = text.lower()
        if len(lowered) == len(text):
            return _tokenize_spans(text, list(zip(bounds[0:-1:2], bounds[1::2])))
    # Each word lower-cased on its own, as written (a cache: the same words recur).
    words = tuple(map(_LOWER.__getitem__, surface))
    return Tokens(tuple(bounds[0:-1:2]), tuple(bounds[1::2]), words, tuple(map(_KEYS.__getitem__, words)), surface)


def _tokenize_spans(text: str, spans: list[tuple[int, int]]) -> Tokens:
    """Tokens from their spans: words cut from the lower-cased sentence."""
    starts = tuple(s for s, _ in spans)
    ends = tuple(e for _, e in spans)
    lowered = text.lower()
    if len(lowered) == len(text):
        words = tuple([lowered[s:e] for s, e in spans])
    else:  # a few characters change length when lower-cased; slice the original instead
        words = tuple(text[s:e].lower() for s, e in spans)
    keys = _KEYS
    return Tokens(starts, ends, words, tuple([keys[w] for w in words]), tuple([text[s:e] for s, e in spans]))


def _split_contractions(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """"didn't" is tokenized "didn", "t": make it "did", "n't"."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if (out and e - s == 1 and text[s] in "tT" and s >= 2 and text[s - 1] in "'’"
                and text[s - 2] in "nN" and out[-1][1] == s - 1 and out[-1][1] - out[-1][0] > 1):
            prev_s, prev_e = out.pop()
            out.append((prev_s, prev_e - 1))
            out.append((prev_e - 1, e))
        else:
            out.append((s, e))
    return out
