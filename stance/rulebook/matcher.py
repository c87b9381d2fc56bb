"""Matching a rulebook against sentences in one pass over the tokens.

Every phrase of every rule (pattern words, near terms, `unless` vetoes,
negation cues) lives in one token trie, so a sentence costs one walk
however many rules there are; a near pattern is checked only when its
rarest-looking term occurs. Hits then pass two filters: `unless` phrases
within their window veto a hit, and negation scopes (ConText: a cue opens a
scope forward or backward that ends at a termination word, punctuation or
the window) veto, flip or leave it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, compress
from typing import Any

from ..fastinit import frozen_init
from ..rulebook.patterns import OPPOSITE, REGEX_RETRY_TIMEOUT, REGEX_TIMEOUT, NearPattern, Phrase, PhrasePattern, RegexPattern, Word
from ..rulebook.loading import Rule, Rulebook
from ..rulebook.prefilter import LiteralScan, lower_for_literals
from ..text.tokens import Tokens, tokenize, word_key

# Characters between two words that end a negation scope.
SCOPE_BREAKS = frozenset(",;:.!?()[]—–“”\"")
_PREFIX_INDEX_LEN = 3  # patterns.MIN_PREFIX: every `*` word has at least this many letters
# Words whose starting trie nodes are remembered; cleared when full so memory stays bounded.
ROOT_CACHE_LIMIT = 200_000


@frozen_init
@dataclass(frozen=True, slots=True)
class SignalHit:
    """One signal found: which rule, where, and what negation did to it."""

    rule: str
    category: str
    text: str
    start: int
    end: int
    pattern: str
    weight: float
    negated: bool = False
    actor: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule, "category": self.category, "text": self.text,
            "start": self.start, "end": self.end, "pattern": self.pattern,
            "weight": self.weight, "negated": self.negated, "actor": self.actor,
        }


@frozen_init
@dataclass(frozen=True, slots=True)
class Suppressed:
    """A hit that a filter removed, and why: the trail `stance explain` shows.

    `by` is "unless" or "negation"; a negated phrase is evidence the model
    uses ("refused to meet" pulls away from rapprochement).
    """

    hit: SignalHit
    reason: str
    by: str = "unless"


@frozen_init
@dataclass(frozen=True, slots=True)
class MatchResult:
    hits: tuple[SignalHit, ...]
    suppressed: tuple[Suppressed, ...]


# How a phrase word is checked against a token: (kind, value).
_KEY, _PREFIX, _EXACT = 0, 1, 2


def _check(word: Word) -> tuple[int, str]:
    if word.prefix:
        return (_PREFIX, word.value)
    return (_EXACT, word.exact) if word.exact else (_KEY, word.value)


class _Node:
    """A trie node: children by key, children by exact word or prefix, phrases ending here."""

    __slots__ = ("keys", "special", "ends")

    def __init__(self) -> None:
        self.keys: dict[str, _Node] = {}
        self.special: list[tuple[int, str, _Node]] = []
        self.ends: list[int] = []

    def child(self, kind: int, value: str) -> _Node:
        if kind == _KEY:
            return self.keys.setdefault(value, _Node())
        for k, v, node in self.special:
            if (k, v) == (kind, value):
                return node
        node = _Node()
        self.special.append((kind, value, node))
        return node


@dataclass(frozen=True, slots=True)
class _NearSpec:
    terms: tuple[frozenset[int], ...]  # phrase ids of each term's alternatives, as sets for a quick presence check
    within: int
    ordered: bool
    # The terms besides the one that triggers the check, most likely absent first.
    checks: tuple[frozenset[int], ...] = ()


_Trigger = tuple[Rule, str, "_NearSpec | None"]


@dataclass(slots=True)
class _Raw:
    rule: Rule
    pattern: str
    i: int  # first token
    j: int  # one past the last token
    start: int  # character span within the sentence
    end: int
    terms: tuple[tuple[int, int], ...] = ()  # a near hit's term spans; words between are gaps


def _regex_matches(rx: RegexPattern, text: str, timeout: float) -> list[Any] | None:
    """Every match of a rule regex in `text`, or None when it ran out of time.
    Most sentences hold no match: one search says so, and only then are all
    matches listed (each call within `timeout`)."""
    try:
        if rx.compiled.search(text, timeout=timeout) is None:
            return []
        return list(rx.compiled.finditer(text, timeout=timeout))
    except TimeoutError:
        return None


class Matcher:
    """A rulebook compiled for matching."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.rulebook = rulebook
        self._phrases: list[Phrase] = []
        self._phrase_ids: dict[Phrase, int] = {}
        # A token trie over every phrase: one walk per sentence position finds
        # them all, and rules sharing first words share the walk.
        self._root = _Node()
        self._root_exact: dict[str, list[tuple[str, _Node]]] = defaultdict(list)  # by key
        self._root_prefix: dict[str, list[tuple[str, _Node]]] = defaultdict(list)  # by first letters
        # word -> what phrases starting at it give (see _Starts); filled as words come
        self._starts = _Starts(self)
        # phrase id -> what it triggers: (rule, description, near term ids or None)
        self._triggers: dict[int, list[_Trigger]] = defaultdict(list)
        self._regexes: list[tuple[Rule, RegexPattern]] = []
        self._scan: LiteralScan[tuple[Rule, RegexPattern]] | None = None
        self._unless: dict[str, list[tuple[int, int, int]]] = {}
        self._unless_any: dict[str, frozenset[int]] = {}  # a rule's unless phrases, for a quick presence check
        for rule in rulebook.rules:
            for pattern in rule.patterns:
                if isinstance(pattern, PhrasePattern):
                    self._triggers[self._add(pattern.phrase)].append((rule, pattern.describe(), None))
                elif isinstance(pattern, NearPattern):
                    terms = tuple(tuple(self._add(p) for p in alternatives) for alternatives in pattern.terms)
                    # Every term must be present, so one term can trigger the check:
                    # the one least likely to occur (see _term_cost); the others are
                    # checked for presence, least likely first, before the spans.
                    order = sorted(range(len(terms)), key=lambda k: _term_cost(pattern.terms, k))
                    spec = _NearSpec(tuple(frozenset(t) for t in terms), pattern.within, pattern.ordered,
                                     tuple(frozenset(terms[k]) for k in order[1:]))
                    trigger = (rule, pattern.describe(), spec)
                    for pid in set(terms[order[0]]):
                        self._triggers[pid].append(trigger)
                else:
                    self._regexes.append((rule, pattern))
            self._unless[rule.id] = [(self._add(u.phrase), u.before, u.after) for u in rule.unless]
            self._unless_any[rule.id] = frozenset(pid for pid, _, _ in self._unless[rule.id])
        # Most near patterns a phrase triggers fail on their rarest other
        # term: when none of those terms is in the sentence, the phrase's
        # near patterns are skipped at once (its own patterns keep their order).
        self._gated: dict[int, tuple[tuple[_Trigger, ...], frozenset[int] | None, tuple[_Trigger, ...]]] = {}
        for pid, acts in self._triggers.items():
            nears = [near for _, _, near in acts if near is not None]
            gate = frozenset().union(*(near.checks[0] for near in nears)) if nears and all(
                near.checks for near in nears) else None
            self._gated[pid] = (tuple(acts), gate, tuple(a for a in acts if a[2] is None))
        neg = rulebook.negation
        self._window = neg.window
        self._forward = {self._add(p) for p in neg.forward}
        self._backward = {self._add(p) for p in neg.backward}
        self._pseudo = {self._add(p) for p in neg.pseudo}
        self._terminate = {self._add(p) for p in neg.terminate}
        self._cues = frozenset(self._forward | self._backward)

    def _add(self, phrase: Phrase) -> int:
        pid = self._phrase_ids.get(phrase)
        if pid is not None:
            return pid
        pid = self._phrase_ids[phrase] = len(self._phrases)
        self._phrases.append(phrase)
        first, *rest = phrase.words
        kind, value = _check(first)
        if kind == _KEY:
            node = self._root.keys.setdefault(value, _Node())
        else:
            table = self._root_prefix[value[:_PREFIX_INDEX_LEN]] if kind == _PREFIX else self._root_exact[first.value]
            found = next((n for v, n in table if v == value), None)
            if found is None:
                found = _Node()
                table.append((value, found))
            node = found
        for word in rest:
            node = node.child(*_check(word))
        node.ends.append(pid)
        return pid

    def _roots(self, word: str, key: str) -> tuple[_Node, ...]:
        """Trie nodes a phrase can start from at this word (depends on the word only)."""
        found = []
        node = self._root.keys.get(key)
        if node is not None:
            found.append(node)
        found.extend(nd for v, nd in self._root_exact.get(key, ()) if word == v)
        found.extend(nd for v, nd in self._root_prefix.get(word[:_PREFIX_INDEX_LEN], ()) if word.startswith(v))
        return tuple(found)

    def _occurrences(self, toks: Tokens) -> dict[int, list[tuple[int, int]]]:
        """Every indexed phrase found in the tokens, as token spans, in the
        order a left-to-right walk finds them: by first token, then length,
        then trie order (a rule whose patterns find one span keeps the first).

        Words are looked up once each (`_Starts`, by word, in C through
        `map`); only the words that start a phrase cost a step in Python, and
        a trie walk goes on only when a phrase's second word is there."""
        occ: dict[int, list[tuple[int, int]]] = {}
        words, keys = toks.words, toks.keys
        n = len(words)
        entries = list(map(self._starts.__getitem__, words))
        get = occ.get
        for i in compress(range(n), entries):
            alone, by_key, roots, specials = entries[i]  # type: ignore[misc]  # compress skipped the empty ones
            if alone:
                span = (i, i + 1)
                for pid in alone:
                    spans = get(pid)
                    if spans is None:
                        occ[pid] = [span]
                    else:
                        spans.append(span)
            k = i + 1
            if k < n:
                if by_key is not None:
                    second = by_key.get(keys[k])
                    if specials:
                        word = words[k]
                        matched = [child for kind, value, child in specials
                                   if ((word == value) if kind == _EXACT else word.startswith(value))]
                        if matched:  # key children first, then these: a walk's order
                            found, deeper = second if second is not None else ((), ())
                            found = (*found, *[pid for child in matched for pid in child.ends])
                            second = found, (*deeper, *[child for child in matched if child.keys or child.special])
                    if second is not None:  # phrases of two words end here; longer ones go on
                        found, deeper = second
                        span = (i, k + 1)
                        for pid in found:
                            spans = get(pid)
                            if spans is None:
                                occ[pid] = [span]
                            else:
                                spans.append(span)
                        if deeper:
                            _walk(occ, i, k + 1, deeper, words, keys, emit=False)
                elif roots:
                    _walk(occ, i, k, roots, words, keys, emit=False)
        return occ

    def match(self, text: str, offset: int = 0, toks: Tokens | None = None,
              actor_of: Callable[[int, int], str | None] | None = None,
              regexes: Sequence[tuple[Rule, RegexPattern]] | None = None) -> MatchResult:
        """Signals in one sentence; spans are `offset` plus positions in `text`.

        `toks` may pass the sentence's tokens when the caller already has them;
        `actor_of`, given the tokens [i, j) a kept hit covers, names the actor
        it is attributed to (hits that a filter removed have none);
        `regexes`, when given, are the regex rules whose literals this
        sentence holds (see `regexes_per_sentence`); else every regex rule's
        prefilter is checked here.
        """
        if toks is None:
            toks = tokenize(text)
        occ = self._occurrences(toks)
        raws = self._raw_hits(text, toks, occ, self._regexes if regexes is None else regexes, regexes is not None)
        if not raws:
            return MatchResult((), ())
        hits: list[SignalHit] = []
        suppressed: list[Suppressed] = []
        scopes = None
        present = occ.keys()
        negating = bool(self._forward or self._backward)
        for raw in _longest_per_rule(raws):
            rule = raw.rule
            start, end, category, negated, span = raw.start, raw.end, rule.category, False, (raw.i, raw.j)
            # most rules' unless phrases are not in the sentence: no call to look at their spans
            veto = None if present.isdisjoint(self._unless_any[rule.id]) else self._unless_veto(raw, occ)
            if veto is not None:
                hit = SignalHit(rule.id, category, text[start:end], start + offset, end + offset, raw.pattern, rule.weight)
                suppressed.append(Suppressed(hit, f"unless '{self._phrases[veto].text}' nearby"))
                continue
            if negating and rule.negation != "ignore":
                if scopes is None:
                    scopes = self._negation_scopes(text, toks, occ)
                cue = _covering_scope(scopes, raw) if scopes else None
                if cue is not None:
                    hit = SignalHit(rule.id, category, text[start:end], start + offset, end + offset, raw.pattern,
                                    rule.weight)
                    cue_text = text[toks.starts[cue[0]]:toks.ends[cue[1] - 1]]
                    if rule.negation == "veto":
                        suppressed.append(Suppressed(hit, f"negated by '{cue_text}' (veto)", "negation"))
                        continue
                    suppressed.append(Suppressed(hit, f"negated by '{cue_text}' (flip to {OPPOSITE[category]})",
                                                 "negation"))
                    start = min(start, toks.starts[cue[0]])
                    end = max(end, toks.ends[cue[1] - 1])
                    category, negated, span = OPPOSITE[category], True, toks.span(start, end)
            hits.append(SignalHit(rule.id, category, text[start:end], start + offset, end + offset, raw.pattern,
                                  rule.weight, negated, actor_of(*span) if actor_of is not None else None))
        if len(hits) > 1:
            hits.sort(key=lambda h: (h.start, h.end, h.rule))
        return MatchResult(tuple(hits), tuple(suppressed))

    def regexes_per_sentence(self, article: str,
                             spans: Sequence[tuple[int, int]]) -> list[tuple[tuple[Rule, RegexPattern], ...]] | None:
        """For each sentence of `article` (character spans, in order), the
        regex rules to pass to `match`: those whose literals it holds, found
        in one pass over the article (see `prefilter.LiteralScan`), and those
        whose prefilter only a search can check. None when the article needs
        the checks sentence by sentence."""
        if self._scan is None:  # built on first use: rule checks and tests never scan
            self._scan = LiteralScan([(r, r[1].prefilter.clauses if r[1].prefilter else ()) for r in self._regexes])
        return self._scan.per_sentence(article, spans)

    def _raw_hits(self, text: str, toks: Tokens, occ: dict[int, list[tuple[int, int]]],
                  regexes: Sequence[tuple[Rule, RegexPattern]] = (), scanned: bool = False) -> list[_Raw]:
        raws: list[_Raw] = []
        starts, ends = toks.starts, toks.ends
        seen_near: set[int] = set()
        gated = self._gated
        present = set(occ)  # set-to-set tests are a third the cost of testing the dict's keys
        # In the order found: rule patterns that find the same span keep the
        # first found (see _longest_per_rule).
        for pid in [*filter(gated.__contains__, occ)]:
            acts, gate, phrases_only = gated[pid]
            if gate is not None and present.isdisjoint(gate):
                if not phrases_only:
                    continue  # most triggers: only near patterns, none of which can hold here
                acts = phrases_only  # no near pattern of this phrase can hold here
            for rule, desc, near in acts:
                if near is None:
                    raws.extend([_Raw(rule, desc, i, j, starts[i], ends[j - 1]) for i, j in occ[pid]])
                    continue
                key = id(near)
                if key in seen_near:
                    continue
                seen_near.add(key)
                for terms in near.checks:  # every term must be present: cheap check first
                    if present.isdisjoint(terms):
                        break
                else:
                    for i, j, parts in _near(near, occ, present):
                        raws.append(_Raw(rule, desc, i, j, starts[i], ends[j - 1], parts))
        if regexes:
            raws.extend(self._regex_hits(text, toks, regexes, scanned))
        return raws

    def _regex_hits(self, text: str, toks: Tokens, regexes: Sequence[tuple[Rule, RegexPattern]],
                    scanned: bool) -> list[_Raw]:
        """Hits of the regex rules; `scanned`: their requirements were met in this sentence (see `LiteralScan`)."""
        raws = []
        lowered = None if scanned else lower_for_literals(text)
        for rule, rx in regexes:
            prefilter = rx.prefilter
            if prefilter is not None and not (scanned and prefilter.clauses) and not prefilter.admits(text, lowered):
                continue  # none of the literals every match holds: no match, no need to run it
            found = _regex_matches(rx, text, REGEX_TIMEOUT)
            if found is None:  # out of time, perhaps only because the machine is busy
                found = _regex_matches(rx, text, REGEX_RETRY_TIMEOUT) or []
            for m in found:
                if m.end() > m.start() and toks.starts:
                    i, j = toks.span(m.start(), m.end())
                    raws.append(_Raw(rule, rx.describe(), i, j, m.start(), m.end()))
        return raws

    def _unless_veto(self, raw: _Raw, occ: dict[int, list[tuple[int, int]]]) -> int | None:
        """The unless phrase within reach of a hit, if any (`match` calls it
        only when one of the rule's unless phrases is in the sentence)."""
        for pid, before, after in self._unless[raw.rule.id]:
            for ui, uj in occ.get(pid, ()):
                if (uj <= raw.i and raw.i - uj <= before) or (ui >= raw.j and ui - raw.j <= after) or (ui < raw.j and uj > raw.i):
                    return pid
        return None

    def _negation_scopes(self, text: str, toks: Tokens, occ: dict[int, list[tuple[int, int]]]) -> list[tuple[int, int, int, int]]:
        """Scopes as (cue start, cue end, first token, one past last token)."""
        present = occ.keys()
        if present.isdisjoint(self._cues):
            return []
        pseudo = [span for pid in present & self._pseudo for span in occ[pid]]
        stops = {i for pid in present & self._terminate for i, _ in occ[pid]}
        starts, ends = toks.starts, toks.ends
        n = len(starts)

        def broken(k: int) -> bool:  # punctuation between token k-1 and token k
            return any(c in SCOPE_BREAKS for c in text[ends[k - 1]:starts[k]])

        scopes: list[tuple[int, int, int, int]] = []
        for direction, cues in ((1, self._forward), (-1, self._backward)):
            for pid in sorted(present & cues):
                for ci, cj in occ[pid]:
                    if any(pi < cj and pj > ci for pi, pj in pseudo):
                        continue
                    if direction == 1:
                        k, limit = cj, min(n, cj + self._window)
                        while k < limit and not broken(k) and k not in stops:
                            k += 1
                        scopes.append((ci, cj, cj, k))
                    else:
                        k, limit = ci, max(0, ci - self._window)
                        while k > limit and not broken(k) and (k - 1) not in stops:
                            k -= 1
                        scopes.append((ci, cj, k, ci))
        return scopes


_Special = tuple[int, str, "_Node"]
_Start = tuple[tuple[int, ...], "dict[str, tuple[tuple[int, ...], tuple[_Node, ...]]] | None",
               tuple["_Node", ...], tuple[_Special, ...]]


class _Starts(dict[str, "_Start | tuple[()]"]):
    """What phrases starting at a word give, by word: the phrases the word
    is by itself; by the next word's key, the two-word phrases that end there
    and the nodes longer ones go on from, with the exact-form and prefix
    children to test the next word against after them, when that is the
    order a walk would find them in (else None); and the nodes a walk goes
    on from. () when no phrase starts at the word.
    Filled as words come (an entry depends on the word only) and cleared when
    full, so memory stays bounded."""

    def __init__(self, matcher: Matcher) -> None:
        super().__init__()
        self.matcher = matcher

    def __missing__(self, word: str) -> _Start | tuple[()]:
        roots = self.matcher._roots(word, word_key(word))
        entry: _Start | tuple[()] = ()
        if roots:
            deeper = tuple(node for node in roots if node.keys or node.special)
            by_key: dict[str, tuple[tuple[int, ...], tuple[_Node, ...]]] | None = None
            specials: tuple[_Special, ...] = ()
            # A walk's next step takes each node's key child, then its exact-form
            # and prefix children. Key children found by one look-up (merged in
            # root order) then the special ones give that order when one node
            # goes on ("the" before "=two"), or none has special children.
            if len(deeper) == 1 or not any(node.special for node in deeper):
                merged: dict[str, list[_Node]] = {}
                for node in deeper:
                    for key, child in node.keys.items():
                        merged.setdefault(key, []).append(child)
                by_key = {key: (tuple(pid for node in children for pid in node.ends),
                                tuple(node for node in children if node.keys or node.special))
                          for key, children in merged.items()}
                specials = tuple(deeper[0].special) if len(deeper) == 1 else ()
            entry = (tuple(pid for node in roots for pid in node.ends), by_key, deeper, specials)
        if len(self) >= ROOT_CACHE_LIMIT:
            self.clear()
        self[word] = entry
        return entry


def _walk(occ: dict[int, list[tuple[int, int]]], i: int, k: int, frontier: list[_Node] | tuple[_Node, ...],
          words: tuple[str, ...], keys: tuple[str, ...], emit: bool = True) -> None:
    """Phrases from token i that go on past its first word: `frontier` holds
    the trie nodes reached by tokens i..k-1 (whose phrases are already
    listed when `emit` is false)."""
    n = len(words)
    while frontier:
        if emit:
            span = (i, k)
            for node in frontier:
                for pid in node.ends:
                    spans = occ.get(pid)
                    if spans is None:
                        occ[pid] = [span]
                    else:
                        spans.append(span)
        emit = True
        if k >= n:
            return
        key, word = keys[k], words[k]
        following = []
        for node in frontier:
            nxt = node.keys.get(key)
            if nxt is not None:
                following.append(nxt)
            for kind, value, child in node.special:
                if (word == value) if kind == _EXACT else word.startswith(value):
                    following.append(child)
        frontier = following
        k += 1


def _covering_scope(scopes: list[tuple[int, int, int, int]], raw: _Raw) -> tuple[int, int] | None:
    """The cue negating a hit: its scope covers the hit's start, or a forward
    cue stands in a gap between a near hit's terms ("flights have not resumed")."""
    i, j = raw.i, raw.j
    for ci, cj, s, e in scopes:
        if s <= i < e and (j <= ci or i >= cj):
            return ci, cj
        if s == cj and ci < i < cj < j:  # the hit starts inside a forward cue: "refused [to meet]"
            return ci, cj
        if s == cj and raw.terms and i < ci and cj <= j and not any(ti < cj and tj > ci for ti, tj in raw.terms):
            return ci, cj
    return None


def _longest_per_rule(raws: list[_Raw]) -> list[_Raw]:
    """Merge a rule's overlapping hits into one, spanning them all."""
    if len(raws) < 2:
        return raws
    raws.sort(key=lambda r: (r.rule.id, r.start, -(r.end - r.start)))
    kept: list[_Raw] = []
    for raw in raws:
        last = kept[-1] if kept else None
        if last is not None and last.rule is raw.rule and raw.start < last.end:
            if raw.end > last.end:
                last.end, last.j = raw.end, raw.j
            continue
        kept.append(raw)
    return kept


# Words in nearly every sentence: a near term made of them ("accused ... of")
# is a poor trigger for the near check.
FUNCTION_WORDS = frozenset(
    "a an the of to on upon in at for by with from and or but as is are was were be been has have had it its "
    "that this these those which who not no".split()
)


def _term_cost(terms: tuple[tuple[Phrase, ...], ...], k: int) -> tuple[int, int, int]:
    """How likely a near pattern's term k is to occur: more function words,
    then more alternatives; among equals the last term (usually the object,
    rarer than the verb) is taken as less likely."""
    alternatives = terms[k]
    common = sum(1 for p in alternatives if p.words[0].value in FUNCTION_WORDS)
    return (common, len(alternatives), -k)


def _near(spec: _NearSpec, occ: dict[int, list[tuple[int, int]]],
          present: set[int]) -> list[tuple[int, int, tuple[tuple[int, int], ...]]]:
    """Token spans where all of a near pattern's terms stand within reach;
    `present` holds the phrases of `occ`.

    A term has ten alternatives or more on average, of which one or two
    occur: they are found by one set intersection, not one look-up each."""
    found = []
    for alternatives in spec.terms:
        occurring = present.intersection(alternatives)
        if not occurring:
            return []
        if len(occurring) == 1:  # one phrase's spans are already in order
            spans = occ[occurring.pop()]
        else:
            spans = sorted(chain.from_iterable(map(occ.__getitem__, occurring)))
        found.append(spans)
    out: list[tuple[int, int, tuple[tuple[int, int], ...]]] = []
    within, ordered, rest = spec.within, spec.ordered, found[1:]
    for i0, j0 in found[0]:
        lo, hi, prev_end = i0, j0, j0
        parts = [(i0, j0)]
        for spans in rest:
            for span in spans:  # the first span of the term in reach
                i, j = span
                if (i >= prev_end and i - prev_end <= within) if ordered else \
                        ((j <= i0 or i >= j0) and max(i - j0, i0 - j) <= within):
                    break
            else:
                break  # the term is out of reach: no hit from this first span
            if i < lo:
                lo = i
            if j > hi:
                hi = j
            prev_end = j
            parts.append(span)
        else:
            out.append((lo, hi, tuple(parts)))
    return out
