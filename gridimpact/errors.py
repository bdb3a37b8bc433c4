"""Exceptions and the exit codes the command line maps them to.

Every error that a user can cause carries enough to act on without reading code: the file, where in
the file (a line, a sheet row, a JSON key), the column, the offending value and the rule it broke.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

# Exit codes (see docs/inputs.md). os.EX_* exists only on POSIX, so the values are spelled out.
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_DATAERR = 65
EXIT_NOINPUT = 66
EXIT_CANTCREAT = 73
EXIT_TEMPFAIL = 75
EXIT_READER_STOPPED = 0
"""A reader that closed the pipe early (``| head``) chose to stop reading; that is not a failure of
gridimpact, so the command ends quietly with success, for console tables and ``-o -`` alike. (A
program killed by SIGPIPE would exit 141, which ``set -o pipefail`` takes for a failure.)"""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the format allows.

    ``line`` is the 1-based physical line in a text file (the header is line 1) or the row number in
    a spreadsheet (``line_label`` says which); ``where`` is used when the format has no lines (a JSON
    key path, a NetCDF variable).
    """

    file: str
    rule: str
    message: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    where: str | None = None
    line_label: str = "line"

    def location(self) -> str:
        parts = [self.file]
        if self.where and self.line is not None:  # a part of the file, then the line in it
            parts.append(self.where)
        if self.line is not None:
            parts.append(f"{self.line_label} {self.line}")
        if self.where and self.line is None:
            parts.append(self.where)
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def format(self) -> str:
        text = f"{self.location()}: {self.message}"
        if self.value is not None and self.value not in self.message:
            text += f" (value: {self.value!r})"
        return f"{text} [{self.rule}]"


class GridimpactError(Exception):
    """Base class: an error the user can act on; the CLI prints it without a traceback."""

    exit_code = EXIT_FAILURE


class InputMissingError(GridimpactError):
    """An input file does not exist or cannot be read (exit 66)."""

    exit_code = EXIT_NOINPUT


class InvalidInputError(GridimpactError):
    """Input data breaks one or more rules (exit 65). Holds every problem found, not just the first."""

    exit_code = EXIT_DATAERR

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        files = sorted({p.file for p in self.problems})
        head = f"{len(self.problems)} problem(s) in {', '.join(files)}"
        detail = "\n".join(p.format() for p in self.problems[:50])
        more = "" if len(self.problems) <= 50 else f"\n… and {len(self.problems) - 50} more"
        super().__init__(f"{head}\n{detail}{more}")


class ParameterError(GridimpactError):
    """A parameter or scenario file names an unknown value or one outside its range (exit 65)."""

    exit_code = EXIT_DATAERR


class ArgumentError(ParameterError, TypeError, ValueError):
    """An argument has the wrong type or value: of the API (``gridimpact.arguments``) or a file given
    without a family the command line can tell (exit 2, a usage error).

    It is also a TypeError and a ValueError, so that callers catching either keep working."""

    exit_code = EXIT_USAGE


class OutputError(GridimpactError):
    """An output cannot be written (exit 73)."""

    exit_code = EXIT_CANTCREAT


class LockBusyError(GridimpactError):
    """Another regeneration holds the lock (exit 75)."""

    exit_code = EXIT_TEMPFAIL


class MissingExtraError(GridimpactError):
    """An optional feature is used without its extra installed (exit 1, with the pip command)."""

    def __init__(self, feature: str, extra: str, module: str):
        super().__init__(
            f"{feature} needs the optional package '{module}': pip install 'gridimpact[{extra}]'"
        )


def require(module: str, feature: str, extra: str):
    """Import an optional dependency or raise a MissingExtraError naming the extra to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(feature, extra, module) from exc


class InternalError(GridimpactError):
    """A failure inside the model that no check caught: a bug, reported with what was running (exit 1)."""


_INSIDE_MODULES = ("builtins", "numpy", "pandas", "xarray", "pandera", "numba", "scipy")


def _from_inside(exc: Exception) -> bool:
    """A raw exception of Python, numpy or pandas; not gridimpact's own, a warning turned into an
    error, or one raised by a caller's callback (a progress function, a dask client)."""
    if isinstance(exc, GridimpactError | Warning | MemoryError):
        return False
    module = type(exc).__module__ or ""
    return module.split(".")[0] in _INSIDE_MODULES


def guarded(what: str):
    """Decorate an API function so that an exception from deep inside (numpy, pandas) leaves it as an
    InternalError naming the function, with the original chained, instead of a raw exception."""
    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except Exception as exc:
                if not _from_inside(exc):
                    raise
                raise InternalError(f"{what} failed unexpectedly: {type(exc).__name__}: {exc}. Please report it "
                                    "as a bug, with the inputs and arguments.") from exc
        return wrapper
    return decorate
