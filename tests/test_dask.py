"""Scoring a corpus on a local Dask cluster, as the README shows."""

from __future__ import annotations

import json
import pickle

import pytest

from stance.corpus.stream import Item, score_item

from .conftest import SEED_ARTICLE


def test_scoring_function_is_picklable_and_stateless():
    item = Item(id="a", text="Talks resumed in Geneva. Both sides met.")
    restored = pickle.loads(pickle.dumps(score_item))
    assert restored(item, "jsonl") == score_item(item, "jsonl")


def test_corpus_scores_on_a_local_dask_cluster():
    pytest.importorskip("dask.bag")
    distributed = pytest.importorskip("dask.distributed")
    import dask.bag as db

    text = SEED_ARTICLE.read_text(encoding="utf-8")
    items = [Item(id=f"art-{i}", text=text if i % 2 else "The talks broke down.") for i in range(6)]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster):
        outcomes = db.from_sequence(items, npartitions=3).map(score_item, fmt="jsonl").compute()
    assert [o.id for o in outcomes] == [i.id for i in items]
    local = [score_item(i, "jsonl") for i in items]
    assert [json.loads(o.rendered)["stance_index"] for o in outcomes] == [json.loads(o.rendered)["stance_index"] for o in local]
