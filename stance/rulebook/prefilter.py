"""Literal prefilters for rule regexes: skip a sentence that cannot match.

Every rule regex runs on every sentence with a time limit, and the `regex`
module pays about a microsecond per call for that limit alone (it reads the
process clock), plus its scan. Most regexes need a word the sentence rarely
holds ("Should", "never"): when no match can exist without one of a few
literal strings, a plain search for those strings, with the same engine and
case flags and no backtracking to fear, says whether the regex needs to run.

The literals are read from the pattern's parse tree: runs of literal
characters that every match must contain (in a group that must occur, in
every branch of an alternation, or in a lookahead or lookbehind that must
hold). Anything not understood gives no prefilter, and the regex runs on
every sentence as before: the prefilter may only ever skip a sentence the
regex cannot match.

`LiteralScan` finds every regex's literals in a whole article in one
Aho-Corasick pass (pyahocorasick, in C) and hands each sentence the regexes
whose literals it holds, so no sentence tests literals one by one. A
sentence that holds a regex's most selective literals is then checked for
the regex's other requirements too: "If ..., the sanctions ... could"
needs "if", one of its nouns and one of its modals, and most sentences
with " and " lack "met" or "meet".
"""

from __future__ import annotations

import re
import warnings
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import regex

try:  # the standard library's own regex parser (private, stable since 3.11)
    from re import _constants as _c  # type: ignore[attr-defined]  # private: not in the type stubs
    from re import _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another Python: no prefilters, same answers
    _parser = None  # type: ignore[assignment]

# Syntax the standard parser reads differently from the `regex` module, or
# not at all: braces that are not a counted repeat (fuzzy matching "{e<=1}",
# "\p{L}", "\N{...}") and POSIX classes "[[:alpha:]]". A pattern holding any
# gets no prefilter.
_UNSURE = re.compile(r"\{(?!\d*(?:,\d*)?\})|\[:")
# A literal must be at least this long to be worth a search of its own.
MIN_LITERAL = 2


def required_literals(source: str) -> frozenset[str] | None:
    """Strings one of which every match of `source` contains, or None when unsure."""
    found = _requirements(source)
    return found[0] if found else None


def required_clauses(source: str) -> tuple[frozenset[str], ...]:
    """Every set of literals of which every match of `source` contains one
    (all of them hold together: "If ..., the sanctions ... could" needs
    "if", one of the nouns and one of the modals), each worth a search;
    () when unsure. `required_literals` is the most selective of them."""
    found = _requirements(source)
    return found[1] if found else ()


def _requirements(source: str) -> tuple[frozenset[str], tuple[frozenset[str], ...]] | None:
    """The most selective requirement and all those worth a search, read
    from one parse of the pattern; None when unsure or when not even the
    most selective is worth one."""
    if _parser is None or _UNSURE.search(source):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a "possible nested set" warning means unsure
            parsed = _parser.parse(source, re.IGNORECASE)
    except Exception:  # noqa: BLE001 - syntax only `regex` knows: no prefilter
        return None
    found = _clauses(parsed)
    best = _best(found)
    if not best or min(map(len, best)) < MIN_LITERAL:
        return None
    return frozenset(best), tuple(dict.fromkeys(frozenset(c) for c in found if min(map(len, c)) >= MIN_LITERAL))


@dataclass(frozen=True, slots=True)
class Prefilter:
    """The literals one of which every match of a rule regex holds, and two
    ways to look for them that give the same answer."""

    pattern: regex.Pattern[str]  # any of them, case-insensitively
    lowered: tuple[str, ...]  # the same literals lower-cased when all are ASCII, else ()
    # When `lowered` is given: it, then the regex's other requirements whose
    # literals are ASCII, lower-cased (see `required_clauses`), all of which
    # an article scan checks.
    clauses: tuple[tuple[str, ...], ...] = ()

    def admits(self, text: str, lowered: str | None) -> bool:
        """Whether `text` holds one of the literals, ignoring case.

        `lowered` is `lower_for_literals(text)`. Where it is given and the
        literals are ASCII, substring tests in it answer as the
        case-insensitive search does, at a fraction of its cost (the
        `regex` module walks a case-insensitive alternation character by
        character); otherwise the search runs.
        """
        if lowered is not None and self.lowered:
            return any([literal in lowered for literal in self.lowered])
        return self.pattern.search(text) is not None


# The characters beyond ASCII that case-insensitive matching, or lower(),
# ties to an ASCII character: İ, ı, long s and the Kelvin sign
# (tests/test_fast_paths.py derives them from every code point).
FOLDS_INTO_ASCII = "\u0130\u0131\u017f\u212a"
_FOLDS_INTO_ASCII = re.compile(f"[{FOLDS_INTO_ASCII}]")


def lower_for_literals(text: str) -> str | None:
    """`text.lower()`, in which an ASCII literal occurs exactly where a
    case-insensitive search finds it in `text`; None when `text` holds a
    character that folds into ASCII, for which only the search is exact.
    (Lower-casing maps ASCII letters to themselves lower-cased and every
    other character to characters outside ASCII.)"""
    return None if _FOLDS_INTO_ASCII.search(text) else text.lower()


T = TypeVar("T")
# Requirements left to check in a sentence: each clause is met by any one of its literals.
Clauses = tuple[tuple[str, ...], ...]
# Distinct sets of candidate items remembered by a scan; cleared when full.
CANDIDATES_CACHE_LIMIT = 10_000


class LiteralScan(Generic[T]):
    """Which of `items` can match in each sentence of an article, from one
    pass over the article.

    Each item comes with its requirements (sets of ASCII literals,
    lower-cased: a prefilter's `clauses`), and is admitted in a sentence
    that holds one literal of each. The first requirement, the most
    selective, is looked for in the whole article at once: an occurrence in
    the lower-cased article inside the sentence's span counts, as the
    lower-cased sentence holds exactly those (lower-casing maps every
    character to one, bar the ones `lower_for_literals` refuses, and ASCII
    letters to ASCII letters without context). The others, often short or
    common words whose every occurrence would cost a step, are tested with
    `in` in the few sentences that meet the first. An item without
    requirements is admitted everywhere, for the caller to check.
    """

    def __init__(self, items: Sequence[tuple[T, Sequence[Sequence[str]]]]) -> None:
        self._items = [item for item, _ in items]
        self._rest: list[Clauses] = [tuple(map(tuple, clauses[1:])) for _, clauses in items]
        self._always = 0  # bit k: item k has no requirement
        bits: dict[str, int] = {}  # literal -> the items whose first requirement it meets
        for k, (_, clauses) in enumerate(items):
            if not clauses:
                self._always |= 1 << k
            for literal in clauses[0] if clauses else ():
                bits[literal] = bits.get(literal, 0) | 1 << k
        self._automaton: Any = None
        if bits:
            import ahocorasick  # here, not at import: `stance rules check` never scans

            self._automaton = ahocorasick.Automaton()
            for literal, found in bits.items():
                self._automaton.add_word(literal, (len(literal) - 1, found))
            self._automaton.make_automaton()
        self._candidates: dict[int, tuple[tuple[T, ...], tuple[tuple[T, Clauses], ...] | None]] = {}

    def per_sentence(self, article: str, spans: Sequence[tuple[int, int]]) -> list[tuple[T, ...]] | None:
        """The items each sentence (a span of `article`, spans in order)
        may match, in the order given; None when the article holds a
        character for which only a search per sentence is exact."""
        lowered = lower_for_literals(article)
        if lowered is None:
            return None
        met = [self._always] * len(spans)
        if self._automaton is not None:
            starts = [s for s, _ in spans]
            for last, (back, found) in self._automaton.iter(lowered):
                k = bisect_right(starts, last - back) - 1  # the sentence the literal starts in
                if k >= 0 and last < spans[k][1]:  # and ends in
                    met[k] |= found
        out: list[tuple[T, ...]] = []
        candidates_of = self._candidates_of
        for (start, end), mask in zip(spans, met):
            items, checks = candidates_of(mask)
            if checks is None:
                out.append(items)
            else:
                sentence = lowered[start:end]
                out.append(tuple([item for item, rest in checks if _holds(sentence, rest)]))
        return out

    def _candidates_of(self, mask: int) -> tuple[tuple[T, ...], tuple[tuple[T, Clauses], ...] | None]:
        """The items a mask admits, and the same with their other
        requirements to check, or None when none has any (most sentences)."""
        found = self._candidates.get(mask)
        if found is None:
            if len(self._candidates) >= CANDIDATES_CACHE_LIMIT:
                self._candidates.clear()
            checks = tuple((item, rest) for k, (item, rest) in enumerate(zip(self._items, self._rest)) if mask >> k & 1)
            found = (tuple(item for item, _ in checks), checks if any(rest for _, rest in checks) else None)
            self._candidates[mask] = found
        return found


def _holds(text: str, clauses: Clauses) -> bool:
    """Whether `text` holds a literal of each clause (loops: faster than nested generators)."""
    for clause in clauses:
        for literal in clause:
            if literal in text:
                break
        else:
            return False
    return True


def compile_prefilter(source: str, flags: int) -> Prefilter | None:
    """The required literals, searched with the rule's flags plus IGNORECASE
    (a superset of the regex's own case matching)."""
    found = _requirements(source)
    if found is None:
        return None
    literals, clauses_found = found
    ordered = sorted(literals, key=lambda s: (-len(s), s))
    alternatives = "|".join(regex.escape(s) for s in ordered)
    lowered = tuple(s.lower() for s in ordered) if all(s.isascii() for s in ordered) else ()
    clauses: tuple[tuple[str, ...], ...] = ()
    if lowered:
        others = [tuple(sorted({s.lower() for s in clause})) for clause in clauses_found
                  if clause != literals and all(s.isascii() for s in clause)]
        clauses = tuple(dict.fromkeys([lowered, *others]))
    return Prefilter(regex.compile(alternatives, flags | regex.IGNORECASE), lowered, clauses)


def _clauses(items: Any) -> list[set[str]]:
    """The requirements of a sequence of parse items, in order: runs of
    literal characters, and those of each item."""
    found: list[set[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if run:
            found.append({"".join(run)})
        run = []
        found.extend(_item(op, av))
    if run:
        found.append({"".join(run)})
    return found


def _best(found: list[set[str]]) -> set[str] | None:
    """The most selective requirement (the first of equals)."""
    best: set[str] | None = None
    for clause in found:
        if best is None or _score(clause) > _score(best):
            best = clause
    return best


def _item(op: Any, av: Any) -> list[set[str]]:
    if op is _c.SUBPATTERN:
        return _clauses(av[-1])
    if op is _c.ATOMIC_GROUP:
        return _clauses(av)
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)):
        low, _, body = av
        return _clauses(body) if low >= 1 else []
    if op is _c.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            found = _best(_clauses(branch))
            if not found:
                return []  # a branch that needs nothing: the alternation needs nothing
            union |= found
        return [union]
    if op is _c.ASSERT:  # a lookahead or lookbehind that must hold: its text is in the sentence
        return _clauses(av[1])
    return []  # classes, anchors, negative lookarounds, backreferences, conditionals


def _score(found: set[str]) -> tuple[int, int]:
    """Longer shortest literal first, then fewer alternatives."""
    return min(map(len, found)), -len(found)
