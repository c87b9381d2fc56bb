"""Running every rule's own examples, for `stance rules test` and pytest."""

from __future__ import annotations

from dataclasses import dataclass

from ..rulebook.matcher import Matcher, MatchResult
from ..rulebook.loading import Rule


@dataclass(frozen=True, slots=True)
class ExampleCase:
    """One example of one rule: `expect` is True for `match`, False for `no_match`."""

    rule: Rule
    kind: str
    number: int
    sentence: str

    @property
    def case_id(self) -> str:
        return f"{self.rule.id}/{self.kind}/{self.number}"

    @property
    def expect(self) -> bool:
        return self.kind == "match"


@dataclass(frozen=True, slots=True)
class ExampleOutcome:
    case: ExampleCase
    fired: bool
    detail: str

    @property
    def passed(self) -> bool:
        return self.fired == self.case.expect


def example_cases(rules: tuple[Rule, ...], selector: str | None = None) -> list[ExampleCase]:
    """Every example as a case; `selector` keeps ids containing it (like pytest -k)."""
    cases = [
        ExampleCase(rule, kind, n, sentence)
        for rule in rules
        for kind, sentences in (("match", rule.match_examples), ("no_match", rule.no_match_examples))
        for n, sentence in enumerate(sentences, start=1)
    ]
    return [c for c in cases if selector is None or selector in c.case_id]


def run_case(matcher: Matcher, case: ExampleCase) -> ExampleOutcome:
    """A rule fires on a sentence when it yields a hit in its own category."""
    result = matcher.match(case.sentence)
    own = [h for h in result.hits if h.rule == case.rule.id and h.category == case.rule.category]
    return ExampleOutcome(case, bool(own), _detail(result, case.rule.id))


def _detail(result: MatchResult, rule_id: str) -> str:
    parts = [f"hit '{h.text}' as {h.category} ({h.pattern})" for h in result.hits if h.rule == rule_id]
    parts += [f"suppressed '{s.hit.text}': {s.reason}" for s in result.suppressed if s.hit.rule == rule_id]
    return "; ".join(parts) or "no pattern matched"
