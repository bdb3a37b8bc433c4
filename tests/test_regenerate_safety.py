"""Data safety of regeneration: only gridimpact's own files are ever replaced, the output folder is
never absent (exchange rename, or a link flip where there is none), and what killed runs left
behind is repaired under the lock."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from unittest import mock

import pytest
from filelock import FileLock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridimpact.errors import LockBusyError, OutputError
from gridimpact.io import atomic
from gridimpact.regenerate import swap
from gridimpact.regenerate.run import regenerate

SMALL_RUN = """
[run]
job = "compare"
members = 2
seed = {seed}
days = 3
regions = ["Kyiv", "Odesa"]
"""


def config(folder: Path, seed: int = 11, outputs: str = '[outputs]\ndirectory = "out"\n', inputs: str = "") -> Path:
    path = folder / "regenerate.toml"
    path.write_text(inputs + SMALL_RUN.format(seed=seed) + outputs, encoding="utf-8")
    return path


def reseed(path: Path, seed: int) -> None:
    text = path.read_text(encoding="utf-8")
    start = text.index("seed = ")
    end = text.index("\n", start)
    path.write_text(text[:start] + f"seed = {seed}" + text[end:], encoding="utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def beside(folder: Path) -> set[str]:
    """What lies beside the output folder, apart from the configuration and the lock file."""
    return {p.name for p in folder.iterdir()} - {"regenerate.toml", ".out.lock"}


def listed(out: Path) -> set[str]:
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    return {r["path"] for r in package["resources"]}


@pytest.fixture
def no_exchange(monkeypatch):
    """A system whose file system cannot exchange two folders: the link layout is used."""
    monkeypatch.setattr(atomic, "exchange", lambda first, second: False)


# --- the output folder must not hold what the run reads -------------------------------------------------

def test_directory_dot_beside_the_config_is_refused_and_keeps_every_file(tmp_path):
    (tmp_path / "params.toml").write_text("tau_house = 40\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("my notes\n", encoding="utf-8")
    path = config(tmp_path, outputs='[outputs]\ndirectory = "."\n')
    path.write_text(path.read_text().replace("[outputs]", 'params = "params.toml"\n[outputs]'), encoding="utf-8")
    before = snapshot(tmp_path)
    with pytest.raises(OutputError) as excinfo:
        regenerate(path)
    assert excinfo.value.exit_code == 73
    assert "holds what this run reads" in str(excinfo.value) and str(path) in str(excinfo.value)
    assert snapshot(tmp_path) == before
    assert {p.name for p in tmp_path.iterdir()} == {"params.toml", "notes.txt", "regenerate.toml"}
    assert not any(p.name.endswith(".lock") for p in tmp_path.parent.iterdir() if p.name.startswith("."))


def test_directory_dot_is_refused_even_after_a_gridimpact_manifest_appears(tmp_path):
    # What the reported data loss needed: a folder holding a gridimpact datapackage.json.
    other = tmp_path / "elsewhere"
    other.mkdir()
    regenerate(config(other))
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "datapackage.json").write_bytes((other / "out" / "datapackage.json").read_bytes())
    path = config(tmp_path, outputs='[outputs]\ndirectory = "."\n')
    with pytest.raises(OutputError, match="holds what this run reads"):
        regenerate(path)
    assert (tmp_path / "notes.txt").read_text() == "mine" and path.is_file()


@pytest.mark.parametrize("directory", ["..", "inputs", "inputs/.."])
def test_output_folder_holding_an_input_or_the_config_is_refused(tmp_path, directory):
    jobs = tmp_path / "jobs"
    (jobs / "inputs").mkdir(parents=True)
    path = config(jobs, outputs=f'[outputs]\ndirectory = "{directory}"\n', inputs='[inputs]\nfolder = "inputs"\n')
    with pytest.raises(OutputError) as excinfo:
        regenerate(path)
    assert excinfo.value.exit_code == 73
    assert path.is_file() and (jobs / "inputs").is_dir()


def test_outputs_outside_the_config_folder_are_written_there(tmp_path):
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    regenerate(config(jobs, outputs='[outputs]\ndirectory = "../published"\n'))
    assert (tmp_path / "published" / "datapackage.json").is_file()
    assert {p.name for p in tmp_path.iterdir()} <= {"jobs", "published", ".published.lock"}


# --- only files its own datapackage.json lists are replaced ---------------------------------------------

@pytest.mark.parametrize("layout", ["exchange", "link"])
def test_foreign_files_in_the_output_folder_survive_a_regeneration(tmp_path, request, layout):
    if layout == "link":
        request.getfixturevalue("no_exchange")
    path = config(tmp_path, outputs='[outputs]\ndirectory = "out"\nformats = ["csv", "json"]\n')
    regenerate(path)
    out = tmp_path / "out"
    (out / "notes.txt").write_text("field notes\n", encoding="utf-8")
    (out / "mine").mkdir()
    (out / "mine" / "draft.md").write_text("# draft\n", encoding="utf-8")
    (out / "empty").mkdir()
    (out / "latest").symlink_to("comparison.csv")
    inode = (out / "notes.txt").stat().st_ino
    old = snapshot(out)
    reseed(path, 12)
    path.write_text(path.read_text().replace('["csv", "json"]', '["csv"]'), encoding="utf-8")
    regenerate(path)
    new = snapshot(out)
    assert new["impacts.csv"] != old["impacts.csv"]  # the run did replace its own files
    assert "impacts.json" not in new and "comparison.json" not in new  # listed before, not written now
    assert new["notes.txt"] == b"field notes\n" and new["mine/draft.md"] == b"# draft\n"
    assert (out / "notes.txt").stat().st_ino == inode  # the same file, linked across, not a copy
    assert (out / "empty").is_dir() and os.readlink(out / "latest") == "comparison.csv"
    assert listed(out) == {"comparison.csv", "impacts.csv"}
    assert out.is_symlink() == (layout == "link")
    expected = {"out"} | ({p.name for p in tmp_path.glob(".out.v.*")} if layout == "link" else set())
    assert beside(tmp_path) == expected and len(expected) == (2 if layout == "link" else 1)


def test_a_foreign_file_with_an_output_name_stops_the_run_and_is_kept(tmp_path):
    path = config(tmp_path)
    regenerate(path)
    out = tmp_path / "out"
    (out / "impacts.json").write_text('{"mine": true}', encoding="utf-8")
    before = snapshot(out)
    path.write_text(path.read_text().replace('directory = "out"', 'directory = "out"\nformats = ["csv", "json"]'))
    with pytest.raises(OutputError) as excinfo:
        regenerate(path)
    assert excinfo.value.exit_code == 73 and "impacts.json was not written by gridimpact" in str(excinfo.value)
    assert snapshot(out) == before and beside(tmp_path) == {"out"}


def test_hostile_manifest_paths_never_reach_outside_the_folder(tmp_path):
    path = config(tmp_path)
    regenerate(path)
    out = tmp_path / "out"
    (tmp_path / "keep.txt").write_text("keep", encoding="utf-8")
    (out / "etc").mkdir()
    (out / "etc" / "passwd").write_text("mine", encoding="utf-8")
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"] += [{"path": "../keep.txt"}, {"path": "../regenerate.toml"}, {"path": "/etc/passwd"},
                             {"path": "etc/../etc/passwd"}, {"path": ["a", "b"]}, "impacts.csv"]
    (out / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    reseed(path, 13)
    regenerate(path)
    assert (tmp_path / "keep.txt").read_text() == "keep" and path.is_file()
    assert (out / "etc" / "passwd").read_text() == "mine"


def test_identical_run_with_foreign_files_leaves_the_folder_untouched(tmp_path):
    path = config(tmp_path)
    regenerate(path)
    out = tmp_path / "out"
    (out / "notes.txt").write_text("n", encoding="utf-8")
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.iterdir()}
    regenerate(path)
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.iterdir()} == before


# --- stale staging folders of killed runs ----------------------------------------------------------------

def test_stale_staging_folders_are_cleaned_on_start_without_losing_a_foreign_file(tmp_path):
    path = config(tmp_path)
    regenerate(path)
    out = tmp_path / "out"
    # killed while building: marker still there (never swapped in) — removed whole
    building = tmp_path / ".out.staging.k1ll3d"
    (building / "report").mkdir(parents=True)
    (building / swap.STAGING_MARKER).write_text("x")
    (building / "impacts.csv").write_bytes(b"x" * 2_000_000)
    # killed after the exchange: the previous outputs under a staging name, with a file written
    # into them during the run — its listed files go, the other file moves into the outputs
    swapped = tmp_path / ".out.staging.afterx"
    swapped.mkdir()
    for name in listed(out) | {"datapackage.json"}:
        (swapped / name).write_bytes((out / name).read_bytes())
    (swapped / "late-note.txt").write_text("written during the run", encoding="utf-8")
    # not ours: another name, and a folder without marker or manifest keeps its file
    other = tmp_path / ".other.staging.abc"
    other.mkdir()
    (other / "x").write_text("x")
    bare = tmp_path / ".out.staging.bare"
    bare.mkdir()
    (bare / "loose.txt").write_text("loose", encoding="utf-8")
    reseed(path, 14)
    regenerate(path)
    assert not building.exists() and not swapped.exists() and not bare.exists()
    assert (out / "late-note.txt").read_text() == "written during the run"
    assert (out / "loose.txt").read_text() == "loose"
    assert (other / "x").read_text() == "x"
    assert beside(tmp_path) == {"out", ".other.staging.abc"}


def test_stale_staging_is_left_alone_while_another_run_holds_the_lock(tmp_path):
    path = config(tmp_path)
    stale = tmp_path / ".out.staging.live"
    stale.mkdir()
    (stale / swap.STAGING_MARKER).write_text("x")
    with FileLock(str(tmp_path / ".out.lock")), pytest.raises(LockBusyError):
        regenerate(path)
    assert (stale / swap.STAGING_MARKER).is_file()


def test_missing_output_folder_is_restored_from_a_run_killed_between_renames(tmp_path):
    path = config(tmp_path)
    regenerate(path)
    out = tmp_path / "out"
    (out / "notes.txt").write_text("n", encoding="utf-8")
    os.rename(out, tmp_path / ".out.previous")  # where an older gridimpact was killed
    reseed(path, 15)
    regenerate(path)
    assert (out / "notes.txt").read_text() == "n" and (out / "datapackage.json").is_file()
    assert beside(tmp_path) == {"out"}


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


def test_a_link_the_user_made_stays_and_its_folder_gets_the_outputs(tmp_path):
    path = config(tmp_path)
    published = tmp_path / "www" / "data"
    published.mkdir(parents=True)
    (tmp_path / "out").symlink_to(published)
    regenerate(path)
    (published / "notes.txt").write_text("n", encoding="utf-8")
    reseed(path, 25)
    regenerate(path)
    assert os.readlink(tmp_path / "out") == str(published)
    assert (published / "datapackage.json").is_file() and (published / "notes.txt").read_text() == "n"
    assert beside(tmp_path) == {"out", "www"} and {p.name for p in published.parent.iterdir()} == {"data"}


def test_directory_dot_on_the_command_line_exits_73_and_names_the_config(tmp_path):
    from click.testing import CliRunner

    from gridimpact.cli.main import cli

    path = config(tmp_path, outputs='[outputs]\ndirectory = "."\n')
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(cli, ["regenerate", str(path)])
    assert result.exit_code == 73 and "Traceback" not in result.output
    assert f"holds what this run reads ({path})" in result.output
    assert {p.name for p in tmp_path.iterdir()} == {"notes.txt", "regenerate.toml"}


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
