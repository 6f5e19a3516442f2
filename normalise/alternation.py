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

:func:`any_of` also gives the pattern a prefilter (:class:`Heads`): when every
alternative begins with literal text ('has been', 'in place', '%'), a match
holds one of those texts, so a text holding none (tested with ``in``, in C)
cannot match and the engine is not started.  Most cells hold none of a cue's
heads.
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


def any_of(patterns: list[str], flags: int = 0, prefilter: bool = True) -> re.Pattern | Heads:
    """One pattern that searches as ``(?:p1)|(?:p2)|...`` does (with a prefilter, :class:`Heads`,
    when every alternative begins with literal text and ``prefilter``: not worth it for a short
    cheap pattern whose heads most texts hold, such as 'is ')."""
    bounded, rest = [], []
    for p in patterns:
        tail = _at_word_start(p)
        (bounded if tail else rest).append(tail if tail else p)
    parts = ([r"\b(?:" + "|".join(f"(?:{t})" for t in bounded) + ")"] if bounded else []) + [f"(?:{p})" for p in rest]
    compiled = re.compile("|".join(parts), flags)
    found = heads(patterns, flags) if prefilter else None
    return compiled if found is None else Heads(compiled, *found)


#: at most this many literal heads per alternative (a product of alternations grows fast)
MAX_HEADS = 64
#: a head this long ('children ', 'evidence ') is not extended by the alternatives after it: fewer heads
#: to test in each text, while 'is ', 'are ', 'see ' (found in most texts) are
LONG_HEAD = 4


def _heads(items: list) -> tuple[set[str], bool] | None:
    """The literal texts a match of the sequence ``items`` (parsed) begins with, and whether they
    are the whole of it; ``None`` when a match need not begin with literal text.  Leading ``\b``
    and ``^`` are skipped (they match no text; the caller handles ``^``)."""
    out, i = {""}, 0
    while i < len(items) and items[i][0] is C.AT and i == 0:
        i += 1
    while i < len(items):
        op, av = items[i]
        if op is C.LITERAL:
            out = {s + chr(av) for s in out}
        elif op in (C.SUBPATTERN, C.BRANCH):
            if op is C.SUBPATTERN:
                if av[1] or av[2]:  # inline flags
                    return _partial(out)
                inner = _heads(list(av[3]))
            else:
                alts = [_heads(list(b)) for b in av[1]]
                inner = None if any(a is None for a in alts) else (
                    set().union(*(a[0] for a in alts)), all(a[1] for a in alts))  # type: ignore[index]
            if inner is None or "" in inner[0] or len(out) * len(inner[0]) > MAX_HEADS \
                    or len(inner[0]) > 1 and min(len(s.strip()) for s in out) >= LONG_HEAD:
                return _partial(out)  # a head long enough is selective: not multiplied by what follows
            out = {s + t for s in out for t in inner[0]}
            if not inner[1]:
                return out, False
        else:
            return _partial(out)
        i += 1
    return out, True


def _partial(out: set[str]) -> tuple[set[str], bool] | None:
    return None if "" in out else (out, False)


def heads(patterns: list[str], flags: int = 0) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """``(anywhere, at_start)``: literal texts one of which any match of any of ``patterns``
    holds (``at_start``: begins the searched text, for a pattern opening with ``^``); ``None``
    when some alternative need not hold literal text (or the case is folded: ``in`` is exact)."""
    if flags & ~re.UNICODE:
        return None
    anywhere: set[str] = set()
    start: set[str] = set()
    for p in patterns:
        try:
            parsed = _parser.parse(p)
        except re.error:
            return None
        if parsed.state.flags & ~(re.UNICODE | C.SRE_FLAG_UNICODE):
            return None
        items = list(parsed)
        # a top-level 'a|b' parses as one branch (a group's branch inside a sequence is part of it)
        branches = [list(b) for b in items[0][1][1]] if len(items) == 1 and items[0][0] is C.BRANCH else [items]
        for b in branches:
            anchored = bool(b) and b[0] == (C.AT, C.AT_BEGINNING)
            found = _heads(b)
            if found is None:
                return None
            (start if anchored else anywhere).update(found[0])
    # a head holding another is implied by it
    anywhere = {h for h in anywhere if not any(o != h and o in h for o in anywhere)}
    start = {h for h in start if not any(h.startswith(o) for o in anywhere | start if o != h)}
    return tuple(sorted(anywhere)), tuple(sorted(start))


class Heads:
    """A compiled pattern searched only in texts holding one of its literal heads (see :func:`heads`):
    ``search`` answers as the pattern's own does."""

    __slots__ = ("anywhere", "at_start", "compiled", "pattern")

    def __init__(self, compiled: re.Pattern, anywhere: tuple[str, ...], at_start: tuple[str, ...]) -> None:
        self.compiled, self.anywhere, self.at_start = compiled, anywhere, at_start
        self.pattern = compiled.pattern

    def search(self, text: str) -> re.Match | None:
        for h in self.anywhere:
            if h in text:
                return self.compiled.search(text)
        if self.at_start and text.startswith(self.at_start):
            return self.compiled.search(text)
        return None


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
