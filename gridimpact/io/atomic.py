"""Atomic output: a file or a whole folder appears complete or not at all.

A file is written to a temporary name in its target folder, flushed to disk, then renamed over the
target (``os.replace`` is atomic on one file system). A set of outputs is built in a staging folder
beside the target and swapped in by one exchange rename where the operating system has one (Linux
``renameat2`` with ``RENAME_EXCHANGE``, macOS ``renamex_np`` with ``RENAME_SWAP``), so readers never
see a half-updated set nor a moment without it; elsewhere by two renames. A failure leaves the
previous outputs untouched.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import shutil
import stat
import sys
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
    """The folder, made with its parents if needed; OutputError (exit 73) when it cannot be one."""
    if directory.exists() and not directory.is_dir():
        raise OutputError(f"cannot write into {directory}: it is a file, not a folder")
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


AT_FDCWD = -100
RENAME_EXCHANGE = 2
"""Linux ``renameat2`` flag (linux/fs.h): swap two existing paths in one step."""
RENAME_SWAP = 2
"""macOS ``renamex_np`` flag (sys/stdio.h): the same swap."""
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}
"""Errors meaning "this kernel or file system cannot exchange", not "these paths are wrong"."""


@functools.cache
def _libc_exchange():
    """The C function that exchanges two paths, and how to call it; None where there is none."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        function = libc.renameat2
        function.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
        return lambda a, b: function(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)
    if sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        function = libc.renamex_np
        function.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint)
        return lambda a, b: function(a, b, RENAME_SWAP)
    return None


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one atomic step; False when the system or file system cannot.

    Any other failure (a missing path, permissions) raises ``OSError`` and changes nothing.
    """
    swap = _libc_exchange()
    if swap is None:
        return False
    if swap(os.fsencode(first), os.fsencode(second)) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


@contextlib.contextmanager
def staged_directory(target: Path) -> Iterator[Path]:
    """Build a folder's new contents in a staging folder; swap it in only if the block succeeds.

    An existing ``target`` is exchanged with the staging folder in one step (``exchange``), so it is
    never absent; where the system cannot exchange, it is renamed aside and the staging folder
    renamed in (a moment without ``target``). The previous folder is removed after the swap; on
    any failure the staging folder is removed and ``target`` is left exactly as it was.
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
    try:
        swapped = target.is_dir() and not target.is_symlink() and exchange(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise _explain(target, exc) from None
    if swapped:
        shutil.rmtree(staging, ignore_errors=True)  # it now holds the previous contents
        return
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


def keep_permissions(old: Path, new: Path) -> None:
    """Give folder ``new`` the mode (setgid too) and group of ``old``, as far as this user may."""
    with contextlib.suppress(OSError):
        status = old.stat()
        os.chmod(new, stat.S_IMODE(status.st_mode))
        os.chown(new, -1, status.st_gid)
