"""The parts a rule is made of: phrases, near patterns, regexes.

A phrase is a sequence of words; each word matches a token by its key
(inflection folded) or, written with a trailing `*`, by the start of the
lower-cased word. Parsing here is pure and raises `ValueError` with a
message the rule loader locates in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from ..fastinit import frozen_init
from ..rulebook.prefilter import Prefilter, compile_prefilter
from ..text.tokens import word_key

SIGNALS = ("deescalation", "condition", "red_line", "escalation", "hedge")
NEGATION_EFFECTS = ("veto", "flip", "ignore")
# Negation flips a hit into the opposite direction; other signals have none.
OPPOSITE = {"deescalation": "escalation", "escalation": "deescalation"}

# A `*` word needs this many letters first, so "a*" cannot match everything.
MIN_PREFIX = 3
# Largest gap, in words, a near pattern or an `unless` window may span.
MAX_WINDOW = 30
# Time one regex may take on one sentence before it is abandoned (seconds).
REGEX_TIMEOUT = 0.02
# The limit is wall time, and a regex that ran out of it on a busy machine
# (searches take ~4 us alone, up to ~1 ms under load) would lose a hit; so a
# timed-out search runs once more with this limit before the hit is given up.
# A regex that backtracks catastrophically is refused at load (see below).
REGEX_RETRY_TIMEOUT = 0.5
# Inputs that make backtracking regexes blow up; a regex that cannot finish
# on them within REGEX_TIMEOUT is refused when the rules are loaded.
REGEX_PROBES = ("a" * 64 + "!", "word " * 40 + "!", "a, " * 60 + "!", "1" * 64 + "x")
MAX_OWN_PROBES = 12

_PATTERN_WORD = re.compile(r"[^\W_]+?(?=n['’]t\b)|n['’]t\b|=?[^\W_]+\*?|\S")


@frozen_init  # one per word of each of the ~6,600 phrases loaded at start-up
@dataclass(frozen=True, slots=True)
class Word:
    """One word of a phrase: a key to equal, a prefix to start with, or
    (written `=word`) an exact word form, for words whose stem is too broad
    ("=reportedly" must not match "reported")."""

    value: str
    prefix: bool = False
    exact: str = ""

    def matches(self, word: str, key: str) -> bool:
        if self.prefix:
            return word.startswith(self.value)
        return word == self.exact if self.exact else key == self.value


@frozen_init
@dataclass(frozen=True, slots=True)
class Phrase:
    text: str
    words: tuple[Word, ...]


@dataclass(frozen=True, slots=True)
class PhrasePattern:
    phrase: Phrase

    def describe(self) -> str:
        return f"phrase '{self.phrase.text}'"


@dataclass(frozen=True, slots=True)
class NearPattern:
    """Terms (each a set of alternative phrases) within `within` words."""

    terms: tuple[tuple[Phrase, ...], ...]
    within: int
    ordered: bool

    def describe(self) -> str:
        terms = " ... ".join("|".join(p.text for p in alts) for alts in self.terms)
        return f"near '{terms}' within {self.within}{' in order' if self.ordered else ''}"


@dataclass(frozen=True, slots=True)
class RegexPattern:
    source: str
    compiled: regex.Pattern[str]
    # A search for literals every match holds: a sentence without one is
    # skipped (see prefilter.py); None runs the regex on every sentence.
    prefilter: Prefilter | None = None

    def describe(self) -> str:
        return f"regex '{self.source}'"


Pattern = PhrasePattern | NearPattern | RegexPattern


@dataclass(frozen=True, slots=True)
class Unless:
    """A phrase that vetoes a hit when it stands within the window."""

    phrase: Phrase
    before: int
    after: int


def parse_phrase(text: str) -> Phrase:
    """Parse a phrase such as "relax* sanctions" or "de-escalate"."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a phrase must be a non-empty string")
    words: list[Word] = []
    for piece in _PATTERN_WORD.findall(text.lower()):
        if piece.endswith("*") and len(piece) > 1:
            stem = piece[:-1]
            if len(stem) < MIN_PREFIX:
                raise ValueError(f"'{piece}' is too short before '*' (at least {MIN_PREFIX} letters)")
            words.append(Word(stem, prefix=True))
        elif piece.startswith("=") and len(piece) > 1 and not piece.endswith("*"):
            words.append(Word(word_key(piece[1:]), exact=piece[1:]))
        elif piece[0].isalnum():
            words.append(Word(word_key(piece)))
        elif piece == "*":
            raise ValueError("'*' must end a word, as in 'escalat*'")
        # other punctuation (hyphens, dots) only separates words
    if not words:
        raise ValueError(f"phrase '{text}' has no words")
    return Phrase(text, tuple(words))


# Rule regexes are case-insensitive unless they say otherwise, in the
# `regex` module's version 0 syntax (that of the standard `re`).
REGEX_FLAGS = regex.IGNORECASE | regex.V0


def compile_regex(source: str) -> RegexPattern:
    """Compile a rule regex, refusing one that backtracks catastrophically."""
    try:
        compiled = regex.compile(source, REGEX_FLAGS)
    except regex.error as exc:
        raise ValueError(f"invalid regex: {exc}") from None
    if compiled.search("") is not None:
        raise ValueError("regex matches the empty string, so it would fire on every sentence")
    own = sorted({c for c in source if c.isalnum()})[:MAX_OWN_PROBES]  # runs of the pattern's own letters
    for probe in (*REGEX_PROBES, *(c * 64 + "\x00" for c in own)):
        try:
            compiled.search(probe, timeout=REGEX_TIMEOUT)
        except TimeoutError:
            raise ValueError(
                "regex backtracks catastrophically (timed out on a probe input); "
                "avoid nested quantifiers such as (a+)+"
            ) from None
    return RegexPattern(source, compiled, compile_prefilter(source, REGEX_FLAGS))
