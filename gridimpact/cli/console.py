"""The terminal the command line writes to: consoles that cannot encode its characters, and pipes
closed by the reader (``gridimpact validate | head -1``).

gridimpact's tables and messages use a few characters beyond ASCII: the minus sign "−" of changes,
"…" in ranges, "·" between facts, "–" and "—", "°" of °C, "≤" and "≥". A console whose encoding
cannot hold one of them (ASCII, Latin-1, the Windows code pages cp437 and cp1252) gets the
ASCII spelling below instead of a crash; any other character it cannot hold becomes "?".
"""

from __future__ import annotations

import codecs
import encodings.ascii
import io
import os
import sys

from gridimpact.errors import EXIT_READER_STOPPED

ASCII_SPELLING = {
    "\u2212": "-",    # − minus sign
    "\u2013": "-",    # – en dash
    "\u2014": "-",    # — em dash
    "\u2026": "...",  # … ellipsis
    "\u00b7": "-",    # · middle dot
    "\u00b0": "deg",  # ° degree
    "\u2264": "<=",   # ≤
    "\u2265": ">=",   # ≥
    "\u00d7": "x",    # × multiplication sign
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u2192": "->",   # → arrow
    "\u00a0": " ",    # no-break space
    "\u202f": " ",    # narrow no-break space
}
SAMPLE = "\u2212\u2013\u2014\u2026\u00b7\u00b0\u2264\u2265"  # what gridimpact itself prints: − – — … · ° ≤ ≥
ERROR_HANDLER = "gridimpact-ascii"
ASCII_CODEC = "gridimpact_ascii"
"""ASCII under another name: click replaces a stream it sees as ASCII by UTF-8, which would print
bytes the console cannot show."""

BROKEN_PIPE_EXIT = EXIT_READER_STOPPED


def _spell_in_ascii(error: UnicodeEncodeError) -> tuple[str, int]:
    text = error.object[error.start:error.end]
    return "".join(ASCII_SPELLING.get(char, "?") for char in text), error.end


def _find_codec(name: str):
    if name != ASCII_CODEC:
        return None
    return codecs.CodecInfo(name=ASCII_CODEC, encode=codecs.ascii_encode, decode=codecs.ascii_decode,
                            incrementalencoder=encodings.ascii.IncrementalEncoder,
                            incrementaldecoder=encodings.ascii.IncrementalDecoder,
                            streamwriter=encodings.ascii.StreamWriter, streamreader=encodings.ascii.StreamReader)


codecs.register_error(ERROR_HANDLER, _spell_in_ascii)
codecs.register(_find_codec)


def _cannot_encode(stream) -> bool:
    encoding = getattr(stream, "encoding", None)
    if not encoding:
        return False
    try:
        SAMPLE.encode(encoding)
    except UnicodeEncodeError:
        return True
    except LookupError:
        return False
    return False


def degrade_to_ascii() -> None:
    """Let stdout and stderr spell what their encoding cannot hold in ASCII instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        if not isinstance(stream, io.TextIOWrapper) or not _cannot_encode(stream):
            continue
        if codecs.lookup(stream.encoding).name == "ascii":
            stream.reconfigure(encoding=ASCII_CODEC, errors=ERROR_HANDLER)
        else:
            stream.reconfigure(errors=ERROR_HANDLER)


def silence_broken_pipe() -> int:
    """After the reader closed the pipe: point stdout at the null device, so that flushing at exit
    does not fail again, and return the exit code to use."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        pass  # not a real file descriptor (tests): nothing will be flushed to it
    return BROKEN_PIPE_EXIT
