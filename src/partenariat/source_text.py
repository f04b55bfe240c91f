"""The cited talk as text: white-space folding and locating verbatim quotes."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Fold line breaks and runs of white space to one space, and strip the ends.

    >>> fold("week-\\nends,  lors de\\tleur activité ")
    'week- ends, lors de leur activité'
    """
    return _SPACES.sub(" ", text).strip()


@cache
def _folded_with_lines(path: Path) -> tuple[str, tuple[int, ...]]:
    """The folded text of a file, and for each folded character the line it comes from."""
    raw = path.read_text(encoding="utf-8")
    chars: list[str] = []
    lines: list[int] = []
    line = 1
    pending_space = False
    for char in raw:
        if char.isspace():
            pending_space = bool(chars)
        else:
            if pending_space:
                chars.append(" ")
                lines.append(line)
                pending_space = False
            chars.append(char)
            lines.append(line)
        if char == "\n":
            line += 1
    return "".join(chars), tuple(lines)


def locate(exact: str, path: Path) -> int | None:
    """The line where a quote starts in a source file once folded, or None if absent.

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
    ...     _ = f.write("Le PRE propose\\n aussi de payer\\n")
    >>> locate("propose aussi", Path(f.name)), locate("absent", Path(f.name))
    (1, None)
    >>> os.unlink(f.name)
    """
    folded, lines = _folded_with_lines(path)
    index = folded.find(fold(exact))
    if index < 0:
        return None
    return lines[index]


def main() -> None:
    """Print the line of each quote given on the command line (a helper for authors)."""
    import sys

    source = Path(__file__).resolve().parents[2] / "data" / "source" / "talk-2017.txt"
    for quote in sys.argv[1:]:
        print(locate(quote, source), quote)


if __name__ == "__main__":
    main()
