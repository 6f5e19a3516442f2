"""Drawing order: which lines of a borderless table belong to one cell, as the page was drawn.

Word and LibreOffice (and browsers printing an HTML table) draw a table cell
by cell, row by row: all the lines of a cell, then the next cell to its
right, and only then the next row.  A vertically merged cell is drawn with
the row where it starts.  So where two rows have no padding between them (the
office default for a table: no top or bottom cell margin) and one cell of the
lower row starts right under the text of the upper one, the geometry is that
of one cell holding two paragraphs (Staffordshire's three actions that share
their lead, dates and review: three rows, or one cell of three paragraphs?),
but the drawing order is not: the upper row's other cells were drawn between
the two lines.

:func:`drawing_order` reads this from the words' content-stream positions
(:attr:`extract.layout.Word.seq`).  It answers only for a table drawn cell by
cell: one drawn line by line across the columns (some report generators, or
text re-flowed by a converter) interrupts every cell between any two of its
lines, and one drawn column by column never does; in both the order says
nothing about cells, so the row rules go by the page's geometry alone.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import Protocol

from extract.borderless_rows import PARA, _bold_text


class _Frag(Protocol):
    """What a fragment of :mod:`extract.borderless` offers here: its words, line and columns."""

    words: list
    line: int
    c0: int
    c1: int


#: how a line's text in one column relates to the text above it (beside the relations of
#: :mod:`extract.borderless_rows`): directly below, but drawn as another cell, a row with no padding
CELL = "cell"

#: a table is drawn cell by cell when, among a column's consecutive lines with no blank between them
#: and other columns' text on them (which a page drawn line by line draws between them, every time),
#: at least this many follow each other in the stream...
MIN_TOGETHER = 3
#: ...and at least this share of them (the others are rows with no padding, or one-line cells)
CELL_BY_CELL = 0.15


def drawing_order(frags: Sequence[_Frag], tight: Callable[[_Frag, _Frag], bool] = lambda a, b: True,
                  ) -> Callable[[_Frag, _Frag], bool] | None:
    """``same_cell(above, below)`` for two fragments of one column on consecutive lines: whether
    nothing else of the table was drawn between them; None when the table is not drawn cell by
    cell (or its words carry no drawing order).  ``tight(above, below)``: no blank parts the two
    lines (a blank is row padding or a paragraph space, which the geometry reads already)."""
    if not frags:
        return None
    firsts: list[int] = []
    lasts: list[int] = []
    for f in frags:  # one pass over each fragment's words (a fragment's lowest below 0: no order)
        words = f.words
        if len(words) == 1:  # most fragments: what min and max of one item give
            lo = hi = words[0].seq
        else:
            seqs = [w.seq for w in words]
            lo = min(seqs)
            hi = max(seqs) if lo >= 0 else lo
        if lo < 0:
            return None
        firsts.append(lo)
        lasts.append(hi)
    ids = [id(f) for f in frags]
    first = dict(zip(ids, firsts, strict=True))
    last = dict(zip(ids, lasts, strict=True))
    # the fragments sorted by first position (a stable sort: ties stay in the given order)
    order = sorted(range(len(frags)), key=firsts.__getitem__)
    drawn = [frags[k] for k in order]
    starts = [firsts[k] for k in order]

    def same_cell(above: _Frag, below: _Frag) -> bool:
        a, b = last[id(above)], first[id(below)]
        if b < a:
            return False  # drawn before the line above it: another cell
        # what was drawn between them: nothing, or more of the same cell on those two lines
        between = drawn[bisect_right(starts, a):bisect_left(starts, b)]
        return all(f.line in (above.line, below.line) and f.c0 <= below.c1 and f.c1 >= below.c0
                   for f in between)

    per_line: dict[int, int] = {}  # fragments on each line
    by_span: dict[tuple[int, int, int], list[_Frag]] = {}  # each line's fragments of one column span
    for f in frags:
        per_line[f.line] = per_line.get(f.line, 0) + 1
        by_span.setdefault((f.line, f.c0, f.c1), []).append(f)
    pairs = together = 0
    for f in frags:
        above = by_span.get((f.line - 1, f.c0, f.c1))
        if above is None or len(above) != 1 or per_line[f.line] + per_line[f.line - 1] < 3 \
                or not tight(above[0], f):
            continue  # no other column's text on these lines that could be drawn between them
        pairs += 1
        together += same_cell(above[0], f)
    if together < max(MIN_TOGETHER, CELL_BY_CELL * pairs):
        return None
    return same_cell


def drawn_row(fs: Sequence[_Frag], rel: Sequence[str], drawn_on: Sequence[bool],
              lone: tuple[int, int] | None, row_bold: bool | None) -> tuple[bool, tuple[int, int] | None]:
    """Whether the drawing order starts a row at this line (every column carrying on there is then
    a cell merged over both rows), and the column left alone with cells of its own.

    A cell drawn after the rest of the row above (CELL) starts a row with no
    padding above it, unless it is a bold sub-header under a bold header
    (``extract.borderless._group_header`` cuts those).  Where that cell's column is the only
    one with cells of its own (every other column carries on cells merged
    over these rows, as drawn), its cells are drawn one after another, so
    the order cannot part them; its cells there are paragraphs, as the first
    one was, so each new paragraph in it (PARA) with every other column
    still carrying on starts a row too.
    """
    cells = [f for f, r in zip(fs, rel, strict=True) if r == CELL]
    if cells and not (row_bold and _bold_text(cells)):
        alone = len(cells) == 1 and all(d for d, r in zip(drawn_on, rel, strict=True) if r != CELL)
        return True, cells[0].span if alone else None
    j = next((j for j, f in enumerate(fs) if f.span == lone), None)
    if j is not None and rel[j] == PARA and all(drawn_on):
        return True, lone
    return False, lone


def shared_spans(fs: Sequence[_Frag], drawn_on: Sequence[bool], lone: tuple[int, int] | None,
                 last: dict[int, _Frag]) -> set[tuple[int, int]]:
    """The column spans merged over a row the drawing order started: those carrying on there, as
    drawn; and, in a row of one cell beside cells seen carrying on, every other column's last cell
    above (the rest of the row is shared; ``last``: each column's last fragment so far)."""
    spans = {(f.c0, f.c1) for f, d in zip(fs, drawn_on, strict=True) if d and (f.c0, f.c1) != lone}
    if lone is not None and any((f.c0, f.c1) != lone for f in fs):
        here = {c for f in fs for c in range(f.c0, f.c1 + 1)}
        spans |= {(p.c0, p.c1) for c, p in last.items() if c not in here}
    return spans
