"""Publishing a regeneration's outputs: only gridimpact's own files are replaced, never a moment without them.

The output folder's ``datapackage.json`` (written by gridimpact, with ``gridimpact:job``) lists the
files a run wrote. A new run builds its files in a staging folder beside the output folder
(``.out.staging.<random>``, holding a marker file while it is being built), then links every file of
the output folder that the previous manifest does not list — a notes file, a README, a folder of
the user's — into the staging folder, and swaps the two:

- with an exchange rename where the operating system has one (``gridimpact.io.atomic.exchange``:
  Linux ``renameat2(RENAME_EXCHANGE)``, macOS ``renamex_np(RENAME_SWAP)``), so ``out/`` is a real
  folder that is never absent;
- otherwise ``out`` is a symbolic link to ``.out.v.<random>`` and a run replaces the link with one to
  the new folder (``os.replace`` of a link is atomic on POSIX). A real folder met on such a system
  is converted once, with a moment without ``out`` that the next run repairs if it was killed there.

The previous folder is then retired: files its own manifest lists are deleted, the links dropped,
and anything else (written during the run) moved into the new folder, or kept where it is when the
new folder has a file of that name. The new folder takes the old one's mode and group.
"""

from __future__ import annotations

import contextlib
import filecmp
import json
import logging
import os
import secrets
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from gridimpact.errors import OutputError
from gridimpact.io import atomic

PACKAGE_FILE = "datapackage.json"
MANIFEST_FILES = (PACKAGE_FILE, "hdx_dataset.json")
"""Written after the files they describe, so the manifest cannot list them; owned all the same."""
STAGING_MARKER = ".gridimpact-staging"
"""Written first into a staging folder and removed just before the swap: while it is there, the folder
was never swapped in and holds only gridimpact's files and links, so a stale one is removed whole."""

logger = logging.getLogger("gridimpact")


def staging_prefix(target: Path) -> str:
    return f".{target.name}.staging."


def version_prefix(target: Path) -> str:
    return f".{target.name}.v."


def _safe_relative(name) -> str | None:
    """A manifest path as a clean relative POSIX path, or None (absolute, ``..``, not text)."""
    if not isinstance(name, str) or not name or "\\" in name:
        return None
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("..", ".", "") for part in path.parts):
        return None
    return path.as_posix()


def owned_files(folder: Path | None) -> set[str] | None:
    """The relative paths a gridimpact manifest in ``folder`` lists (with the manifest itself);
    None when there is no readable gridimpact ``datapackage.json``."""
    if folder is None:
        return None
    try:
        package = json.loads((folder / PACKAGE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(package, dict) or "gridimpact:job" not in package:
        return None
    resources = package.get("resources")
    names = {_safe_relative(r.get("path")) for r in resources if isinstance(r, dict)} if isinstance(resources, list) else set()
    return (names - {None}) | set(MANIFEST_FILES)


def live_folder(target: Path) -> Path | None:
    """The real folder behind ``target`` (itself, or where its link points); None when absent."""
    if target.is_symlink():
        resolved = target.resolve()
        return resolved if resolved.is_dir() else None
    return target if target.is_dir() else None


def swap_target(target: Path) -> Path:
    """Where the swap happens: ``target`` itself, unless it is a link the user made to a folder
    elsewhere (not one of ours, ``.out.v.*`` beside it): then that folder, so that the link, and
    where it points, stay as they are."""
    if not target.is_symlink():
        return target
    pointed = os.readlink(target)
    if "/" not in pointed and os.sep not in pointed and pointed.startswith(version_prefix(target)):
        return target
    return target.resolve()


def files_under(folder: Path) -> list[str]:
    """Every file under a staging folder (relative POSIX paths, sorted), without the marker."""
    names = (p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return sorted(name for name in names if name != STAGING_MARKER)


def new_staging(target: Path) -> Path:
    """A fresh staging folder beside ``target``, with its marker."""
    atomic.ensure_directory(target.parent)
    try:
        staging = Path(tempfile.mkdtemp(prefix=staging_prefix(target), dir=target.parent))
        atomic._public(staging, directory=True)
        (staging / STAGING_MARKER).write_text("gridimpact regenerate staging folder\n", encoding="utf-8")
    except OSError as exc:
        raise atomic._explain(target, exc) from None
    return staging


def discard(staging: Path) -> None:
    """Remove a staging folder that was not swapped in, its marker last: a removal stopped half-way
    still leaves a folder that ``recover`` removes whole."""
    with contextlib.suppress(OSError):
        (staging / STAGING_MARKER).touch()
    for child in staging.iterdir() if staging.is_dir() else ():
        if child.name == STAGING_MARKER:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
    shutil.rmtree(staging, ignore_errors=True)


def unchanged(staging: Path, names: list[str], live: Path | None, owned: set[str] | None) -> bool:
    """Does the live folder already hold exactly these outputs, byte for byte?"""
    if live is None or owned is None:
        return False
    present = {name for name in owned if (live / name).is_file()}
    if present != set(names):
        return False
    return all(filecmp.cmp(staging / name, live / name, shallow=False) for name in names)


def _unlistable(exc: OSError):
    """Something of the live folder this run may not read (another user's): nothing is replaced."""
    raise OutputError(f"cannot read {exc.filename}, which gridimpact did not write ({exc.strerror}): nothing "
                      "was replaced. Give the job read access to it or move it out of the output folder.")


def _entries(folder: Path):
    """(relative path, path, is a real folder) of everything under ``folder``, parents first;
    links are entries, never followed."""
    for root, dirs, files in os.walk(folder, onerror=_unlistable):
        base = Path(root)
        for name in sorted(dirs) + sorted(files):
            path = base / name
            is_dir = name in dirs and not path.is_symlink()
            yield path.relative_to(folder).as_posix(), path, is_dir


def carry_over(live: Path | None, staging: Path, owned: set[str]) -> list[str]:
    """Link every file of the live folder that gridimpact did not write into the staging folder.

    Raises ``OutputError`` when a new output has the name of such a file (it would be replaced).
    Returns the relative paths carried over.
    """
    if live is None:
        return []
    carried = []
    owned_folders = {parent.as_posix() for name in owned for parent in PurePosixPath(name).parents}
    for relative, path, is_dir in _entries(live):
        if relative in owned or (is_dir and relative in owned_folders):
            continue
        destination = staging / relative
        if is_dir:
            if destination.exists() and not destination.is_dir():
                raise _collision(live, relative)
            destination.mkdir(parents=True, exist_ok=True)
            atomic.keep_permissions(path, destination)
            continue
        if destination.exists() or destination.is_symlink():
            raise _collision(live, relative)
        destination.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            os.symlink(os.readlink(path), destination)
        else:
            try:
                os.link(path, destination, follow_symlinks=False)
            except OSError:  # a file system without hard links: a copy keeps the file just as well
                try:
                    shutil.copy2(path, destination, follow_symlinks=False)
                except OSError as exc:
                    _unlistable(exc)
        carried.append(relative)
    return carried



def _collision(live: Path, relative: str) -> OutputError:
    return OutputError(f"{live / relative} was not written by gridimpact (its datapackage.json does not list it), "
                       "but this run writes a file of that name; move it out of the output folder")


def _same(old: Path, new: Path) -> bool:
    """Is ``new`` the same file as ``old`` (a link of it, an equal copy, an equal symbolic link)?"""
    if old.is_symlink() or new.is_symlink():
        return old.is_symlink() and new.is_symlink() and os.readlink(old) == os.readlink(new)
    if not new.is_file():
        return False
    try:
        return os.path.samefile(old, new) or filecmp.cmp(old, new, shallow=False)
    except OSError:
        return False


def retire(old: Path, live: Path) -> list[str]:
    """Empty and remove a folder that was swapped out, keeping every file gridimpact did not write.

    Files the folder's own manifest lists are deleted; files the live folder also holds are dropped;
    any other file is moved into the live folder, or left in ``old`` (returned) if the name is taken.
    """
    owned = (owned_files(old) or {PACKAGE_FILE}) | {STAGING_MARKER}
    kept: list[str] = []
    for root, dirs, files in os.walk(old, topdown=False):
        base = Path(root)
        for name in sorted(files) + sorted(d for d in dirs if (base / d).is_symlink()):
            path = base / name
            relative = path.relative_to(old).as_posix()
            destination = live / relative
            if relative in owned or _same(path, destination):
                path.unlink()
                continue
            try:
                if destination.exists() or destination.is_symlink():
                    raise FileExistsError(relative)
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.rename(path, destination)
            except OSError:
                kept.append(relative)
        for name in dirs:
            folder = base / name
            if not folder.is_symlink():
                with contextlib.suppress(OSError):  # not empty: it holds a kept file
                    folder.rmdir()
    try:
        old.rmdir()
    except OSError:
        logger.warning("kept %s: it holds files gridimpact did not write whose names the new outputs use: %s",
                       old, ", ".join(kept))
    return kept


def _flip(version: Path, target: Path) -> None:
    """Point the link ``target`` at ``version`` in one step."""
    link = target.parent / f".{target.name}.link.{secrets.token_hex(8)}"
    os.symlink(version.name, link)
    try:
        os.replace(link, target)
    except BaseException:
        link.unlink(missing_ok=True)
        raise


def _exchange_works(target: Path) -> bool:
    """Can this file system exchange two folders? Tried on two empty ones, in a folder named like a
    staging folder so that a run killed here leaves nothing ``recover`` does not clear."""
    probe = Path(tempfile.mkdtemp(prefix=staging_prefix(target), dir=target.parent))
    try:
        (probe / "a").mkdir()
        (probe / "b").mkdir()
        return atomic.exchange(probe / "a", probe / "b")
    except OSError:
        return False
    finally:
        shutil.rmtree(probe, ignore_errors=True)


def publish(staging: Path, target: Path) -> None:
    """Swap a finished staging folder in at ``target`` and retire the previous outputs.

    Until the swap, a failure removes the staging folder and leaves ``target`` as it was; after it,
    the previous folder is left under a staging name for the next run to retire.
    """
    (staging / STAGING_MARKER).unlink()
    previous = None
    try:
        if target.is_symlink():
            previous = live_folder(target)
            version = target.parent / (version_prefix(target) + staging.name.rsplit(".", 1)[-1])
            os.rename(staging, version)
            staging = version
            _flip(version, target)
        elif not target.exists():
            if _exchange_works(target):
                os.rename(staging, target)
            else:
                version = target.parent / (version_prefix(target) + staging.name.rsplit(".", 1)[-1])
                os.rename(staging, version)
                staging = version
                _flip(version, target)
            return
        elif atomic.exchange(staging, target):
            previous = staging  # the exchange left the previous outputs at the staging name
        else:
            _convert(staging, target)
            return
    except OSError as exc:
        discard(staging)
        raise atomic._explain(target, exc) from None
    if previous is not None and previous.parent == target.parent:
        _retire_aside(previous, target, live_folder(target))


def _retire_aside(previous: Path, target: Path, live: Path) -> None:
    """Retire the swapped-out folder under a staging name. The new outputs are already in place, so
    a failure here is a warning: the next run retries (``recover``)."""
    try:
        if previous.name.startswith(version_prefix(target)):
            aside = target.parent / (staging_prefix(target) + previous.name[len(version_prefix(target)):])
            os.rename(previous, aside)
            previous = aside
        retire(previous, live)
    except OSError as exc:
        logger.warning("the new outputs are in place, but %s could not be removed (%s); the next run retries",
                       previous, exc.strerror or exc)


def _convert(staging: Path, target: Path) -> None:
    """Turn a real output folder into the link layout where folders cannot be exchanged.

    The one moment without ``target`` lies between the two renames; ``recover`` repairs it.
    """
    token = staging.name.rsplit(".", 1)[-1]
    version = target.parent / (version_prefix(target) + token)
    old = target.parent / (version_prefix(target) + "old-" + token)
    os.rename(target, old)
    try:
        _flip(old, target)
    except BaseException:
        os.rename(old, target)
        raise
    os.rename(staging, version)
    _flip(version, target)
    _retire_aside(old, target, version)


def recover(target: Path) -> list[Path]:
    """Repair and clean up after killed runs; call only while holding the run's lock.

    A missing output folder is restored from the newest retired one (a run killed while converting
    to the link layout, or by an older gridimpact between its two renames). Then stale staging
    folders are removed: whole when they still hold their marker (never swapped in), else by
    ``retire``; version folders the link no longer points to are retired too. Returns what was
    cleaned.
    """
    parent = target.parent
    if not parent.is_dir():
        return []
    ours = [p for p in parent.iterdir() if p.name.startswith((staging_prefix(target), version_prefix(target)))
            and p.is_dir() and not p.is_symlink()]
    if not target.exists():
        if target.is_symlink():
            if swap_target(target) != target:
                return []  # a link of the user's to a folder that is gone: not ours to repair
            target.unlink()  # our link, its folder gone
        candidates = [p for p in ours if owned_files(p) is not None and not (p / STAGING_MARKER).exists()]
        previous = parent / f".{target.name}.previous"
        if owned_files(previous) is not None:
            candidates.append(previous)
        if candidates:
            newest = max(candidates, key=lambda p: (p / PACKAGE_FILE).stat().st_mtime_ns)
            os.rename(newest, target)
            ours = [p for p in ours if p != newest]
            logger.warning("restored %s from %s, left by a run that was stopped", target, newest.name)
    for link in parent.glob(f".{target.name}.link.*"):
        if link.is_symlink():
            link.unlink()
    live = live_folder(target)
    cleaned = []
    for folder in ours:
        if live is not None and folder.resolve() == live.resolve():
            continue
        if (folder / STAGING_MARKER).is_file():
            shutil.rmtree(folder)
        elif live is not None:
            retire(folder, live)
        else:
            continue
        cleaned.append(folder)
    previous = parent / f".{target.name}.previous"
    if live is not None and previous.is_dir() and owned_files(previous) is not None:
        retire(previous, live)
        cleaned.append(previous)
    return cleaned
