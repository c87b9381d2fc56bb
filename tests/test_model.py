from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stance.errors import ModelError
from stance import Classifier
from stance.model.features import article_context, document_context, negated_categories
from stance.model.labels import read_labels
from stance.rulebook.matcher import Matcher
from stance.model.linear import MODEL_FORMAT, OLD_MODEL_FORMAT, CLASSES, card_path, file_sha256, load_model
from stance.rulebook.patterns import SIGNALS
from stance.rulebook.loading import load_rulebook
from stance.text.tokens import tokenize
from stance.model.train import _features, _pipeline, train

from .conftest import RULES, SEED_LABELS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def small_training():
    labels = read_labels([SEED_LABELS, ROOT / "seeds" / "labels" / "europe-eurasia.jsonl"])
    rulebook = load_rulebook(RULES)
    return labels, rulebook, train(labels, rulebook, folds=2)


def test_fast_scorer_equals_the_fitted_sklearn_pipeline(small_training):
    labels, rulebook, result = small_training
    matcher = Matcher(rulebook)
    feats = _features(labels.sentences, matcher)
    pipe = _pipeline().fit(feats, np.array([s.stance for s in labels.sentences]))
    logits = pipe.decision_function(feats)  # columns in classes_ order: -1, 0, 1
    logits[:, 1] += result.card["classifier"]["neutral_offset"]
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    matches = [matcher.match(s.text) for s in labels.sentences]
    context = article_context([frozenset(h.category for h in m.hits) for m in matches],
                              [s.document for s in labels.sentences])
    assert any(context), "the labels are in documents, so sentences have article context"
    rows = [result.model.feature_ids(tokenize(s.text).keys, m.hits, negated_categories(m), ctx)
            for s, m, ctx in zip(labels.sentences, matches, context)]
    np.testing.assert_allclose(result.model.predict_proba(rows), expected, atol=1e-9)
    # the classifier's own path, reading the labels as articles, gives the same probabilities
    scored = Classifier(rulebook, result.model).score_sentences([s.text for s in labels.sentences],
                                                                [s.document for s in labels.sentences])
    np.testing.assert_allclose([x.probabilities for x in scored], expected, atol=1e-9)


def test_article_context_reads_neighbours_the_headline_and_the_rest_of_the_article():
    esc, hedge, de = "escalation", "hedge", "deescalation"
    cats = [frozenset({esc}), frozenset(), frozenset({esc, hedge}), frozenset(), frozenset(), frozenset({de})]
    ctx = document_context(cats)
    assert ctx[0] == []  # no neighbour signal; one other sentence in five is under ARTICLE_SHARE
    assert ctx[1] == ["ps:escalation", "ns:escalation", "ns:hedge", "ds:escalation", "ts:escalation"]
    assert ctx[5] == ["ds:escalation", "ts:escalation"]  # the headline frames the last sentence too
    assert document_context([frozenset(), frozenset({de})])[1] == []  # a headline with no signal adds nothing
    # two articles interleaved in the input are read apart, each in its given order
    assert article_context([cats[0], cats[5], cats[2]], ["a", "b", "a"]) == [
        ["ns:escalation", "ns:hedge", "ds:escalation", "ds:hedge"], [], ["ps:escalation", "ds:escalation", "ts:escalation"]]


def test_cross_validation_keeps_documents_together(small_training):
    _, _, result = small_training
    assert result.cv["grouped_by"] == "document"
    assert 0.0 <= result.cv["macro_f1"] <= 1.0
    assert sum(map(sum, result.cv["confusion"]["rows_gold_columns_predicted"])) == result.cv["n"]


def test_save_and_load_round_trip(tmp_path, small_training):
    _, _, result = small_training
    target = tmp_path / "m.npz"
    result.model.save(target, result.card)
    loaded = load_model(target)
    assert loaded.vocabulary == result.model.vocabulary
    card = json.loads(card_path(target).read_text())
    assert card["labels"]["sentences"] == 379 and card["rules_sha256"]


def _save_format_2(model, target: Path, card: dict) -> None:
    """A model written as `stance train` wrote it before format /3: compressed, names as a unicode array."""
    names = np.array(sorted(model.vocabulary, key=model.vocabulary.__getitem__))
    np.savez_compressed(target, features=names, idf=model.idf, coef=model.coef, intercept=model.intercept,
                        classes=np.array(CLASSES), signal_coef=model.signal_coef,
                        signal_intercept=model.signal_intercept, signal_threshold=model.signal_threshold,
                        signals=np.array(SIGNALS))
    card = {**card, "format": OLD_MODEL_FORMAT, "model_sha256": file_sha256(target)}
    card_path(target).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def test_both_formats_load_to_the_same_model_and_scores(tmp_path, small_training):
    """A format /3 file (what `save` writes) and a format /2 file of the same
    model load to the same names, arrays, feature columns and probabilities;
    /3 brings its word-feature tables, /2 builds them from the names."""
    labels, rulebook, result = small_training
    new, old = tmp_path / "new.npz", tmp_path / "old.npz"
    result.model.save(new, result.card)
    _save_format_2(result.model, old, result.card)
    loaded = {path: load_model(path) for path in (new, old)}
    assert loaded[new].card["format"] == MODEL_FORMAT and loaded[old].card["format"] == OLD_MODEL_FORMAT
    assert loaded[new].lookup._tables is not None and loaded[old].lookup._tables is None
    texts = [s.text for s in labels.sentences] + ["", "Not no never without none.", "didn't talk, won't talk"]
    answers = []
    for model in loaded.values():
        assert model.vocabulary == result.model.vocabulary
        assert model._feature_names() == result.model._feature_names()
        for name in ("idf", "coef", "intercept", "signal_coef", "signal_intercept", "signal_threshold"):
            assert np.array_equal(getattr(model, name), getattr(result.model, name)), name
        scored = Classifier(rulebook, model).score_sentences(texts, [0] * len(texts))
        answers.append([(s.probabilities, [h.to_dict() for h in s.signals]) for s in scored])
        keys = [tokenize(t).keys for t in texts]
        owner, cols = model.lookup.columns(keys, [()] * len(texts), [()] * len(texts), [()] * len(texts))
        for row, k in enumerate(keys):  # the stored tables find the columns the names give
            assert sorted(cols[owner == row].tolist()) == sorted(model.feature_ids(k, ()))
    assert answers[0] == answers[1]


def test_a_format_3_file_with_bad_tables_is_refused(tmp_path, small_training):
    _, _, result = small_training
    target = tmp_path / "m.npz"
    result.model.save(target, result.card)
    with np.load(target) as data:
        arrays = dict(data)
    arrays["bigram_cols"] = arrays["bigram_cols"] + len(result.model.vocabulary)  # columns out of range
    np.savez(target, **arrays)
    card = json.loads(card_path(target).read_text())
    card_path(target).write_text(json.dumps({**card, "model_sha256": file_sha256(target)}))
    with pytest.raises(ModelError, match="corrupt model file"):
        load_model(target)


def test_model_that_does_not_match_its_card_is_refused(tmp_path, small_training):
    _, _, result = small_training
    target = tmp_path / "m.npz"
    result.model.save(target, result.card)
    with target.open("ab") as f:
        f.write(b"tampered")
    with pytest.raises(ModelError, match="does not match its card"):
        load_model(target)


def test_crash_while_saving_keeps_the_previous_model(tmp_path, small_training, monkeypatch):
    _, _, result = small_training
    target = tmp_path / "m.npz"
    result.model.save(target, result.card)
    before = target.read_bytes()

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError):
        result.model.save(target, result.card)
    assert target.read_bytes() == before
    assert load_model(target).vocabulary == result.model.vocabulary
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_missing_and_corrupt_models_give_clear_errors(tmp_path):
    with pytest.raises(ModelError, match="no model file"):
        load_model(tmp_path / "none.npz")
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="card"):
        load_model(bad)


def test_shipped_model_was_trained_on_the_shipped_rules_and_labels():
    """Editing rules or labels without retraining leaves the default model stale."""
    from stance.model.labels import labels_sha256
    from stance.rulebook.loading import rules_digest

    card = json.loads((ROOT / "models" / "stance-model.card.json").read_text())
    assert card["rules_sha256"] == rules_digest(RULES), "retrain: stance train seeds/labels/*.jsonl"
    labels = sorted((ROOT / "seeds" / "labels").glob("*.jsonl"))
    assert card["labels"]["sha256"] == labels_sha256(labels), "retrain: stance train seeds/labels/*.jsonl"


def test_shipped_card_matches_the_command_in_models_readme():
    """models/README.md names the exact training command; the card must say
    the model was built with its tuning files, weights and fixed offset."""
    import re
    import shlex

    from stance.model.train import file_weights, tuning_files

    block = re.search(r"```sh\n(stance train [^\n]*)\n```", (ROOT / "models" / "README.md").read_text(encoding="utf-8"))
    assert block, "models/README.md has no ```sh block with the stance train command"
    args = shlex.split(block.group(1))
    options = [(a, b) for a, b in zip(args, args[1:]) if a.startswith("--")]
    shipped = json.loads((ROOT / "models" / "stance-model.card.json").read_text())
    card, files = shipped["classifier"], [Path(f) for f in shipped["labels"]["files"]]
    # read as `stance train` reads the options
    assert card["neutral_offset_tuned_on"] == tuning_files(files, [v for k, v in options if k == "--tune-on"])
    assert card["file_weights"] == file_weights(files, [v for k, v in options if k == "--weight"])
    offset = [float(v) for k, v in options if k == "--neutral-offset"]
    assert card["neutral_offset_fixed"] == bool(offset) and (not offset or card["neutral_offset"] == offset[0])


def test_signal_heads_equal_sklearn_logistic_heads(small_training):
    """The exported heads give scikit-learn's probabilities for the same rows."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from stance.rulebook.patterns import SIGNALS
    from stance.model.train import MAX_ITER, SIGNAL_C, _identity

    labels, rulebook, result = small_training
    feats = _features(labels.sentences, Matcher(rulebook))
    X = TfidfVectorizer(analyzer=_identity, binary=True, norm="l2").fit_transform(feats)
    model = result.model
    rows = [[model.vocabulary[f] for f in set(fs)] for fs in feats]
    got = model.signal_proba(rows)
    for k, category in enumerate(SIGNALS):
        y = [category in s.signals for s in labels.sentences]
        head = LogisticRegression(C=SIGNAL_C, max_iter=MAX_ITER, class_weight="balanced").fit(X, y)
        np.testing.assert_allclose(got[:, k], head.predict_proba(X)[:, 1], atol=1e-6)


def test_learned_hits_point_at_their_evidence_and_respect_negation(small_training):
    """With every head forced on, learned hits appear only where no rule of the
    category fired, name the word that pulled the head, and never undo negation."""
    from dataclasses import replace

    from stance.rulebook.patterns import SIGNALS

    _, rulebook, result = small_training
    eager = replace(result.model, signal_threshold=np.zeros(len(SIGNALS)))
    clf = Classifier(rulebook, eager)
    text = "Warsaw expelled two Belarusian diplomats. The authorities did not release the detained journalists."
    report = clf.score_text(text)
    learned = [h for s in report.sentences for h in s.signals if h.rule.startswith("learned.")]
    assert learned, "forced-on heads find something"
    for s in report.sentences:
        ruled = {h.category for h in s.signals if not h.rule.startswith("learned.")}
        for h in s.signals:
            if h.rule.startswith("learned."):
                assert h.rule == "learned." + h.category and h.category not in ruled
                assert text[h.start:h.end] == h.text and h.text.strip()
    refusal = report.sentences[1]
    assert "deescalation" not in {h.category for h in refusal.signals}  # "did not release" stays no release
    # the shipped thresholds were chosen in training; a head that is off never fires
    off = replace(result.model, signal_threshold=np.full(len(SIGNALS), 2.0))
    assert not [h for s in Classifier(rulebook, off).score_text(text).sentences for h in s.signals
                if h.rule.startswith("learned.")]


def test_a_head_is_switched_on_only_when_it_beats_the_rules():
    from stance.model.train import choose_signal_thresholds

    gold = np.array([[True] * 5, [True] * 5, [False] * 5, [False] * 5])
    ruled = np.array([[True] * 5, [False] * 5, [False] * 5, [False] * 5])
    negated = np.zeros((4, 5), dtype=bool)
    helpful = np.array([[0.9] * 5, [0.8] * 5, [0.1] * 5, [0.2] * 5])
    thresholds, report = choose_signal_thresholds(helpful, ruled, negated, gold)
    assert (thresholds <= 0.8).all() and report["escalation"]["f1_rules_and_head"] == 1.0
    useless = np.array([[0.9] * 5, [0.1] * 5, [0.8] * 5, [0.2] * 5])  # fires on the wrong sentence
    thresholds, report = choose_signal_thresholds(useless, ruled, negated, gold)
    assert (thresholds > 1).all() and report["hedge"]["threshold"] is None
    negated[1] = True  # the sentence a head would add had its rule negated: the head may not add it
    thresholds, _ = choose_signal_thresholds(helpful, ruled, negated, gold)
    assert (thresholds > 1).all()


def test_a_fixed_neutral_offset_is_used_as_given_and_recorded(small_training):
    """`train(neutral_offset=...)`: the same fit, the neutral intercept moved
    by exactly the given offset, the cross-validation read at it, and the
    card saying it was fixed, with the scores a choice would have weighed."""
    labels, rulebook, chosen = small_training
    fixed = train(labels, rulebook, folds=2, neutral_offset=0.37)
    neutral = CLASSES.index(0)
    moved = fixed.model.intercept - chosen.model.intercept
    assert moved[neutral] == pytest.approx(0.37 - chosen.card["classifier"]["neutral_offset"])
    assert np.delete(moved, neutral) == pytest.approx(0.0)
    np.testing.assert_array_equal(fixed.model.coef, chosen.model.coef)
    assert fixed.card["classifier"]["neutral_offset"] == 0.37 and fixed.card["classifier"]["neutral_offset_fixed"]
    assert not chosen.card["classifier"]["neutral_offset_fixed"]
    assert fixed.cv["neutral_offset"] == 0.37
    # the scores of the candidate offsets are the same either way, and the choice is their best
    assert fixed.cv["offset_scores_on_tuning_files"] == chosen.cv["offset_scores_on_tuning_files"]
    scores = chosen.cv["offset_scores_on_tuning_files"]
    assert scores[f"{chosen.cv['neutral_offset']:g}"] == max(scores.values())


def test_evaluate_against_the_model_before_a_retrain(tmp_path, small_training):
    """`stance evaluate --against OLD`: both models' macro-F1 on the same
    labels, and a paired interval that holds the change; a model against
    itself changes nothing."""
    from .conftest import run_cli

    _, _, result = small_training
    old = tmp_path / "old.npz"
    result.model.save(old, result.card)
    labels = ROOT / "seeds" / "labels" / "reporting-eu.jsonl"
    alone = json.loads(run_cli("evaluate", str(labels), "--model", str(old), "--format", "json").stdout)
    shipped = json.loads(run_cli("evaluate", str(labels), "--against", str(old), "--format", "json").stdout)
    change = shipped["against"]
    assert change["before"] == alone["stance"]["macro_f1"] and change["after"] == shipped["stance"]["macro_f1"]
    assert change["low"] <= change["change"] <= change["high"] and change["groups"] == 51
    same = run_cli("evaluate", str(labels), "--model", str(old), "--against", str(old)).stdout
    assert "(+0.000); 95% paired interval of the change +0.000 to +0.000" in same and "within chance" in same
