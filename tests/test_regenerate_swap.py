"""The swap itself: faults injected between its steps never leave the output folder missing,
readers polling during swaps always find datapackage.json, the exchange primitive and its
fallback, and a property test over what a folder may hold."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridimpact.errors import OutputError
from gridimpact.io import atomic
from gridimpact.regenerate import swap
from gridimpact.regenerate.run import regenerate
from tests.regeneration import beside, config, reseed, snapshot


@pytest.fixture
def no_exchange(monkeypatch):
    """A system whose file system cannot exchange two folders: the link layout is used."""
    monkeypatch.setattr(atomic, "exchange", lambda first, second: False)


# --- faults between the steps ---------------------------------------------------------------------------

def test_a_failing_exchange_keeps_the_previous_outputs(tmp_path, monkeypatch):
    path = config(tmp_path)
    regenerate(path)
    before = snapshot(tmp_path / "out")

    def broken(first, second):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(atomic, "exchange", broken)
    reseed(path, 16)
    with pytest.raises(OutputError, match="Input/output error"):
        regenerate(path)
    assert snapshot(tmp_path / "out") == before and beside(tmp_path) == {"out"}


def test_a_run_killed_after_the_exchange_leaves_new_outputs_and_the_next_run_cleans_up(tmp_path, monkeypatch):
    path = config(tmp_path)
    regenerate(path)
    out = tmp_path / "out"
    (out / "notes.txt").write_text("n", encoding="utf-8")

    def killed(old, live):
        raise KeyboardInterrupt

    monkeypatch.setattr(swap, "retire", killed)
    reseed(path, 17)
    with pytest.raises(KeyboardInterrupt):
        regenerate(path)
    assert (out / "datapackage.json").is_file() and (out / "notes.txt").read_text() == "n"
    assert len(list(tmp_path.glob(".out.staging.*"))) == 1
    monkeypatch.undo()
    new = snapshot(out)
    regenerate(path)
    assert snapshot(out) == new and beside(tmp_path) == {"out"}


def test_a_failure_after_the_swap_is_a_warning_and_the_next_run_retries(tmp_path, monkeypatch):
    path = config(tmp_path)
    regenerate(path)
    warnings = []
    monkeypatch.setattr(swap.logger, "warning", lambda message, *args: warnings.append(message % args))

    def refused(old, live):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(swap, "retire", refused)
    reseed(path, 26)
    regenerate(path)
    assert len(warnings) == 1 and "the new outputs are in place" in warnings[0] and "Permission denied" in warnings[0]
    assert len(list(tmp_path.glob(".out.staging.*"))) == 1
    monkeypatch.undo()
    regenerate(path)
    assert beside(tmp_path) == {"out"}


def test_a_failing_link_flip_keeps_the_previous_outputs(tmp_path, monkeypatch, no_exchange):
    path = config(tmp_path)
    regenerate(path)
    out = tmp_path / "out"
    assert out.is_symlink()
    before = snapshot(out)
    real_replace = os.replace

    def broken(source, destination):
        if Path(destination) == out:
            raise OSError(28, "No space left on device")
        return real_replace(source, destination)

    monkeypatch.setattr(swap.os, "replace", broken)
    reseed(path, 18)
    with pytest.raises(OutputError, match="no space left"):
        regenerate(path)
    assert snapshot(out) == before
    assert not list(tmp_path.glob(".out.staging.*")) and not list(tmp_path.glob(".out.link.*"))
    assert len(list(tmp_path.glob(".out.v.*"))) == 1


def test_a_real_folder_is_converted_to_the_link_layout_where_exchange_stops_working(tmp_path, monkeypatch):
    path = config(tmp_path)
    regenerate(path)
    out = tmp_path / "out"
    (out / "notes.txt").write_text("n", encoding="utf-8")
    monkeypatch.setattr(atomic, "exchange", lambda first, second: False)
    reseed(path, 19)
    regenerate(path)
    assert out.is_symlink() and (out / "notes.txt").read_text() == "n"
    assert beside(tmp_path) == {"out", os.readlink(out)}


def test_a_conversion_killed_between_its_renames_is_repaired(tmp_path, monkeypatch):
    path = config(tmp_path)
    regenerate(path)
    out = tmp_path / "out"
    os.rename(out, tmp_path / ".out.v.old-abc")  # the moment without out/
    regenerate(path)
    assert (out / "datapackage.json").is_file() and beside(tmp_path) == {"out"}


# --- readers never find the outputs absent ----------------------------------------------------------------

@pytest.mark.parametrize("layout", ["exchange", "link"])
def test_readers_polling_during_swaps_always_find_the_datapackage(tmp_path, request, layout):
    if layout == "link":
        request.getfixturevalue("no_exchange")
    path = config(tmp_path)
    regenerate(path)
    package = tmp_path / "out" / "datapackage.json"
    stop = threading.Event()
    misses, reads = [], [0]

    def poll():
        while not stop.is_set():
            try:
                json.loads(package.read_text(encoding="utf-8"))
                reads[0] += 1
            except (OSError, ValueError) as exc:
                misses.append(repr(exc))

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        for seed in range(20, 24):
            reseed(path, seed)
            regenerate(path)
    finally:
        stop.set()
        reader.join()
    assert misses == [] and reads[0] > 10
    assert json.loads(package.read_text(encoding="utf-8"))["gridimpact:run"]["seed"] == 23


# --- the exchange primitive ---------------------------------------------------------------------------------

def test_exchange_swaps_two_folders_or_says_it_cannot(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "from-a").touch()
    if atomic.exchange(tmp_path / "a", tmp_path / "b"):
        assert [p.name for p in (tmp_path / "b").iterdir()] == ["from-a"]
        assert not any((tmp_path / "a").iterdir())
        with pytest.raises(FileNotFoundError):
            atomic.exchange(tmp_path / "a", tmp_path / "missing")
    monkeypatch.setattr(atomic, "_libc_exchange", lambda: None)
    assert atomic.exchange(tmp_path / "a", tmp_path / "b") is False


def test_staged_directory_without_exchange_still_replaces_the_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "_libc_exchange", lambda: None)
    target = tmp_path / "report"
    for text in ("one", "two"):
        with atomic.staged_directory(target) as staging:
            (staging / "report.md").write_text(text)
        assert (target / "report.md").read_text() == text
    assert {p.name for p in tmp_path.iterdir()} == {"report"}


# --- property: whatever the folder holds, only listed files change ----------------------------------------

NAMES = st.lists(st.sampled_from(["a.csv", "b.json", "notes.txt", "sub/c.csv", "sub/d.md", "report/e.html",
                                  "report/f.png", "x/y/z.txt"]), unique=True, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(old=NAMES, new=NAMES, foreign=NAMES, exchange_works=st.booleans())
def test_only_listed_files_are_replaced_whatever_the_folder_holds(tmp_path_factory, old, new, foreign,
                                                                  exchange_works):
    base = tmp_path_factory.mktemp("prop")
    target = base / "out"
    foreign = [name for name in foreign if name not in old and not any(
        name.startswith(n + "/") or n.startswith(name + "/") for n in old)]

    def fill(folder: Path, names, tag: str) -> None:
        for name in names:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(f"{tag}:{name}", encoding="utf-8")
        package = {"gridimpact:job": "compare", "resources": [{"path": name} for name in names]}
        (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")

    target.mkdir()
    fill(target, old, "old")
    for name in foreign:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(f"mine:{name}", encoding="utf-8")
    staging = swap.new_staging(target)
    fill(staging, new, "new")
    owned = swap.owned_files(target)
    clash = [name for name in foreign if name in new or any(
        name.startswith(n + "/") or n.startswith(name + "/") for n in new)]
    with mock.patch.object(atomic, "exchange", atomic.exchange if exchange_works else (lambda a, b: False)):
        if clash:
            with pytest.raises(OutputError):
                swap.carry_over(target, staging, owned)
            swap.discard(staging)
            assert not list(base.glob(".out.staging.*"))
            return
        swap.carry_over(target, staging, owned)
        swap.publish(staging, target)
    files = snapshot(target)
    assert {k: v for k, v in files.items() if k != "datapackage.json"} == {
        **{name: f"new:{name}".encode() for name in new}, **{name: f"mine:{name}".encode() for name in foreign}}
    assert {p.name for p in base.iterdir()} == ({"out"} if exchange_works else {"out", os.readlink(target)})
