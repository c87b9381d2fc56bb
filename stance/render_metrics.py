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
