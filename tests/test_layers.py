"""The package's plan is its tree: no module imports from a higher layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "stance"
# Lowest first. A module may import from its own layer or any lower one.
LAYERS = (
    ("base", {"errors", "resources", "progress", "fastinit"}),
    ("text", {"text"}),
    ("rulebook", {"rulebook"}),
    ("model", {"model"}),
    ("report", {"report"}),
    ("classifier", {"classifier", "__init__"}),
    ("corpus", {"corpus"}),
    ("tools", {"tools"}),
    ("cli", {"cli", "__main__"}),
)
RANK = {part: rank for rank, (_, parts) in enumerate(LAYERS) for part in parts}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def _name(path: Path) -> tuple[str, ...]:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts


def _layer(parts: tuple[str, ...]) -> int:
    return RANK[parts[0]] if parts else RANK["__init__"]


def _imports(path: Path) -> list[tuple[tuple[str, ...], int, str]]:
    """(stance module parts, line, what) for every stance import in a file, lazy ones included."""
    own = _name(path)
    package = own if path.name == "__init__.py" else own[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1] if node.level > 1 else package
                target = (*base, *(node.module.split(".") if node.module else ()))
            elif node.module and node.module.split(".")[0] == "stance":
                target = tuple(node.module.split(".")[1:])
            else:
                out.append(((), node.lineno, node.module or ""))
                continue
            out.append((target, node.lineno, ".".join(target)))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                out.append(((), node.lineno, alias.name))
    return out


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_from_a_higher_layer(path):
    own = _layer(_name(path))
    for target, line, what in _imports(path):
        if target:
            assert _layer(target) <= own, f"{path.relative_to(PACKAGE)}:{line} imports {what} from a higher layer"


@pytest.mark.parametrize("path", sorted((PACKAGE / "rulebook").rglob("*.py")) + sorted((PACKAGE / "text").rglob("*.py")),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_text_and_rules_never_import_the_model_or_scikit_learn(path):
    for target, line, what in _imports(path):
        assert not (target and target[0] == "model"), f"{path.name}:{line} imports {what}"
        assert not what.startswith(("sklearn", "joblib")), f"{path.name}:{line} imports {what}"


def test_the_layers_cover_every_module():
    assert {_name(p)[0] if _name(p) else "__init__" for p in _modules()} <= set(RANK)
