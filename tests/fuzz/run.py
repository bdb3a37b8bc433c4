"""Fuzz every input reader: many damaged copies of each fixture, and the exit code each would give.

Run from the repository root::

    python -m tests.fuzz.run --runs 200 --seed 1 --cli 40

For each seed file (every fixture under tests/fixtures, plus xlsx, NetCDF, zip and gzip files written
on the fly) it reads ``--runs`` damaged copies in-process and counts the outcomes: 0 (read), 65
(InvalidInputError), 66 (InputMissingError) or 1 (any other exception: a bug). ``--cli N`` also runs
N of the damaged files through ``gridimpact validate`` in a subprocess and checks its exit code and
that no traceback is printed. The exit status is 1 when any run ended in exit 1 or a traceback.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from gridimpact.errors import InputMissingError, InvalidInputError
from tests.fuzz.mutations import Seed, binary_seeds, mutate, read, text_seeds

OUTCOMES = (0, 65, 66, 1)


def outcome(seed: Seed, path: Path) -> tuple[int, str]:
    """The exit code reading ``path`` would give, and for exit 1 the exception's last lines."""
    try:
        read(seed.family, path)
    except InvalidInputError:
        return 65, ""
    except InputMissingError:
        return 66, ""
    except Exception:  # the point: anything else is a finding
        return 1, traceback.format_exc(limit=-3)
    return 0, ""


def cli_outcome(seed: Seed, path: Path) -> tuple[int, bool]:
    """Exit code of ``gridimpact validate --<family> FILE`` and whether a traceback was printed."""
    args = [sys.executable, "-m", "gridimpact", "validate", f"--{seed.family}", str(path)]
    if seed.family == "outages":
        args += ["--region", "UA80"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    return done.returncode, "Traceback" in done.stdout + done.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="damaged copies per seed file")
    parser.add_argument("--seed", type=int, default=1, help="random seed (the same seed repeats the run)")
    parser.add_argument("--rounds", type=int, default=3, help="at most this many mutations per copy")
    parser.add_argument("--cli", type=int, default=0, help="damaged files also run through the CLI")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    findings: list[str] = []
    table: dict[str, Counter] = {}
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        seeds = text_seeds() + binary_seeds(work / "seeds")
        cli_queue: list[tuple[Seed, Path]] = []
        for number, seed in enumerate(seeds):
            original = seed.path.read_bytes()
            counts = table.setdefault(seed.label, Counter())
            for run in range(args.runs):
                data, how = mutate(original, rng, rng.randint(1, args.rounds))
                path = work / f"{number}-{run}" / seed.path.name
                path.parent.mkdir()
                path.write_bytes(data)
                code, detail = outcome(seed, path)
                counts[code] += 1
                if code == 1:
                    kept = work.parent / f"gridimpact-fuzz-{number}-{run}-{seed.path.name}"
                    kept.write_bytes(data)
                    findings.append(f"{seed.label} ({how}), kept as {kept}:\n{detail}")
                if len(cli_queue) < args.cli and rng.random() < max(args.cli / (args.runs * len(seeds)), 0.01):
                    cli_queue.append((seed, path))
        cli_counts: Counter = Counter()
        for seed, path in cli_queue:
            code, traced = cli_outcome(seed, path)
            cli_counts[code] += 1
            if code == 1 or traced:
                findings.append(f"CLI on {seed.label}: exit {code}, traceback {traced}")
    width = max(len(label) for label in table)
    print(f"{'seed file':<{width}}  " + "  ".join(f"exit {code:>2}" for code in OUTCOMES))
    for label, counts in table.items():
        print(f"{label:<{width}}  " + "  ".join(f"{counts[code]:>7}" for code in OUTCOMES))
    total = sum(table.values(), Counter())
    print(f"{'all readers':<{width}}  " + "  ".join(f"{total[code]:>7}" for code in OUTCOMES))
    if cli_queue:
        print(f"CLI (gridimpact validate): {len(cli_queue)} files, exit codes "
              + ", ".join(f"{code}: {n}" for code, n in sorted(cli_counts.items())))
    print(f"{sum(total.values())} damaged files in {time.perf_counter() - started:.0f} s; "
          f"{len(findings)} finding(s) (exit 1 or a traceback)")
    for finding in findings:
        print("\n" + finding)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
