"""Metric tables as text."""

from __future__ import annotations

from typing import Any


def render_stance_metrics(m: dict[str, Any], heading: str) -> str:
    lines = [f"{heading}: n={m['n']}  macro-F1={m['macro_f1']:.3f}  accuracy={m['accuracy']:.3f}",
             f"  {'class':<8} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
    for name, c in m["per_class"].items():
        lines.append(f"  {name:<8} {c['precision']:>9.3f} {c['recall']:>7.3f} {c['f1']:>6.3f} {c['support']:>8}")
    labels = m["confusion"]["labels"]
    lines.append("  confusion (rows gold, columns predicted): " + " ".join(f"{l:>8}" for l in labels))
    for name, row in zip(labels, m["confusion"]["rows_gold_columns_predicted"]):
        lines.append(f"  {'':<41}{name:>8} " + " ".join(f"{v:>8}" for v in row))
    return "\n".join(lines)


def render_interval(m: dict[str, Any]) -> str:
    return (f"  macro-F1 {m['level']:.0%} interval {m['low']:.3f}-{m['high']:.3f} (bootstrap over {m['groups']:,} "
            f"documents, {m['resamples']:,} resamples): where it could fall on another set of as many articles")


def render_change(m: dict[str, Any]) -> str:
    verdict = "better" if m["low"] > 0 else "worse" if m["high"] < 0 else "within chance"
    return (f"against {m['model']}: macro-F1 {m['before']:.3f} -> {m['after']:.3f} ({m['change']:+.3f}); "
            f"{m['level']:.0%} paired interval of the change {m['low']:+.3f} to {m['high']:+.3f} "
            f"(bootstrap over {m['groups']:,} documents): {verdict}")


def render_signal_metrics(m: dict[str, dict[str, float]], heading: str) -> str:
    lines = [heading, f"  {'signal':<13} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
    for cat, c in m.items():
        lines.append(f"  {cat:<13} {c['precision']:>9.3f} {c['recall']:>7.3f} {c['f1']:>6.3f} {c['support']:>8}")
    return "\n".join(lines)


def render_rule_stats(stats: list[Any]) -> str:
    lines = [f"{'rule':<44} {'category':<13} {'fired':>5} {'agree':>5} {'disagree':>8} {'prec':>5}  overlaps / conflicts"]
    for s in sorted(stats, key=lambda s: (-s.disagree, s.rule)):
        top = ", ".join(f"{o} {n}" for o, n in list(s.overlaps.items())[:3])
        conf = ", ".join(f"{o} {n}" for o, n in s.conflicts.items())
        lines.append(f"{s.rule:<44} {s.category:<13} {s.fired:>5} {s.agree:>5} {s.disagree:>8} {s.precision:>5.2f}  "
                     f"{top}{' | CONFLICTS: ' + conf if conf else ''}")
    unused = [s.rule for s in stats if s.fired == 0]
    if unused:
        lines.append(f"{len(unused)} rule(s) never fired: {', '.join(unused)}")
    return "\n".join(lines)


def render_rules_diff(diff: Any) -> str:
    lines = [f"{len(diff.changes)} sentence(s) changed"]
    for c in diff.changes:
        lines.append(f"  {c.id}: {', '.join(c.before) or '-'} -> {', '.join(c.after) or '-'}   (labels: {', '.join(c.gold) or '-'})")
        lines.append(f"      {c.text}")
    lines.append(f"  {'signal':<13} {'F1 before':>9} {'F1 after':>9} {'delta':>7}")
    for cat, d in diff.delta().items():
        lines.append(f"  {cat:<13} {diff.before[cat]['f1']:>9.3f} {diff.after[cat]['f1']:>9.3f} {d:>+7.3f}")
    return "\n".join(lines)


def render_article_metrics(m: dict[str, Any]) -> str:
    return (f"articles: n={m['articles']}  Spearman (stance index vs mean labelled stance)={m['spearman']:.3f}  "
            f"direction agrees={m['direction_agreement']:.3f} (+/-/0 at {m['direction_threshold']})")
