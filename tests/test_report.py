"""The signal report: posture, actors, formats, corpus scoring and trend."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from stance.report.posture import ABSTAIN_BELOW, estimate, posture
from stance.report.render import render_html, render_markdown

from .conftest import ROOT, SEED_ARTICLE, run_cli

SCHEMA = json.loads((ROOT / "stance" / "schemas" / "report.schema.json").read_text())


def test_seed_json_validates_against_the_shipped_schema(seed_report):
    jsonschema.validate(seed_report.to_dict(), SCHEMA)


def test_cli_json_validates_against_the_schema():
    proc = run_cli("score", str(SEED_ARTICLE), "--format", "json")
    jsonschema.validate(json.loads(proc.stdout), SCHEMA)


def test_seed_posture_and_interval(seed_report):
    s = seed_report.stance
    assert s.low <= s.index <= s.high and s.index > 0
    assert seed_report.posture == "conditional opening"
    assert s.counted + s.abstained == seed_report.sentence_count


def _actor(report, actor_id):
    return next(a for a in report.actors if a.actor == actor_id)


def _rules_of(summary):
    return {e.hit.rule for e in summary.evidence}


def test_seed_actor_table_reads_true(seed_report):
    """Belarus releases prisoners, wants reciprocity and names its red line; the
    United States talks and offers sanctions relief in return; European
    neighbours hold a tough position."""
    by_actor = {}
    for s in seed_report.sentences:
        for h in s.signals:
            by_actor.setdefault(h.actor, set()).add((h.category, h.rule))
    belarus = by_actor["belarus"]
    assert ("deescalation", "deescalation.prisoner-release") in belarus
    assert ("condition", "condition.reciprocity") in belarus
    assert ("red_line", "red_line.explicit") in belarus
    us = by_actor["united-states"]
    assert ("deescalation", "deescalation.talks") in us
    assert ("deescalation", "deescalation.sanctions-relief") in us
    assert any(cat == "condition" for cat, _ in us)
    european = by_actor.get("european-union", set()) | by_actor.get("poland", set())
    assert ("escalation", "escalation.hardline") in european
    assert _actor(seed_report, "belarus").mean_stance > 0


def test_short_brief_has_a_wider_interval_than_a_long_analysis():
    scores = [0.6, -0.2, 0.4, 0.1, 0.5]
    short = estimate(scores, [0.9] * 5)
    long = estimate(scores * 10, [0.9] * 50)
    assert (short.high - short.low) > 2 * (long.high - long.low)
    assert abs(short.index - long.index) < 1e-9


def test_unsure_sentences_abstain():
    e = estimate([0.9, -0.9], [0.95, ABSTAIN_BELOW - 0.01])
    assert e.abstained == 1 and e.index == pytest.approx(0.9)


@pytest.mark.parametrize("index,counts,expected", [
    (0.0, {}, "no signal"),
    (0.4, {"deescalation": 3}, "opening"),
    (0.4, {"deescalation": 3, "condition": 1}, "conditional opening"),
    (-0.3, {"escalation": 2}, "hardening"),
    (0.02, {"deescalation": 2, "escalation": 2}, "mixed"),
])
def test_posture_table(index, counts, expected):
    assert posture(index, counts) == expected


def test_markdown_and_text_formats():
    md = run_cli("score", str(SEED_ARTICLE), "--format", "markdown").stdout
    assert md.startswith("# Belarus Hopes to Reset U.S. Ties")
    assert "## Who signals what" in md and "| Belarus |" in md and "red_line" in md
    text = run_cli("score", str(SEED_ARTICLE), env={"NO_COLOR": "1"}).stdout
    assert "Who signals what" in text and "\x1b[" not in text


def test_html_is_self_contained_and_escapes_the_article(classifier):
    hostile = "Talks resumed <script>alert('x')</script> in Geneva. The envoy met <b>officials</b>."
    page = render_html(classifier.score_text(hostile, title="<img src=x onerror=alert(1)>"))
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<img" not in page and "&lt;img" in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert 'title="deescalation: deescalation.talks' in page


def test_html_renders_in_headless_chromium(tmp_path, seed_report):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium (see .ci/run)")
        pytest.skip("chromium is not installed")
    from PIL import Image

    page = tmp_path / "report.html"
    page.write_text(render_html(seed_report), encoding="utf-8")
    shot = tmp_path / "shot.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,1600",
                    f"--screenshot={shot}", page.as_uri()], check=True, capture_output=True, timeout=120)
    image = Image.open(shot).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, "screenshot is blank"
    dark = sum(n for n, (r, g, b) in colours if r + g + b < 200)
    assert dark > 1000, "no text drawn"


def _corpus_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / "a-seed.txt")
    (folder / "b-binary.txt").write_bytes(b"\x00\x01\x02")
    (folder / "c-empty.txt").write_bytes(b"")
    (folder / "d-brief.md").write_text("# Truce holds\n\nThe truce held for a week. Both sides met in Doha.\n")
    return folder


def test_corpus_with_bad_articles_scores_the_good_and_exits_3(tmp_path):
    folder = _corpus_dir(tmp_path)
    summary = tmp_path / "summary.csv"
    proc = run_cli("score", str(folder), "--format", "jsonl", "--summary", str(summary))
    assert proc.returncode == 3
    reports = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [Path(r["source"]).name for r in reports] == ["a-seed.txt", "d-brief.md"]
    assert "b-binary.txt" in proc.stderr and "looks binary" in proc.stderr
    assert "c-empty.txt" in proc.stderr and "has no text" in proc.stderr
    rows = list(csv.DictReader(summary.open()))
    assert [Path(r["id"]).name for r in rows] == ["a-seed.txt", "d-brief.md"]
    assert rows[0]["posture"] == "conditional opening" and int(rows[0]["deescalation"]) > 0


def test_jsonl_corpus_in_parallel_keeps_input_order(tmp_path):
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    corpus = tmp_path / "corpus.jsonl"
    with corpus.open("w") as f:
        for i in range(12):
            f.write(json.dumps({"id": f"art-{i:02d}", "text": text if i % 3 else "Talks resumed in Geneva.",
                                "date": f"2025-0{1 + i % 3}-1{i % 9}"}) + "\n")
        f.write("{broken\n")
    one = run_cli("score", "--input", str(corpus), "--format", "jsonl", "--jobs", "1")
    two = run_cli("score", "--input", str(corpus), "--format", "jsonl", "--jobs", "2")
    assert one.returncode == two.returncode == 3
    assert one.stdout == two.stdout
    assert [json.loads(line)["source"] for line in two.stdout.splitlines()] == [f"art-{i:02d}" for i in range(12)]
    assert "corpus.jsonl:13: bad JSON" in two.stderr


def test_trend_by_month_with_html_chart(tmp_path):
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps({"id": str(i), "text": text, "date": d}) + "\n"
                              for i, d in enumerate(["2025-01-05", "2025-01-20", "2025-02-13"])))
    chart = tmp_path / "trend.html"
    proc = run_cli("trend", str(corpus), "--actor", "belarus", "--html", str(chart))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[1].startswith("2025-01") and lines[1].split()[1] == "2"
    assert lines[2].startswith("2025-02") and lines[2].split()[1] == "1"
    page = chart.read_text()
    assert "<svg" in page and "<polyline" in page and "2025-02" in page
    bad = run_cli("trend", str(corpus), "--actor", "atlantis")
    assert bad.returncode == 2 and "unknown actor" in bad.stderr


def test_markdown_renderer_escapes_table_pipes(classifier):
    md = render_markdown(classifier.score_text("Talks | resumed in Geneva."))
    assert "Talks \\| resumed" in md
