"""What the stance model sees of a sentence.

Word keys (Snowball stems, so "released" and "releases" share evidence),
bigrams of keys, keys under a nearby negator ("did not release"), and the
rule hits of the current rulebook, so editing a rule changes the model's
input. Character 3-5-grams of the words were tried and dropped: with the
full rules they lower grouped cross-validated macro-F1 on seeds/labels from
0.790 to 0.721 (and on the seed article from 0.76 to 0.57), and they cost
most of the scoring time.
Reporting is labelled in the context of its article, so a sentence also
sees the signal categories of its neighbours and of its article
(`document_context`): "The exercise started at 6:30 a.m." is away in an
article about hostile manoeuvres. On ../shared/reporting/dev.jsonl this
context lifted held-out stance macro-F1 by about 0.02. The headline's
categories, given to every later sentence, added 0.005 to grouped
cross-validated macro-F1 over all labels (0.748 to 0.754) and 0.006 over
the reporting-built files (0.729 to 0.735); dev 0.750 to 0.752; on the
fresh files of seeds/heldout, nothing (0.723 with and without). Neighbours
two sentences away, an article direction feature and graded article shares
were tried beside it and added nothing reliable.
Feature names are the single source of truth for training and for the fast
scorer in `model.py`.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import chain, repeat

import numpy as np

from ..rulebook.matcher import MatchResult, SignalHit

# Keys after a negator that are marked as negated ("did not release").
NEGATION_REACH = 3
NEGATORS = frozenset({"not", "no", "never", "without", "noth", "neither", "nor", "none"})


UNIGRAM, BIGRAM, NEGATED = "k:", "b:", "n:"
SIGNAL, RULE, NEGATED_SIGNAL, PAIR, COUNT = "s:", "r:", "v:", "p:", "c:"
PREVIOUS, NEXT, ARTICLE, TITLE = "ps:", "ns:", "ds:", "ts:"
# A category is part of a sentence's article context when at least this share
# of the article's other sentences carry it.
ARTICLE_SHARE = 0.3
# Hits of one category counted up to this many (1, 2, 3 or more).
MAX_COUNT = 3
# Steps from a negator to the keys it negates.
_REACH = np.arange(1, NEGATION_REACH + 1, dtype=np.int64)
# Distinct hit patterns (rules and negated categories of a sentence) whose
# feature columns are remembered; cleared when full, so memory stays bounded.
HIT_CACHE_LIMIT = 50_000


def word_features(key: str) -> list[str]:
    """Features of one word key on its own."""
    return [UNIGRAM + key]


def negated_positions(keys: Sequence[str]) -> list[int]:
    """Indices of keys within NEGATION_REACH after a negator."""
    out: list[int] = []
    reach = 0
    for i, k in enumerate(keys):
        if reach:
            out.append(i)
            reach -= 1
        if k in NEGATORS:
            reach = NEGATION_REACH
    return out


def context_features(keys: Sequence[str]) -> list[str]:
    """Features that depend on a word's neighbours: bigrams and negation."""
    feats = [f"{BIGRAM}{a} {b}" for a, b in zip(keys, keys[1:])]
    feats += [NEGATED + keys[i] for i in negated_positions(keys)]
    return feats


def hit_features(hits: Iterable[SignalHit], negated: Iterable[str] = ()) -> list[str]:
    """Features of the rule hits: each category and rule that fired, how many
    hits per category, which categories fire together (a sentence with both
    de-escalation and escalation reads differently from one with either), and
    each category of a signal phrase that negation removed ("refused to meet")."""
    hits = list(hits)
    feats: list[str] = []
    counts: dict[str, int] = {}
    for h in hits:
        feats.append(SIGNAL + h.category)
        feats.append(f"{RULE}{h.rule}:{h.category}")
        counts[h.category] = counts.get(h.category, 0) + 1
    feats.extend(f"{COUNT}{c}:{min(n, MAX_COUNT)}" for c, n in counts.items())
    present = sorted(counts)
    feats.extend(f"{PAIR}{a}&{b}" for i, a in enumerate(present) for b in present[i + 1:])
    if not present:
        feats.append(PAIR + "none")
    feats.extend(NEGATED_SIGNAL + c for c in negated)
    return feats


def document_context(categories: Sequence[frozenset[str]]) -> list[list[str]]:
    """Context features for each sentence of one article, in order, from the
    signal categories of every sentence: those of the sentence before and
    after, those common in the rest of the article, and those of its first
    sentence, the headline that frames what follows."""
    n = len(categories)
    totals = Counter(c for cats in categories for c in cats)
    common = sorted(totals)
    title = _context_names(TITLE, categories[0]) if n else ()
    # Sentences with the same categories see the same article part: found once.
    article: dict[frozenset[str], tuple[str, ...]] = {}
    out: list[list[str]] = []
    for i, cats in enumerate(categories):
        feats = list(_context_names(PREVIOUS, categories[i - 1])) if i > 0 else []
        if i + 1 < n:
            feats += _context_names(NEXT, categories[i + 1])
        if n > 1:
            shared = article.get(cats)
            if shared is None:
                shared = article[cats] = _context_names(ARTICLE, frozenset(
                    [c for c in common if (totals[c] - (c in cats)) / (n - 1) >= ARTICLE_SHARE]))
            feats += shared
        if i > 0:
            feats += title
        out.append(feats)
    return out


@lru_cache(maxsize=1024)
def _context_names(prefix: str, categories: frozenset[str]) -> tuple[str, ...]:
    """Context feature names for a set of categories, in category order (the
    same string objects each time: their hashes are computed once)."""
    return tuple(prefix + c for c in sorted(categories))


def article_context(categories: Sequence[frozenset[str]], articles: Iterable[Hashable]) -> list[list[str]]:
    """`document_context` for sentences of several articles, each sentence
    naming its article; sentences of one article keep their given order."""
    members: dict[Hashable, list[int]] = {}
    for i, key in enumerate(articles):
        members.setdefault(key, []).append(i)
    out: list[list[str]] = [[] for _ in categories]
    for idx in members.values():
        for i, feats in zip(idx, document_context([categories[i] for i in idx])):
            out[i] = feats
    return out


def negated_categories(result: MatchResult) -> list[str]:
    """Categories of the hits negation removed from a match."""
    return [s.hit.category for s in result.suppressed if s.by == "negation"]


def sentence_features(keys: Sequence[str], hits: Iterable[SignalHit], negated: Iterable[str] = (),
                      context: Iterable[str] = ()) -> list[str]:
    """All feature names of one sentence (training path); `context` from `document_context`."""
    return ([f for k in keys for f in word_features(k)] + context_features(keys) + hit_features(hits, negated)
            + list(context))


class FeatureLookup:
    """The scoring path: feature columns found by dictionary look-ups on keys,
    without building feature-name strings. Built from a fitted vocabulary of
    the names above; `ids` gives the same columns as `sentence_features`
    would (tested against the scikit-learn pipeline), and `columns` gives
    them for many sentences at once, with the word features computed by
    numpy over all their keys."""

    def __init__(self, vocabulary: dict[str, int], tables: KeyTables | None = None) -> None:
        self.vocabulary = vocabulary  # hit features are few per sentence: looked up by name
        # `columns` needs only the key tables (given when a model file holds
        # them), `ids` only the word dictionaries: each is built on first use.
        self._tables = tables
        self._words: tuple[dict[str, int], dict[str, dict[str, int]], dict[str, int]] | None = None
        self._hit_cols: dict[tuple[tuple[tuple[str, str], ...], tuple[str, ...], tuple[str, ...]], tuple[int, ...]] = {}

    @property
    def tables(self) -> KeyTables:
        """The word features as arrays indexed by key number (see `KeyTables`)."""
        if self._tables is None:
            self._tables = KeyTables.build(*self.words(), n_features=max(self.vocabulary.values(), default=0) + 1)
        return self._tables

    def words(self) -> tuple[dict[str, int], dict[str, dict[str, int]], dict[str, int]]:
        """The word features by key: unigram column by key, bigram column by
        first then second key, negated-key column by key."""
        if self._words is None:
            uni: dict[str, int] = {}
            bi: dict[str, dict[str, int]] = {}
            neg: dict[str, int] = {}
            intern = sys.intern  # the same string objects as the tokens' keys: found by identity
            for name, i in self.vocabulary.items():
                kind, rest = name[:2], name[2:]
                if kind == UNIGRAM:
                    uni[intern(rest)] = i
                elif kind == BIGRAM:
                    a, b = rest.split(" ", 1)
                    bi.setdefault(intern(a), {})[intern(b)] = i
                elif kind == NEGATED:
                    neg[intern(rest)] = i
            self._words = uni, bi, neg
        return self._words

    def columns(self, keys: Sequence[Sequence[str]], hits: Sequence[Sequence[SignalHit]],
                negated: Sequence[Sequence[str]], context: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Distinct (sentence, column) pairs of many sentences, as two arrays
        sorted by sentence: the columns `ids` gives for each, all at once.

        Each kind of feature gives codes, sentence * stride + column
        (stride: one more than the columns, the last standing for "no such
        feature"), collected, then sorted and de-duplicated once: an article
        of a few sentences costs a few dozen numpy calls, so each step makes
        as few as it can."""
        t = self.tables
        n = len(keys)
        stride = t.n_features + 1
        lengths = np.fromiter(map(len, keys), dtype=np.int64, count=n)
        # Each key's index in the model's key table (0: a key no word feature uses).
        k = np.fromiter(map(t.index.get, chain.from_iterable(keys), repeat(0)), dtype=np.int64)
        base = np.arange(0, n * stride, stride, dtype=np.int64).repeat(lengths)  # each key's sentence * stride
        parts = [base + t.uni_or_none[k]]
        if len(k) > 1:
            # Pairs of neighbours in one sentence whose first key starts any bigram.
            pair = (t.starts_bigram[k[:-1]] & (base[1:] == base[:-1])).nonzero()[0]
            codes = k[pair] * t.size + k[pair + 1]
            # Sorted queries let the binary searches start where the last one ended: twice as fast.
            order = codes.argsort()
            pair, codes = pair[order], codes[order]
            at = t.bigram_codes.searchsorted(codes)
            found = t.bigram_codes[at] == codes
            parts.append(base[pair[found]] + t.bigram_cols[at[found]])
            # A key is negated when a negator stands 1 to NEGATION_REACH keys before it
            # in its sentence: the few negators' followers (repeats go with the rest).
            negators = t.negator[k].nonzero()[0]
            if len(negators):
                after = (negators[:, None] + _REACH).ravel()
                inside = after < len(k)
                after, source = after[inside], negators.repeat(NEGATION_REACH)[inside]
                after = after[base[after] == base[source]]
                parts.append(base[after] + t.neg_or_none[k[after]])
        hit_code: list[int] = []
        cache = self._hit_cols
        for row, (h, neg, ctx) in enumerate(zip(hits, negated, context)):
            signature = (tuple([(x.rule, x.category) for x in h]), tuple(neg), tuple(ctx))
            cols = cache.get(signature)
            if cols is None:
                if len(cache) >= HIT_CACHE_LIMIT:
                    cache.clear()
                vocab = self.vocabulary
                cols = cache[signature] = tuple(i for i in map(vocab.get, [*hit_features(h, neg), *ctx])
                                                if i is not None)
            if cols:
                hit_code.extend(map((row * stride).__add__, cols))
        if hit_code:
            parts.append(np.array(hit_code, dtype=np.int64))
        pairs = np.concatenate(parts)
        pairs.sort()
        if len(pairs) > 1:  # binary features: each once (sort and drop repeats; np.unique is slower here)
            pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
        owner, column = np.divmod(pairs, stride)
        real = column != t.n_features
        return owner[real], column[real]

    def word_columns(self) -> np.ndarray:
        """The columns of the word and word-pair features (UNIGRAM and BIGRAM names)."""
        t = self.tables
        return np.concatenate([t.uni[t.uni >= 0], t.bigram_cols[:-1]])  # the last one is the sentinel

    def ids(self, keys: Sequence[str], hits: Iterable[SignalHit], negated: Iterable[str] = (),
            context: Iterable[str] = ()) -> list[int]:
        (uni, bi, neg), vocab = self.words(), self.vocabulary
        out = {i for i in map(uni.get, keys) if i is not None}
        # bigrams: the words after each key that has any, looked up in its table
        for following, b in zip(map(bi.get, keys), keys[1:]):
            if following is not None:
                i = following.get(b)
                if i is not None:
                    out.add(i)
        for p in negated_positions(keys):
            i = neg.get(keys[p])
            if i is not None:
                out.add(i)
        out.update(i for i in map(vocab.get, hit_features(hits, negated)) if i is not None)
        out.update(i for i in map(vocab.get, context) if i is not None)
        return list(out)


def lines_blob(strings: Sequence[str]) -> np.ndarray:
    """Strings as one UTF-8 blob, one a line: how a model file stores its
    feature names and its key table, read back far faster than an array of
    fixed-width unicode strings."""
    text = "\n".join(strings)
    if text.count("\n") != max(len(strings) - 1, 0):
        raise ValueError("a feature name or key holds a line break")
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def blob_lines(blob: np.ndarray) -> list[str]:
    """The strings of `lines_blob`."""
    text = blob.tobytes().decode("utf-8")
    return text.split("\n") if text else []


class KeyTables:
    """A lookup's word features as arrays indexed by key number, for `columns`.

    Each key a word feature uses (and each negator) has a number from 1 (0:
    any other key); `uni` and `neg` give its unigram and negated-key columns
    (-1: none), and a bigram is found by its code, first * size + second,
    in the sorted `bigram_codes`. Built from the word dictionaries, or read
    back from a model file (`arrays`, `from_arrays`): the numbering is any
    one, the columns found are the same.
    """

    def __init__(self, keys: list[str], uni: np.ndarray, neg: np.ndarray, bigram_codes: np.ndarray,
                 bigram_cols: np.ndarray, n_features: int) -> None:
        self.keys = keys
        self.index = dict(zip(map(sys.intern, keys), range(1, len(keys) + 1)))
        self.size = len(keys) + 1
        self.n_features = n_features
        self.uni, self.neg = uni, neg
        # The same with n_features for "none" instead of -1: `columns` drops that column once, at the end.
        self.uni_or_none = np.where(uni >= 0, uni, n_features)
        self.neg_or_none = np.where(neg >= 0, neg, n_features)
        # One sentinel code above any real one (the last) keeps searchsorted in range.
        self.bigram_codes, self.bigram_cols = bigram_codes, bigram_cols
        self.negator = np.zeros(self.size, dtype=bool)
        self.negator[[self.index[k] for k in NEGATORS if k in self.index]] = True
        self.starts_bigram = np.zeros(self.size, dtype=bool)
        self.starts_bigram[bigram_codes[:-1] // self.size] = True

    @classmethod
    def build(cls, uni: dict[str, int], bi: dict[str, dict[str, int]], neg: dict[str, int],
              n_features: int) -> KeyTables:
        """The tables of a lookup's word dictionaries (see `FeatureLookup.words`)."""
        keys = set(uni) | set(neg) | set(bi) | NEGATORS
        keys.update(*bi.values())
        # Numbered in sorted order: any order finds the same columns, and this
        # one makes a retrain on the same labels and rules write the same file.
        index = {key: i for i, key in enumerate(sorted(keys), 1)}
        size = len(index) + 1
        uni_cols = np.full(size, -1, dtype=np.int64)
        neg_cols = np.full(size, -1, dtype=np.int64)
        uni_cols[list(map(index.__getitem__, uni))] = list(uni.values())
        neg_cols[list(map(index.__getitem__, neg))] = list(neg.values())
        first: list[int] = []
        second: list[int] = []
        cols: list[int] = []
        for a, following in bi.items():
            first.extend(repeat(index[a], len(following)))
            second.extend(map(index.__getitem__, following))
            cols.extend(following.values())
        codes = np.array(first, dtype=np.int64) * size + np.array(second, dtype=np.int64)
        order = np.argsort(codes, kind="stable")
        return cls(list(index), uni_cols, neg_cols, np.append(codes[order], size * size),
                   np.append(np.array(cols, dtype=np.int64)[order], -1), n_features)

    def arrays(self) -> dict[str, np.ndarray]:
        """The tables as plain arrays, the keys as a `lines_blob`."""
        return {"keys": lines_blob(self.keys),
                "key_uni": self.uni, "key_neg": self.neg,
                "bigram_codes": self.bigram_codes, "bigram_cols": self.bigram_cols}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], n_features: int) -> KeyTables:
        """Tables read back from `arrays`; ValueError when they cannot be a lookup's of `n_features` columns."""
        keys = blob_lines(arrays["keys"])
        size = len(keys) + 1
        uni, neg = (np.asarray(arrays[k], dtype=np.int64) for k in ("key_uni", "key_neg"))
        codes, cols = (np.asarray(arrays[k], dtype=np.int64) for k in ("bigram_codes", "bigram_cols"))
        # Every number in range, so scoring can never index outside an array.
        if (uni.shape != (size,) or neg.shape != (size,) or codes.ndim != 1 or cols.shape != codes.shape
                or not len(codes) or codes[-1] != size * size or (np.diff(codes) < 0).any()
                or ((codes[:-1] < size) | (codes[:-1] >= size * size)).any() or cols[-1] != -1
                or not all(((a >= lo) & (a < n_features)).all() for a, lo in ((uni, -1), (neg, -1), (cols[:-1], 0)))):
            raise ValueError("inconsistent word-feature tables")
        return cls(keys, uni, neg, codes, cols, n_features)
