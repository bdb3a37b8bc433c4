"""One run at a time, and a clean stop on Ctrl-C, SIGTERM or SIGHUP.

``guarded_run`` takes the lock file beside the output folder, repairs what killed runs left
(``swap.recover``, only while the lock is held, so never a live run's staging folder), and turns
SIGTERM (what ``timeout``, systemd, Kubernetes and CI runners send) and SIGHUP (a closed terminal
or SSH session) into the same unwinding as Ctrl-C: the staging folder is removed, the lock released,
the previous outputs stay. While the new outputs are being swapped in, a signal waits until the
swap and the retirement of the previous folder are done, so it never stops a run between steps.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

from filelock import FileLock, Timeout  # not needed by the light CLI start-up

from gridimpact.errors import LockBusyError, OutputError
from gridimpact.io.atomic import ensure_directory
from gridimpact.regenerate import swap

HANDLED_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Terminated(KeyboardInterrupt):
    """A run stopped by a signal; unwinds like Ctrl-C. ``exit_code`` is 128 + the signal number
    (143 for SIGTERM, 129 for SIGHUP), the status a shell reports for a process the signal ended."""

    published = False
    """True when the signal waited for a swap: the new outputs are then in place."""

    def __init__(self, signum: int):
        self.signum = signum
        self.exit_code = 128 + signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")


class _Signals:
    """Signal handlers for the length of a run; a signal during ``critical()`` is held back."""

    def __init__(self) -> None:
        self.previous: dict[int, object] = {}
        self.pending: int | None = None
        self.holding = 0

    def _handle(self, signum, frame) -> None:
        if self.holding:
            self.pending = self.pending or signum
            return
        _stop(signum)

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # Python delivers signals to the main thread only; there they are handled
        for signum in HANDLED_SIGNALS:
            current = signal.getsignal(signum)
            if current is signal.SIG_IGN:
                continue  # started under nohup or told to ignore it: keep ignoring it
            self.previous[signum] = current
            signal.signal(signum, self._handle)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            # Ctrl-C stays a KeyboardInterrupt, but also waits for a swap in progress.
            self.previous[signal.SIGINT] = signal.default_int_handler
            signal.signal(signal.SIGINT, self._handle)

    def restore(self) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        self.previous.clear()

    @contextlib.contextmanager
    def critical(self) -> Iterator[None]:
        self.holding += 1
        try:
            yield
        finally:
            self.holding -= 1
        if not self.holding and self.pending is not None:
            signum, self.pending = self.pending, None
            _stop(signum, published=True)


def _stop(signum: int, *, published: bool = False):
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    stop = Terminated(signum)
    stop.published = published
    raise stop


_active: list[_Signals] = []


@contextlib.contextmanager
def critical() -> Iterator[None]:
    """Hold back Ctrl-C, SIGTERM and SIGHUP until the block ends (used around the swap and the
    removal of a staging folder, which must not stop half-way)."""
    if not _active:
        yield
        return
    with _active[-1].critical():
        yield


def _acquire(config):
    ensure_directory(config.directory.parent)
    lock = FileLock(str(config.lock_path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise LockBusyError(f"another regeneration holds the lock {config.lock_path}; "
                            "this run stopped without writing anything") from None
    except OSError as exc:
        raise OutputError(f"cannot create the lock file {config.lock_path}: {exc.strerror or exc}") from None
    return lock


@contextlib.contextmanager
def guarded_run(config) -> Iterator[None]:
    """Handle SIGTERM/SIGHUP, hold the lock and clean up after killed runs, for one run."""
    signals = _Signals()
    signals.install()
    _active.append(signals)
    try:
        lock = _acquire(config)
        try:
            with critical():
                for place in dict.fromkeys((config.directory, swap.swap_target(config.directory))):
                    swap.recover(place)
            yield
        finally:
            lock.release()
    finally:
        _active.remove(signals)
        signals.restore()


def redeliver(exc: Terminated) -> None:
    """After a run unwound on a signal, let the signal do what it would have done without us: the
    default action ends the process with that signal (shell status 128 + number); a handler the
    caller had installed runs. Returns only if that handler returns."""
    signal.raise_signal(exc.signum)
