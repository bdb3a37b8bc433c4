"""Data safety of regeneration: only gridimpact's own files are ever replaced, an output folder
holding what the run reads is refused, and what killed runs left behind is repaired under the lock."""

from __future__ import annotations

import json
import os

import pytest
from filelock import FileLock

from gridimpact.errors import LockBusyError, OutputError
from gridimpact.io import atomic
from gridimpact.regenerate import swap
from gridimpact.regenerate.run import regenerate
from gridimpact.resources import data_dir
from tests.regeneration import beside, config, listed, reseed, snapshot


@pytest.fixture
def no_exchange(monkeypatch):
    """A system whose file system cannot exchange two folders: the link layout is used."""
    monkeypatch.setattr(atomic, "exchange", lambda first, second: False)


# --- the output folder must not hold what the run reads -------------------------------------------------

def test_directory_dot_beside_the_config_is_refused_and_keeps_every_file(tmp_path):
    (tmp_path / "params.toml").write_text("tau_house = 60\n", encoding="utf-8")
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
    assert not (tmp_path.parent / f".{tmp_path.name}.lock").exists()  # no lock file was made


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
    (jobs / "inputs" / "outages.csv").write_bytes((data_dir() / "outages.csv").read_bytes())
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
