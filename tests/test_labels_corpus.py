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


@pytest.mark.parametrize("path", REPORTING, ids=lambda p: p.name)
def test_every_reporting_document_names_its_source(path):
    documents = {s.document for s in read_labels([path]).sentences}
    sources = [json.loads(line) for line in (LABELS / "sources" / path.name).read_text(encoding="utf-8").splitlines()]
    by_doc = {s["doc"]: s for s in sources}
    assert set(by_doc) == documents and len(by_doc) == len(sources)
    for s in sources:
        url = urlparse(s["url"])
        assert url.scheme in ("http", "https") and url.netloc, s
        assert s["outlet"].strip() and s["date"].strip(), s
