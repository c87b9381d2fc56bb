"""The README's table of bad inputs: one row each, message and exit code."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import ROOT, RULES, SEED_ARTICLE, run_cli

RULE = ("category: hedge\nrules:\n  - id: hedge.x\n    description: x\n    patterns:\n      - {pattern}\n"
        "    examples:\n      match: [a, b]\n      no_match: [c]\n")


def _rules(tmp: Path, body: str, name: str = "x.yaml") -> Path:
    folder = tmp / "rules"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(body, encoding="utf-8")
    return folder


def _model_copy(tmp: Path) -> Path:
    for name in ("stance-model.npz", "stance-model.card.json"):
        shutil.copy(ROOT / "models" / name, tmp / name)
    return tmp / "stance-model.npz"


def _corrupt_model(tmp: Path) -> Path:
    model = _model_copy(tmp)
    model.write_bytes(b"PK\x03\x04 this is not a model")
    card_file = tmp / "stance-model.card.json"
    card = json.loads(card_file.read_text())
    card["model_sha256"] = hashlib.sha256(model.read_bytes()).hexdigest()
    card_file.write_text(json.dumps(card))
    return model


def _tampered_model(tmp: Path) -> Path:
    model = _model_copy(tmp)
    with model.open("ab") as f:
        f.write(b"\0")
    return model


def _write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


def _blocked(tmp: Path) -> Path:
    """A path whose parent is a file, so nothing can be written there (even as root)."""
    (tmp / "afile").write_text("x")
    return tmp / "afile" / "out"


# (row name, build the command's arguments in tmp, exit code, words of the message)
ROWS: list[tuple[str, Callable[[Path], list[str]], int, str]] = [
    ("missing file", lambda t: ["score", str(t / "nope.txt")], 2, "no such file"),
    ("folder with no articles", lambda t: ["score", str((t / "empty").mkdir() or t / "empty")], 2, "folder holds no articles"),
    ("binary", lambda t: ["score", str(_write(t, "a.txt", b"\x7fELF\x00\x01"))], 2, "looks binary"),
    ("invalid UTF-8", lambda t: ["score", str(_write(t, "a.txt", "Minsk a libéré".encode("latin-1")))], 2, "not valid UTF-8"),
    ("empty", lambda t: ["score", str(_write(t, "a.txt", b""))], 2, "has no text"),
    ("whitespace only", lambda t: ["score", str(_write(t, "a.txt", b" \n\t \r\n"))], 2, "has no text"),
    ("HTML with scripts", lambda t: ["score", "--format", "json", str(_write(
        t, "a.html", b"<html><script>alert('talks resumed')</script><p>Talks resumed.</p></html>"))], 0, '"Talks resumed."'),
    ("malformed YAML", lambda t: ["rules", "check", str(_rules(t, "rules:\n  - id: [unclosed\n"))], 1, "YAML syntax"),
    ("unknown rule key", lambda t: ["rules", "check", str(_rules(t, RULE.format(pattern="talks").replace(
        "    examples:", "    colour: red\n    examples:")))], 1, "unknown key 'colour'"),
    ("invalid regex", lambda t: ["rules", "check", str(_rules(t, RULE.format(pattern="regex: '(talks'")))], 1, "invalid regex"),
    ("catastrophic regex", lambda t: ["rules", "check", str(_rules(t, RULE.format(pattern="regex: '(\\w|\\w\\w)+$'")))],
     1, "backtracks catastrophically"),
    ("duplicate rule ids", lambda t: ["rules", "check", str(_rules(t, RULE.format(pattern="talks") + RULE.format(
        pattern="truce").split("rules:\n", 1)[1]))], 1, "duplicate rule id 'hedge.x'"),
    ("rules with problems, when scoring", lambda t: ["score", str(SEED_ARTICLE), "--rules", str(_rules(
        t, "rules:\n  - id: [unclosed\n"))], 2, "YAML syntax"),
    ("rules with problems, when scoring with --jobs 2", lambda t: ["score", str(SEED_ARTICLE), "--jobs", "2", "--rules",
                                                                   str(_rules(t, "rules:\n  - id: [unclosed\n"))],
     2, "YAML syntax"),
    ("missing model", lambda t: ["score", str(SEED_ARTICLE), "--model", str(t / "none.npz")], 2, "no model file"),
    ("missing model, with --jobs 2", lambda t: ["score", str(SEED_ARTICLE), "--jobs", "2", "--model",
                                                str(t / "none.npz")], 2, "no model file"),
    ("corrupt model", lambda t: ["score", str(SEED_ARTICLE), "--model", str(_corrupt_model(t))], 2, "corrupt model file"),
    ("model that does not match its card", lambda t: ["score", str(SEED_ARTICLE), "--model", str(_tampered_model(t))],
     2, "does not match its card"),
    ("malformed labels", lambda t: ["train", str(_write(t, "l.jsonl", b'{"id": "a/s0", "text": "x", "stance": 5}\n')),
                                    "--out", str(t / "m.npz")], 2, "l.jsonl:1:"),
    ("labels with no sentences, when evaluating", lambda t: ["evaluate", str(_write(t, "l.jsonl", b"\n"))], 2,
     "no labelled sentences"),
    ("model output path not writable", lambda t: ["train", str(ROOT / "seeds" / "labels" / "middle-east.jsonl"),
                                                  "--folds", "0", "--out", str(_blocked(t) / "m.npz")], 2, "cannot write the model"),
    ("summary output path not writable", lambda t: ["score", str(SEED_ARTICLE), "--summary", str(_blocked(t) / "s.csv")],
     2, "cannot write the summary"),
]


@pytest.mark.parametrize("name,build,code,words", ROWS, ids=[r[0] for r in ROWS])
def test_bad_input(tmp_path, name, build, code, words):
    args = build(tmp_path)
    before = set(tmp_path.rglob("*"))
    proc = run_cli(*args)
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert words in (proc.stdout + proc.stderr)
    if code == 2 and "rules" not in name and "labels" not in name:  # rule and label files list every problem
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    created = {p for p in set(tmp_path.rglob("*")) - before if p.is_file() and p.suffix in (".npz", ".csv", ".tmp")}
    if code:
        assert not created, created  # nothing partial left behind


def test_yaml_tags_never_construct_objects(tmp_path):
    folder = _rules(tmp_path, "!!python/object/apply:os.system ['echo pwned > " + str(tmp_path / "pwned") + "']\n")
    proc = run_cli("rules", "check", str(folder))
    assert proc.returncode == 1 and not (tmp_path / "pwned").exists()
    assert RULES.exists()
