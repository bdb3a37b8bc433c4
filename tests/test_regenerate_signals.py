"""SIGTERM, SIGHUP and Ctrl-C stop a regeneration cleanly (staging removed, lock released, previous
outputs kept), and a report shows only what the run recorded, whatever the working directory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

from gridimpact.regenerate import lock
from gridimpact.regenerate.run import regenerate
from tests.regeneration import SMALL_RUN

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

CONFIG = SMALL_RUN + '[outputs]\ndirectory = "out"\n'

# Runs a regeneration whose table writer announces itself, then waits to be stopped; used to stop
# a run at a known point, between writing its first output and swapping anything in.
STOPPABLE = """
import sys, time
from pathlib import Path
from gridimpact.io.writers import tables

def announce_then_wait(*args, **kwargs):
    Path(sys.argv[2]).write_text("writing")
    time.sleep(60)

tables.write_table = announce_then_wait
if sys.argv[3] == "cli":
    from gridimpact.cli.main import main
    main(["regenerate", sys.argv[1]])
else:
    from gridimpact.regenerate.run import regenerate
    regenerate(sys.argv[1])
"""


def stop_mid_run(tmp_path: Path, signum: int, how: str = "api") -> subprocess.CompletedProcess:
    ready = tmp_path / "ready"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    process = subprocess.Popen([sys.executable, "-c", STOPPABLE, str(tmp_path / "regenerate.toml"), str(ready), how],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    while not ready.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.05)
    assert list(tmp_path.glob(".out.staging.*"))  # stopped while its staging folder exists
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    ready.unlink()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.fixture
def previous_run(tmp_path):
    path = tmp_path / "regenerate.toml"
    path.write_text(CONFIG.format(seed=11), encoding="utf-8")
    regenerate(path)
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    path.write_text(CONFIG.format(seed=12), encoding="utf-8")
    return tmp_path, before


def assert_clean_stop(tmp_path: Path, before: dict[str, bytes]) -> None:
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before
    assert not list(tmp_path.glob(".out.staging.*"))
    FileLock(str(tmp_path / ".out.lock"), timeout=0).acquire()  # released: taken at once


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_stop_like_ctrl_c_and_end_the_process_by_the_signal(previous_run, signum):
    tmp_path, before = previous_run
    done = stop_mid_run(tmp_path, signum)
    assert done.returncode == -signum  # a shell reports 128 + signum: 143 for SIGTERM, 129 for SIGHUP
    assert f"stopped by {signal.Signals(signum).name}; the previous outputs are unchanged" in done.stderr
    assert "Traceback" not in done.stderr
    assert_clean_stop(tmp_path, before)


def test_ctrl_c_on_the_command_line_exits_130(previous_run):
    tmp_path, before = previous_run
    done = stop_mid_run(tmp_path, signal.SIGINT, how="cli")
    assert done.returncode == 130 and "Interrupted." in done.stderr and "Traceback" not in done.stderr
    assert_clean_stop(tmp_path, before)


def test_sigterm_on_the_command_line_ends_with_status_143(previous_run):
    tmp_path, before = previous_run
    done = stop_mid_run(tmp_path, signal.SIGTERM, how="cli")
    assert done.returncode == -signal.SIGTERM  # the shell's $? is 143
    assert "Traceback" not in done.stderr
    assert_clean_stop(tmp_path, before)


def test_a_run_killed_outright_leaves_its_staging_folder_to_the_next_run(previous_run):
    tmp_path, before = previous_run
    done = stop_mid_run(tmp_path, signal.SIGKILL)
    assert done.returncode == -signal.SIGKILL
    stale = list(tmp_path.glob(".out.staging.*"))
    assert len(stale) == 1 and (stale[0] / ".gridimpact-staging").is_file()
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before
    regenerate(tmp_path / "regenerate.toml")
    assert not list(tmp_path.glob(".out.staging.*")) and (tmp_path / "out" / "datapackage.json").is_file()


def test_a_signal_during_the_swap_waits_until_the_swap_is_done():
    signals = lock._Signals()
    lock._active.append(signals)
    try:
        with pytest.raises(lock.Terminated) as excinfo:
            with lock.critical():
                signals._handle(signal.SIGTERM, None)  # held back, not raised here
                finished = True
        assert finished and excinfo.value.exit_code == 143 and excinfo.value.signum == signal.SIGTERM
        assert excinfo.value.published  # it waited for the swap: the new outputs are in place
        with pytest.raises(lock.Terminated) as excinfo:
            signals._handle(signal.SIGHUP, None)  # outside the swap: at once
        assert excinfo.value.exit_code == 129 and not excinfo.value.published
        with pytest.raises(KeyboardInterrupt) as excinfo:
            with lock.critical():
                signals._handle(signal.SIGINT, None)
        assert type(excinfo.value) is KeyboardInterrupt  # Ctrl-C stays Ctrl-C, after the swap
    finally:
        lock._active.remove(signals)


def test_handlers_are_restored_and_an_ignored_signal_stays_ignored(tmp_path):
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        before = signal.getsignal(signal.SIGTERM)
        signals = lock._Signals()
        signals.install()
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) == signals._handle
        signals.restore()
        assert signal.getsignal(signal.SIGTERM) == before
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGHUP, previous)


# --- a report shows only the run's own record ------------------------------------------------------------

SCENARIO = """
name = "{name}"
description = "{description}"
extends = "announced-pause"
"""


def test_report_bytes_do_not_depend_on_the_working_directory(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    job = tmp_path / "job"
    job.mkdir()
    (job / "my-scenario.toml").write_text(SCENARIO.format(name="my-pause", description="Our pause, as announced."),
                                          encoding="utf-8")
    (job / "regenerate.toml").write_text(
        CONFIG.format(seed=11).replace("[outputs]", 'scenarios = ["no-pause", "my-scenario.toml"]\n[outputs]')
        + "report = true\nfigures = false\n", encoding="utf-8")
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "my-scenario.toml").write_text(
        SCENARIO.format(name="my-pause", description="A stranger's scenario with the same file name."),
        encoding="utf-8")
    reports = []
    for cwd in (tmp_path, stranger):
        monkeypatch.chdir(cwd)
        os.environ.pop("SOURCE_DATE_EPOCH", None)
        regenerate(job / "regenerate.toml")
        reports.append({name: (job / "out" / "report" / name).read_bytes() for name in ("report.md", "report.html")})
        (job / "out" / "report" / "report.md").write_bytes(b"")  # force a rewrite on the next run
    assert reports[0] == reports[1]
    text = reports[0]["report.md"].decode("utf-8")
    assert "Our pause, as announced." in text and "stranger" not in text and "not available" not in text
