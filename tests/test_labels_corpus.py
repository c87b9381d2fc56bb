"""The shipped labelled corpus: valid, and every document built on a real article names it."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest

from stance.model.labels import read_labels

from .conftest import ROOT

LABELS = ROOT / "seeds" / "labels"
REPORTING = sorted(LABELS.glob("reporting-*.jsonl"))


def test_the_corpus_reads_without_a_problem():
    labels = read_labels(sorted(LABELS.glob("*.jsonl")))
    assert len(labels.sentences) >= 7000


def test_at_least_4000_sentences_are_built_like_reporting():
    assert len(REPORTING) == 12
    assert len(read_labels(REPORTING).sentences) >= 4000


def _assert_every_document_names_its_source(path):
    """`path`'s documents each have one line in `sources/<same name>` beside it: address, outlet, date."""
    documents = {s.document for s in read_labels([path]).sentences}
    sources = [json.loads(line) for line in (path.parent / "sources" / path.name).read_text(encoding="utf-8").splitlines()]
    by_doc = {s["doc"]: s for s in sources}
    assert set(by_doc) == documents and len(by_doc) == len(sources)
    for s in sources:
        url = urlparse(s["url"])
        assert url.scheme in ("http", "https") and url.netloc, s
        assert s["outlet"].strip() and s["date"].strip(), s


@pytest.mark.parametrize("path", REPORTING, ids=lambda p: p.name)
def test_every_reporting_document_names_its_source(path):
    _assert_every_document_names_its_source(path)


HELDOUT = ROOT / "seeds" / "heldout"


def test_the_heldout_files_are_valid_named_and_apart_from_training():
    """The held-out yardstick: valid labels, every document's source named,
    and no sentence or id shared with the training labels or the shared
    reporting sets (a shared one would make the yardstick measure memory)."""
    paths = sorted(HELDOUT.glob("*.jsonl"))
    held = read_labels(paths).sentences
    assert len(paths) == 11 and len(held) >= 2700
    training = read_labels(sorted(LABELS.glob("*.jsonl"))).sentences
    shared = read_labels(sorted((ROOT.parent / "shared" / "reporting").glob("*.jsonl"))).sentences \
        if (ROOT.parent / "shared" / "reporting").is_dir() else []
    # section labels and bylines of one or two words ("Background", "Reuters") recur anywhere
    others = {s.text for s in (*training, *shared) if len(s.text.split()) > 2}
    assert not [s.id for s in held if s.text in others]
    assert not {s.id for s in held} & {s.id for s in training}
    for path in paths:
        _assert_every_document_names_its_source(path)
