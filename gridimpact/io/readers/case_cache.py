"""The embedded case, validated once: a cache of its ``Inputs`` keyed by the content that makes them.

Reading and validating the shipped files with pandera costs more than the rest of a default
``gridimpact compare`` start-up, and gives the same tables every time. So the validated ``Inputs``
are kept, pickled, in the user's cache folder under a name that is the SHA-256 of everything they
depend on: every file of ``data/``, the source of the readers and of the modules that define the
tables (``gridimpact/io/readers/*.py``, ``schemas.py``, ``inputs.py``, ``regions.py``, ``vocab.py``,
``resources.py``), the gridimpact, pandas, numpy and Python versions, the population basis and the
cache format. Changing any of them gives a new key, so a stale entry is never read.

Where: ``GRIDIMPACT_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/gridimpact``, else
``~/.cache/gridimpact``. ``GRIDIMPACT_NO_CACHE=1`` turns the cache off.

Safety: a pickle can run code when it is read, so only files gridimpact itself wrote are read:
files in its own cache folder, named by the key, owned by the current user and writable by no one
else; their first bytes must be gridimpact's header and the key. A file is written to a temporary
name and renamed into place, so a half-written file is never read; a file that does not unpickle
into ``Inputs`` is ignored and rewritten. When the folder cannot be written the case is validated
as before, with one debug-level log line. Reading a hit needs pandas only: no pandera, no xarray.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import platform
import stat
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from gridimpact import __version__
from gridimpact.errors import OutputError
from gridimpact.inputs import Inputs
from gridimpact.io.atomic import write_bytes
from gridimpact.resources import data_dir

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
"""Raise when the layout of a cache file changes."""
HEADER = b"gridimpact-case-cache\n"
_PACKAGE = Path(__file__).resolve().parents[2]
_SOURCES = ("io/readers/*.py", "schemas.py", "inputs.py", "regions.py", "vocab.py", "resources.py")
"""The modules whose code decides what the embedded ``Inputs`` hold (relative to the package)."""
_OFF = ("1", "true", "yes", "on")


def cache_dir() -> Path | None:
    """The folder of gridimpact's cache, or None when ``GRIDIMPACT_NO_CACHE`` turns it off."""
    if os.environ.get("GRIDIMPACT_NO_CACHE", "").strip().lower() in _OFF:
        return None
    explicit = os.environ.get("GRIDIMPACT_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "gridimpact"


def _hash_files(digest, paths: list[Path], root: Path) -> None:
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def case_key(population_basis: str) -> str:
    """The SHA-256 (hex) of everything the embedded ``Inputs`` of ``population_basis`` depend on."""
    digest = hashlib.sha256()
    versions = (CACHE_FORMAT, __version__, pd.__version__, np.__version__, platform.python_version(),
                population_basis)
    digest.update(repr(versions).encode("utf-8"))
    data = data_dir()
    _hash_files(digest, [p for p in data.rglob("*") if p.is_file()], data)
    _hash_files(digest, [p for pattern in _SOURCES for p in _PACKAGE.glob(pattern)], _PACKAGE)
    return digest.hexdigest()


def cache_file(directory: Path, key: str) -> Path:
    return directory / f"embedded-case-{key}.pickle"


def _trusted(path: Path) -> bool:
    """Whether ``path`` is a file this user wrote and no one else can change (POSIX)."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        return False
    if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)):
        return False
    return True


def read_cached(path: Path, key: str) -> Inputs | None:
    """The ``Inputs`` cached in ``path`` under ``key``, or None if absent, foreign or unreadable."""
    try:
        if not _trusted(path):
            log.debug("case cache: %s is not a file of this user's; not read", path)
            return None
        blob = path.read_bytes()
    except OSError:
        return None
    prefix = HEADER + key.encode("ascii") + b"\n"
    if not blob.startswith(prefix):
        log.debug("case cache: %s has no valid header; ignored", path)
        return None
    try:
        inputs = pickle.loads(blob[len(prefix):])
    except Exception as exc:  # a truncated or damaged pickle raises many kinds of error
        log.debug("case cache: %s is damaged (%s); ignored", path, type(exc).__name__)
        return None
    return inputs if isinstance(inputs, Inputs) else None


def write_cached(path: Path, key: str, inputs: Inputs) -> None:
    """Store ``inputs`` in ``path`` atomically; a folder that cannot be written is logged, not raised."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        blob = HEADER + key.encode("ascii") + b"\n" + pickle.dumps(inputs, protocol=pickle.HIGHEST_PROTOCOL)
        write_bytes(path, blob)
        os.chmod(path, 0o600)
    except (OSError, OutputError) as exc:
        log.debug("case cache: cannot write %s (%s); the embedded case is validated on every run", path, exc)


def cached_case(population_basis: str, validate: Callable[[], Inputs]) -> Inputs:
    """The embedded ``Inputs`` from the cache, or ``validate()`` stored into it for the next run."""
    directory = cache_dir()
    if directory is None:
        return validate()
    key = case_key(population_basis)
    path = cache_file(directory, key)
    inputs = read_cached(path, key) if path.exists() else None
    if inputs is not None:
        return inputs
    inputs = validate()
    write_cached(path, key, inputs)
    return inputs
