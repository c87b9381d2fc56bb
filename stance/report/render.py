"""Turning reports into what people read: terminal, JSON, Markdown, HTML."""

from __future__ import annotations

import html
import json
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from ..rulebook.matcher import SignalHit
from ..rulebook.patterns import SIGNALS
from ..report.posture import DIRECTION_THRESHOLD, POSTURES
from ..report.article import ActorSummary, ArticleReport

TEXT_WIDTH = 100
SIGNAL_COLOURS = {  # one hue per signal, shared by the terminal and HTML views
    "deescalation": "#2e7d32", "condition": "#1565c0", "red_line": "#c62828",
    "escalation": "#ef6c00", "hedge": "#6a1b9a",
}
RICH_STYLES = {"deescalation": "green", "condition": "blue", "red_line": "bold red",
               "escalation": "dark_orange", "hedge": "magenta"}


def direction(score: float) -> str:
    if score > DIRECTION_THRESHOLD:
        return "toward"
    if score < -DIRECTION_THRESHOLD:
        return "away"
    return "neutral"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _actor_signals(a: ActorSummary) -> str:
    """An actor's signal counts as 'deescalation 3, condition 1', or '-'."""
    return ", ".join(f"{c} {n}" for c, n in a.signal_counts.items() if n) or "-"


def _summary_line(r: ArticleReport) -> str:
    s = r.stance
    return (f"stance index {s.index:+.2f} [{s.low:+.2f}, {s.high:+.2f}] ({direction(s.index)}), posture: {r.posture}, "
            f"{r.sentence_count} sentences ({s.abstained} abstained)")


def render_text(report: ArticleReport) -> str:
    """A plain-text report: for pipes, files and NO_COLOR."""
    title = report.title or "(untitled)"
    lines = [title, "=" * min(TEXT_WIDTH, len(title)), f"source: {report.source}   model: {report.model}",
             _summary_line(report),
             "signals: " + ", ".join(f"{c} {n}" for c, n in report.signal_counts.items()), "", "Strongest evidence"]
    if not report.evidence:
        lines.append("  (no signals found)")
    for cat, items in report.evidence.items():
        for e in items:
            who = f" ({e.hit.actor})" if e.hit.actor else ""
            lines.append(f"  {cat:<13} s{e.sentence:02d}  \"{_clip(e.hit.text, 50)}\"{who}  [{e.hit.rule}]")
    if report.actors:
        lines += ["", "Who signals what", f"  {'actor':<22} {'sentences':>9} {'mean stance':>11}  signals"]
        for a in report.actors:
            lines.append(f"  {_clip(a.name, 22):<22} {len(a.sentences):>9} {a.mean_stance:>+11.2f}  {_actor_signals(a)}")
    lines += ["", "Sentences"]
    for s in report.sentences:
        lines.append(f"  s{s.index:02d} {s.score:+.2f} {direction(s.score):<7} {_clip(s.text, TEXT_WIDTH - 22)}")
        for h in s.signals:
            lines.append(f"{'':24}{h.category}: \"{_clip(h.text, 50)}\" [{h.rule}]{' (negated)' if h.negated else ''}")
    return "\n".join(lines)


def use_rich(stream: TextIO = sys.stdout) -> bool:
    """Rich tables only on a terminal, and never when NO_COLOR is set."""
    return stream.isatty() and "NO_COLOR" not in os.environ


def print_rich(reports: Sequence[ArticleReport]) -> None:
    """Tables and colour for a terminal."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    for r in reports:
        console.rule(f"[bold]{r.title or '(untitled)'}")
        console.print(f"source: {r.source}   model: {r.model}")
        console.print(_summary_line(r))
        counts = Table(show_header=True, header_style="bold")
        for cat in SIGNALS:
            counts.add_column(cat, style=RICH_STYLES[cat], justify="right")
        counts.add_row(*(str(r.signal_counts[c]) for c in SIGNALS))
        console.print(counts)
        ev = Table(title="Strongest evidence", show_lines=False)
        for col in ("signal", "sentence", "phrase", "actor", "rule"):
            ev.add_column(col)
        for cat, items in r.evidence.items():
            for e in items:
                ev.add_row(Text(cat, style=RICH_STYLES[cat]), f"s{e.sentence:02d}", e.hit.text, e.hit.actor or "-", e.hit.rule)
        console.print(ev)
        if r.actors:
            at = Table(title="Who signals what")
            for col in ("actor", "sentences", "mean stance", "signals"):
                at.add_column(col)
            for a in r.actors:
                at.add_row(a.name, str(len(a.sentences)), f"{a.mean_stance:+.2f}",
                           _actor_signals(a))
            console.print(at)
        st = Table(title="Sentences", show_lines=False)
        for col in ("#", "score", "sentence"):
            st.add_column(col)
        for s in r.sentences:
            text = Text(s.text)
            for h in s.signals:
                text.stylize(RICH_STYLES[h.category], h.start - s.start, h.end - s.start)
            style = "green" if s.score > DIRECTION_THRESHOLD else "red" if s.score < -DIRECTION_THRESHOLD else "dim"
            st.add_row(f"s{s.index:02d}", Text(f"{s.score:+.2f}", style=style), text)
        console.print(st)


def render_json(report: ArticleReport) -> str:
    """The report object, indented; `score` wraps several in a list."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


def render_jsonl(report: ArticleReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: ArticleReport) -> str:
    """Markdown for notes and tickets."""
    out = [f"# {_md(report.title or '(untitled)')}", "", f"- **Source:** {_md(report.source)}",
           f"- **Stance index:** {report.stance.index:+.2f} (90% interval {report.stance.low:+.2f} to "
           f"{report.stance.high:+.2f}), {direction(report.stance.index)}",
           f"- **Posture:** {report.posture}",
           f"- **Sentences:** {report.sentence_count} ({report.stance.abstained} abstained)", "",
           "| signal | sentences |", "|---|---:|"]
    out += [f"| {c} | {n} |" for c, n in report.signal_counts.items()]
    if report.actors:
        out += ["", "## Who signals what", "", "| actor | sentences | mean stance | signals |", "|---|---:|---:|---|"]
        for a in report.actors:
            out.append(f"| {_md(a.name)} | {len(a.sentences)} | {a.mean_stance:+.2f} | {_actor_signals(a)} |")
    out += ["", "## Strongest evidence", ""]
    for cat, items in report.evidence.items():
        for e in items:
            who = f" ({e.hit.actor})" if e.hit.actor else ""
            out.append(f"- **{cat}**{who}: “{_md(e.hit.text)}” in s{e.sentence:02d}, rule `{e.hit.rule}`")
    out += ["", "## Sentences", "", "| # | score | sentence | signals |", "|---|---:|---|---|"]
    for s in report.sentences:
        sig = "; ".join(f"{h.category}: {_md(h.text)}" for h in s.signals) or ""
        out.append(f"| s{s.index:02d} | {s.score:+.2f} | {_md(s.text)} | {sig} |")
    return "\n".join(out) + "\n"


_CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#222;background:#fff}
h1{font-size:1.5rem;margin-bottom:.2rem} .meta{color:#555} table{border-collapse:collapse;margin:1rem 0}
td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left} th{background:#f4f4f4}
.summary{display:flex;gap:1.5rem;flex-wrap:wrap;padding:1rem;background:#f7f7f9;border-radius:.5rem}
.summary div b{display:block;font-size:1.4rem} .legend span{margin-right:1rem}
.sent{display:grid;grid-template-columns:3rem 8rem 1fr;gap:.75rem;padding:.35rem 0;border-bottom:1px solid #eee}
.bar{position:relative;height:.8rem;background:#eee;margin-top:.4rem} .bar i{position:absolute;top:0;bottom:0}
.bar .mid{left:50%;width:1px;background:#999} mark{padding:0 .1rem;border-radius:.2rem;background:none;border-bottom:3px solid}
"""


def _highlight(text: str, offset: int, hits: Sequence[SignalHit]) -> str:
    """Escaped sentence text with non-overlapping hits wrapped in <mark>; the title names every rule there."""
    chosen: list[SignalHit] = []
    for h in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if not chosen or h.start >= chosen[-1].end:
            chosen.append(h)
    out, pos = [], 0
    for h in chosen:
        start, end = h.start - offset, h.end - offset
        here = [x for x in hits if x.start < h.end and x.end > h.start]
        title = "; ".join(f"{x.category}: {x.rule}{' (negated)' if x.negated else ''}" for x in here)
        out.append(html.escape(text[pos:start]))
        out.append(f'<mark class="{h.category}" style="border-color:{SIGNAL_COLOURS[h.category]}" '
                   f'title="{html.escape(title)}">{html.escape(text[start:end])}</mark>')
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def render_html(report: ArticleReport) -> str:
    """One self-contained page: no script, no network; article text escaped."""
    e = html.escape
    s = report.stance
    legend = "".join(f'<span><mark style="border-color:{SIGNAL_COLOURS[c]}">{c}</mark> {report.signal_counts[c]}</span>'
                     for c in SIGNALS)
    rows = []
    for a in report.actors:
        rows.append(f"<tr><td>{e(a.name)}</td><td>{len(a.sentences)}</td><td>{a.mean_stance:+.2f}</td>"
                    f"<td>{e(_actor_signals(a))}</td></tr>")
    sentences = []
    for x in report.sentences:
        width = abs(x.score) * 50
        left = 50 if x.score >= 0 else 50 - width
        colour = "#2e7d32" if x.score >= 0 else "#c62828"
        sentences.append(
            f'<div class="sent"><span>s{x.index:02d}</span><span>{x.score:+.2f}<div class="bar">'
            f'<i class="mid"></i><i style="left:{left:.1f}%;width:{width:.1f}%;background:{colour}"></i></div></span>'
            f"<span>{_highlight(x.text, x.start, x.signals)}</span></div>")
    postures = "".join(f"<li><b>{e(n)}</b>: {e(d)}</li>" for n, d in POSTURES)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{e(report.title or report.source)}</title><style>{_CSS}</style></head>
<body>
<h1>{e(report.title or "(untitled)")}</h1>
<p class="meta">{e(report.source)} · model {e(report.model)}</p>
<section class="summary">
<div>stance index<b>{s.index:+.2f}</b>90% interval {s.low:+.2f} to {s.high:+.2f}</div>
<div>posture<b>{e(report.posture)}</b>{direction(s.index)} rapprochement</div>
<div>sentences<b>{report.sentence_count}</b>{s.abstained} abstained</div>
</section>
<p class="legend">{legend}</p>
<h2>Who signals what</h2>
<table><tr><th>actor</th><th>sentences</th><th>mean stance</th><th>signals</th></tr>{"".join(rows)}</table>
<h2>Sentences</h2>
{"".join(sentences)}
<details><summary>How the posture is decided</summary><ol>{postures}</ol></details>
</body></html>
"""
