"""Start-up cost: ``gridimpact --help`` against a bare interpreter, and a default ``gridimpact compare``
against importing the scientific stack it needs (pandas, xarray, pandera).

Targets: ``--help`` within 0.15 s of ``python -c pass``; ``compare`` (with its case cache warm) within
2 × the imports.
Every figure is the best of several runs in fresh processes.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from conftest import best_of, python, record

REPEAT = 7
HELP_OVERHEAD_TARGET_S = 0.15
COMPARE_RATIO_TARGET = 2.0


def gridimpact_command() -> list[str]:
    """The installed console script, next to this interpreter if possible."""
    beside = Path(sys.executable).with_name("gridimpact")
    found = str(beside) if beside.exists() else shutil.which("gridimpact")
    return [found] if found else [python(), "-m", "gridimpact"]


def test_help_startup(benchmark, tmp_path):
    bare = best_of([python(), "-c", "pass"], REPEAT)
    help_command = [*gridimpact_command(), "--help"]
    best_of(help_command, 1)  # warm the file cache and byte-code
    benchmark.pedantic(best_of, args=(help_command, 1), rounds=REPEAT, iterations=1)
    help_seconds = benchmark.stats.stats.min
    overhead = help_seconds - bare
    record(benchmark,
           f"startup: gridimpact --help {help_seconds:.3f} s, python -c pass {bare:.3f} s, "
           f"overhead {overhead:.3f} s (target <= {HELP_OVERHEAD_TARGET_S} s)",
           target_met=overhead <= HELP_OVERHEAD_TARGET_S, help_s=help_seconds, bare_s=bare,
           overhead_s=overhead)


def test_default_compare_against_imports(benchmark, tmp_path):
    """The default compare with a warm case cache (the usual run) and a cold one (validating the
    embedded case with pandera, as on the first run after installing), against the bare imports."""
    imports = best_of([python(), "-c", "import pandas, xarray, pandera.pandas"], REPEAT)
    compare_command = [*gridimpact_command(), "compare"]
    warm_env = {**os.environ, "GRIDIMPACT_CACHE_DIR": str(tmp_path / "cache")}
    warm_env.pop("GRIDIMPACT_NO_CACHE", None)
    cold_env = {**warm_env, "GRIDIMPACT_NO_CACHE": "1"}
    cold = best_of(compare_command, 3, cwd=tmp_path, env=cold_env)
    best_of(compare_command, 1, cwd=tmp_path, env=warm_env)  # fills the cache
    benchmark.pedantic(best_of, args=(compare_command, 1), kwargs={"cwd": tmp_path, "env": warm_env},
                       rounds=3, iterations=1)
    warm = benchmark.stats.stats.min
    ratio = warm / imports
    record(benchmark,
           f"startup: default gridimpact compare {warm:.2f} s with the case cache, {cold:.2f} s without "
           f"(ratio {cold / imports:.2f}); import pandas+xarray+pandera {imports:.2f} s, ratio {ratio:.2f} "
           f"(target <= {COMPARE_RATIO_TARGET})",
           target_met=ratio <= COMPARE_RATIO_TARGET, compare_s=warm, compare_cold_s=cold, imports_s=imports,
           ratio=ratio, ratio_cold=cold / imports)
