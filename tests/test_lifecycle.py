"""Training inputs, the default model's life cycle, and labelling."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

import pytest

from stance import Classifier

from stance.model import default as default_model
from stance.errors import ModelError
from stance.model.linear import load_model

from .conftest import ROOT, SEED_ARTICLE, SEED_LABELS, run_cli


def test_label_file_with_four_planted_errors(tmp_path):
    bad = tmp_path / "bad.jsonl"
    good = '{"id": "d/s00", "text": "Talks resumed.", "stance": 1, "signals": ["deescalation"]}'
    bad.write_text("\n".join([
        good,
        '{"id": "d/s01", "text": "Broken JSON", "stance": 1, "signals": [}',
        '{"id": "d/s02", "text": "No stance here.", "signals": []}',
        '{"id": "d/s03", "text": "Wrong stance.", "stance": 2, "signals": []}',
        '{"id": "d/s00", "text": "Duplicate id.", "stance": 0, "signals": []}',
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "model.npz"
    proc = run_cli("train", str(bad), "--out", str(out))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    for line, words in ((2, "bad JSON"), (3, "missing field(s): stance"), (4, "stance must be -1, 0 or 1"),
                        (5, "duplicate id 'd/s00'")):
        assert f"bad.jsonl:{line}:" in proc.stderr and words in proc.stderr, (line, proc.stderr)
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]


def test_conflicting_labels_for_the_same_text_are_reported(tmp_path):
    f = tmp_path / "l.jsonl"
    f.write_text('{"id": "a/s0", "text": "Talks resumed.", "stance": 1, "signals": []}\n'
                 '{"id": "b/s0", "text": "Talks resumed.", "stance": -1, "signals": []}\n', encoding="utf-8")
    proc = run_cli("train", str(f), "--out", str(tmp_path / "m.npz"))
    assert proc.returncode == 2 and "l.jsonl:2:" in proc.stderr and "different labels" in proc.stderr


def test_tune_on_must_name_a_training_file(tmp_path):
    f = tmp_path / "l.jsonl"
    f.write_text('{"id": "a/s0", "text": "Talks resumed.", "stance": 1, "signals": []}\n', encoding="utf-8")
    proc = run_cli("train", str(f), "--out", str(tmp_path / "m.npz"), "--tune-on", "other-*")
    assert proc.returncode == 2 and "other-*" in proc.stderr and "matches none of the training files" in proc.stderr
    assert not (tmp_path / "m.npz").exists()


def test_neutral_offset_out_of_range_is_refused_before_training(tmp_path):
    f = tmp_path / "l.jsonl"
    f.write_text('{"id": "a/s0", "text": "Talks resumed.", "stance": 1, "signals": []}\n', encoding="utf-8")
    proc = run_cli("train", str(f), "--out", str(tmp_path / "m.npz"), "--neutral-offset", "7")
    assert proc.returncode == 2 and "--neutral-offset" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "m.npz").exists()


def test_weight_must_be_a_pattern_and_a_positive_number(tmp_path):
    f = tmp_path / "l.jsonl"
    f.write_text('{"id": "a/s0", "text": "Talks resumed.", "stance": 1, "signals": []}\n', encoding="utf-8")
    for spec, words in (("l.jsonl", "PATTERN=WEIGHT"), ("l.jsonl=-1", "positive number"), ("l.jsonl=x", "positive"),
                        ("other-*=2", "matches none of the training files")):
        proc = run_cli("train", str(f), "--out", str(tmp_path / "m.npz"), "--weight", spec)
        assert proc.returncode == 2 and spec in proc.stderr and words in proc.stderr, (spec, proc.stderr)
        assert "Traceback" not in proc.stderr and "training on" not in proc.stderr  # refused before training
    assert not (tmp_path / "m.npz").exists()


def test_file_weights_later_patterns_win():
    from stance.model.train import file_weights

    paths = [Path("labels/reporting-eu.jsonl"), Path("labels/asia.jsonl"), Path("labels/reporting-mena.jsonl")]
    assert file_weights(paths, ["*=0.5", "reporting-*=1"]) == {
        "asia.jsonl": 0.5, "reporting-eu.jsonl": 1.0, "reporting-mena.jsonl": 1.0}
    assert file_weights(paths, ["reporting-eu.jsonl=3"]) == {"reporting-eu.jsonl": 3.0}
    assert file_weights(paths, []) == {}


def test_weighted_files_change_the_fit_and_are_on_the_card(tmp_path):
    """A file's weight reaches the classifier: the same labels weighed
    differently give other coefficients, and the card says how they were weighed."""
    lines = {"a.jsonl": [("Talks resumed in Geneva.", 1), ("The army shelled the border.", -1),
                         ("The meeting was on Tuesday.", 0), ("Both sides agreed to talks.", 1)],
             "b.jsonl": [("Talks collapsed in anger.", -1), ("Sanctions were eased.", 1),
                         ("The minister spoke on Monday.", 0), ("The envoy threatened new strikes.", -1)]}
    files = []
    for name, rows in lines.items():
        path = tmp_path / name
        path.write_text("".join(json.dumps({"id": f"{name[0]}{i}/s0", "text": t, "stance": st, "signals": []}) + "\n"
                                for i, (t, st) in enumerate(rows)), encoding="utf-8")
        files.append(str(path))
    plain, weighed = tmp_path / "plain.npz", tmp_path / "weighed.npz"
    assert run_cli("train", *files, "--folds", "0", "--out", str(plain)).returncode == 0
    proc = run_cli("train", *files, "--folds", "0", "--out", str(weighed), "--weight", "b*=5")
    assert proc.returncode == 0, proc.stderr
    card = json.loads((tmp_path / "weighed.card.json").read_text())
    assert card["classifier"]["file_weights"] == {"b.jsonl": 5.0}
    assert json.loads((tmp_path / "plain.card.json").read_text())["classifier"]["file_weights"] == {}
    assert not np.allclose(load_model(plain).coef, load_model(weighed).coef)


def test_a_retrain_on_the_same_labels_and_rules_writes_the_same_model_file(tmp_path):
    """Byte for byte, whatever the string hashing of the process: a retrain
    that changes nothing shows no change in git."""
    outs = [tmp_path / f"m{seed}.npz" for seed in ("1", "2")]
    for out, seed in zip(outs, ("1", "2")):
        proc = run_cli("train", str(SEED_LABELS), "--folds", "0", "--out", str(out), env={"PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
    assert outs[0].read_bytes() == outs[1].read_bytes()


@pytest.fixture()
def faked_default(tmp_path, monkeypatch):
    """A copy of the shipped model whose card claims another scikit-learn."""
    models = tmp_path / "models"
    shutil.copytree(ROOT / "models", models)
    card_file = models / "stance-model.card.json"
    card = json.loads(card_file.read_text())
    card["sklearn_version"] = "0.0.1"
    card_file.write_text(json.dumps(card))
    monkeypatch.setattr(default_model, "default_model_path", lambda: models / "stance-model.npz")
    monkeypatch.setenv("STANCE_CACHE", str(tmp_path / "cache"))
    return tmp_path


def test_default_model_is_rebuilt_once_for_another_sklearn(faked_default):
    notices: list[str] = []
    clf = Classifier.load(notify=notices.append)
    assert len(notices) == 1 and "rebuilding" in notices[0] and "0.0.1" in notices[0]
    rebuilt = faked_default / "cache" / "stance-model.npz"
    assert rebuilt.exists()
    # rebuilt as the shipped model was built: same labels, same neutral offset tuned on the same files
    shipped_card = json.loads((ROOT / "models" / "stance-model.card.json").read_text())
    rebuilt_card = json.loads((faked_default / "cache" / "stance-model.card.json").read_text())
    assert rebuilt_card["classifier"] == shipped_card["classifier"]
    assert rebuilt_card["labels"]["sha256"] == shipped_card["labels"]["sha256"]
    assert clf.score_text(SEED_ARTICLE.read_text(encoding="utf-8")).stance_index > 0
    Classifier.load(notify=notices.append)
    assert len(notices) == 1  # the rebuilt model is reused


def test_user_model_from_another_sklearn_is_refused_with_the_command(faked_default):
    with pytest.raises(ModelError, match="stance train"):
        Classifier.load(model=faked_default / "models" / "stance-model.npz")


def test_label_session_end_to_end_with_piped_keys(tmp_path):
    out = tmp_path / "new.jsonl"
    keys = "t\n\nn\n-\nu\na\ned\nx\ns\nq\n"
    proc = run_cli("label", str(SEED_ARTICLE), "--out", str(out), stdin=keys.encode())
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["stance"] for r in rows] == [1, -1]
    assert rows[1]["signals"] == ["escalation", "deescalation"] or set(rows[1]["signals"]) == {"deescalation", "escalation"}
    assert "undone" in proc.stdout and "is not a key" in proc.stdout
    assert "2 labelled, 1 skipped" in proc.stdout
    # resuming skips what is already labelled
    proc = run_cli("label", str(SEED_ARTICLE), "--out", str(out), stdin=b"n\n-\nq\n")
    rows2 = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows2) == 3 and len({r["id"] for r in rows2}) == 3
    assert "1 labelled" in proc.stdout
