"""Properties that hold for any input, and bounded behaviour on huge input."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stance.text.segment import segment

from .conftest import run_cli

# Text with the characters that stress a segmenter and matcher: letters from
# several scripts, punctuation, quotes, dashes, newlines and odd whitespace.
CHARS = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8", exclude_categories=("Cs",)),
                       st.sampled_from(list(".!?…;:,-–—()[]“”\"'’\n\t \u00a0\u2028"))),
    max_size=60,
)
WORDS = st.sampled_from(["U.S. ", "Gen. ", "not ", "no ", "talks ", "sanctions ", "released ", "Minsk ", "didn't ",
                         "ceasefire ", "İstanbul ", "ﬁ", "ß", "\n\n", "- ", "1. "])
TEXT = st.lists(st.one_of(CHARS, WORDS), max_size=20).map("".join)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(TEXT)
def test_segmentation_keeps_every_character_and_exact_spans(text):
    sentences = segment(text)
    for s in sentences:
        assert text[s.start:s.end] == s.text and s.text.strip() == s.text and s.text
    covered = "".join(s.text for s in sentences)
    assert [c for c in covered if not c.isspace()] == [c for c in text if not c.isspace()]
    assert all(a.end <= b.start for a, b in zip(sentences, sentences[1:]))


@SETTINGS
@given(TEXT)
def test_scoring_any_text_never_raises_and_stays_in_bounds(classifier, text):
    report = classifier.score_text(text)
    assert -1.0 <= report.stance.index <= 1.0
    assert report.stance.low <= report.stance.index + 1e-9 and report.stance.index <= report.stance.high + 1e-9
    for s in report.sentences:
        assert text[s.start:s.end] == s.text
        assert -1.0 <= s.score <= 1.0 and abs(sum(s.probabilities) - 1) < 1e-9
        for h in s.signals:
            assert text[h.start:h.end] == h.text
            assert s.start <= h.start < h.end <= s.end


@SETTINGS
@given(st.lists(TEXT, max_size=5))
def test_score_sentences_any_input(classifier, sentences):
    scored = classifier.score_sentences(sentences)
    assert len(scored) == len(sentences)
    for text, s in zip(sentences, scored):
        for h in s.signals:
            assert text[h.start:h.end] == h.text


def test_a_megabyte_without_punctuation_finishes_in_bounded_time(classifier):
    text = ("word talks sanctions release prisoners " * 30_000)[:1_000_000]
    started = time.perf_counter()
    report = classifier.score_text(text)
    elapsed = time.perf_counter() - started
    assert report.sentence_count >= 200  # cut at MAX_SENTENCE_CHARS
    assert elapsed < 60, elapsed


def test_a_fifty_megabyte_file_is_refused_at_once(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.write(b"Talks resumed. " * (50 * 1024 * 1024 // 15))
    started = time.perf_counter()
    proc = run_cli("score", str(big))
    assert proc.returncode == 2
    assert "larger than 8 MB" in proc.stderr and "--input" in proc.stderr
    assert time.perf_counter() - started < 10
