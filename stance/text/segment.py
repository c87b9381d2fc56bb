"""Sentence segmentation with character offsets into the original text.

A rule-based splitter tuned for news copy. Every line that stands on its own
(headline, byline, bullet, list item, section label) is a block, and wrapped
lines of one paragraph are joined. Inside a block a sentence ends at . ! ? or
an ellipsis followed by a space and not by a lower-case word, except:

- after an abbreviation or an initial (Co., U.S., p.m., W.) it ends only if
  the next word is one that opens sentences ("in the U.S. He said" splits,
  "the U.S. Government" and "Albert I. Jones" do not); after a title (Mr.,
  Gen.) never, nor anywhere in a Title-Case headline line;
- a list marker ("1.", "a)", "(ii)") does not end a sentence, and a run of
  them inside a block ("1) ... 2) ...") starts a sentence at each marker;
- a spaced ellipsis (". . .") is one mark, never sentences of one dot: after
  a space it is an omission inside the sentence, unless a fourth dot ends
  it; right after a word ("end. . . . Next") its first dot ends the sentence,
  and an elision "[...]" ends nothing.

It is written here rather than taken from pySBD because it must keep exact
offsets and split well over 150,000 sentences a second; bench/golden_rules.py
scores it on the Pragmatic Segmenter's English golden rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..fastinit import frozen_init

# Titles: a name follows, so their full stop never ends a sentence. Also the
# short forms that introduce what follows (e.g., vs.).
TITLES = frozenset(
    """
    mr mrs ms messrs dr prof gen lt col maj capt cmdr adm brig sgt cpl rep sen gov pres amb
    st mt ft rev hon fr sec supt insp e.g i.e cf vs viz
    """.split()
)
# Abbreviations that may end a sentence as well as sit inside one (lower-cased,
# without the final full stop). Dotted initialisms (U.S., a.m., E.U.) and
# single-letter initials are recognised by their shape and treated alike.
ABBREVIATIONS = frozenset(
    """
    jr sr dept min no nos n° vol pp p para art ch fig
    jan feb mar apr jun jul aug sep sept oct nov dec
    inc ltd co corp bros est approx etc al
    """.split()
)
# Words that open sentences in news copy but seldom follow an abbreviation or
# an initial inside one: after "U.S." or "Co." they mean a new sentence.
# Pronouns, determiners, sentence adverbs and conjunctions, question words
# and auxiliaries; not names, titles or months, which do follow abbreviations.
SENTENCE_STARTERS = frozenset(
    """
    A An The This That These Those There Here It Its He She They We I You His Her Their Our My
    But And Yet So Or Nor However Meanwhile Still Now Then Also Even Instead Moreover Nevertheless
    According After Before When While If As Although Though Since Because Despite
    In On At For By With From During Some Many Most Both All Each Neither No Not Only Such
    What Which Who Why How Where Did Does Do Is Are Was Were Will Would Can Could Should Has Have Had
    """.split()
)

# A sentence cannot run longer than this many characters: a run of text with
# no punctuation is cut at the last space before the limit, so that matching
# stays bounded on hostile input.
MAX_SENTENCE_CHARS = 5_000

# A run of stops (". . ." spaced out counts as one run) and the closing quotes
# and brackets that stay with it, before a space or the end of the block.
# It opens on a plain stop so the engine can skip to candidates; the checks
# on what comes before (an elision's "[") are made in Python, three times
# faster than a leading lookbehind.
def _end_of_sentence(opening: str) -> re.Pattern[str]:
    return re.compile(rf"(?P<stops>{opening}(?>(?:[ \u00a0]\.)+|[.!?…]*))[”\"’')\]]*(?=\s|\Z)")


_END = _end_of_sentence("[.!?…]")
# The same for a block without "!", "?" or "…" (most): opening on a literal
# full stop, the engine skips to candidates with a plain character search
# instead of testing each character against the class (a third of the time).
_END_DOT = _end_of_sentence(r"\.")
# Characters looked back from a full stop for the word it ends; longer than
# any abbreviation, short enough that a long block is not rescanned per stop.
ABBREVIATION_LOOKBACK = 24
# A full stop after this many letters in a row closes a word longer than any
# title or abbreviation (and no initial or dotted form), so most stops are
# settled without looking for the word.
PLAIN_WORD_LETTERS = max(len(w) for w in TITLES | ABBREVIATIONS) + 1
_WORD_BEFORE = re.compile(r"([^\s(“\"‘']+)$")
_DOTTED = re.compile(r"(?:[a-z]\.)+[a-z]")  # u.s, a.m, e.u, u.s.a
_FIRST_AFTER = re.compile(r"\s*(\S)")
_NEXT_WORD = re.compile(r"\s*[“\"‘'(]*([A-Za-z]+)(?![\w-])")
# A list marker: "1.", "2.)", "a)", "(ii)", optionally after a bullet.
_MARKER = r"[•⁃]?\s?\(?(?P<label>\d{1,3}|[ivx]{1,4}|[a-z])(?:\.\)|[.)])"
# A line that starts a list item or a bullet, and so is never a wrapped line.
_BULLET = re.compile(rf"\s*(?:[-*•⁃–—]|{_MARKER})\s")
# A list marker inside a block, where it starts an item only before a capital.
_LIST_MARKER = re.compile(rf"(?<!\S){_MARKER}(?=\s+[A-Z“\"‘'(])")
# Whether a block may hold a list run: a first label ("1.", "a)", "(i)") at
# its start or after a space. This cheap scan opens on the stop and gates the
# full search, so most blocks skip it.
# One pattern per stop, each opening on its literal (see _END_DOT); the one
# for ")" runs only in blocks that hold one.
def _first_label(stop: str) -> re.Pattern[str]:
    stop = re.escape(stop)
    return re.compile(rf"{stop}(?<=[1ai]{stop})(?<![^\s(][1ai]{stop})\)?\s")


_FIRST_LABEL_DOT, _FIRST_LABEL_PAREN = _first_label("."), _first_label(")")
# Text that is nothing but a marker's label: its full stop ends no sentence.
_MARKER_ONLY = re.compile(r"\s*[•⁃*–-]?\s*\(?(?:\d{1,3}|[ivxIVX]{1,4}|[A-Za-z])\)?\s*")
MARKER_CHARS = 8  # longer than any marker: "  • 10" or "(viii"
_ROMAN = {r: n for n, r in enumerate("i ii iii iv v vi vii viii ix x".split(), 1)}
_TERMINAL = (".", "!", "?", "…", ":", "”", "\"", "’", "'", ")")
# A spaced ellipsis after a space ends the sentence only with a fourth dot,
# the full stop (". . . ."); three are an omission inside it.
ELLIPSIS_WITH_STOP = 4
# A line at least this long that does not end a sentence is taken to be
# wrapped, and joined to the next line (72-column wrapping leaves ~60+).
WRAPPED_LINE_CHARS = 60
# Share of capitalised words from which a line reads as a headline (Title Case
# capitalises all but short function words; prose a few names).
HEADLINE_CAPITALISED = 0.6


@frozen_init  # one a sentence: half the cost of the generated __init__ (see fastinit.py)
@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: its position in the article and its text."""

    index: int
    start: int
    end: int
    text: str


def _blocks(text: str) -> list[tuple[int, int]]:
    """Spans of blocks: stand-alone lines, or wrapped lines of one paragraph."""
    lines: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        lines.append((pos, pos + len(body)))
        pos += len(line)
    blocks: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for i, (start, end) in enumerate(lines):
        body = text[start:end].strip()
        if not body:
            if current:
                blocks.append(current)
            current = None
            continue
        current = (current[0], end) if current else (start, end)
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if nxt is None or not _continues(body, text[nxt[0]:nxt[1]]):
            blocks.append(current)
            current = None
    if current:
        blocks.append(current)
    return blocks


def _continues(line: str, next_line: str) -> bool:
    """Whether `next_line` carries on the paragraph that `line` is part of."""
    following = next_line.strip()
    if not following or _BULLET.match(next_line):
        return False
    if line.endswith(_TERMINAL):
        # A wrapped line may end on "Gen." or "the U.S." mid-sentence.
        probe = f"{line} {following}"
        if not (line.endswith(".") and _abbreviation_holds(probe, len(line) - 1, len(line) + 1)):
            return False
    if following[0].islower():
        return True
    return len(line) >= WRAPPED_LINE_CHARS and not _is_headline(line)


def _is_headline(line: str) -> bool:
    """Title Case: most words capitalised, as headlines are and wrapped prose is not."""
    words = [w for w in line.split() if w[0].isalpha()]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= HEADLINE_CAPITALISED * len(words)


def _abbreviation_holds(block: str, stop: int, after: int, headline: bool = False) -> bool:
    """Whether the full stop at `stop` closes an abbreviation or an initial
    that the sentence carries on past (the next word starts at `after`)."""
    if stop >= PLAIN_WORD_LETTERS and block[stop - PLAIN_WORD_LETTERS:stop].isalpha():
        return False
    m = _WORD_BEFORE.search(block, max(0, stop - ABBREVIATION_LOOKBACK), stop)
    if not m:
        return False
    word = m.group(1).lower()
    if word in TITLES:
        return True
    if not (word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or _DOTTED.fullmatch(word)):
        return False
    if headline:
        return True  # "Why the U.S. Is Wary": Title Case capitalises every word
    following = _NEXT_WORD.match(block, after)
    return not (following and following.group(1) in SENTENCE_STARTERS)


def _list_markers(block: str) -> dict[int, int]:
    """Markers of lists inside a block, start -> end: a run of labels that
    follow one another (1, 2 / a, b / i, ii), begun by the first label, a
    bullet, or the block's start; a lone "I." or "52." is not a list."""
    if not (_FIRST_LABEL_DOT.search(block) or (")" in block and _FIRST_LABEL_PAREN.search(block))
            or _BULLET.match(block) or "•" in block or "⁃" in block):
        return {}
    waiting: dict[tuple[str, int], list[tuple[int, int]]] = {}
    runs: list[list[tuple[int, int]]] = []
    lead = len(block) - len(block.lstrip())
    for m in _LIST_MARKER.finditer(block):
        readings = _readings(m.group("label"))
        found = next((r for r in readings if r in waiting), None)
        if found:
            run = waiting.pop(found)
        else:
            opens = m.start() == lead or block[m.start()] in "•⁃"
            found = next((r for r in readings if r[1] == 1 or opens), None)
            if found is None:
                continue
            run = []
            runs.append(run)
        run.append(m.span())
        waiting[(found[0], found[1] + 1)] = run
    return {s: e for run in runs if len(run) > 1 for s, e in run}


def _readings(label: str) -> list[tuple[str, int]]:
    """The sequences a label can stand in, with its place: "i" is roman 1 or letter 9."""
    if label.isdigit():
        return [("number", int(label))]
    out = [("roman", _ROMAN[label])] if label in _ROMAN else []
    if len(label) == 1:
        out.append(("letter", ord(label) - ord("a") + 1))
    return out


def _boundary(block: str, m: re.Match[str], begin: int, marker_ends: set[int], headline: bool) -> int | None:
    """Where the run of stops `m` ends a sentence begun at `begin`, if it does."""
    if m.end() in marker_ends:
        return None  # the full stop of "2." or "2.)"
    first = _FIRST_AFTER.match(block, m.end())
    if not first or first.group(1).islower() or first.group(1) in ".…":
        return None  # the sentence goes on, or only more dots follow
    stops = m.group("stops")
    if block[m.start() - 1:m.start()] == "[":
        return None  # an elision, "[...]"
    if " " in stops or "\u00a0" in stops:  # a spaced ellipsis
        if m.start() and not block[m.start() - 1].isspace():
            return m.start() + 1  # "compounds. . . . The": the first dot is the full stop
        return m.end() if stops.count(".") >= ELLIPSIS_WITH_STOP else None
    if m.start() - begin <= MARKER_CHARS and _MARKER_ONLY.fullmatch(block, begin, m.start()):
        return None  # "1. Sanctions were eased."
    if stops == "." and _abbreviation_holds(block, m.start(), m.end(), headline):
        return None
    return m.end()


def _split_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the sentences in one block, without surrounding space."""
    block = text[start:end]
    markers = _list_markers(block)
    marker_ends = set(markers.values())
    cuts = sorted(markers, reverse=True)  # a list item starts a sentence; popped from the end
    headline = "\n" not in block and not block.rstrip().endswith((".", "!", "?")) and _is_headline(block)
    bounds: list[int] = []
    begin = 0
    other_stops = "!" in block or "?" in block or "…" in block
    for m in (_END if other_stops else _END_DOT).finditer(block):
        while cuts and cuts[-1] <= m.start():
            begin = cuts.pop()
            bounds.append(begin)
        at = _boundary(block, m, begin, marker_ends, headline)
        if at is not None:
            bounds.append(at)
            begin = at
    bounds.extend(reversed(cuts))
    out: list[tuple[int, int]] = []
    for s, e in zip([0, *bounds], [*bounds, len(block)]):
        piece = block[s:e]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece.rstrip())
        if trail > lead:
            out.extend(_cap(text, start + s + lead, start + s + trail))
    return out


def _cap(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut an over-long span at spaces so no sentence exceeds the limit."""
    out: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + 1, start + MAX_SENTENCE_CHARS)
        if cut <= start:
            cut = start + MAX_SENTENCE_CHARS
        out.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        out.append((start, end))
    return out


def segment(text: str) -> list[Sentence]:
    """Split `text` into sentences; `text[s.start:s.end] == s.text` for each."""
    spans = [span for b in _blocks(text) for span in _split_block(text, *b)]
    return [Sentence(i, s, e, text[s:e]) for i, (s, e) in enumerate(spans)]
