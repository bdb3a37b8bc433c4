"""Output files gridimpact may replace: its own, never a file of the same name that someone else put
in the folder (``compare -o DIR`` into a folder that holds an analyst's own ``comparison.csv``).

A file is taken as gridimpact's when its first text (``io.head_text``) names, in order, the first
columns gridimpact writes into it: that holds for every earlier version's tables of the same kind,
and not for an unrelated file. Every target is checked before anything is written, so a refusal
leaves the folder as it was.
"""

from __future__ import annotations

import re
from pathlib import Path

from gridimpact.errors import OutputError
from gridimpact.io.head_text import head_text

MARKER_COLUMNS = 3
"""How many of a table's first column names an existing file must show to be taken as gridimpact's."""


def first_columns(frame) -> tuple[str, ...]:
    """The first column names of a table: what a file of it written before must show."""
    return tuple(str(c) for c in frame.columns[:MARKER_COLUMNS])


def looks_written_by_gridimpact(path: Path, names: tuple[str, ...]) -> bool:
    """Whether the file at ``path`` shows ``names`` in this order near its start, each as a whole
    name (``adm1_name`` is not found in ``adm1_name_en``)."""
    if not path.is_file():
        return False
    text, at = head_text(path, 16384), 0
    for name in names:
        found = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])").search(text, at)
        if found is None:
            return False
        at = found.end()
    return True


def refuse_to_replace_others(targets: dict[Path, tuple[str, ...]]) -> None:
    """Raise OutputError (exit 73) naming every existing target that gridimpact did not write;
    ``targets`` maps each path about to be written to the names its content starts with."""
    foreign = [path for path, names in targets.items()
               if path.exists() and not looks_written_by_gridimpact(path, names)]
    if foreign:
        listed = ", ".join(path.name for path in foreign)
        raise OutputError(f"{foreign[0].parent} holds {listed}, which gridimpact did not write: nothing was "
                          "written. Move the file(s) away or choose another folder (-o DIR).")
