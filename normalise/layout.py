"""Reading a stitched table's layout: title rows, header rows, column meanings, kind.

Format-neutral: it sees only the grid of cells (texts, spans, bold) and the
rows a reader or the stitcher marked as repeated headers.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from models.document import Cell, Table
from normalise import rag
from normalise.columns import ColumnMap, is_matrix_corner, map_header
from normalise.dates import find_months
from normalise.matrix import columns as matrix_columns
from normalise.matrix import detect as detect_matrix
from normalise.roles import ColumnFacts, assign, is_neutral
from normalise.stitch import StitchedTable
from normalise.text import clean, is_ref, one_line

MAX_HEADER_SCAN = 4
#: a table with fewer body rows of text than this is too little evidence to read its columns
#: alone: it reads them from the pooled cells of its family (tables under the same header row)
FAMILY_ROWS = 4


@dataclass
class Layout:
    """What a table is and how its columns read."""

    kind: str                      # actions | matrix | indicators | heading | other
    header_rows: list[int] = field(default_factory=list)
    body_start: int = 0
    title: str | None = None       # a title row above the header (section of the table)
    headers: list[str] = field(default_factory=list)
    columns: list[ColumnMap] = field(default_factory=list)

    def fields(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for i, cm in enumerate(self.columns):
            if cm.field:
                out.setdefault(cm.field, []).append(i)
        return out


def own(grid: list[list[Cell | None]], r: int, c: int) -> Cell | None:
    """The cell whose origin is exactly (r, c), if any."""
    cell = grid[r][c]
    return cell if cell is not None and cell.row == r and cell.col == c else None


def row_texts(grid: list[list[Cell | None]], r: int) -> list[str]:
    """Texts of row r, a horizontally spanned position empty, a vertical span repeated."""
    out = []
    for c, cell in enumerate(grid[r]):
        out.append(clean(cell.text) if cell is not None and cell.col == c else "")
    return out


def _header_score(grid, r: int, lexicon: dict | None) -> tuple[int, list[ColumnMap]]:
    maps = []
    for c, cell in enumerate(grid[r]):
        text = one_line(cell.text) if cell is not None and cell.col == c else ""
        maps.append(map_header(text, lexicon) if text and len(text) <= 60 else ColumnMap(text, None, "not a header"))
    fields = {m.field for m in maps if m.field}
    return len(fields), maps


def _is_sub_header(grid, header_r: int, r: int) -> bool:
    """Row r holds second-level headers under spanning cells of the header row."""
    if r >= len(grid):
        return False
    spans = [c for c, cell in enumerate(grid[header_r]) if cell is not None and cell.colspan > 1]
    if not spans:
        return False
    texts = row_texts(grid, r)
    under = set()
    for c in spans:
        cell = grid[header_r][c]
        under.update(range(cell.col, cell.col + cell.colspan))
    has_under = False
    for c, text in enumerate(texts):
        cell = grid[r][c]
        if cell is not None and cell.row < r:
            continue  # vertically merged with the header row
        if text and c not in under:
            return False
        if text and c in under:
            has_under = len(text) <= 40
    return has_under


def _flatten(grid, rows: list[int], n_cols: int) -> list[str]:
    headers = []
    for c in range(n_cols):
        parts: list[str] = []
        for r in rows:
            cell = grid[r][c]
            text = one_line(cell.text) if cell is not None else ""
            if text and text not in parts:
                parts.append(text)
        headers.append(": ".join(parts))
    return headers


def _column_values(grid, body: range, c: int) -> list[str]:
    """Texts of the column's own single-column cells (full-width notes and dividers excluded)."""
    vals = []
    for r in body:
        cell = own(grid, r, c)
        if cell is not None and cell.colspan == 1 and cell.text.strip():
            vals.append(one_line(cell.text))
    return vals


def _facts(grid, body: Sequence[int], n_cols: int) -> list[ColumnFacts]:
    """Each column's body as the role evidence reads it (see ``normalise/roles.py``)."""
    rows = sum(any(cell is not None and cell.row == r and cell.text.strip() for cell in grid[r]) for r in body)
    out = []
    for c in range(n_cols):
        spans = [cell.rowspan for r in body if (cell := own(grid, r, c)) is not None and cell.rowspan > 1]
        spanned = min(1.0, sum(spans) / len(body)) if len(body) else 0.0
        out.append(ColumnFacts(tuple(_column_values(grid, body, c)), rows, bool(spans), spanned))
    return out


def _looks_like_header(grid, r: int, n_rows: int) -> bool:
    """A row of short labels over longer body text, none of them data (a reference, a date):
    the header row of a table whose wording the lexicon does not know ('Column 1', questions)."""
    texts = [one_line(t) for t in row_texts(grid, r)]
    filled = [t for t in texts if t]
    if len(filled) < 2 or any(len(t) > 60 for t in filled):
        return False
    if any(is_ref(t) or find_months(t) for t in filled):
        return False
    cells = [own(grid, r, c) for c in range(len(texts))]
    styled = all(cell is not None and (cell.bold or cell.shaded) for cell, t in zip(cells, texts, strict=True) if t)
    below = [len(one_line(t)) for rr in range(r + 1, min(n_rows, r + 6)) for t in row_texts(grid, rr) if t.strip()]
    if not below:
        return False
    longer = max(below) >= 40 and statistics.mean(below) >= 1.5 * statistics.mean(len(t) for t in filled)
    return longer or styled and not _styled_body(grid, r + 1, n_rows)


def _styled_body(grid, start: int, n_rows: int) -> bool:
    cells = [cell for r in range(start, min(n_rows, start + 3)) for cell in grid[r] if cell is not None
             and cell.text.strip()]
    return bool(cells) and all(cell.bold or cell.shaded for cell in cells)


def _header_row(st: StitchedTable, grid, lexicon: dict | None) -> tuple[int | None, int]:
    """The header row and its lexicon score: the first of the top rows naming two fields, else
    (99) a matrix corner, else a row the reader or the stitcher marked as repeated on each page,
    else a row of short labels over long text; ``None`` when the table has no header row."""
    table = st.table
    n_rows, n_cols = table.n_rows, table.n_cols
    for r in range(min(MAX_HEADER_SCAN, n_rows)):
        score, _ = _header_score(grid, r, lexicon)
        corner = own(grid, r, 0)
        if corner is not None and is_matrix_corner(corner.text, lexicon) and n_cols >= 3:
            return r, 99
        if score >= 2:
            return r, score
    marked = max(table.header_rows, st.repeated_header_rows)
    for r in range(min(MAX_HEADER_SCAN, n_rows - 1)):
        if _is_title_row(grid, r, n_cols):
            continue
        if r < marked or _looks_like_header(grid, r, n_rows):
            return r, 0
        break
    return None, 0


def _is_title_row(grid, r: int, n_cols: int) -> bool:
    """One text across the table (perhaps after its number): a title above the header."""
    cells = [cell for c in range(n_cols) if (cell := own(grid, r, c)) is not None and cell.text.strip()]
    body = [cell for cell in cells if not is_ref(one_line(cell.text))]
    return len(body) <= 1 and (not body or body[0].colspan >= max(2, n_cols // 2) or len(cells) == 1)


def _is_indicator_list(texts: list[list[str]]) -> bool:
    """Rows of a reference and a name each: a list of indicators, not a table of actions."""
    rows = [[t for t in row if t] for row in texts]
    rows = [row for row in rows if row]
    if len(rows) < 3:
        return False
    hits = sum(1 for row in rows if len(row) == 2 and is_ref(row[0]) and len(row[1]) > 3)
    return hits >= 0.8 * len(rows)


@dataclass
class _Reading:
    """A table's rows and column facts before its columns are assigned (see ``analyse``)."""

    header_rows: list[int]
    body_start: int
    title: str | None
    headers: list[str]
    facts: list[ColumnFacts]
    named: bool                  # the header row names two fields in the lexicon's words
    body: range

    @property
    def headerless(self) -> bool:
        return not self.header_rows


def _read(st: StitchedTable, lexicon: dict | None, priorities: list | None) -> Layout | _Reading:
    """A table's final layout when its columns need no assigning (a heading, an indicator list, a
    matrix), else its reading: header rows, title, headers and the facts of each column's body."""
    table: Table = st.table
    grid = table.grid()
    n_rows, n_cols = table.n_rows, table.n_cols
    texts = [row_texts(grid, r) for r in range(n_rows)]  # read once: each cell is cleaned on reading
    non_empty = [t for row in texts for t in row if t]
    if n_rows == 1 and len(set(non_empty)) <= 2 and not _is_action_row(st, grid, lexicon):
        return Layout("heading", title=" ".join(one_line(t) for t in dict.fromkeys(non_empty)) or None,
                      body_start=n_rows)
    if _is_indicator_list(texts):
        return Layout("indicators", body_start=0, headers=[""] * n_cols,
                      columns=[ColumnMap("", None, "indicator list")] * n_cols)
    matrix_at = detect_matrix(grid, n_rows, n_cols, lexicon, priorities)  # normalise/matrix.py
    best_r, best_score = (matrix_at[0], 99) if matrix_at is not None else _header_row(st, grid, lexicon)
    if best_r is None:
        body = range(n_rows)
        return _Reading([], 0, None, [""] * n_cols, _facts(grid, body, n_cols), False, body)
    header_rows = [best_r]
    marked = max(table.header_rows, st.repeated_header_rows)
    r = best_r + 1
    while r < n_rows and (r < marked or _is_sub_header(grid, best_r, r)):
        header_rows.append(r)
        r += 1
    body_start = r
    title_parts = []
    for tr in range(best_r):
        for t in row_texts(grid, tr):
            if t and one_line(t) not in title_parts:
                title_parts.append(one_line(t))
    title = " ".join(title_parts) or None
    headers = _flatten(grid, header_rows, n_cols)
    if best_score == 99:
        return Layout("matrix", header_rows, body_start, title, headers,
                      matrix_columns(headers, bool(matrix_at and matrix_at[1]), lexicon))
    body = range(body_start, n_rows)
    facts = _facts(grid, _without_repeats(texts, header_rows, body), n_cols)
    return _Reading(header_rows, body_start, title, headers, facts, best_score >= 2, body)


def analyse(st: StitchedTable, lexicon: dict | None = None, priorities: list | None = None,
            family: list[ColumnFacts] | None = None, read: Layout | _Reading | None = None) -> Layout:
    """Find title and header rows, map columns, and classify the table (``priorities``: the plan's
    declared priorities, evidence that an axis of a matrix lists priorities; ``family``: the
    column facts of all the document's tables under this table's header row, pooled by
    ``families``, read in place of this table's own; ``read``: this table's ``_read`` with the
    same lexicon and priorities, as ``families`` left it in its ``readings``, so that a table is
    not read twice)."""
    if read is None:
        read = _read(st, lexicon, priorities)
    if isinstance(read, Layout):
        return read
    grid = st.table.grid()
    n_cols = st.table.n_cols
    facts = family if family is not None and len(family) == n_cols else read.facts
    if read.headerless:
        return _headerless(st, grid, lexicon, facts)
    columns = assign(read.headers, facts, lexicon)
    taken = {cm.field for cm in columns}
    for c, cm in enumerate(columns):  # coloured cells, little text: RAG as colour, whatever the header
        if cm.field is None and "status" not in taken and rag.is_rag_column([own(grid, r, c) for r in read.body]):
            columns[c] = ColumnMap(cm.header, "status", "content: cells coloured red/amber/green")
            taken.add("status")
    kind = _kind(columns, named=read.named, body_rows=len(read.body))
    if kind == "other" and not read.named:  # a guessed header row over no actions: read as before
        return _plain(grid, n_cols)
    return Layout(kind, read.header_rows, read.body_start, read.title, read.headers, columns)


def _family_key(read: _Reading) -> tuple:
    """Tables of one family: the same header texts (any case), or -- headers that name nothing
    ('Column 1' ..., or no header row) -- the same number of columns and the same header-blind
    shape (which columns are labelled, which are not)."""
    if any(h and not is_neutral(h) for h in read.headers):
        return ("named", tuple(one_line(h).lower() for h in read.headers))
    return ("blind", read.headerless, tuple(bool(h) for h in read.headers))


def _pool(readings: list[_Reading]) -> list[ColumnFacts]:
    """One table's worth of column facts from several: cells joined, rows added, spans weighed by rows."""
    out = []
    for c in range(len(readings[0].facts)):
        parts = [r.facts[c] for r in readings]
        rows = sum(f.rows for f in parts)
        spanned = sum(f.spanned * f.rows for f in parts) / rows if rows else 0.0
        out.append(ColumnFacts(tuple(v for f in parts for v in f.values), rows, any(f.tall for f in parts),
                               spanned))
    return out


def families(tables: Sequence[StitchedTable], lexicon: dict | None = None,
             priorities: list | None = None,
             readings: dict[int, Layout | _Reading] | None = None) -> dict[int, list[ColumnFacts]]:
    """Pooled column facts for each table that shares its header row with another table of the
    document and has too few rows to read alone (keyed by the table's place in ``tables``).

    Plans split one action table into many small ones -- one per priority or section -- under
    the same header row; a table of two rows is too little evidence to read its columns alone,
    while the family shows what each column holds.  Every member's cells count in the pool, but
    a table of ``FAMILY_ROWS`` rows or more keeps its own reading: its cells are evidence
    enough, and a column the plan fills differently from section to section (outputs written
    as reports in one, as measures in another) is then read as each section shows it, as
    before.  Tables with no rows below the header, and those whose columns need no assigning
    (headings, matrices, indicator lists), are no members.

    ``readings``, when given, is filled with each table's ``_read`` (keyed as the result), for
    ``analyse`` to take instead of reading the table again.
    """
    groups: dict[tuple, list[int]] = {}
    members_read: dict[int, _Reading] = {}
    for i, st in enumerate(tables):
        read = _read(st, lexicon, priorities)
        if readings is not None:
            readings[i] = read
        if isinstance(read, Layout) or not any(f.values for f in read.facts):
            continue
        members_read[i] = read
        groups.setdefault(_family_key(read), []).append(i)
    out: dict[int, list[ColumnFacts]] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        pooled = _pool([members_read[i] for i in members])
        for i in members:
            if max(f.rows for f in members_read[i].facts) < FAMILY_ROWS:
                out[i] = pooled
    return out


def _without_repeats(texts: list[list[str]], header_rows: list[int], body: range) -> list[int]:
    """The body rows that are not the header row again: a header repeated inside the table (the
    plan's sections each under their own copy, read as one table) is no evidence of what the
    columns hold; ``normalise.repeats`` cuts the table there once its columns are known."""
    heads = [texts[r] for r in header_rows if any(texts[r])]
    return [r for r in body if texts[r] not in heads] if heads else list(body)


def _plain(grid, n_cols: int) -> Layout:
    """A table that holds no actions, kept whole (its first row as header text, no row left out)."""
    return Layout("other", body_start=0, headers=_flatten(grid, [0], n_cols),
                  columns=[ColumnMap("", None, "no header row")] * n_cols)


def _kind(columns: list[ColumnMap], named: bool, body_rows: int) -> str:
    """Actions when the columns hold an action and who/when/progress: from a header naming the fields,
    or (header-blind) from an instruction text column beside lead, timescale or progress columns."""
    mapped = {cm.field for cm in columns}
    if named:
        return "actions" if "action" in mapped or {"lead", "progress"} <= mapped else "other"
    action = next((cm for cm in columns if cm.field == "action"), None)
    if action is None or body_rows < 1:
        return "other"
    return "actions" if mapped & {"lead", "timescale", "progress", "outcome"} else "other"


def _is_action_row(st: StitchedTable, grid, lexicon: dict | None) -> bool:
    """A one-row table that is one action, not a heading: a long text beside a short cell its
    content reads as a lead or a timescale (plans written as one small table per action)."""
    table = st.table
    texts = [one_line(t) for t in row_texts(grid, 0)]
    filled = [t for t in texts if t]
    if table.n_cols < 2 or len(filled) < 2 or max(len(t) for t in filled) < 60:
        return False
    columns = assign([""] * table.n_cols, _facts(grid, range(1), table.n_cols), lexicon)
    fields = {cm.field for cm in columns}
    return "action" in fields and bool(fields & {"lead", "timescale"})


def _headerless(st: StitchedTable, grid, lexicon: dict | None, facts: list[ColumnFacts] | None = None) -> Layout:
    """A table with no header row: its columns read from their cells alone (or its family's, see
    ``families``); 'other' unless they hold actions (one row alone only when it reads as an action
    row: see ``_is_action_row``)."""
    table = st.table
    body = range(table.n_rows)
    columns = assign([""] * table.n_cols, facts or _facts(grid, body, table.n_cols), lexicon)
    one_row = table.n_rows == 1 and _is_action_row(st, grid, lexicon)
    kind = _kind(columns, named=False, body_rows=table.n_rows - (0 if one_row else 1))
    if kind != "actions":
        return _plain(grid, table.n_cols)
    return Layout(kind, [], 0, None, [""] * table.n_cols, columns)
