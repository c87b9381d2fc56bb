from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stance.text.segment import MAX_SENTENCE_CHARS, segment

from .conftest import SEED_ARTICLE, seed_labels

CASES = yaml.safe_load((Path(__file__).parent / "data" / "segmentation.yaml").read_text(encoding="utf-8"))


def test_seed_article_segments_into_the_labelled_sentences():
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    sentences = segment(text)
    assert [s.text for s in sentences] == [d["text"] for d in seed_labels()]
    for s in sentences:
        assert text[s.start:s.end] == s.text


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:30] for c in CASES])
def test_golden_segmentation(case):
    sentences = segment(case["text"])
    assert [s.text for s in sentences] == case["sentences"]
    assert all(case["text"][s.start:s.end] == s.text for s in sentences)


@pytest.mark.parametrize("text", [
    "Talks . . . stalled. . . . Then . . . . They resumed . . . “for now. . . .” . . .",
    "He paused. . . .\nThe room . . . . went quiet.",
])
def test_spaced_ellipsis_never_makes_a_sentence_of_dots(text):
    sentences = segment(text)
    assert all(any(c.isalpha() for c in s.text) for s in sentences), [s.text for s in sentences]


def test_run_without_punctuation_is_cut_into_bounded_sentences():
    text = "word " * 5000
    sentences = segment(text)
    assert len(sentences) > 1
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in sentences)
    assert "".join(s.text for s in sentences).replace(" ", "") == text.replace(" ", "")
