"""Loading and validating rule files.

Every problem in every file is collected and reported at once, located to
file, line and column (from PyYAML's node marks) with the rule id and what
to do. YAML is composed with the safe loader: no object is ever constructed
from a tag.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..rulebook.actors import ACTOR_KINDS, ALIAS_FIELDS, Actor, alias_words
from ..errors import Problem, RuleError
from ..fastinit import paused_gc
from ..rulebook.patterns import (
    MAX_WINDOW,
    NEGATION_EFFECTS,
    OPPOSITE,
    SIGNALS,
    NearPattern,
    Pattern,
    Phrase,
    PhrasePattern,
    Unless,
    compile_regex,
    parse_phrase,
)

RULE_KEYS = ("id", "category", "description", "weight", "patterns", "unless", "negation", "examples")
REQUIRED_RULE_KEYS = ("id", "description", "patterns", "examples")
FILE_KEYS = ("category", "phrase_lists", "rules", "negation", "actors")
UNLESS_KEYS = ("phrase", "list", "before", "after")
NEGATION_KEYS = ("window", "forward", "backward", "pseudo", "terminate")
ID_RE = re.compile(r"^[a-z][a-z0-9_]*(?:[.-][a-z0-9_]+)*$")
# Default words on each side of a hit in which an `unless` phrase vetoes it:
# enough for "lift the remaining sanctions", short enough to stay in the clause.
UNLESS_WINDOW = 4
# Default words a near pattern's terms may stand apart.
NEAR_WITHIN = 6
# Default words a negation cue reaches (ConText uses five to six).
NEGATION_WINDOW = 6
MAX_WEIGHT = 5.0
# Rule files are composed with the base loader (libyaml's when PyYAML has
# it): every scalar stays a string, so "no" and "on" are words, not booleans,
# no tag builds an object, and numbers are read where a number is expected.
_BASE_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
_DEFAULT_TAGS = {yaml.ScalarNode: _BASE_LOADER.DEFAULT_SCALAR_TAG, yaml.SequenceNode: _BASE_LOADER.DEFAULT_SEQUENCE_TAG,
                 yaml.MappingNode: _BASE_LOADER.DEFAULT_MAPPING_TAG}


class _Loader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """The base loader without its resolver's per-node Python work.

    The base resolver has no implicit and no path resolvers, so every
    untagged node gets its kind's default tag; this says so directly, which
    composes the rule files about a fifth faster (the same nodes, tested)."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        return _DEFAULT_TAGS[kind]

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_LOADER = _Loader
# Every rule is tested by at least two sentences it fires on and one it must
# not fire on (the rules issue's acceptance bar).
MIN_MATCH_EXAMPLES = 2
# The canonical form `rules_digest` hashes; change it when that form changes,
# so a model card's hash never matches rules hashed another way.
DIGEST_FORM = "stance.rules-content/1"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    category: str
    description: str
    weight: float
    patterns: tuple[Pattern, ...]
    unless: tuple[Unless, ...]
    negation: str
    match_examples: tuple[str, ...]
    no_match_examples: tuple[str, ...]
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class NegationConfig:
    """ConText-style negation: cues, their direction, and what ends a scope."""

    window: int = NEGATION_WINDOW
    forward: tuple[Phrase, ...] = ()
    backward: tuple[Phrase, ...] = ()
    pseudo: tuple[Phrase, ...] = ()
    terminate: tuple[Phrase, ...] = ()


@dataclass(frozen=True, slots=True)
class Rulebook:
    rules: tuple[Rule, ...]
    negation: NegationConfig
    actors: tuple[Actor, ...] = ()
    # The rule files' text as read, in reading order: what `digest` hashes.
    sources: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @property
    def digest(self) -> str:
        """The hash of what the rules say (as `rules_digest`), for a model card.

        Computed when asked (training asks once), not at every load: with
        turning the files into plain values for it, it was a seventh of
        loading the rules."""
        return _content_digest([_document(text) for text in self.sources])


class _Checker:
    """Walks composed YAML nodes, collecting located problems."""

    def __init__(self, path: str, phrases: dict[str, Phrase] | None = None) -> None:
        self.path = path
        self.problems: list[Problem] = []
        # Phrases parsed so far, by text: the same text parses to the same
        # phrase, and 40% of the shipped rules' phrases are repeats.
        self._phrases = {} if phrases is None else phrases

    def problem(self, node: yaml.Node, message: str, hint: str = "", rule_id: str = "") -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, message, hint, rule_id))

    def mapping(self, node: yaml.Node, what: str, allowed: tuple[str, ...], rule_id: str = "") -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping of keys to values", f"allowed keys: {', '.join(allowed)}", rule_id)
            return None
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if key in out:
                self.problem(key_node, f"duplicate key '{key}' in {what}", "keep one of them", rule_id)
            elif key not in allowed:
                self.problem(key_node, f"unknown key '{key}' in {what}", f"allowed keys: {', '.join(allowed)}", rule_id)
            else:
                out[key] = value_node
        return out

    def scalar(self, node: yaml.Node) -> str | None:
        return node.value if isinstance(node, yaml.ScalarNode) else None

    def string(self, node: yaml.Node, what: str, rule_id: str = "") -> str | None:
        value = self.scalar(node)
        if not isinstance(value, str) or not value.strip():
            self.problem(node, f"{what} must be a non-empty string, not {_show(node)}", "", rule_id)
            return None
        return value

    def integer(self, node: yaml.Node, what: str, low: int, high: int, rule_id: str = "") -> int | None:
        text = self.scalar(node)
        value = int(text) if text is not None and text.strip().lstrip("+-").isdigit() else None
        if value is None or not low <= value <= high:
            self.problem(node, f"{what} must be a whole number from {low} to {high}, not {_show(node)}", "", rule_id)
            return None
        return value

    def sequence(self, node: yaml.Node, what: str, rule_id: str = "") -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{what} must be a list", "write each item on its own line starting with '- '", rule_id)
            return []
        return list(node.value)

    def phrase(self, node: yaml.Node, what: str, rule_id: str = "") -> Phrase | None:
        text = self.string(node, what, rule_id)
        if text is None:
            return None
        phrase = self._phrases.get(text)
        if phrase is not None:
            return phrase
        try:
            phrase = self._phrases[text] = parse_phrase(text)
        except ValueError as exc:
            self.problem(node, f"{what}: {exc}", "", rule_id)
            return None
        return phrase

    def phrases(self, node: yaml.Node, what: str, rule_id: str = "") -> tuple[Phrase, ...]:
        items = [node] if isinstance(node, yaml.ScalarNode) else self.sequence(node, what, rule_id)
        found = (self.phrase(item, what, rule_id) for item in items)
        return tuple(p for p in found if p is not None)


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _show(node: yaml.Node) -> str:
    return repr(node.value) if isinstance(node, yaml.ScalarNode) else f"a {getattr(node, 'id', 'value')}"


def load_rulebook(root: str | Path) -> Rulebook:
    """Load and validate every `*.yaml` file in `root` and its subfolders; raise `RuleError` listing all problems.

    Rules come in canonical order (by id), whatever file each sits in, so
    matching, reports and the model never depend on how rules are filed.
    """
    rules, negation, actors, problems, sources = _load(Path(root))
    if problems:
        raise RuleError(problems, str(root))
    return Rulebook(tuple(rules), negation, tuple(actors), sources)


def rule_files(root: Path) -> list[Path]:
    """Every rule file under `root`, however deep: rules are filed as `<category>/<theme>.yaml`."""
    return sorted(root.rglob("*.yaml")) + sorted(root.rglob("*.yml"))


def _compose(text: str) -> yaml.Node | None:
    return yaml.compose(text, Loader=_LOADER)


def _plain(node: yaml.Node) -> Any:
    """A composed node as plain lists, dicts and strings (what the rule says, not how it is written)."""
    if isinstance(node, yaml.MappingNode):
        return {(k.value if isinstance(k, yaml.ScalarNode) else _canonical_json(_plain(k))): _plain(v)
                for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item) for item in node.value]
    return node.value


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _content_digest(documents: list[Any]) -> str:
    """The hash of what a rule folder says, whichever file says it.

    `documents` are the files' contents in reading order, as plain values
    (or the raw text of a file that is not valid YAML). Each rule counts as
    its parsed definition with its category filled in from its file, in id
    order; then the negation settings in force and the actors. File names,
    comments, layout and the order of rules across files do not count, so
    moving a rule to another file keeps the hash and editing one changes it.
    """
    rules: list[Any] = []
    negation: Any = None
    actors: list[Any] = []
    other: list[Any] = []  # what a valid rule folder never holds, hashed so no edit goes unseen
    for doc in documents:
        if not isinstance(doc, dict):
            if doc is not None:
                other.append(doc)
            continue
        category = doc.get("category")
        lists = doc.get("phrase_lists")
        for rule in _listed(doc, "rules"):
            if isinstance(rule, dict) and "category" not in rule and category is not None:
                rule = {**rule, "category": category}
            rules.append(_with_lists(rule, lists if isinstance(lists, dict) else {}))
        if "negation" in doc:
            negation = doc["negation"]  # as the loader: the last one read is in force
        actors.extend(_listed(doc, "actors"))
        other.extend({k: v} for k, v in doc.items() if k not in FILE_KEYS)

    def by_id(rule: Any) -> tuple[str, str]:
        return (str(rule.get("id", "")) if isinstance(rule, dict) else "", _canonical_json(rule))

    content = {
        "form": DIGEST_FORM,
        "rules": sorted(rules, key=by_id),
        "negation": negation,
        "actors": actors,
        "other": sorted(other, key=_canonical_json),
    }
    return hashlib.sha256(_canonical_json(content).encode("utf-8")).hexdigest()


def _with_lists(rule: Any, lists: dict[str, Any]) -> Any:
    """A rule's plain value with each `unless` entry that names a phrase list
    replaced by the list's entries, as if written out in the rule (the
    entry's windows on each phrase that sets none of its own): the hash
    follows what a rule says, not whether a list says it for it."""
    if not isinstance(rule, dict) or not isinstance(rule.get("unless"), list):
        return rule
    unless: list[Any] = []
    for entry in rule["unless"]:
        listed = lists.get(entry["list"]) if isinstance(entry, dict) and isinstance(entry.get("list"), str) else None
        if not isinstance(listed, list):
            unless.append(entry)
            continue
        window = {k: v for k, v in entry.items() if k != "list"}
        unless.extend({**window, **item} if isinstance(item, dict) else {**window, "phrase": item} if window else item
                      for item in listed)
    return {**rule, "unless": unless}


def _listed(doc: dict[str, Any], key: str) -> list[Any]:
    """The items under `key`: its list, or the one value written where a list belongs."""
    if key not in doc:
        return []
    value = doc[key]
    return value if isinstance(value, list) else [value]


def _document(text: str) -> Any:
    """A rule file's content as plain values, for the digest; its raw text when it is not valid YAML."""
    try:
        node = _compose(text)
    except yaml.YAMLError:
        return text
    return None if node is None else _plain(node)


def rules_digest(root: str | Path) -> str:
    """The hash of a rule folder's content, as recorded in model cards (no validation)."""
    return _content_digest([_document(path.read_bytes().decode("utf-8", errors="replace"))
                            for path in rule_files(Path(root))])


def check_rules(root: str | Path) -> list[Problem]:
    """Every problem in the rule folder; an empty list means it is valid."""
    return _load(Path(root))[3]


@paused_gc()  # 32,000 objects kept (rules, phrases, words), 26,000 YAML nodes freed by reference counting
def _load(root: Path) -> tuple[list[Rule], NegationConfig, list[Actor], list[Problem], tuple[str, ...]]:
    """Rules, negation settings, actors and problems of a rule folder, and the text of its files."""
    problems: list[Problem] = []
    if not root.is_dir():
        problems.append(Problem(str(root), 0, 0, "is not a folder of rule files", "give the folder holding the *.yaml rules"))
        return [], NegationConfig(), [], problems, ()
    paths = rule_files(root)
    if not paths:
        problems.append(Problem(str(root), 0, 0, "holds no *.yaml rule files", "add rule files or give another folder"))
    sources: list[str] = []
    rules: list[Rule] = []
    negation = NegationConfig()
    actors: list[Actor] = []
    alias_owner: dict[str, str] = {}
    seen: dict[str, Rule] = {}
    phrases: dict[str, Phrase] = {}
    for path in paths:
        data = path.read_bytes()
        checker = _Checker(str(path), phrases)
        try:
            text = data.decode("utf-8")
            node = _compose(text)
        except UnicodeDecodeError as exc:
            problems.append(Problem(str(path), 1, 1, f"is not valid UTF-8 (byte {exc.start})", "save it as UTF-8"))
            continue
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            problems.append(Problem(str(path), line, col, f"YAML syntax: {exc.problem}", "check indentation and quoting"))
            continue
        if node is None:
            continue
        sources.append(text)
        top = checker.mapping(node, "a rule file", FILE_KEYS)
        if top is not None:
            default_category = None
            if "category" in top:
                default_category = _category(checker, top["category"], "") or ""
            if "negation" in top:
                negation = _negation(checker, top["negation"])
            lists = _phrase_lists(checker, top["phrase_lists"]) if "phrase_lists" in top else {}
            if "actors" in top:
                for item in checker.sequence(top["actors"], "actors"):
                    actor = _actor(checker, item, alias_owner)
                    if actor is not None:
                        actors.append(actor)
            for item in checker.sequence(top["rules"], "rules") if "rules" in top else []:
                rule = _rule(checker, item, default_category, lists)
                if rule is None:
                    continue
                if rule.id in seen:
                    first = seen[rule.id]
                    checker.problem(item, f"duplicate rule id '{rule.id}' (first at {first.path}:{first.line})",
                                    "give each rule its own id; never reuse an id", rule.id)
                else:
                    seen[rule.id] = rule
                    rules.append(rule)
            for name, phrase_list in lists.items():
                if not phrase_list.used:
                    checker.problem(phrase_list.node, f"phrase list '{name}' is used by no rule in this file",
                                    f"name it in an unless entry ('- list: {name}') or remove it")
        problems.extend(checker.problems)
    rules.sort(key=lambda rule: rule.id)
    return rules, negation, actors, problems, tuple(sources)


ACTOR_KEYS = ("id", "name", "kind", *ALIAS_FIELDS)


def _actor(checker: _Checker, node: yaml.Node, alias_owner: dict[str, str]) -> Actor | None:
    """One actor; `alias_owner` maps each alias seen so far to its actor, to catch clashes."""
    actor_id = _declared_id(node)
    keys = checker.mapping(node, "an actor", ACTOR_KEYS, actor_id)
    if keys is None:
        return None
    before = len(checker.problems)
    for key in ("id", "name", "kind", "names"):
        if key not in keys:
            checker.problem(node, f"actor has no '{key}'", f"add '{key}:'", actor_id)
    if actor_id and not ID_RE.match(actor_id):
        checker.problem(keys["id"], f"actor id '{actor_id}' is not lower-case words joined by '-'", "for example united-states", actor_id)
    if actor_id in alias_owner.values():
        checker.problem(node, f"duplicate actor id '{actor_id}'", "give each actor its own id", actor_id)
    name = checker.string(keys["name"], "name", actor_id) if "name" in keys else None
    kind = checker.scalar(keys["kind"]) if "kind" in keys else None
    if "kind" in keys and kind not in ACTOR_KINDS:
        checker.problem(keys["kind"], f"unknown actor kind {_show(keys['kind'])}", f"use one of: {', '.join(ACTOR_KINDS)}", actor_id)
    aliases: list[str] = [name] if name else []
    for alias_field in ALIAS_FIELDS:
        for item in checker.sequence(keys[alias_field], alias_field, actor_id) if alias_field in keys else []:
            alias = checker.string(item, f"an entry of {alias_field}", actor_id)
            if alias is None:
                continue
            if not alias_words(alias):
                checker.problem(item, f"'{alias}' has no words", "", actor_id)
                continue
            owner = alias_owner.get(alias)
            if owner is not None and owner != actor_id:
                checker.problem(item, f"'{alias}' already names actor '{owner}'", "keep each name under one actor", actor_id)
                continue
            alias_owner[alias] = actor_id
            aliases.append(alias)
    if len(checker.problems) > before or not actor_id or name is None:
        return None
    return Actor(actor_id, name, str(kind), tuple(dict.fromkeys(aliases)))


def _category(checker: _Checker, node: yaml.Node, rule_id: str) -> str | None:
    value = checker.scalar(node)
    if value not in SIGNALS:
        checker.problem(node, f"unknown category {_show(node)}", f"use one of: {', '.join(SIGNALS)}", rule_id)
        return None
    return value


def _negation(checker: _Checker, node: yaml.Node) -> NegationConfig:
    keys = checker.mapping(node, "negation", NEGATION_KEYS) or {}
    window = NEGATION_WINDOW
    if "window" in keys:
        window = checker.integer(keys["window"], "negation window", 1, MAX_WINDOW) or NEGATION_WINDOW
    lists = {k: checker.phrases(keys[k], f"negation {k}") if k in keys else () for k in NEGATION_KEYS[1:]}
    return NegationConfig(window, lists["forward"], lists["backward"], lists["pseudo"], lists["terminate"])


def _declared_id(node: yaml.Node) -> str:
    """The rule's id as written, so problems found before it is checked can name it."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) == "id" and isinstance(value, yaml.ScalarNode):
                return str(value.value)
    return ""


def _rule(checker: _Checker, node: yaml.Node, default_category: str | None,
          lists: dict[str, PhraseList]) -> Rule | None:
    """One rule; `default_category` is the file's, "" when the file's is invalid;
    `lists`, the file's phrase lists by name."""
    before = len(checker.problems)
    keys = checker.mapping(node, "a rule", RULE_KEYS, _declared_id(node))
    if keys is None:
        return None
    rule_id = ""
    if "id" in keys:
        rule_id = checker.string(keys["id"], "id") or ""
        if rule_id and not ID_RE.match(rule_id):
            checker.problem(keys["id"], f"id '{rule_id}' is not lower-case words joined by '.', '-' or '_'",
                            "for example deescalation.prisoner-release", rule_id)
    for key in REQUIRED_RULE_KEYS:
        if key not in keys:
            checker.problem(node, f"rule has no '{key}'", f"add '{key}:'", rule_id)
    category = default_category or None
    if "category" in keys:
        category = _category(checker, keys["category"], rule_id)
    elif default_category is None:
        checker.problem(node, "rule has no category and its file sets none", f"add 'category:' ({', '.join(SIGNALS)})", rule_id)
    description = checker.string(keys["description"], "description", rule_id) if "description" in keys else ""
    weight = 1.0
    if "weight" in keys:
        number = _number(checker.scalar(keys["weight"]))
        if number is None or not 0 < number <= MAX_WEIGHT:
            checker.problem(keys["weight"], f"weight must be a number above 0 and at most {MAX_WEIGHT}, not {_show(keys['weight'])}", "", rule_id)
        else:
            weight = float(number)
    patterns = tuple(
        p for item in (checker.sequence(keys["patterns"], "patterns", rule_id) if "patterns" in keys else [])
        if (p := _pattern(checker, item, rule_id)) is not None
    )
    if "patterns" in keys and not patterns and len(checker.problems) == before:
        checker.problem(keys["patterns"], "rule has no patterns", "add at least one phrase", rule_id)
    unless = tuple(
        u for item in (checker.sequence(keys["unless"], "unless", rule_id) if "unless" in keys else [])
        for u in _unless(checker, item, rule_id, lists)
    )
    negation = "veto"
    if "negation" in keys:
        value = checker.scalar(keys["negation"])
        if value not in NEGATION_EFFECTS:
            checker.problem(keys["negation"], f"negation must be one of {', '.join(NEGATION_EFFECTS)}, not {_show(keys['negation'])}", "", rule_id)
        elif value == "flip" and category not in OPPOSITE and category is not None:
            checker.problem(keys["negation"], f"negation 'flip' needs a category with an opposite, not '{category}'",
                            "use 'veto' or 'ignore'", rule_id)
        else:
            negation = value
    match, no_match = _examples(checker, keys.get("examples"), rule_id)
    if len(checker.problems) > before or category is None:
        return None
    return Rule(rule_id, category, description or "", weight, patterns, unless, negation, match, no_match,
                checker.path, node.start_mark.line + 1)


def _pattern(checker: _Checker, node: yaml.Node, rule_id: str) -> Pattern | None:
    if isinstance(node, yaml.ScalarNode):
        phrase = checker.phrase(node, "phrase", rule_id)
        return PhrasePattern(phrase) if phrase else None
    keys = checker.mapping(node, "a pattern", ("phrase", "near", "within", "ordered", "regex"), rule_id)
    if keys is None:
        return None
    kinds = [k for k in ("phrase", "near", "regex") if k in keys]
    if len(kinds) != 1:
        checker.problem(node, "a pattern needs exactly one of phrase, near or regex", "split it into several patterns", rule_id)
        return None
    kind = kinds[0]
    if kind != "near" and ("within" in keys or "ordered" in keys):
        checker.problem(node, "'within' and 'ordered' go with 'near' only", "remove them", rule_id)
        return None
    if kind == "phrase":
        phrase = checker.phrase(keys["phrase"], "phrase", rule_id)
        return PhrasePattern(phrase) if phrase else None
    if kind == "regex":
        source = checker.string(keys["regex"], "regex", rule_id)
        if source is None:
            return None
        try:
            return compile_regex(source)
        except ValueError as exc:
            checker.problem(keys["regex"], str(exc), "prefer a phrase or near pattern", rule_id)
            return None
    terms_nodes = checker.sequence(keys["near"], "near", rule_id)
    if len(terms_nodes) < 2:
        checker.problem(keys["near"], "near needs at least two terms", "list the words that must stand close together", rule_id)
        return None
    terms = tuple(checker.phrases(t, "near term", rule_id) for t in terms_nodes)
    within: int | None = NEAR_WITHIN
    if "within" in keys:
        within = checker.integer(keys["within"], "within", 0, MAX_WINDOW, rule_id)
    ordered = False
    if "ordered" in keys:
        flag = (checker.scalar(keys["ordered"]) or "").lower()
        ordered = {"true": True, "false": False}.get(flag)  # type: ignore[assignment]
        if ordered is None:
            checker.problem(keys["ordered"], f"ordered must be true or false, not {_show(keys['ordered'])}", "", rule_id)
            return None
    if within is None or any(not t for t in terms):
        return None
    return NearPattern(terms, within, ordered)


@dataclass(slots=True)
class PhraseList:
    """A named list of unless entries that rules of one file share
    (`phrase_lists:`), so a concept such as "a measure lifted or held back"
    is written once. An entry's window is None where the list leaves it to
    the rule's entry that names the list."""

    entries: tuple[tuple[Phrase, int | None, int | None], ...]
    node: yaml.Node
    used: bool = False


def _phrase_lists(checker: _Checker, node: yaml.Node) -> dict[str, PhraseList]:
    if not isinstance(node, yaml.MappingNode):
        checker.problem(node, "phrase_lists must be a mapping of list names to lists of phrases",
                        "write 'name:' and below it the phrases, one a line starting with '- '")
        return {}
    lists: dict[str, PhraseList] = {}
    for key_node, value in node.value:
        name = checker.string(key_node, "a phrase list's name")
        if name is None:
            continue
        if name in lists:
            checker.problem(key_node, f"duplicate phrase list '{name}'", "keep one of them")
            continue
        what = f"phrase list '{name}'"
        items = checker.sequence(value, what)
        if isinstance(value, yaml.SequenceNode) and not items:
            checker.problem(value, f"{what} is empty", "list at least one phrase")
        entries: list[tuple[Phrase, int | None, int | None]] = []
        for item in items:
            parsed = _unless_phrase(checker, item, what, f"an entry of {what}", ("phrase", "before", "after"))
            if parsed is None:
                continue
            phrase, before, after, _ = parsed
            if phrase is None:
                checker.problem(item, f"an entry of {what} needs 'phrase'", "add 'phrase:'")
            else:
                entries.append((phrase, before, after))
        lists[name] = PhraseList(tuple(entries), key_node)
    return lists


def _unless_phrase(checker: _Checker, node: yaml.Node, what: str, entry: str, allowed: tuple[str, ...],
                   rule_id: str = "") -> tuple[Phrase | None, int | None, int | None, dict[str, yaml.Node]] | None:
    """A phrase written alone or as a mapping with `phrase` and optional
    `before` / `after` (None where not given); the mapping's keys besides.
    None when the entry is invalid."""
    if isinstance(node, yaml.ScalarNode):
        phrase = checker.phrase(node, what, rule_id)
        return (phrase, None, None, {}) if phrase else None
    keys = checker.mapping(node, entry, allowed, rule_id)
    if keys is None:
        return None
    window = {k: checker.integer(keys[k], k, 0, MAX_WINDOW, rule_id) for k in ("before", "after") if k in keys}
    phrase = checker.phrase(keys["phrase"], what, rule_id) if "phrase" in keys else None
    if None in window.values() or ("phrase" in keys and phrase is None):
        return None
    return phrase, window.get("before"), window.get("after"), keys


def _unless(checker: _Checker, node: yaml.Node, rule_id: str, lists: dict[str, PhraseList]) -> tuple[Unless, ...]:
    """An unless entry: a phrase, or a mapping with `phrase` or `list` (a
    phrase list of the file) and optional windows; one Unless per phrase."""
    parsed = _unless_phrase(checker, node, "unless", "an unless entry", UNLESS_KEYS, rule_id)
    if parsed is None:
        return ()
    phrase, before, after, keys = parsed
    if isinstance(node, yaml.MappingNode) and ("phrase" in keys) == ("list" in keys):
        checker.problem(node, "an unless entry needs 'phrase' or 'list', not both", "add 'phrase:' or 'list:'", rule_id)
        return ()
    if phrase is not None:
        return (Unless(phrase, _window(before), _window(after)),)
    name = checker.scalar(keys["list"])
    phrase_list = lists.get(name) if isinstance(name, str) else None
    if phrase_list is None:
        known = ", ".join(sorted(lists)) or "none"
        checker.problem(keys["list"], f"unknown phrase list {_show(keys['list'])}",
                        f"define it under 'phrase_lists:' in this file (defined here: {known})", rule_id)
        return ()
    phrase_list.used = True
    return tuple(Unless(p, _window(own_before, before), _window(own_after, after))
                 for p, own_before, own_after in phrase_list.entries)


def _window(*given: int | None) -> int:
    """The first window given (a list entry's own, then the rule's entry's), else the default."""
    return next((w for w in given if w is not None), UNLESS_WINDOW)


def _examples(checker: _Checker, node: yaml.Node | None, rule_id: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if node is None:
        return (), ()
    keys = checker.mapping(node, "examples", ("match", "no_match"), rule_id) or {}
    out: dict[str, tuple[str, ...]] = {}
    for kind in ("match", "no_match"):
        items = checker.sequence(keys[kind], f"examples {kind}", rule_id) if kind in keys else []
        out[kind] = tuple(s for item in items if (s := checker.string(item, f"an example in {kind}", rule_id)))
    if len(out["match"]) < MIN_MATCH_EXAMPLES:
        checker.problem(node, f"rule has {len(out['match'])} 'match' example(s), needs {MIN_MATCH_EXAMPLES}",
                        "add sentences the rule must fire on", rule_id)
    if not out["no_match"]:
        checker.problem(node, "rule has no 'no_match' examples", "add a sentence the rule must not fire on", rule_id)
    return out["match"], out["no_match"]
