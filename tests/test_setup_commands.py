"""The README's two set-up commands: one line each, each in its own .venv, and the test one is what CI runs."""

from __future__ import annotations

import re
import subprocess

from .conftest import ROOT

README = ROOT / "README.md"
CI_RUN = ROOT / ".ci" / "run"


def _readme_commands() -> list[str]:
    """The lines of the README's first code block."""
    block = re.search(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert block, "README.md has no ```sh block"
    return block.group(1).splitlines()


def test_readme_starts_with_two_commands_that_make_and_use_a_venv():
    score, tests = _readme_commands()
    # A system Python may refuse `pip install` outside a venv (PEP 668), so
    # both commands activate .venv before pip runs.
    assert score.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install . && stance score seeds/")
    assert tests.startswith("[ -f .venv/bin/activate ] || python3 -m venv .venv && . .venv/bin/activate && ")
    assert tests.endswith("pip install '.[test]' && python -m pytest")
    for line in (score, tests):
        subprocess.run(["bash", "-n", "-c", line], check=True)
    assert (ROOT / score.split("stance score ")[1]).is_file()


def test_ci_runs_the_readme_test_command_as_written():
    _, tests = _readme_commands()
    lines = CI_RUN.read_text(encoding="utf-8").splitlines()
    assert lines[-1] == tests  # the last line, so its status is the script's
    assert "set -euo pipefail" in lines


def test_the_venv_is_not_committed():
    assert ".venv/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
