"""The library is typed: mypy, configured in pyproject.toml, finds no issue."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def test_the_library_type_checks(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy")], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
