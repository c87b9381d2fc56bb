"""Actors: who a sentence mentions, and whom each signal is about.

Names come from `rules/actors.yaml` and match case-sensitively as whole
words ("US" is not "us"; "Minsk's" is Minsk). Attribution heuristic, in
order: the nearest actor mentioned before the hit in the same sentence (the
agent of a news sentence usually precedes its verb: "Minsk released",
"the United States would relax"); else the nearest one after it; else, in
an article, the actor most recently mentioned in earlier sentences (the
running subject of "He stressed ..."); else none.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .tokens import Tokens, tokenize

ACTOR_KINDS = ("state", "bloc", "organisation")
ALIAS_FIELDS = ("names", "demonyms", "capitals", "leaders", "institutions")


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Mention:
    actor: str
    i: int  # first token
    j: int  # one past the last token


def alias_words(alias: str) -> tuple[str, ...]:
    toks = tokenize(alias)
    return tuple(alias[s:e] for s, e in zip(toks.starts, toks.ends))


class ActorMatcher:
    """Finds actor mentions in one pass over a sentence's tokens."""

    def __init__(self, actors: tuple[Actor, ...]) -> None:
        self.actors = {a.id: a for a in actors}
        self._index: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for actor in actors:
            for alias in actor.aliases:
                words = alias_words(alias)
                if words:
                    self._index[words[0]].append((words, actor.id))
        for entries in self._index.values():
            entries.sort(key=lambda e: -len(e[0]))  # longest alias first

    def mentions(self, text: str, toks: Tokens) -> list[Mention]:
        """Non-overlapping mentions, longest alias winning at each position."""
        if not self._index:
            return []
        surface = [text[s:e] for s, e in zip(toks.starts, toks.ends)]
        out: list[Mention] = []
        i, n = 0, len(surface)
        while i < n:
            for words, actor in self._index.get(surface[i], ()):
                if tuple(surface[i:i + len(words)]) == words:
                    out.append(Mention(actor, i, i + len(words)))
                    i += len(words)
                    break
            else:
                i += 1
        return out


def attribute(mentions: list[Mention], i: int, j: int, fallback: str | None) -> str | None:
    """The actor a hit spanning tokens [i, j) is most plausibly about."""
    before = [m for m in mentions if m.j <= i]
    if before:
        return before[-1].actor
    after = [m for m in mentions if m.i >= j]
    if after:
        return after[0].actor
    inside = [m for m in mentions if m.i < j and m.j > i]
    if inside:
        return inside[0].actor
    return fallback
