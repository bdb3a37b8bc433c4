"""``gridimpact warm-up``: compile the engine ahead of the first run and fill numba's cache."""

from __future__ import annotations

import click


@click.command("warm-up")
def warm_up() -> None:
    """Compile the engine now (or load it from the cache) and say where the compiled code is kept.

    The first run after installing gridimpact compiles the engine (about 15 s on one core); later
    runs load it from the cache in a fraction of a second. Run this once after `pip install` (or in
    a container build) so that no run pays for compiling. Exit 0 when the engine is ready.
    """
    # numba is imported only by the commands that need the engine
    from gridimpact.model import compilation

    seconds = compilation.ensure_compiled(notice=lambda text: None)
    state = compilation.cache_state()
    if state["cache_path"] is None:
        click.echo(f"Engine compiled in {seconds:.1f} s, in memory only: numba found no writable cache "
                   "folder (set NUMBA_CACHE_DIR to one), so every run compiles it again.")
    elif state["compiled"]:
        click.echo(f"Engine compiled in {seconds:.1f} s and cached in {state['cache_path']}.")
    else:
        click.echo(f"Engine loaded from the cache in {seconds:.2f} s ({state['cache_path']}); nothing to compile.")
