"""Sentence segmentation with character offsets into the original text.

A rule-based splitter tuned for news and analysis: every line that stands on
its own (headline, byline, bullet, section label) is a block, wrapped lines
of one paragraph are joined, and inside a block a sentence ends at . ! ? or
an ellipsis followed by a space, unless the word before is a known
abbreviation or an initial (U.S., Gen., Feb., W.). It is written here rather
than taken from pySBD because it must keep exact offsets and score tens of
thousands of sentences a second (see bench/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Abbreviations that end in a full stop without ending the sentence
# (lower-cased, without the final full stop). Titles, months, and the
# short forms common in diplomatic reporting.
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen lt col maj capt cmdr adm sgt rep sen gov pres amb
    st mt ft jr sr rev hon fr sec dept min no nos vol pp p para art ch fig
    jan feb mar apr jun jul aug sep sept oct nov dec
    inc ltd co corp bros est approx vs etc al cf ie eg e.g i.e u.s u.k u.n
    e.u u.s.a d.c
    """.split()
)

# A sentence cannot run longer than this many characters: a run of text with
# no punctuation is cut at the last space before the limit, so that matching
# stays bounded on hostile input.
MAX_SENTENCE_CHARS = 5_000

_END = re.compile(r"[.!?…]+[”\"’')\]]*(?=\s)")
# Characters looked back from a full stop for the word it ends; longer than
# any abbreviation, short enough that a long block is not rescanned per stop.
ABBREVIATION_LOOKBACK = 24
_WORD_BEFORE = re.compile(r"([^\s(“\"‘']+)$")
_BULLET = re.compile(r"\s*(?:[-*•–—]|\d+[.)])\s")
_TERMINAL = (".", "!", "?", "…", ":", "”", "\"", "’", "'", ")")
# A line at least this long that does not end a sentence is taken to be
# wrapped, and joined to the next line (72-column wrapping leaves ~60+).
WRAPPED_LINE_CHARS = 60
# Share of capitalised words from which a line reads as a headline (Title Case
# capitalises all but short function words; prose a few names).
HEADLINE_CAPITALISED = 0.6


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
    if not following or _BULLET.match(next_line) or line.endswith(_TERMINAL):
        return False
    if following[0].islower():
        return True
    return len(line) >= WRAPPED_LINE_CHARS and not _is_headline(line)


def _is_headline(line: str) -> bool:
    """Title Case: most words capitalised, as headlines are and wrapped prose is not."""
    words = [w for w in line.split() if w[0].isalpha()]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= HEADLINE_CAPITALISED * len(words)


def _is_abbreviation(block: str, stop: int) -> bool:
    """Whether the full stop at `stop` closes an abbreviation or an initial."""
    m = _WORD_BEFORE.search(block, max(0, stop - ABBREVIATION_LOOKBACK), stop)
    if not m:
        return False
    word = m.group(1).lower().rstrip(".")
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "Christopher W. Smith"
    return word in ABBREVIATIONS


def _split_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    block = text[start:end]
    spans: list[tuple[int, int]] = []
    begin = 0
    for m in _END.finditer(block):
        after = block[m.end():].lstrip()
        if not after:
            continue
        if block[m.start()] == "." and m.end() - m.start() == 1 and _is_abbreviation(block, m.start()):
            continue
        if after[0].islower():
            continue
        if block[begin:m.start()].strip().isdigit():
            continue  # a numbered list marker: "1. Sanctions were eased."
        spans.append((begin, m.end()))
        begin = m.end()
    spans.append((begin, len(block)))
    out: list[tuple[int, int]] = []
    for s, e in spans:
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
