"""Benchmark collection and reporting.

Benchmarks live in ``bench_*.py`` (not collected by the default ``pytest`` run, whose test path is
``tests``). Run them with::

    python -m pytest benchmarks --benchmark-only -s

Each benchmark records its figures (with their targets) in ``benchmark.extra_info`` and in a summary
printed at the end of the run. A missed target is reported, not failed, unless
``GRIDIMPACT_BENCH_STRICT=1`` is set.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

FIGURES: list[str] = []
STRICT = os.environ.get("GRIDIMPACT_BENCH_STRICT") == "1"
BENCHMARKS = Path(__file__).resolve().parent


def pytest_collect_file(file_path: Path, parent):
    # A file named on the command line is collected by pytest itself; collecting it here too
    # would run its benchmarks twice.
    if parent.session.isinitpath(file_path):
        return None
    if file_path.suffix == ".py" and file_path.name.startswith("bench_"):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("gridimpact benchmark figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


def record(benchmark, text: str, *, target_met: bool | None = None, **figures) -> None:
    """Keep figures in the benchmark's JSON and in the end-of-run summary; fail a missed target
    only in strict mode."""
    benchmark.extra_info.update(figures)
    if target_met is not None:
        benchmark.extra_info["target_met"] = target_met
        text += "  [target met]" if target_met else "  [TARGET MISSED]"
    FIGURES.append(text)
    if STRICT and target_met is False:
        pytest.fail(text)


def best_of(command: list[str], repeat: int, **kwargs) -> float:
    """Shortest wall time (s) of ``repeat`` runs of a command (output discarded)."""
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
        best = min(best, time.perf_counter() - began)
    return best


def python() -> str:
    return sys.executable
