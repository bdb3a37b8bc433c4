"""Atomic output: a file or a whole folder appears complete or not at all.

A file is written to a temporary name in its target folder, flushed to disk, then renamed over the
target (``os.replace`` is atomic on one file system). A set of outputs is built in a staging folder
beside the target and swapped in by renames, so readers never see a half-updated set and a failure
leaves the previous outputs untouched.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from gridimpact.errors import OutputError


def _umask() -> int:
    # The process umask can only be read by setting it; set it straight back.
    current = os.umask(0o022)
    os.umask(current)
    return current


def _public(path: Path, directory: bool = False) -> None:
    """Give a temporary file or folder the permissions a plain ``open`` or ``mkdir`` would
    (``mkstemp`` and ``mkdtemp`` make them private to the owner)."""
    os.chmod(path, (0o777 if directory else 0o666) & ~_umask())


def _explain(path: Path, exc: OSError) -> OutputError:
    reason = {
        errno.EACCES: "permission denied",
        errno.EROFS: "read-only file system",
        errno.ENOSPC: "no space left on the device",
        errno.ENOTDIR: "a parent of the path is a file, not a folder",
        errno.EISDIR: "a folder has that name",
    }.get(exc.errno, exc.strerror or str(exc))
    return OutputError(f"cannot write {path}: {reason}")


def ensure_directory(directory: Path) -> Path:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _explain(directory, exc) from None
    if not directory.is_dir():
        raise OutputError(f"cannot write into {directory}: it is not a folder")
    return directory


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success it replaces ``target``."""
    target = Path(target)
    ensure_directory(target.parent)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(handle)
    except OSError as exc:
        raise _explain(target, exc) from None
    temporary = Path(name)
    try:
        _public(temporary)
        yield temporary
        with open(temporary, "rb+") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise _explain(target, exc) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_bytes(target: Path, data: bytes) -> Path:
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)
    return Path(target)


def write_text(target: Path, text: str) -> Path:
    return write_bytes(target, text.encode("utf-8"))


@contextlib.contextmanager
def staged_directory(target: Path) -> Iterator[Path]:
    """Build a folder's new contents in a staging folder; swap it in only if the block succeeds.

    The previous folder is kept until the swap has happened, then removed; on any failure the
    staging folder is removed and ``target`` is left exactly as it was.
    """
    target = Path(target)
    ensure_directory(target.parent)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging.", dir=target.parent))
        _public(staging, directory=True)
    except OSError as exc:
        raise _explain(target, exc) from None
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    previous = target.parent / f".{target.name}.previous"
    try:
        shutil.rmtree(previous, ignore_errors=True)
        if target.exists():
            os.replace(target, previous)
        os.replace(staging, target)
    except OSError as exc:
        if previous.exists() and not target.exists():
            os.replace(previous, target)
        shutil.rmtree(staging, ignore_errors=True)
        raise _explain(target, exc) from None
    shutil.rmtree(previous, ignore_errors=True)
