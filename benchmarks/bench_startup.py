"""Start-up cost: ``gridimpact --help`` against a bare interpreter, and a default ``gridimpact compare``
against importing the scientific stack it needs (pandas, xarray, pandera).

Targets: ``--help`` within 0.15 s of ``python -c pass``; ``compare`` within 1.5 × the imports.
Every figure is the best of several runs in fresh processes.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from conftest import best_of, python, record

REPEAT = 7
HELP_OVERHEAD_TARGET_S = 0.15
COMPARE_RATIO_TARGET = 1.5


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
    imports = best_of([python(), "-c", "import pandas, xarray, pandera.pandas"], REPEAT)
    compare_command = [*gridimpact_command(), "compare"]
    benchmark.pedantic(best_of, args=(compare_command, 1), kwargs={"cwd": tmp_path}, rounds=3, iterations=1)
    compare_seconds = benchmark.stats.stats.min
    ratio = compare_seconds / imports
    record(benchmark,
           f"startup: default gridimpact compare {compare_seconds:.2f} s, import pandas+xarray+pandera "
           f"{imports:.2f} s, ratio {ratio:.2f} (target <= {COMPARE_RATIO_TARGET})",
           target_met=ratio <= COMPARE_RATIO_TARGET, compare_s=compare_seconds, imports_s=imports,
           ratio=ratio)
