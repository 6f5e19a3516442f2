"""Header rows repeated inside a table: the table is cut there, or the repeat dropped.

A table read from a page without borders can hold several of the plan's
tables, one per section, when nothing but a little white space parted them:
each section's title row and column header row then stand in the middle of
one grid, and the header would be read as an action.  Word's repeated header
rows at a page top are the stitcher's business (``normalise.stitch``); this
module finds a header repeated *anywhere* in one table fragment:

- with the title rows above it repeated too (rows laid out as the table's own
  title rows are), the fragment is cut into one table per section, so each
  keeps its title (the section) and the next page's fragment stitches to the
  right one;
- a header repeated alone is dropped.

It runs on each reader's table before stitching, and again on the stitched
tables (a page may begin the next section's table, which the stitcher, seeing
the same columns, joins to the one before); it knows nothing of the format
the table came from.
"""

from __future__ import annotations

import re

from models.document import Block, Cell, Table
from normalise.layout import MAX_HEADER_SCAN, analyse, own
from normalise.stitch import StitchedTable, _same_row, stitch
from normalise.text import norm_key

_KINDS = ("actions", "matrix")


def _shape(grid, r: int, n_cols: int) -> tuple[int, ...]:
    """The columns where a row's texts start (a title's span depends on its length)."""
    cells = [own(grid, r, c) for c in range(n_cols)]
    return tuple(c.col for c in cells if c is not None and c.text.strip())


def _rows_of(table: Table, rows: list[int], header_rows: int = 0) -> Table:
    """A table of some of ``table``'s rows, renumbered; a vertical merge keeps the rows it still covers."""
    index = {r: i for i, r in enumerate(rows)}
    kept = set(rows)
    cells = []
    for c in table.cells:
        if c.row not in index:
            continue
        span = sum(1 for r in range(c.row, c.row + c.rowspan) if r in kept)
        cells.append(Cell(index[c.row], c.col, c.text, span, c.colspan, c.bold, c.shaded, c.page))
    pages = [table.row_pages[r] for r in rows] if table.row_pages else None
    return Table(len(rows), table.n_cols, cells, table.page, header_rows, table.col_edges, table.bbox, pages)


class _Seen:
    """The row keys of the tables one ``stitch_and_split`` has read, and whether an early row of each
    comes again, by the table's cells (their identities: a table the stitcher left as it was -- every
    DOCX table, a PDF table on one page -- is a copy holding the same cells, and is not keyed again).
    Holds the cells, so their identities stay theirs while it lives."""

    def __init__(self) -> None:
        self.tables: dict[tuple, tuple[list[Cell], list[tuple[str, ...]], bool]] = {}

    def keys(self, table: Table) -> tuple[list[tuple[str, ...]], bool]:
        key = (table.n_rows, table.n_cols, tuple(map(id, table.cells)))
        hit = self.tables.get(key)
        if hit is None:
            hit = self.tables[key] = (list(table.cells), *_row_keys(table))
        return hit[1], hit[2]


#: the words of a key: ``norm_key`` puts one space for each run of anything else, so the words of a
#: row's keys are these runs of its lower-cased texts (a space between cells: no run crosses them)
_KEY_WORD = re.compile(r"[0-9a-z]+")


def _row_keys(table: Table) -> tuple[list[tuple[str, ...]], bool]:
    """Each row's key (its cells' ``norm_key``), and whether an early row comes again.

    The words of each row, which decide most of the test, are read from the row's texts in one
    pass (what ``" ".join(keys).split()`` gives); a row's key is made only for a row that may be a
    repeat, and every key only where one is.
    """
    rows = table.text_rows()
    words = [frozenset(_KEY_WORD.findall(" ".join(row).lower())) for row in rows]
    top = [r for r in range(min(MAX_HEADER_SCAN, table.n_rows)) if words[r]]
    size = [len(w) for w in words]
    made: dict[int, tuple[str, ...]] = {}

    def key(r: int) -> tuple[str, ...]:
        if r not in made:
            made[r] = tuple(norm_key(t) for t in rows[r])
        return made[r]

    # shared words >= 0.7 of the larger set needs sizes within 0.7 of each other: tested first, it spares
    # the intersection of a short header with every long body row
    again = any(0.7 * max(size[t], size[r]) <= min(size[t], size[r])
                and len(words[t] & words[r]) >= 0.7 * max(size[t], size[r]) and _same_row(key(t), key(r))
                for r in range(2, table.n_rows) for t in top if t < r)
    return ([key(r) for r in range(len(rows))] if again else []), again


def _pieces(table: Table, marked: int = 0, lexicon: dict | None = None,
            seen: _Seen | None = None) -> list[list[int]] | None:
    """The rows of each table ``table`` holds (a header repeated alone left out), or None for one
    (``seen``: the row keys of tables already read, see :class:`_Seen`)."""
    if table.n_rows < 4:
        return None
    keys, again = seen.keys(table) if seen is not None else _row_keys(table)
    if not again:
        return None  # no early row comes again: no header repeats (and no layout to read)
    layout = analyse(StitchedTable(table, repeated_header_rows=marked), lexicon)
    if layout.kind not in _KINDS or not layout.header_rows:
        return None
    heads = layout.header_rows
    first, n_head = heads[0], len(heads)
    grid = table.grid()
    title_shapes = [_shape(grid, r, table.n_cols) for r in range(first)]
    pieces: list[list[int]] = [list(range(layout.body_start))]
    r = layout.body_start
    while r < table.n_rows:
        repeat = r + n_head <= table.n_rows and all(
            any(keys[h]) and _same_row(keys[h], keys[r + k]) for k, h in enumerate(heads))
        if not repeat:
            pieces[-1].append(r)
            r += 1
            continue
        titles = 0  # rows above laid out as the table's title rows, nearest first
        while (titles < first and pieces[-1] and pieces[-1][-1] == r - titles - 1
               and _shape(grid, r - titles - 1, table.n_cols) == title_shapes[first - titles - 1]):
            titles += 1
        if not first and len(pieces[-1]) > 1 and pieces[-1][-1] == r - 1 \
                and len(_shape(grid, r - 1, table.n_cols)) == 1 and table.n_cols > 1 \
                and not any(c is not None and c.row < r - 1 for c in grid[r - 1]):
            titles = 1  # the first header had no title above it (a page began there): one text alone
            # just above a repeat is that section's title, unless a cell above is merged down over it
        if titles:
            moved = pieces[-1][-titles:]
            del pieces[-1][-titles:]
            pieces.append(moved + list(range(r, r + n_head)))
        r += n_head
    pieces = [p for p in pieces if p]
    return None if len(pieces) == 1 and len(pieces[0]) == table.n_rows else pieces


def split_table(table: Table, lexicon: dict | None = None, seen: _Seen | None = None) -> list[Table]:
    """``table`` cut at each repetition of its header with its title rows; a header repeated alone dropped."""
    pieces = _pieces(table, table.header_rows, lexicon, seen)
    if pieces is None:
        return [table]
    return [_rows_of(table, p, table.header_rows if n == 0 else 0) for n, p in enumerate(pieces)]


def split_stitched(st: StitchedTable, lexicon: dict | None = None, seen: _Seen | None = None) -> list[StitchedTable]:
    """The same for a table stitched over pages: a page may start the next section's table, and the
    stitcher, seeing the same columns, joins it to the one before."""
    pieces = _pieces(st.table, st.repeated_header_rows, lexicon, seen)
    if pieces is None:
        return [st]
    out = []
    for n, rows in enumerate(pieces):
        starts = {i for i, r in enumerate(rows) if i and r in st.fragment_starts}
        first = n == 0
        out.append(StitchedTable(_rows_of(st.table, rows, st.table.header_rows if first else 0), starts,
                                 st.repeated_header_rows if first else 0))
    return out


def stitch_and_split(blocks: list[Block], lexicon: dict | None = None) -> list[Block | StitchedTable]:
    """The document's blocks stitched (``normalise.stitch``), each table cut at its repeated headers
    before and after."""
    out: list[Block | StitchedTable] = []
    seen = _Seen()
    for block in stitch([t for b in blocks for t in (split_table(b, lexicon, seen) if isinstance(b, Table) else [b])]):
        out.extend(split_stitched(block, lexicon, seen) if isinstance(block, StitchedTable) else [block])
    return out
