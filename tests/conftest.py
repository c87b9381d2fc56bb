from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_ARTICLE = ROOT / "seeds" / "belarus-us-prisoner-release-2025-02.txt"
SEED_LABELS = ROOT / "seeds" / "belarus-us-prisoner-release-2025-02.labels.jsonl"
RULES = ROOT / "rules"


def seed_labels() -> list[dict]:
    return [json.loads(line) for line in SEED_LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_cli(*args: str, stdin: bytes | None = None, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a fresh process, as a user would."""
    proc = subprocess.run([sys.executable, "-m", "stance", *args], input=stdin, capture_output=True, cwd=cwd or ROOT,
                          env={**os.environ, **(env or {})})
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


@pytest.fixture(scope="session", autouse=True)
def _own_cache(tmp_path_factory):
    """Compiled rules and rebuilt models go to a folder of this run, never the user's cache
    (set in the environment, so the command lines the tests run use it too)."""
    previous = os.environ.get("STANCE_CACHE")
    os.environ["STANCE_CACHE"] = str(tmp_path_factory.mktemp("stance-cache"))
    yield
    if previous is None:
        del os.environ["STANCE_CACHE"]
    else:
        os.environ["STANCE_CACHE"] = previous


@pytest.fixture(scope="session")
def classifier():
    from stance import Classifier

    return Classifier.load()


@pytest.fixture(scope="session")
def seed_report(classifier):
    return classifier.score_text(SEED_ARTICLE.read_text(encoding="utf-8"))
