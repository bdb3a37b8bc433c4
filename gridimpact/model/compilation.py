"""Compiling the engine's kernel once per process, and saying so when it takes a while.

``ensure_compiled`` runs ``kernel.simulate_day`` on a tiny day (and the scenario shares of
``scenario_kernel`` on a tiny window): numba then either loads the
compiled code from its cache (well under a second) or compiles it (15 s or more, once per install
and numba version), which a first-time user is told on stderr. ``gridimpact warm-up`` calls it
ahead of the first real run.
"""

from __future__ import annotations

import sys
import threading
import time

import numpy as np

from gridimpact.model.kernel import BUILDINGS, GROUPS, HEATING, simulate_day
from gridimpact.model.period import QUARTERS_PER_HOUR
from gridimpact.model.scenario_kernel import tiny_shares

_ready = threading.Lock()
_compiled_in_process = False
COMPILE_NOTICE_AFTER_S = 3.0
"""Loading the cached kernel takes 0.4–0.6 s (up to 1.7 s on a loaded machine); compiling it 15 s or more."""


def ensure_compiled(notice=None) -> float:
    """Compile (or load from the cache) ``simulate_day`` once per process, on a tiny day.

    If that takes longer than ``COMPILE_NOTICE_AFTER_S`` — it is compiling, not loading — one line
    goes to stderr (or to ``notice``) while it runs. Returns the seconds it took (0 when done before).
    """
    global _compiled_in_process
    with _ready:
        if _compiled_in_process:
            return 0.0
        say = notice or (lambda text: print(text, file=sys.stderr, flush=True))
        timer = threading.Timer(COMPILE_NOTICE_AFTER_S, say,
                                ("gridimpact: compiling the engine (first run only, about 15 s; "
                                 "`gridimpact warm-up` does it ahead)…",))
        timer.daemon = True
        began = time.perf_counter()
        timer.start()
        try:
            _tiny_day()
        finally:
            timer.cancel()
        _compiled_in_process = True
        return time.perf_counter() - began


def _tiny_day() -> None:
    """One member, region and band for one hour: the argument types of every real call."""
    f64, f32 = np.float64, np.float32
    q = np.zeros((1, 1, QUARTERS_PER_HOUR))
    state = np.full((1, 1, HEATING, BUILDINGS, GROUPS, 1), 20.0, dtype=f32)
    hourly = np.zeros((1, HEATING, BUILDINGS, GROUPS, 1, 1), dtype=f32)
    simulate_day(q, q.copy(), q.copy(), np.zeros((1, GROUPS, QUARTERS_PER_HOUR)),
                 np.zeros((1, QUARTERS_PER_HOUR), dtype=bool), np.array([[0.0, 1.0]]), f64(4.0), np.zeros((1, 1)),
                 np.zeros((1, 1)), np.zeros((1, 1, 1), dtype=f32), 0, state, state.copy(), np.zeros((1, BUILDINGS, 8), dtype=f32),
                 f32(20.0), np.ones((1, 1, HEATING, BUILDINGS)), np.ones((1, 1)), np.ones((1, 1, HEATING, 1)),
                 np.ones((1, 1), dtype=f32), np.ones(1), np.array([12.0], dtype=f32), True, hourly,
                 np.zeros((1, 1, 1)), np.zeros((1, 1, 1)), np.zeros((1, 1, 1)), np.zeros((1, 1, 1)),
                 np.zeros((1, 1)), np.zeros((1, 1), dtype=f32), 12, np.zeros((2, 1, 1)), np.ones((1, 1), dtype=bool))
    tiny_shares()


def cache_state() -> dict:
    """Where compiled code is cached and how this process got it (for ``gridimpact warm-up``)."""
    stats = getattr(simulate_day, "stats", None)
    hits, misses = (getattr(stats, name, {}) for name in ("cache_hits", "cache_misses"))
    return {"cache_path": getattr(stats, "cache_path", None), "loaded": int(sum(hits.values())),
            "compiled": int(sum(misses.values()))}
