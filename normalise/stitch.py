"""Stitching table fragments that a page break cut apart.

Readers emit one table per page fragment.  A fragment continues the table
before it when it is the next block, starts on a following page, and has the
same column layout (count, and edge positions when the reader knows them).
Leading rows of the continuation that repeat the table's first rows (Word's
repeated header rows) are dropped.  Whether the first remaining row is the
tail of a row the break split is decided later, when the columns' meaning is
known; here each row only remembers its page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher

from models.document import Block, Table
from normalise.text import norm_key


@dataclass
class StitchedTable:
    """A logical table: one grid over all its fragments."""

    table: Table
    #: indexes of rows that begin a new page fragment (after dropped repeated headers)
    fragment_starts: set[int] = field(default_factory=set)
    repeated_header_rows: int = 0


def _row_keys(table: Table, n: int) -> list[tuple[str, ...]]:
    """The keys of the first ``n`` rows (``table.text_rows()[:n]`` keyed, without laying out the
    rest: a table stitched over many pages is asked again for each page)."""
    rows = [[""] * table.n_cols for _ in range(min(n, table.n_rows))]
    for cell in table.cells:
        if cell.row < len(rows) and cell.col < table.n_cols:
            rows[cell.row][cell.col] = cell.text
    return [tuple(norm_key(t) for t in row) for row in rows]


def same_layout(a: Table, b: Table, tolerance: float = 4.0) -> bool:
    """Same column count and, where known, the same column edges."""
    if a.n_cols != b.n_cols:
        return False
    if a.col_edges and b.col_edges and len(a.col_edges) == len(b.col_edges):
        return all(abs(x - y) <= tolerance for x, y in zip(a.col_edges, b.col_edges, strict=True))
    return True


def continues(prev: Table, nxt: Table, last_page: int | None) -> bool:
    """Whether ``nxt`` is the next page's part of ``prev``."""
    if last_page is None or nxt.page is None:
        return False  # formats without pages (DOCX) never split a table
    return nxt.page == last_page + 1 and same_layout(prev, nxt)


def widened(prev: Table, nxt: Table, tolerance: float = 4.0) -> Table | None:
    """``nxt`` laid out on ``prev``'s columns when it has fewer, each edge on one of ``prev``'s: a page
    of a table without borders where a column holds no text (an empty column has no edges to see)."""
    a, b = prev.col_edges, nxt.col_edges
    if not a or not b or nxt.n_cols >= prev.n_cols or len(a) != prev.n_cols + 1 or len(b) != nxt.n_cols + 1:
        return None
    idx = []
    for x in b:
        j = min(range(len(a)), key=lambda j: abs(a[j] - x))
        if abs(a[j] - x) > tolerance or (idx and j <= idx[-1]):
            return None
        idx.append(j)
    cells = [replace(c, col=idx[c.col], colspan=idx[c.col + c.colspan] - idx[c.col]) for c in nxt.cells]
    return Table(nxt.n_rows, prev.n_cols, cells, nxt.page, nxt.header_rows, a, nxt.bbox,
                 list(nxt.row_pages) if nxt.row_pages else None)


def _same_row(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Rows equal, or nearly (a repeated header whose cell text wrapped differently on this page)."""
    if a == b:
        return True
    ja, jb = " ".join(a).split(), " ".join(b).split()
    if not ja or not jb:
        return False
    words = SequenceMatcher(None, ja, jb)
    # quick_ratio() bounds ratio() from above (the same formula over a superset of the matches): a
    # pair of rows it puts under the bar is under it, without the longest-match search
    if words.quick_ratio() < 0.85 or words.ratio() < 0.85:
        return False
    # a header may be worded a little differently on a later page ('Lead PB' for 'Lead PB and Lead
    # Officer'), but then in the same columns; wrapping, or a converter cutting text at column edges,
    # moves spaces and not letters.  Either must hold, or a short body row sharing most of its few
    # words with the header ('0 | Action | 0') would be taken for a repeat and dropped.
    same_columns = [bool(x) for x in a] == [bool(x) for x in b]
    return same_columns or SequenceMatcher(None, "".join(ja), "".join(jb)).ratio() >= 0.9


def repeated_rows(head: Table, nxt: Table, max_rows: int = 4) -> int:
    """How many leading rows of ``nxt`` repeat leading rows of ``head``, in order: all of them, or
    some (a page that repeats the column header row but not the title row above it)."""
    a, b = _row_keys(head, max_rows), _row_keys(nxt, max_rows)
    n = j = 0
    while n < min(len(b), nxt.n_rows) and any(b[n]):
        while j < len(a) and not (any(a[j]) and _same_row(a[j], b[n])):
            j += 1
        if j == len(a):
            break
        n, j = n + 1, j + 1
    return n


def _open_merges(base: Table) -> dict[int, int]:
    """Columns whose last-row cell is a vertical merge that started above (index into cells)."""
    last = base.n_rows - 1
    out = {}
    for i, c in enumerate(base.cells):
        if c.rowspan > 1 and c.row + c.rowspan - 1 == last:
            out[c.col] = i
    return out


def _append(base: Table, part: Table, skip: int) -> int:
    """Append ``part``'s rows after ``skip`` to ``base``; return the first new row index.

    An empty cell at the top of the continuation under a vertically merged
    cell that reached the bottom of the previous page is that merged cell
    carried over the break: the merge is extended instead of adding the cell.
    """
    offset = base.n_rows - skip
    merges = _open_merges(base)
    for c in part.cells:
        if c.row < skip:
            continue
        i = merges.get(c.col)
        if c.row == skip and i is not None and not c.text.strip() and base.cells[i].colspan == c.colspan:
            m = base.cells[i]
            base.cells[i] = replace(m, rowspan=m.rowspan + c.rowspan)
            continue
        base.cells.append(replace(c, row=c.row + offset))
    pages = part.row_pages or [part.page] * part.n_rows
    base.row_pages = (base.row_pages or [base.page] * base.n_rows) + list(pages[skip:])
    start = base.n_rows
    base.n_rows += part.n_rows - skip
    return start


def stitch(blocks: list[Block]) -> list[Block | StitchedTable]:
    """Blocks with consecutive table fragments merged into :class:`StitchedTable` s."""
    out: list[Block | StitchedTable] = []
    current: StitchedTable | None = None
    last_page: int | None = None
    for block in blocks:
        if isinstance(block, Table):
            wide = widened(current.table, block) if current is not None else None
            if wide is not None and continues(current.table, wide, last_page):
                block = wide
            if current is not None and continues(current.table, block, last_page):
                skip = repeated_rows(current.table, block)
                current.repeated_header_rows = max(current.repeated_header_rows, skip)
                start = _append(current.table, block, skip)
                current.fragment_starts.add(start)
                last_page = block.page
                continue
            copy = Table(block.n_rows, block.n_cols, list(block.cells), block.page, block.header_rows,
                         block.col_edges, block.bbox, list(block.row_pages) if block.row_pages else None)
            current = StitchedTable(copy)
            out.append(current)
            last_page = block.page
        else:
            out.append(block)
            current = None  # prose between two tables: they are separate tables
    return out
