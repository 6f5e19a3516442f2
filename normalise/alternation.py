"""One regular expression for many: alternations written so that ``search`` is fast.

The cue lists of ``data/*.toml`` become single patterns ('any of these
phrases', 'any of these words'), searched in every cell of a table.  Written
plainly (``(?:p1)|(?:p2)|...``), Python's engine tries every alternative at
every character of the text: ~40-130 µs a cell, most of the column-roles step
(``docs/profiling.md``).  The same language written differently is several
times faster:

- :func:`any_of`: the alternatives that start at a word boundary share one
  leading ``\\b``, so the engine gives up at once where no word starts, and
  tests each alternative's first letter before entering it;
- :func:`any_word`: a word list as a prefix tree (``rev(?:iew|ise)``), so at a
  word start only the branches of its first letter are tried.

Both match the same strings at the same places as the plain alternation (only
which alternative matched may differ), so a ``search`` finds a match exactly
when the plain one does; ``tests/test_fast_paths.py`` holds them to it.
"""

from __future__ import annotations

import re
from re import _constants as C  # noqa: N812
from re import _parser


def _at_word_start(pattern: str) -> str | None:
    """``pattern`` without its leading ``\\b`` when it is one sequence after it (no top-level ``|``)."""
    if not pattern.startswith(r"\b"):
        return None
    try:
        parsed = _parser.parse(pattern)
    except re.error:
        return None
    items = list(parsed)
    if not items or items[0] != (C.AT, C.AT_BOUNDARY) or any(op is C.BRANCH for op, _ in items):
        return None
    return pattern[2:]


def any_of(patterns: list[str], flags: int = 0) -> re.Pattern:
    """One pattern that searches as ``(?:p1)|(?:p2)|...`` does."""
    bounded, rest = [], []
    for p in patterns:
        tail = _at_word_start(p)
        (bounded if tail else rest).append(tail if tail else p)
    parts = ([r"\b(?:" + "|".join(f"(?:{t})" for t in bounded) + ")"] if bounded else []) + [f"(?:{p})" for p in rest]
    return re.compile("|".join(parts), flags)


def _trie(words: list[str]) -> str:
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        end = "" in node
        if len(alts) == 1 and not end:
            return alts[0]
        return "(?:" + "|".join(alts) + ")" + ("?" if end else "")

    return emit(root)


def any_word(words: list[str], flags: int = 0) -> re.Pattern:
    """``\\b(?:w1|w2|...)\\b`` (the words literal), as a prefix tree."""
    return re.compile(r"\b(?:" + _trie([w for w in words if w]) + r")\b", flags)
