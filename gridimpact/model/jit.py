"""numba's compilation settings for the engine's kernels (``kernel``, ``pairwise``, ``alike``)."""

from __future__ import annotations

import numba


def compiled(function):
    """numba's nopython compilation, cached on disk where a cache folder can be used."""
    try:
        return numba.njit(cache=True, nogil=True, error_model="numpy")(function)
    except RuntimeError:  # numba found no writable cache location: compile in memory instead
        return numba.njit(nogil=True, error_model="numpy")(function)


def inlined(function):
    """A small compiled helper that numba writes into each kernel calling it (``inline="always"``),
    so that the loops around it still vectorise; it is never compiled or cached on its own."""
    return numba.njit(inline="always")(function)
