"""Turning reports into text people read and JSON programs read."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .report import ArticleReport

# Below this absolute stance score a sentence or article reads as neutral.
NEUTRAL_BAND = 0.1
TEXT_WIDTH = 100


def direction(score: float) -> str:
    if score > NEUTRAL_BAND:
        return "toward"
    if score < -NEUTRAL_BAND:
        return "away"
    return "neutral"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_text(report: ArticleReport) -> str:
    """A readable plain-text report for the terminal."""
    lines = [report.title or "(untitled)", "=" * min(TEXT_WIDTH, len(report.title or "(untitled)"))]
    lines.append(f"source: {report.source}   sentences: {report.sentence_count}   model: {report.model}")
    lines.append(f"stance index: {report.stance_index:+.2f} ({direction(report.stance_index)} rapprochement)")
    lines.append("signals: " + ", ".join(f"{c} {n}" for c, n in report.signal_counts.items()))
    lines.append("")
    lines.append("Strongest evidence")
    if not report.evidence:
        lines.append("  (no signals found)")
    for cat, items in report.evidence.items():
        for e in items:
            lines.append(f"  {cat:<13} s{e.sentence:02d}  \"{_clip(e.hit.text, 50)}\"  [{e.hit.rule}]")
    lines.append("")
    lines.append("Sentences")
    for s in report.sentences:
        lines.append(f"  s{s.index:02d} {s.score:+.2f} {direction(s.score):<7} {_clip(s.text, TEXT_WIDTH - 22)}")
        for h in s.signals:
            lines.append(f"{'':24}{h.category}: \"{_clip(h.text, 50)}\" [{h.rule}]{' (negated)' if h.negated else ''}")
    return "\n".join(lines)


def render_json(reports: Sequence[ArticleReport]) -> str:
    """One article: its report object; several: a list of them."""
    data = reports[0].to_dict() if len(reports) == 1 else [r.to_dict() for r in reports]
    return json.dumps(data, ensure_ascii=False, indent=2)
