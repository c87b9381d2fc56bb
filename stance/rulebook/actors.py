"""Actors: who a sentence mentions, and whom each signal is about.

Names come from `rules/actors.yaml` and match case-sensitively as whole
words ("US" is not "us"; "Minsk's" is Minsk).

Attribution looks for the agent, which in news prose is usually the first
actor named in a clause and is rarely the object of a preposition ("talks
*with Minsk*", "sanctions *on Belarus*"). For a hit, in order:

1. the first actor, not governed by a preposition, named before the hit in
   the hit's clause (clauses end at , ; : ( ) dashes and at that, which,
   who, whereby, while, but, however ...);
2. else the first such actor named before the hit in the sentence;
3. else the running subject: the first such actor of the latest earlier
   sentence that named one ("He stressed that ..."), in an article;
4. else the first such actor named after the hit, else any actor named.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from itertools import compress, count, repeat

from ..fastinit import frozen_init
from ..text.tokens import Tokens, tokenize

ACTOR_KINDS = ("state", "bloc", "organisation")
ALIAS_FIELDS = ("names", "demonyms", "capitals", "leaders", "institutions")


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...]


@frozen_init
@dataclass(frozen=True, slots=True)
class Mention:
    actor: str
    i: int  # first token
    j: int  # one past the last token
    governed: bool = False  # object of a preposition: "talks with Minsk"
    clause: int = 0


# Words whose object is rarely the agent, and the words that may stand
# between them and the name ("with the other Western governments").
PREPOSITIONS = frozenset(
    "with to toward towards on against from of in at for into by under between among over onto upon about "
    "across through like unlike including beyond behind within without via".split()
)
DETERMINERS = frozenset("the a an its their his her our other both several most some all many".split())
CLAUSE_WORDS = frozenset("that which who whom whose whereby while whereas although though but however because".split())
CLAUSE_BREAKS = frozenset(",;:()—–")


_CLAUSE_BREAK_RE = re.compile("[" + re.escape("".join(sorted(CLAUSE_BREAKS))) + "]")


def clause_ids(text: str, toks: Tokens) -> list[int]:
    """A clause number for each token."""
    bounds = clause_bounds(text, toks)
    ids: list[int] = []
    for clause, b in enumerate(bounds):
        ids.extend(repeat(clause, b - len(ids)))
    ids.extend(repeat(len(bounds), len(toks) - len(ids)))
    return ids


def clause_bounds(text: str, toks: Tokens) -> list[int]:
    """The tokens that start a new clause, in order: token k's clause number
    is `bisect_right(bounds, k)`, the same as `clause_ids(text, toks)[k]`."""
    starts, words = toks.starts, toks.words
    n = len(words)
    boundaries = {bisect_left(starts, m.start()) for m in _CLAUSE_BREAK_RE.finditer(text)}
    if not CLAUSE_WORDS.isdisjoint(words):
        boundaries.update(compress(count(), map(CLAUSE_WORDS.__contains__, words)))
    boundaries.discard(0)
    bounds = sorted(boundaries)
    while bounds and bounds[-1] >= n:  # a break after the last word starts no clause
        bounds.pop()
    return bounds


def alias_words(alias: str) -> tuple[str, ...]:
    toks = tokenize(alias)
    return tuple(alias[s:e] for s, e in zip(toks.starts, toks.ends))


class ActorMatcher:
    """Finds actor mentions in one pass over a sentence's tokens."""

    def __init__(self, actors: tuple[Actor, ...]) -> None:
        self.actors = {a.id: a for a in actors}
        # first word, lower-cased -> (the alias's words as written, actor id)
        self._index: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for actor in actors:
            for alias in actor.aliases:
                words = alias_words(alias)
                if words:
                    self._index[words[0].lower()].append((words, actor.id))
        for entries in self._index.values():
            entries.sort(key=lambda e: -len(e[0]))  # longest alias first
        # The same aliases by their first word as written, then by all their
        # words: a token's surface finds its candidates, and the following
        # surface words are looked up whole, longest alias first (the first
        # alias listed wins a tie, as in `_index`).
        grouped: dict[str, dict[tuple[str, ...], str]] = {}
        for entries in self._index.values():
            for words, actor_id in entries:
                grouped.setdefault(words[0], {}).setdefault(words, actor_id)
        self._by_surface: dict[str, tuple[tuple[int, ...], dict[tuple[str, ...], str]]] = {
            first: (tuple(sorted({len(w) for w in aliases}, reverse=True)), aliases)
            for first, aliases in grouped.items()
        }

    def mentions(self, text: str, toks: Tokens) -> list[Mention]:
        """Non-overlapping mentions, longest alias winning at each position."""
        return self.find(text, toks)[0]

    def find(self, text: str, toks: Tokens) -> tuple[list[Mention], list[int] | None]:
        """Mentions, and the clause bounds of the tokens when there are any
        (else None; see `clause_bounds`)."""
        index = self._by_surface
        words = toks.words
        surface = toks.surface or tuple([text[s:e] for s, e in zip(toks.starts, toks.ends)])
        starts = toks.starts
        out: list[Mention] = []
        bounds: list[int] | None = None
        n = len(words)
        free_from = 0  # the first token a new mention may start at
        for i in compress(count(), map(index.__contains__, surface)):
            if i < free_from:
                continue
            sizes, aliases = index[surface[i]]
            for size in sizes:
                actor = aliases.get(surface[i:i + size]) if i + size <= n else None
                if actor is not None:
                    if bounds is None:
                        bounds = clause_bounds(text, toks)
                    governed = _governed(words, text, starts, i, out[-1] if out else None)
                    out.append(Mention(actor, i, i + size, governed, bisect_right(bounds, i)))
                    free_from = i + size
                    break
        return out, bounds


# Words looked back from a name for a governing preposition ("with the new
# Trump administration"); the look-back stops at a clause word or a capital.
GOVERNOR_REACH = 3


def _governed(words: tuple[str, ...], text: str, starts: tuple[int, ...], i: int, previous: Mention | None) -> bool:
    for k in range(i - 1, max(-1, i - 1 - GOVERNOR_REACH), -1):
        word = words[k]
        if word in PREPOSITIONS:
            return True
        if word in ("and", "or") and previous is not None and previous.j >= k - 2:
            return previous.governed  # "with the United States and other Western countries"
        if word in CLAUSE_WORDS or text[starts[k]].isupper():
            return False
    return False


def subject(mentions: list[Mention]) -> str | None:
    """The sentence's likely agent: its first actor not governed by a preposition."""
    free = [m for m in mentions if not m.governed]
    return free[0].actor if free else None


def attribute(mentions: list[Mention], i: int, j: int, clause: int, running: str | None) -> str | None:
    """The actor a hit spanning tokens [i, j) in clause `clause` is most plausibly about."""
    # One pass over the mentions before the hit (they come in order and do
    # not overlap): the first free one in the hit's clause, else the first free one.
    first_free = None
    for m in mentions:
        if m.j > i:
            break
        if not m.governed:
            if m.clause == clause:
                return m.actor
            if first_free is None:
                first_free = m.actor
    if first_free is not None:
        return first_free
    if running is not None:
        return running
    for m in mentions:
        if m.i >= j and not m.governed:
            return m.actor
    return mentions[0].actor if mentions else None
