from __future__ import annotations

import json

import pytest

from .conftest import ROOT, SEED_ARTICLE, run_cli, seed_labels


@pytest.fixture(scope="module")
def seed_json():
    proc = run_cli("score", str(SEED_ARTICLE), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_json_report_has_the_labelled_sentences_in_order(seed_json):
    assert seed_json["sentence_count"] == 45
    assert [s["text"] for s in seed_json["sentences"]] == [d["text"] for d in seed_labels()]
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    for s in seed_json["sentences"]:
        assert text[s["start"]:s["end"]] == s["text"]
        for hit in s["signals"]:
            assert text[hit["start"]:hit["end"]] == hit["text"]


def test_seed_report_is_positive_and_shows_red_line_and_reciprocity(seed_json):
    assert seed_json["title"] == "Belarus Hopes to Reset U.S. Ties with Prisoner Release"
    assert seed_json["stance_index"] > 0
    red = [e["text"] for e in seed_json["evidence"]["red_line"]]
    assert any("non-interference in domestic affairs" in t for t in red)
    conditions = " | ".join(e["text"] for e in seed_json["evidence"]["condition"])
    assert "reciprocal" in conditions or "mutually respectful" in conditions or "in return" in conditions
    for s in seed_json["sentences"]:
        assert -1 <= s["score"] <= 1 and s["stance"] in (-1, 0, 1)


def test_text_report_names_title_index_and_red_line():
    proc = run_cli("score", str(SEED_ARTICLE))
    assert proc.returncode == 0
    assert "Belarus Hopes to Reset U.S. Ties" in proc.stdout
    assert "stance index +" in proc.stdout and "posture: " in proc.stdout
    assert "non-interference in domestic affairs" in proc.stdout


def test_standard_input_and_html(tmp_path):
    proc = run_cli("score", "-", "--format", "json", stdin="Talks resumed in Geneva. The envoys met.".encode())
    assert proc.returncode == 0 and json.loads(proc.stdout)["sentence_count"] == 2
    page = tmp_path / "a.html"
    page.write_text("<html><head><script>var talks = 1;</script></head><body><nav>Home</nav>"
                    "<h1>Truce holds</h1><p>The truce held. Both sides met.</p></body></html>", encoding="utf-8")
    data = json.loads(run_cli("score", str(page), "--format", "json").stdout)
    assert data["title"] == "Truce holds"
    assert [s["text"] for s in data["sentences"]] == ["Truce holds", "The truce held.", "Both sides met."]


@pytest.mark.parametrize("name,content,message", [
    ("binary.txt", b"\x00\x01\x02binary", "looks binary"),
    ("empty.txt", b"", "has no text"),
    ("blank.txt", b"  \n\t\n", "has no text"),
    ("latin1.txt", "Minsk a libéré".encode("latin-1"), "not valid UTF-8"),
    ("missing.txt", None, "no such file"),
])
def test_bad_input_gives_one_line_and_exit_2(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    proc = run_cli("score", str(path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and name in lines[0]


def test_score_works_from_another_folder(tmp_path):
    proc = run_cli("score", str(SEED_ARTICLE), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0 and json.loads(proc.stdout)["sentence_count"] == 45


def test_train_writes_model_and_card_that_score_uses(tmp_path):
    out = tmp_path / "model.npz"
    labels = ROOT / "seeds" / "labels" / "middle-east.jsonl"
    proc = run_cli("train", str(labels), "--out", str(out), "--folds", "3")
    assert proc.returncode == 0, proc.stderr
    assert "grouped 3-fold cross-validation" in proc.stdout and "macro-F1=" in proc.stdout
    assert out.exists() and (tmp_path / "model.card.json").exists()
    proc = run_cli("score", str(SEED_ARTICLE), "--model", str(out), "--format", "json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["model"] == "model.npz"


def test_version():
    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.startswith("stance ")
