"""Compiled rules kept between runs, so `stance score` starts fast.

Parsing and validating the rule files and building the matcher's trie is
about 190 ms of a 0.5 s cold start; reading the same objects back from a
pickle takes about 40 ms. The pickle lives in the user's cache
(`$STANCE_CACHE`, else `~/.cache/stance`), one file per rule folder, named
by a hash of everything the compiled objects depend on: the folder's
place, each rule file's name and bytes, the Python, regex and stance code
they were built by. Any edit to a rule file gives another hash, so a
stale entry is never read; the old one is replaced. A cache that cannot be
written (read-only home) or read (truncated, from other code) is passed
over: the rules are compiled from the files as before.

The file is a pickle, and reading a pickle can run code, so an entry is
read only when the current user owns it and no one else may write it (as
written: mode 0600). Whoever can still change it can already change what
the user runs. The model file, which people pass around, stays a plain
`.npz` (models/README.md).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import regex

from ..fastinit import paused_gc
from ..resources import cache_dir
from .actors import ActorMatcher
from .loading import Rulebook, load_rulebook, rule_files
from .matcher import Matcher

# Change when what a cache file holds changes shape.
CACHE_FORM = b"stance.compiled-rules/1"
_PACKAGE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class CompiledRules:
    """A rulebook and what matching it needs, built once."""

    rulebook: Rulebook
    matcher: Matcher
    actors: ActorMatcher


@paused_gc()  # the trie and tables: long-lived objects (see fastinit.py)
def compile_rulebook(rulebook: Rulebook) -> CompiledRules:
    return CompiledRules(rulebook, Matcher(rulebook), ActorMatcher(rulebook.actors))


def load_compiled(root: str | Path) -> CompiledRules:
    """The rules of `root` compiled: from the cache when the files are
    unchanged, else from the files, then cached for the next run."""
    folder = Path(root).resolve()
    if not folder.is_dir():
        return compile_rulebook(load_rulebook(root))  # which reports it
    name, digest = _entry_name(folder)
    path = cache_dir() / "rules" / f"{name}-{digest}.pickle"
    cached = _read(path)
    if cached is not None:
        return cached
    compiled = compile_rulebook(load_rulebook(root))
    _write(path, compiled)
    return compiled


def _entry_name(folder: Path) -> tuple[str, str]:
    """(a hash of the folder's place, a hash of what its compiled rules depend on)."""
    h = hashlib.sha256(CACHE_FORM)
    h.update(f"{sys.version}\0{regex.__version__}\0".encode())
    for module in sorted(_PACKAGE.rglob("*.py")):  # the code that builds and reads the objects
        stat = module.stat()
        h.update(f"{module.relative_to(_PACKAGE)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    for path in rule_files(folder):
        h.update(f"{path.relative_to(folder)}\0".encode())
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return hashlib.sha256(str(folder).encode()).hexdigest()[:16], h.hexdigest()[:32]


@paused_gc()  # some 100,000 long-lived objects
def _read(path: Path) -> CompiledRules | None:
    try:
        with path.open("rb") as f:
            if not _own_file(os.fstat(f.fileno())):
                return None
            compiled = pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - truncated, or pickled by other code: compile afresh
        return None
    return compiled if isinstance(compiled, CompiledRules) else None


def _own_file(st: os.stat_result) -> bool:
    """Written by this user and writable by no one else: a pickle planted by
    another user (in a shared $STANCE_CACHE, say) is never read."""
    if not hasattr(os, "getuid"):  # Windows: the user's cache folder is private
        return True
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _write(path: Path, compiled: CompiledRules) -> None:
    """Write atomically (a reader sees the old file or the whole new one) and
    drop this folder's older entries; a cache that cannot be written is skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(compiled, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        return
    folder_name = path.name.split("-", 1)[0]
    for old in path.parent.glob(f"{folder_name}-*.pickle"):
        if old != path:
            old.unlink(missing_ok=True)
