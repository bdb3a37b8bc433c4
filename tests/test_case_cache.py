"""The cache of the validated embedded case, and a start-up that needs neither pandera nor xarray."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from gridimpact.errors import InvalidInputError
from gridimpact.io.readers import case_cache
from gridimpact.io.readers.loader import default_inputs, load_inputs
from gridimpact.resources import data_dir

ROOT = Path(__file__).resolve().parents[1]


def frames(inputs) -> dict[str, pd.DataFrame]:
    return {"reports": inputs.outages.reports, "schedules": inputs.outages.schedules,
            "temperature": inputs.temperature.frame, "population": inputs.population.frame}


def assert_same_inputs(left, right) -> None:
    for name, frame in frames(left).items():
        pd.testing.assert_frame_equal(frame, frames(right)[name], check_dtype=True, check_exact=True, obj=name)
    for attribute in ("name", "as_of", "horizon_days", "notes", "regions"):
        assert getattr(left, attribute) == getattr(right, attribute)
    assert left.population.defaults_used == right.population.defaults_used
    assert left.outages.files == right.outages.files


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("GRIDIMPACT_CACHE_DIR", str(folder))
    monkeypatch.delenv("GRIDIMPACT_NO_CACHE", raising=False)
    return folder


def cached_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("embedded-case-*.pickle"))


def test_a_hit_gives_the_inputs_of_a_fresh_validation(cache, monkeypatch):
    first = default_inputs()
    [written] = cached_files(cache)
    validations = []
    monkeypatch.setattr(case_cache, "write_cached", lambda *args: validations.append(args))
    hit = default_inputs()
    assert validations == []  # nothing validated nor written again
    monkeypatch.setenv("GRIDIMPACT_NO_CACHE", "1")
    fresh = default_inputs()
    assert_same_inputs(hit, fresh)
    assert_same_inputs(first, fresh)
    assert written.stat().st_mode & 0o077 == 0  # readable by this user only


def test_the_key_covers_population_basis_and_every_data_file(cache, tmp_path, monkeypatch):
    assert case_cache.case_key("current") != case_cache.case_key("cod-ps-2022")
    copy = tmp_path / "data"
    shutil.copytree(data_dir(), copy)
    monkeypatch.setattr(case_cache, "data_dir", lambda: copy)
    before = case_cache.case_key("current")
    with open(copy / "outages.csv", "a", encoding="utf-8") as handle:
        handle.write("\n")
    assert case_cache.case_key("current") != before


def test_a_changed_data_file_is_a_miss(cache, monkeypatch):
    default_inputs()
    keys = iter(["0" * 64])
    monkeypatch.setattr(case_cache, "case_key", lambda basis: next(keys))
    calls = []
    original = case_cache.write_cached
    monkeypatch.setattr(case_cache, "write_cached", lambda *a: (calls.append(a[1]), original(*a)))
    default_inputs()
    assert calls == ["0" * 64]
    assert len(cached_files(cache)) == 2


def test_an_unwritable_cache_folder_still_works(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("GRIDIMPACT_CACHE_DIR", str(blocker / "cache"))
    with caplog.at_level(logging.DEBUG, logger="gridimpact"):
        inputs = default_inputs()
    assert inputs.regions
    messages = [r for r in caplog.records if r.name.endswith("case_cache")]
    assert len(messages) == 1 and messages[0].levelno == logging.DEBUG
    assert "cannot write" in messages[0].getMessage()


@pytest.mark.parametrize("damage", ["truncated", "garbage", "foreign header"])
def test_a_corrupt_cache_file_is_ignored_and_rewritten(cache, damage):
    good = default_inputs()
    [path] = cached_files(cache)
    blob = path.read_bytes()
    damaged = {"truncated": blob[: len(blob) // 2], "garbage": blob[:120] + b"\x00" * 500,
               "foreign header": b"something else\n" + blob}[damage]
    path.write_bytes(damaged)
    assert_same_inputs(default_inputs(), good)
    assert path.read_bytes() == blob  # rewritten whole


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_file_others_can_write_is_not_read(cache):
    default_inputs()
    [path] = cached_files(cache)
    path.chmod(0o666)
    key = path.stem.removeprefix("embedded-case-")
    assert case_cache.read_cached(path, key) is None


def test_no_cache_and_the_default_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("GRIDIMPACT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert case_cache.cache_dir() == tmp_path / "gridimpact"
    monkeypatch.setenv("GRIDIMPACT_NO_CACHE", "1")
    assert case_cache.cache_dir() is None


WRAPPER = """
import json, sys
from gridimpact.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "loaded": [m for m in ("pandera", "xarray") if m in sys.modules]}), file=sys.stderr)
"""


def run_in_process(args: list[str], cache: Path) -> dict:
    env = {**os.environ, "GRIDIMPACT_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    env.pop("GRIDIMPACT_NO_CACHE", None)
    done = subprocess.run([sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True, env=env,
                          timeout=600)
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("command", [["compare", "--members", "2", "--days", "2"], ["estimate"]])
def test_the_embedded_case_runs_without_pandera_or_xarray(tmp_path, command):
    cache = tmp_path / "cache"
    assert run_in_process(["-q", *command], cache)["code"] in (0, None)  # fills the cache
    warm = run_in_process(["-q", *command], cache)
    assert warm["code"] in (0, None) and warm["loaded"] == []


def test_user_files_are_still_validated_with_pandera(tmp_path):
    bad = tmp_path / "population.csv"
    bad.write_text("region,population,share_65plus,share_0_4\nUA80,-5,0.2,0.05\n", encoding="utf-8")
    result = run_in_process(["-q", "estimate", "--population", str(bad)], tmp_path / "cache")
    assert result["code"] == 65 and "pandera" in result["loaded"]  # exit 65: invalid input data
    with pytest.raises(InvalidInputError) as caught:
        load_inputs(population=bad)
    assert "population" in str(caught.value)
