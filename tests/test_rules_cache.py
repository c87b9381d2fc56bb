"""Compiled rules cached between runs: the same answers, never stale, never in the way."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stance.errors import RuleError
from stance.rulebook import compiled as compiled_module
from stance.rulebook.compiled import load_compiled
from stance.rulebook.loading import load_rulebook
from stance.rulebook.matcher import Matcher
from stance.text.tokens import tokenize

from .conftest import RULES, SEED_ARTICLE


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("STANCE_CACHE", str(folder))
    return folder / "rules"


@pytest.fixture()
def rules(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    return folder


SENTENCES = [s.strip() for s in SEED_ARTICLE.read_text(encoding="utf-8").split(".") if s.strip()]


def _described(rulebook):
    """What each rule is (a compiled regex equals only itself, so rules are compared by their patterns' text)."""
    return [(r.id, r.category, r.weight, [p.describe() for p in r.patterns], r.unless, r.negation, r.path)
            for r in rulebook.rules]


def _no_parsing(monkeypatch):
    def refuse(root):
        raise AssertionError(f"parsed {root} although its compiled rules were cached")
    monkeypatch.setattr(compiled_module, "load_rulebook", refuse)


def test_a_second_load_reads_the_cache_and_matches_as_the_files_do(rules, cache, monkeypatch):
    first = load_compiled(rules)
    assert len(list(cache.glob("*.pickle"))) == 1
    _no_parsing(monkeypatch)
    second = load_compiled(rules)
    fresh = Matcher(load_rulebook(RULES))
    assert _described(second.rulebook) == _described(first.rulebook)
    assert [second.matcher.match(s) for s in SENTENCES] == [fresh.match(s) for s in SENTENCES]
    assert any(second.matcher.match(s).hits for s in SENTENCES)
    assert [second.actors.mentions(s, tokenize(s)) for s in SENTENCES] \
        == [first.actors.mentions(s, tokenize(s)) for s in SENTENCES]
    assert any(second.actors.mentions(s, tokenize(s)) for s in SENTENCES)
    assert second.rulebook.digest == first.rulebook.digest


def test_an_edited_rule_file_is_compiled_afresh_and_replaces_the_old_entry(rules, cache):
    sentence = "The two navies agreed a pelican protocol for the strait."
    assert not [h for h in load_compiled(rules).matcher.match(sentence).hits if h.rule == "deescalation.pelican-test"]
    (rules / "deescalation" / "zz-test.yaml").write_text(
        "category: deescalation\nrules:\n  - id: deescalation.pelican-test\n    description: test\n"
        "    patterns:\n      - phrase: pelican protocol\n    examples:\n"
        "      match: [A pelican protocol was signed., They kept the pelican protocol.]\n"
        "      no_match: [A pelican flew over.]\n", encoding="utf-8")
    assert [h.rule for h in load_compiled(rules).matcher.match(sentence).hits if h.rule.endswith("pelican-test")] \
        == ["deescalation.pelican-test"]
    assert len(list(cache.glob("*.pickle"))) == 1


def test_broken_rules_are_reported_not_cached(rules, cache):
    path = rules / "hedge" / "broken.yaml"
    path.write_text("category: hedge\nrules:\n  - id: Bad Id\n", encoding="utf-8")
    with pytest.raises(RuleError) as err:
        load_compiled(rules)
    assert str(path) in str(err.value)
    assert not list(cache.glob("*.pickle"))


def test_a_damaged_cache_file_is_passed_over_and_rewritten(rules, cache):
    load_compiled(rules)
    (entry,) = cache.glob("*.pickle")
    entry.write_bytes(entry.read_bytes()[:1000])
    again = load_compiled(rules)
    assert again.matcher.match(SENTENCES[0]) == Matcher(load_rulebook(RULES)).match(SENTENCES[0])
    assert entry.stat().st_size > 1000


def test_a_cache_that_cannot_be_written_is_skipped(rules, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    monkeypatch.setenv("STANCE_CACHE", str(blocker))
    assert _described(load_compiled(rules).rulebook) == _described(load_rulebook(rules))


def test_an_entry_others_may_write_is_not_read(rules, cache, monkeypatch):
    load_compiled(rules)
    (entry,) = cache.glob("*.pickle")
    entry.chmod(0o666)
    _no_parsing(monkeypatch)
    with pytest.raises(AssertionError, match="parsed"):
        load_compiled(rules)
