"""Reading a stitched table's layout: title rows, header rows, column meanings, kind.

Format-neutral: it sees only the grid of cells (texts, spans, bold) and the
rows a reader or the stitcher marked as repeated headers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.document import Cell, Table
from normalise import rag
from normalise.columns import ColumnMap, content_field, is_matrix_corner, map_header
from normalise.matrix import columns as matrix_columns
from normalise.matrix import detect as detect_matrix
from normalise.stitch import StitchedTable
from normalise.text import clean, is_ref, one_line

MAX_HEADER_SCAN = 4


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


def _unnamed_column(grid, body: range, c: int) -> ColumnMap:
    """Content check for a column with no header: references, or group labels (a section)."""
    vals = _column_values(grid, body, c)
    if not vals:
        return ColumnMap("", None, "empty column")
    refs = sum(is_ref(v) or is_ref(v.split(" ")[0]) and len(v) < 15 for v in vals)
    if refs >= 0.6 * len(vals):
        return ColumnMap("", "ref", "no header; values look like references")
    tall = [own(grid, r, c) for r in body]
    if any(cell is not None and cell.rowspan > 1 for cell in tall) or len(vals) <= len(body) / 2:
        return ColumnMap("", "section", "no header; labels spanning groups of rows")
    return ColumnMap("", None, "no header; kept in extra")


def _is_indicator_list(texts: list[list[str]]) -> bool:
    """Rows of a reference and a name each: a list of indicators, not a table of actions."""
    rows = [[t for t in row if t] for row in texts]
    rows = [row for row in rows if row]
    if len(rows) < 3:
        return False
    hits = sum(1 for row in rows if len(row) == 2 and is_ref(row[0]) and len(row[1]) > 3)
    return hits >= 0.8 * len(rows)


def analyse(st: StitchedTable, lexicon: dict | None = None, priorities: list | None = None) -> Layout:
    """Find title and header rows, map columns, and classify the table (``priorities``: the plan's
    declared priorities, evidence that an axis of a matrix lists priorities)."""
    table: Table = st.table
    grid = table.grid()
    n_rows, n_cols = table.n_rows, table.n_cols
    texts = [row_texts(grid, r) for r in range(n_rows)]  # read once: each cell is cleaned on reading
    non_empty = [t for row in texts for t in row if t]
    if n_rows == 1 and len(set(non_empty)) <= 2:
        return Layout("heading", title=" ".join(one_line(t) for t in dict.fromkeys(non_empty)) or None,
                      body_start=n_rows)
    if _is_indicator_list(texts):
        return Layout("indicators", body_start=0, headers=[""] * n_cols,
                      columns=[ColumnMap("", None, "indicator list")] * n_cols)
    best_r, best_score = None, 0
    matrix_at = detect_matrix(grid, n_rows, n_cols, lexicon, priorities)  # normalise/matrix.py
    if matrix_at is not None:
        best_r, best_score = matrix_at[0], 99
    for r in range(min(MAX_HEADER_SCAN, n_rows) if matrix_at is None else 0):
        score, _ = _header_score(grid, r, lexicon)
        corner = own(grid, r, 0)
        if corner is not None and is_matrix_corner(corner.text, lexicon) and n_cols >= 3:
            best_r, best_score = r, 99
            break
        if score >= 2 and score > best_score:
            best_r, best_score = r, score
            break
    if best_r is None:
        return Layout("other", body_start=0, headers=_flatten(grid, [0], n_cols),
                      columns=[ColumnMap("", None, "no header row")] * n_cols)
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
    columns = []
    for c, h in enumerate(headers):
        columns.append(map_header(h, lexicon) if h else _unnamed_column(grid, body, c))
    taken = {cm.field for cm in columns}
    for c, cm in enumerate(columns):
        if cm.field is None and cm.how.startswith("no synonym"):
            guess = content_field(_column_values(grid, body, c))
            if guess and guess[0] not in taken:
                columns[c] = ColumnMap(cm.header, guess[0], guess[1])
                taken.add(guess[0])
    for c, cm in enumerate(columns):  # coloured cells, little text: RAG as colour, whatever the header
        if cm.field is None and "status" not in taken and rag.is_rag_column([own(grid, r, c) for r in body]):
            columns[c] = ColumnMap(cm.header, "status", "content: cells coloured red/amber/green")
            taken.add("status")
    mapped = {cm.field for cm in columns}
    kind = "actions" if "action" in mapped or {"lead", "progress"} <= mapped else "other"
    return Layout(kind, header_rows, body_start, title, headers, columns)
