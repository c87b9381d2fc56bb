"""The fast paths of the scoring code give what the plain ones do.

tests/test_equivalence.py pins whole answers on the project's texts; these
check the pieces on inputs made to stress them: regex prefilters never skip
a sentence their regex matches, nor does the scan of a whole article for
their literals, the batch feature columns equal the
per-sentence ones, the tokenizer's split path equals the span path, and the
bootstrap's percentiles equal numpy's.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stance.model.features import article_context, negated_categories
from stance.report.posture import _percentiles
from stance.rulebook.patterns import REGEX_FLAGS
from stance.rulebook.prefilter import (FOLDS_INTO_ASCII, LiteralScan, lower_for_literals, required_clauses,
                                      required_literals)
from stance.text.segment import segment
from stance.text.tokens import TOKEN_RE, _split_contractions, _tokenize_spans, tokenize

from .conftest import seed_labels

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Pattern -> the literals every match holds, or None where the prefilter must not guess.
REQUIRED = [
    (r",\s+provid(?:ed|ing)\s+(?!by\b|to\b)", {"provid"}),
    (r"(?:^|[.;:]\s+|,\s+)(?-i:Should)\s+(?:the|a|[A-Z])", {"Should"}),
    (r"(?-i:\bmay\b)(?!\s+\d)", {"may"}),
    (r"\b[^\W\d_]+,\s+never\b(?=\s*[,.;!?])", {"never"}),
    (r"(?:foo|bar)baz", {"baz"}),
    (r"(?:talks|negotiations)\s+\w+", {"talks", "negotiations"}),
    (r"(?:peace)?deal", {"deal"}),
    (r"(?=.*ceasefire)truce", {"ceasefire"}),
    (r"(?!war)peace", {"peace"}),
    (r"a|bc", None),  # a branch of one letter: too short to be worth a search
    (r"(?:talks)?\w+", None),  # nothing is required
    (r"(?:abc){e<=1}", None),  # fuzzy matching: the standard parser reads the braces as text
    (r"\p{Lu}ab", None),  # a property class the standard parser does not know
    (r"[[:alpha:]]xyz", None),  # a POSIX class the standard parser reads as a set
    (r"(?<name>ab)cd", None),  # syntax only `regex` knows
    (r"(ab)\1cd", {"ab"}),
]


@pytest.mark.parametrize(("pattern", "expected"), REQUIRED, ids=[p for p, _ in REQUIRED])
def test_required_literals(pattern, expected):
    found = required_literals(pattern)
    assert (None if found is None else set(found)) == expected


# Text built from the literals the shipped regexes need, their neighbours and odd characters.
PIECES = st.sampled_from(["Should", "should", "SHOULD", "may", "May", "MAY 12", "never", "NEVER", "provided", "providing",
                          "provid", ", ", ". ", "; ", " ", "the", "a", "Minsk", "ſ", "K", "ß", "İ", "\u212a", "1", "!", "”"])
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=4)), max_size=25).map("".join)


@SETTINGS
@given(TEXT)
def test_a_prefilter_never_skips_a_sentence_its_regex_matches(classifier, text):
    lowered = lower_for_literals(text)
    for _, rx in classifier.matcher._regexes:
        if rx.prefilter is not None and rx.compiled.search(text, timeout=1.0):
            assert rx.prefilter.admits(text, lowered), (rx.source, text)


def test_only_the_listed_characters_fold_into_ascii():
    """Every code point beyond ASCII that the prefilters' case-insensitive
    matching ties to an ASCII character, or whose lower case holds one, is
    in FOLDS_INTO_ASCII: elsewhere lower-casing decides ASCII literals."""
    beyond = "".join(chr(c) for c in range(128, sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    tied = {m.group() for a in map(chr, range(128))
            for m in regex.finditer(regex.escape(a), beyond, flags=REGEX_FLAGS | regex.IGNORECASE)}
    tied |= {c for c in beyond if any(ch.isascii() for ch in c.lower())}
    assert tied == set(FOLDS_INTO_ASCII)


@SETTINGS
@given(TEXT)
def test_a_prefilters_substring_tests_answer_as_its_search(classifier, text):
    """The substring tests in the lower-cased text stand in for the
    case-insensitive search: they must agree on every text."""
    lowered = lower_for_literals(text)
    for _, rx in classifier.matcher._regexes:
        if rx.prefilter is not None:
            assert rx.prefilter.admits(text, lowered) == (rx.prefilter.pattern.search(text) is not None), (rx.source, text)


CLAUSES = [
    (r"(?-i:\b[A-Z][a-z]+ and [A-Z][a-z]+ (?:meet|met|hold talks)\b)", [{" and "}, {"meet", "met", "hold talks"}]),
    (r"\bfor\s+[^,.;]{3,60}?\s+to\s+(?:succeed|work)\b", [{"for"}, {"to"}, {"succeed", "work"}]),
    (r"(?:talks)?\w+", []),
    (r"a|bc", []),
]


@pytest.mark.parametrize(("pattern", "expected"), CLAUSES, ids=[p for p, _ in CLAUSES])
def test_required_clauses(pattern, expected):
    assert [set(c) for c in required_clauses(pattern)] == expected
    best = required_literals(pattern)
    assert (best is None) == (not expected) and (best is None or best in required_clauses(pattern))


def _meets(prefilter, lowered):
    return all(any(literal in lowered for literal in clause) for clause in prefilter.clauses)


@SETTINGS
@given(TEXT)
def test_a_prefilters_clauses_never_skip_a_sentence_its_regex_matches(classifier, text):
    lowered = text.lower()
    for _, rx in classifier.matcher._regexes:
        if rx.prefilter is not None and lower_for_literals(text) is not None and rx.compiled.search(text, timeout=1.0):
            assert _meets(rx.prefilter, lowered), (rx.source, text)


@SETTINGS
@given(st.lists(TEXT, min_size=1, max_size=4))
def test_an_article_scan_admits_what_each_sentence_holds(classifier, pieces):
    """One pass over the article hands each sentence the regexes whose
    requirements it meets: the same as testing them in the sentence itself."""
    article = " ".join(pieces)
    spans = [(s.start, s.end) for s in segment(article)]
    matcher = classifier.matcher
    per_sentence = matcher.regexes_per_sentence(article, spans)
    if per_sentence is None:
        assert lower_for_literals(article) is None
        return
    for (start, end), admitted in zip(spans, per_sentence):
        text = article[start:end]
        expected = [r for r in matcher._regexes if r[1].prefilter is None or _meets(r[1].prefilter, text.lower())]
        assert list(admitted) == expected, text


def test_an_article_scan_keeps_the_order_and_the_items_it_cannot_scan():
    scan = LiteralScan([("never", [["never"]]), ("always", []), ("may", [["may"]]), ("may and", [["may"], ["and"]])])
    article = "We may go. It never ends. Neither. May and June."
    assert scan.per_sentence(article, [(0, 10), (11, 25), (26, 34), (35, 48)]) == [
        ("always", "may"), ("never", "always"), ("always",), ("always", "may", "may and")]
    assert scan.per_sentence("It never ends. MAY", [(0, 6), (6, 16)]) == [("always",)] * 2  # cut literals
    assert scan.per_sentence("\u212aelvin may", [(0, 13)]) is None  # a character that folds into ASCII
    assert LiteralScan([("always", [])]).per_sentence("Text.", [(0, 5)]) == [("always",)]


@SETTINGS
@given(st.text(alphabet=st.sampled_from("aAsSkK\u017f\u212a\u0130\u0131iI ,.;-"), max_size=30))
def test_prefilters_keep_the_regex_case_rules(text):
    """Case-insensitive literals match what the regex's own case folding matches (Kelvin sign, long s)."""
    for source in (r"\bask\b", r"kiss(?=\s)", r"(?:sk|ks)i"):
        literals = required_literals(source)
        assert literals
        prefilter = regex.compile("|".join(map(regex.escape, literals)), regex.IGNORECASE | regex.V0)
        if regex.compile(source, regex.IGNORECASE | regex.V0).search(text):
            assert prefilter.search(text), (source, text)


def test_batch_feature_columns_equal_the_per_sentence_ones(classifier):
    model, matcher = classifier.model, classifier.matcher
    sentences = [d["text"] for d in seed_labels()] + ["", "Not no never without none.", "didn't talk, won't talk"]
    keys, hits, negated = [], [], []
    for s in sentences:
        toks = tokenize(s)
        result = matcher.match(s, 0, toks)
        keys.append(toks.keys)
        hits.append(result.hits)
        negated.append(negated_categories(result))
    # read as one article, so sentences carry context features too
    context = article_context([frozenset(h.category for h in hs) for hs in hits], [0] * len(sentences))
    assert any(context)
    owner, cols = model.lookup.columns(keys, hits, negated, context)
    for row in range(len(sentences)):
        assert sorted(cols[owner == row].tolist()) == sorted(
            model.feature_ids(keys[row], hits[row], negated[row], context[row]))
    rows = [model.feature_ids(k, h, n, c) for k, h, n, c in zip(keys, hits, negated, context)]
    batch = model.predict_sentences(keys, hits, negated, context)
    np.testing.assert_allclose(batch.probabilities, model.predict_proba(rows), atol=1e-12)
    np.testing.assert_allclose(batch.heads, model.signal_proba(rows), atol=1e-12)


WORDY = st.text(alphabet=st.one_of(st.characters(codec="utf-8", exclude_categories=("Cs",)),
                                   st.sampled_from(list("ΣσςİIiı'’nNtT_ .-\u00a0"))), max_size=50)


@pytest.fixture(scope="module")
def example_runs(classifier):
    """Runs of two to four words of the rule examples: sentences made of them hit phrases often."""
    rules = classifier.matcher.rulebook.rules
    runs = set()
    for text in (t for r in rules for t in (*r.match_examples, *r.no_match_examples)):
        words = tokenize(text).words
        runs.update(words[i:i + size] for size in (2, 3, 4) for i in range(len(words) - size + 1))
    return sorted(runs)


@SETTINGS
@given(st.data())
def test_phrase_occurrences_equal_a_plain_walk_in_order(classifier, example_runs, data):
    """The matcher's look-ups by word and by next key find what walking the
    trie from every token finds, in the same order (rule patterns that find
    one span keep the first found)."""
    from stance.rulebook.matcher import _walk

    words = [w for run in data.draw(st.lists(st.sampled_from(example_runs), max_size=8)) for w in run]
    toks = tokenize(" ".join(words))
    matcher = classifier.matcher
    plain: dict[int, list[tuple[int, int]]] = {}
    for i in range(len(toks)):
        _walk(plain, i, i + 1, matcher._roots(toks.words[i], toks.keys[i]), toks.words, toks.keys)
    assert list(matcher._occurrences(toks).items()) == list(plain.items())


@settings(max_examples=2000, deadline=None)
@given(WORDY)
def test_tokenize_split_path_equals_the_span_path(text):
    spans = [m.span() for m in TOKEN_RE.finditer(text)]
    if ("'" in text or "’" in text):
        spans = _split_contractions(text, spans)
    reference = _tokenize_spans(text, spans)
    toks = tokenize(text)
    assert (toks.starts, toks.ends, toks.words, toks.keys) == (reference.starts, reference.ends, reference.words,
                                                                reference.keys)
    assert toks.surface == tuple(text[s:e] for s, e in zip(toks.starts, toks.ends))


@pytest.mark.parametrize("n", [1, 2, 7, 999, 1000, 1001])
def test_bootstrap_percentiles_equal_numpy(n):
    values = np.random.default_rng(n).normal(size=n)
    tail = (1 - 0.9) / 2 * 100
    for percents in ((tail, 100 - tail), (5, 95), (0, 100), (50,), (12.345, 99.9)):
        assert _percentiles(values, percents) == tuple(np.percentile(values, percents).tolist())


def test_frozen_init_keeps_the_dataclass_behaviour():
    import dataclasses
    import inspect
    import pickle

    from stance.rulebook.actors import Mention
    from stance.fastinit import frozen_init
    from stance.rulebook.matcher import MatchResult, SignalHit, Suppressed
    from stance.report.posture import StanceEstimate
    from stance.report.article import ActorSummary, ArticleReport, Evidence, SentenceScore
    from stance.text.tokens import Tokens

    hit = SignalHit("r.x", "hedge", "hopes", 0, 5, "phrase 'hope'", 1.0)
    assert (hit.negated, hit.actor) == (False, None)  # defaults
    assert hit == SignalHit(rule="r.x", category="hedge", text="hopes", start=0, end=5, pattern="phrase 'hope'",
                            weight=1.0, negated=False, actor=None)
    assert pickle.loads(pickle.dumps(hit)) == hit and hash(hit) == hash(dataclasses.replace(hit))
    assert dataclasses.replace(hit, actor="belarus").actor == "belarus"
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.actor = "belarus"  # type: ignore[misc]
    for cls in (SignalHit, Suppressed, MatchResult, Mention, Tokens, SentenceScore, Evidence, ActorSummary,
                ArticleReport, StanceEstimate):
        names = [p.name for p in inspect.signature(cls).parameters.values()]
        assert names == [f.name for f in dataclasses.fields(cls)], cls
        assert [p.default for p in inspect.signature(cls).parameters.values()] == [
            inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default for f in dataclasses.fields(cls)]
    assert Tokens((), (), (), ()).surface == ()

    @dataclasses.dataclass
    class Loose:
        x: int

    with pytest.raises(TypeError):
        frozen_init(Loose)


def test_paused_gc_puts_the_collector_back_as_it_was():
    import gc

    from stance.fastinit import paused_gc

    was_enabled = gc.isenabled()
    try:
        for enabled in (True, False):
            gc.enable() if enabled else gc.disable()
            with paused_gc():
                assert not gc.isenabled()
            assert gc.isenabled() == enabled
            with pytest.raises(ValueError), paused_gc():
                raise ValueError("a load that fails")
            assert gc.isenabled() == enabled
    finally:
        gc.enable() if was_enabled else gc.disable()


def _node_tree(node):
    """A composed YAML node as comparable tuples: tag, value, style and position of every node."""
    import yaml

    mark = (node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return (node.tag, node.value, node.style, mark)
    if isinstance(node, yaml.MappingNode):
        return (node.tag, mark, [(_node_tree(k), _node_tree(v)) for k, v in node.value])
    return (node.tag, mark, [_node_tree(item) for item in node.value])


def test_rule_loader_composes_the_nodes_of_the_base_loader():
    import yaml

    from stance.resources import default_rules_dir
    from stance.rulebook.loading import _BASE_LOADER, _LOADER

    texts = [p.read_text(encoding="utf-8") for p in sorted(default_rules_dir().rglob("*.yaml"))]
    # Scalars the full resolver would turn into numbers, booleans, nulls and dates stay strings; tags stay tags.
    texts.append("a: no\nb: 1.5\nc: ~\nd: 2025-02-12\ne: !!int 3\nf: [on, 'off', 0x10]\n? [x]\n: {y: null}\n")
    for text in texts:
        assert _node_tree(yaml.compose(text, Loader=_LOADER)) == _node_tree(yaml.compose(text, Loader=_BASE_LOADER))


def _strongest_word_feature_loop(model, ids, head):
    """The element-by-element reading of `strongest_word_feature` the numpy one replaced."""
    best, best_pull = None, 0.0
    names = model._feature_names()
    for i in ids:
        name = names[i]
        if name[:2] in ("k:", "b:"):
            pull = model.signal_coef[head, i] * model.idf[i]
            if pull > best_pull or (pull == best_pull and best is not None and name < best):
                best, best_pull = name, pull
    return best


def test_strongest_word_feature_equals_the_loop(classifier):
    model = classifier.model
    rng = np.random.default_rng(11)
    n = len(model.idf)
    rows = [model.feature_ids(tokenize(d["text"]).keys, ()) for d in seed_labels()[:400]]
    rows += [rng.choice(n, size=size).tolist() for size in (0, 1, 5, 60)]
    rows.append([0, 0, 1, 1])  # repeated columns
    for ids in rows:
        for order in (ids, ids[::-1]):
            for head in range(model.signal_coef.shape[0]):
                assert model.strongest_word_feature(order, head) == _strongest_word_feature_loop(model, order, head)
