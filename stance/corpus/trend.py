"""Stance and signals over time, for one relationship or the whole corpus."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ..rulebook.patterns import SIGNALS
from ..report.article import ArticleReport


@dataclass
class Period:
    label: str
    articles: int = 0
    stance_sum: float = 0.0
    signals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SIGNALS, 0))

    @property
    def stance(self) -> float:
        return self.stance_sum / self.articles if self.articles else 0.0


def period_of(day: str, by: str) -> str:
    """'2025-02-13' -> '2025-W07' (ISO week) or '2025-02' (month)."""
    d = date.fromisoformat(day[:10])
    if by == "week":
        year, week, _ = d.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{d.year}-{d.month:02d}"


def trend(reports: Iterable[tuple[str | None, ArticleReport]], by: str = "month", actor: str | None = None) -> list[Period]:
    """Periods in time order from (date, report) pairs; undated articles are skipped.

    With `actor`, an article counts only if it names the actor, with the
    actor's mean stance and the signals attributed to it.
    """
    periods: dict[str, Period] = {}
    for day, report in reports:
        if not day:
            continue
        if actor is None:
            stance, counts = report.stance_index, report.signal_counts
        else:
            mine = next((a for a in report.actors if a.actor == actor), None)
            if mine is None:
                continue
            stance, counts = mine.mean_stance, mine.signal_counts
        label = period_of(day, by)
        p = periods.setdefault(label, Period(label))
        p.articles += 1
        p.stance_sum += stance
        for c in SIGNALS:
            p.signals[c] += counts.get(c, 0)
    return [periods[k] for k in sorted(periods)]


def render_trend_text(periods: list[Period]) -> str:
    lines = [f"{'period':<10} {'articles':>8} {'stance':>7}  " + " ".join(f"{c:>12}" for c in SIGNALS)]
    for p in periods:
        lines.append(f"{p.label:<10} {p.articles:>8} {p.stance:>+7.2f}  " + " ".join(f"{p.signals[c]:>12}" for c in SIGNALS))
    return "\n".join(lines)


SVG_WIDTH, SVG_HEIGHT, MARGIN = 720, 260, 40


def render_trend_html(periods: list[Period], title: str) -> str:
    """A self-contained page with the stance index over time as an inline SVG line chart."""
    n = max(len(periods), 1)
    step = (SVG_WIDTH - 2 * MARGIN) / max(n - 1, 1)
    mid = SVG_HEIGHT / 2

    def y(v: float) -> float:
        return mid - v * (SVG_HEIGHT / 2 - MARGIN)

    points = " ".join(f"{MARGIN + i * step:.1f},{y(p.stance):.1f}" for i, p in enumerate(periods))
    labels = "".join(
        f'<text x="{MARGIN + i * step:.1f}" y="{SVG_HEIGHT - 8}" font-size="10" text-anchor="middle">{html.escape(p.label)}</text>'
        f'<circle cx="{MARGIN + i * step:.1f}" cy="{y(p.stance):.1f}" r="3"><title>{html.escape(p.label)}: '
        f'{p.stance:+.2f} over {p.articles} article(s)</title></circle>'
        for i, p in enumerate(periods))
    rows = "".join(f"<tr><td>{html.escape(p.label)}</td><td>{p.articles}</td><td>{p.stance:+.2f}</td>"
                   + "".join(f"<td>{p.signals[c]}</td>" for c in SIGNALS) + "</tr>" for p in periods)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font:14px system-ui,sans-serif;margin:2rem}} td,th{{border:1px solid #ddd;padding:.2rem .5rem}}
table{{border-collapse:collapse}}</style></head><body>
<h1>{html.escape(title)}</h1>
<svg xmlns="http://www.w3.org/2000/svg" width="{SVG_WIDTH}" height="{SVG_HEIGHT}" role="img" aria-label="stance index over time">
<rect width="100%" height="100%" fill="#fafafa"/>
<line x1="{MARGIN}" x2="{SVG_WIDTH - MARGIN}" y1="{mid}" y2="{mid}" stroke="#999" stroke-dasharray="4"/>
<text x="4" y="{y(1) + 4:.1f}" font-size="10">+1</text><text x="4" y="{mid + 4:.1f}" font-size="10">0</text>
<text x="4" y="{y(-1) + 4:.1f}" font-size="10">-1</text>
<polyline fill="none" stroke="#1565c0" stroke-width="2" points="{points}"/>{labels}
</svg>
<table><tr><th>period</th><th>articles</th><th>stance</th>{"".join(f"<th>{c}</th>" for c in SIGNALS)}</tr>{rows}</table>
</body></html>
"""
