from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from stance.rulebook.matcher import Matcher
from stance.rulebook.loading import check_rules, load_rulebook, rules_digest
from stance.rulebook.ruletest import example_cases, run_case

from .conftest import RULES, run_cli

RULEBOOK = load_rulebook(RULES)
MATCHER = Matcher(RULEBOOK)
CASES = example_cases(RULEBOOK.rules)
ATTRIBUTION = yaml.safe_load((Path(__file__).parent / "data" / "attribution.yaml").read_text(encoding="utf-8"))
NEGATION = yaml.safe_load((Path(__file__).parent / "data" / "negation.yaml").read_text(encoding="utf-8"))


def test_shipped_rules_are_valid():
    assert check_rules(RULES) == []


@pytest.mark.parametrize("case", CASES, ids=[c.case_id for c in CASES])
def test_rule_example(case):
    outcome = run_case(MATCHER, case)
    assert outcome.passed, f"{case.case_id}: {case.sentence!r}: {outcome.detail}"


def test_every_rule_has_examples_of_both_kinds():
    for rule in RULEBOOK.rules:
        assert len(rule.match_examples) >= 2 and len(rule.no_match_examples) >= 1, rule.id


@pytest.mark.parametrize("row", NEGATION, ids=[r["text"][:40] for r in NEGATION])
def test_negation_and_vetoes(row):
    found = {h.category for h in MATCHER.match(row["text"]).hits}
    assert set(row["signals"]) <= found, found
    assert not (set(row["absent"]) & found), found


def test_hit_spans_point_into_the_text():
    text = "  On Monday, Minsk released three prisoners and eased tensions."
    result = MATCHER.match(text, offset=100)
    assert result.hits
    for h in result.hits:
        assert text[h.start - 100:h.end - 100] == h.text


# Rule files are rules/<category>/<theme>.yaml; problems are located in them.
RELEASES = "deescalation/releases-humanitarian.yaml"
TALKS = "deescalation/contacts-talks.yaml"
DIPLOMATIC = "escalation/diplomatic.yaml"
MODALITY = "hedge/modality.yaml"
OFFERS = "condition/conditional-offers.yaml"
PLANTED = {
    RELEASES: [("  - id: deescalation.handover\n", "  - id: deescalation.prisoner-release\n")],  # duplicate id
    TALKS: [("    description: Talks, negotiations", "    colour: blue\n    description: Talks, negotiations")],  # unknown key
    DIPLOMATIC: [("category: escalation\n", "category: escalations\n")],  # unknown category
    MODALITY: [("      - regex: '(?-i:\\bmay\\b)(?!\\s+\\d)'", "      - regex: '(?-i:\\bmay\\b'")],  # invalid regex
    OFFERS: [("  - id: condition.only-if\n    description:", "  - id: condition.only-if\n   description:")],  # bad indentation
}


def _planted_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    for name, edits in PLANTED.items():
        text = (target / name).read_text(encoding="utf-8")
        for old, new in edits:
            assert old in text, old
            text = text.replace(old, new, 1)
        (target / name).write_text(text, encoding="utf-8")
    return target


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.lstrip(" ").startswith(needle.lstrip(" ")) and line.startswith(needle):
            return number
    raise AssertionError(needle)


def test_planted_errors_are_all_reported_with_lines(tmp_path):
    folder = _planted_copy(tmp_path)
    proc = run_cli("rules", "check", str(folder))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    out = proc.stdout
    releases = folder / RELEASES
    second = [n for n, line in enumerate(releases.read_text().splitlines(), 1) if "id: deescalation.prisoner-release" in line][1]
    assert f"{RELEASES}:{second}:" in out and "duplicate rule id" in out
    assert f"{TALKS}:{_line_of(folder / TALKS, '    colour: blue')}:5: deescalation.talks: unknown key 'colour'" in out
    assert f"{DIPLOMATIC}:{_line_of(folder / DIPLOMATIC, 'category: escalations')}:11: unknown category" in out
    regex_line = _line_of(folder / MODALITY, "      - regex: '(?-i")
    assert f"{MODALITY}:{regex_line}:16: hedge.modal: invalid regex" in out
    assert f"{OFFERS}:{_line_of(folder / OFFERS, '   description:')}:" in out and "YAML syntax" in out
    assert len(out.strip().splitlines()) == 5


def test_catastrophic_regex_is_refused(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "x.yaml").write_text(
        "category: hedge\nrules:\n  - id: hedge.bad\n    description: bad\n    patterns:\n"
        "      - regex: '(a|aa)+$'\n    examples:\n      match: [a, b]\n      no_match: [c]\n", encoding="utf-8")
    problems = check_rules(folder)
    assert len(problems) == 1
    assert problems[0].line == 6 and "catastrophically" in problems[0].message


def test_a_regex_out_of_time_on_a_busy_machine_still_finds_its_hit(tmp_path, monkeypatch):
    """The regex limit is wall time: a search that runs out of it (here a
    limit no search can meet) runs again with the longer limit, so load
    alone does not drop a hit."""
    import stance.rulebook.matcher as matcher_module

    folder, _ = _rules_file(tmp_path, (
        "category: hedge\nrules:\n  - id: hedge.rx\n    description: rx\n    patterns:\n"
        "      - regex: '\\bperhap\\w+'\n    examples:\n      match: [perhaps so, it perhaps will]\n      no_match: [no, not so]\n"))
    matcher = Matcher(load_rulebook(folder))
    monkeypatch.setattr(matcher_module, "REGEX_TIMEOUT", 1e-12)
    assert [h.text for h in matcher.match("It will perhaps rain.").hits] == ["perhaps"]
    monkeypatch.setattr(matcher_module, "REGEX_RETRY_TIMEOUT", 1e-12)
    assert matcher.match("It will perhaps rain.").hits == ()


def test_rules_check_cli_passes_on_shipped_rules():
    proc = run_cli("rules", "check", str(RULES))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "rules OK" in proc.stdout


@pytest.mark.parametrize("row", ATTRIBUTION, ids=[r["text"][:40] for r in ATTRIBUTION])
def test_actor_attribution(classifier, row):
    scored = classifier.score_sentences([row["text"]])[0]
    hits = [h for h in scored.signals if h.rule == row["rule"]]
    assert hits, [h.rule for h in scored.signals]
    assert {h.actor for h in hits} == {row["actor"]}


def test_running_subject_carries_to_the_next_sentence(classifier):
    report = classifier.score_text("Minsk released three prisoners on Monday. He stressed that talks could follow.")
    talks = [h for h in report.sentences[1].signals if h.category == "deescalation"]
    assert talks and all(h.actor == "belarus" for h in talks)


def test_flip_turns_a_negated_hit_into_its_opposite(tmp_path):
    """The shipped rules veto (the labels do not mark refusals as escalation);
    an analyst's rule may flip instead."""
    shutil.copytree(RULES, tmp_path / "rules")
    talks = tmp_path / "rules" / TALKS
    text = talks.read_text(encoding="utf-8")
    start = text.index("  - id: deescalation.talks")
    end = text.index("  - id:", start + 10)
    talks.write_text(text[:start] + text[start:end].replace("negation: veto", "negation: flip") + text[end:], encoding="utf-8")
    hits = Matcher(load_rulebook(tmp_path / "rules")).match("The minister refused to hold talks with Baku.").hits
    flipped = [h for h in hits if h.rule == "deescalation.talks"]
    assert flipped and flipped[0].category == "escalation" and flipped[0].negated
    assert flipped[0].text == "refused to hold talks"


def test_yaml_words_like_no_and_on_stay_words(tmp_path):
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "x.yaml").write_text(
        "category: escalation\nrules:\n  - id: escalation.strikes-on\n    description: strikes on a target\n"
        "    weight: 1.5\n    patterns:\n      - near: [strikes, [on, against]]\n        within: 1\n        ordered: true\n"
        "    examples:\n      match: [Strikes on the port resumed., Strikes against depots continued.]\n"
        "      no_match: [The strikes ended.]\n"
        "  - id: escalation.bad\n    description: bad values\n    weight: heavy\n    patterns: [x]\n"
        "    examples:\n      match: [a, b]\n      no_match: [c]\n", encoding="utf-8")
    problems = check_rules(folder)
    assert [(p.line, p.rule_id) for p in problems] == [(15, "escalation.bad")]
    assert "weight must be a number" in problems[0].message


def _rule_block(folder: Path, rule_id: str) -> tuple[Path, str]:
    """The file holding a rule, and the rule's YAML block as written (up to the next rule or the file's end)."""
    rulebook = load_rulebook(folder)
    rule = next(r for r in rulebook.rules if r.id == rule_id)
    path = Path(rule.path)
    later = [r.line for r in rulebook.rules if r.path == rule.path and r.line > rule.line]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    return path, "".join(lines[rule.line - 1:min(later, default=len(lines) + 1) - 1])


def test_moving_a_rule_to_another_file_changes_nothing(tmp_path):
    """Rule order, matches and the rules hash follow what rules say, not where they are filed."""
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    path, block = _rule_block(folder, "deescalation.prisoner-release")
    path.write_text(path.read_text(encoding="utf-8").replace(block, "", 1), encoding="utf-8")
    (folder / "aaa-moved.yaml").write_text("# moved here to test layout\ncategory: deescalation\nrules:\n" + block,
                                           encoding="utf-8")
    moved = load_rulebook(folder)
    assert [r.id for r in moved.rules] == [r.id for r in RULEBOOK.rules] == sorted(r.id for r in RULEBOOK.rules)
    assert moved.digest == rules_digest(folder) == rules_digest(RULES) == RULEBOOK.digest
    sentences = [c.sentence for c in CASES[::7]] + [s["text"] for s in NEGATION]
    assert [Matcher(moved).match(s) for s in sentences] == [MATCHER.match(s) for s in sentences]


def test_editing_a_rule_changes_the_rules_hash_and_a_comment_does_not(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    path, block = _rule_block(folder, "deescalation.prisoner-release")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(block, "    # an analyst's note\n" + block, 1), encoding="utf-8")
    assert rules_digest(folder) == rules_digest(RULES)
    weighted = block.replace("    weight: 1.5\n", "    weight: 2.5\n", 1)
    assert weighted != block
    path.write_text(text.replace(block, weighted, 1), encoding="utf-8")
    assert rules_digest(folder) != rules_digest(RULES)
    assert load_rulebook(folder).digest == rules_digest(folder)


NESTED_RULE = (
    "# what belongs here\ncategory: escalation\nrules:\n  - id: escalation.nested-test\n    description: a nested rule\n"
    "    weight: {weight}\n    patterns: [closed the embassy]\n"
    "    examples:\n      match: [Riga closed the embassy., They closed the embassy in May.]\n"
    "      no_match: [The embassy was open.]\n"
)


def test_rule_files_in_subfolders_are_read_and_their_problems_located(tmp_path):
    folder = tmp_path / "rules"
    (folder / "escalation").mkdir(parents=True)
    theme = folder / "escalation" / "diplomatic.yaml"
    theme.write_text(NESTED_RULE.format(weight="1.5"), encoding="utf-8")
    assert [r.id for r in load_rulebook(folder).rules] == ["escalation.nested-test"]
    theme.write_text(NESTED_RULE.format(weight="heavy"), encoding="utf-8")
    proc = run_cli("rules", "check", str(folder))
    assert proc.returncode == 1
    assert proc.stdout.startswith(f"{theme}:6:13: escalation.nested-test: weight must be a number"), proc.stdout


def test_rules_diff_against_a_revision_reads_nested_rule_files(tmp_path):
    """`stance rules diff --against REV` checks out the whole rules tree of that revision."""
    from stance.tools.rulestats import rules_at_revision

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "rules" / "escalation").mkdir(parents=True)
    shutil.copy(RULES / "negation.yaml", repo / "rules" / "negation.yaml")
    theme = repo / "rules" / "escalation" / "diplomatic.yaml"
    theme.write_text(NESTED_RULE.format(weight="1.5"), encoding="utf-8")
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "rules"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    theme.write_text(NESTED_RULE.format(weight="2.5"), encoding="utf-8")
    old = rules_at_revision("HEAD", repo / "rules")
    assert (old / "escalation" / "diplomatic.yaml").read_text(encoding="utf-8") == NESTED_RULE.format(weight="1.5")
    assert [r.weight for r in load_rulebook(old).rules] == [1.5]
    assert rules_digest(old) != rules_digest(repo / "rules")


LISTED_RULES = (
    "# measures and their relief\ncategory: escalation\n"
    "phrase_lists:\n  relief:\n    - lift*\n    - postpon*\n"
    "rules:\n  - id: escalation.tariffs-test\n    description: tariffs imposed\n    patterns: [tariffs]\n"
    "    unless:\n      - list: relief\n      - humanitarian\n"
    "    examples:\n      match: [Washington imposed tariffs., New tariffs took effect.]\n"
    "      no_match: [Washington postponed the tariffs.]\n"
    "  - id: escalation.embargo-test\n    description: embargo imposed\n    patterns: [embargo]\n"
    "    unless:\n      - {list: relief, before: 3, after: 0}\n"
    "    examples:\n      match: [The embargo stays., An embargo was imposed.]\n"
    "      no_match: [They lifted the embargo.]\n"
)


def _rules_file(tmp_path: Path, text: str) -> tuple[Path, Path]:
    """A rule folder holding one file with `text`: (the folder, the file)."""
    folder = tmp_path / "rules"
    folder.mkdir()
    path = folder / "x.yaml"
    path.write_text(text, encoding="utf-8")
    return folder, path


def test_a_phrase_list_is_written_once_and_vetoes_in_every_rule_that_names_it(tmp_path):
    folder, _ = _rules_file(tmp_path, LISTED_RULES)
    assert check_rules(folder) == []
    matcher = Matcher(load_rulebook(folder))
    assert [h.rule for h in matcher.match("Washington imposed tariffs on steel.").hits] == ["escalation.tariffs-test"]
    assert matcher.match("Washington postponed its tariffs on steel.").hits == ()
    assert matcher.match("They lifted the embargo on grain.").hits == ()
    # the window of the entry applies to each phrase of the list: nothing after the hit vetoes
    assert [h.rule for h in matcher.match("The embargo stays, and lifting it is not on the agenda.").hits] \
        == ["escalation.embargo-test"]


def test_a_phrase_list_hashes_as_its_entries_written_out_in_each_rule(tmp_path):
    """Moving entries into a list (or back) is notation: no retrain."""
    folder, path = _rules_file(tmp_path, LISTED_RULES)
    listed = rules_digest(folder)
    inline = (LISTED_RULES.replace("phrase_lists:\n  relief:\n    - lift*\n    - postpon*\n", "")
              .replace("      - list: relief\n", "      - lift*\n      - postpon*\n")
              .replace("      - {list: relief, before: 3, after: 0}\n",
                       "      - {phrase: lift*, before: 3, after: 0}\n      - {phrase: postpon*, before: 3, after: 0}\n"))
    path.write_text(inline, encoding="utf-8")
    assert check_rules(folder) == [] and rules_digest(folder) == listed


def test_a_phrase_lists_entries_may_set_their_own_window(tmp_path):
    folder, _ = _rules_file(tmp_path, LISTED_RULES.replace("    - postpon*\n", "    - {phrase: never, before: 0, after: 0}\n"))
    matcher = Matcher(load_rulebook(folder))
    # "never" vetoes only inside the hit's own words: here it stands before it
    assert [h.rule for h in matcher.match("They never imposed tariffs.").hits] == ["escalation.tariffs-test"]
    assert matcher.match("Washington lifted tariffs.").hits == ()


def test_the_rules_hash_follows_a_phrase_lists_content(tmp_path):
    folder, path = _rules_file(tmp_path, LISTED_RULES)
    before = rules_digest(folder)
    path.write_text(LISTED_RULES.replace("    - postpon*\n", "    - postpon*\n    - delay*\n"), encoding="utf-8")
    assert rules_digest(folder) != before
    # a list's name is not what a rule says: renaming it keeps the hash
    path.write_text(LISTED_RULES.replace("relief", "held-back"), encoding="utf-8")
    assert rules_digest(folder) == before


def test_phrase_list_mistakes_are_located(tmp_path):
    text = (LISTED_RULES.replace("      - list: relief\n", "      - list: releif\n")
            .replace("phrase_lists:\n", "phrase_lists:\n  unused: [tariff]\n  empty: []\n"))
    folder, path = _rules_file(tmp_path, text)
    problems = {(p.line, p.message) for p in check_rules(folder)}
    lines = text.splitlines()
    at = {needle: next(n for n, line in enumerate(lines, 1) if line.startswith(needle)) for needle in
          ("      - list: releif", "  unused:", "  empty:")}
    assert (at["      - list: releif"], "unknown phrase list 'releif'") in problems
    assert (at["  unused:"], "phrase list 'unused' is used by no rule in this file") in problems
    assert (at["  empty:"], "phrase list 'empty' is empty") in problems
    assert len(problems) == 4  # and 'empty' is used by no rule
    both = LISTED_RULES.replace("      - list: relief\n", "      - {list: relief, phrase: ease}\n")
    path.write_text(both, encoding="utf-8")
    assert [p.message for p in check_rules(folder)] == ["an unless entry needs 'phrase' or 'list', not both"]
    path.write_text(LISTED_RULES.replace("    - postpon*\n", "    - {before: 3}\n"), encoding="utf-8")
    assert [(p.line, p.message) for p in check_rules(folder)] == [(6, "an entry of phrase list 'relief' needs 'phrase'")]
