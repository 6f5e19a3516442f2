"""Spreadsheet trackers (``.xlsx``; ``.xls``/``.ods`` converted by LibreOffice) into the neutral model.

Many boards kept their action plan as an Excel tracker: one sheet per
priority or year, merged cells for a priority over its actions, RAG status as
the fill of a cell.  Each visible sheet becomes a heading (its name) and one
table, its used range, so the normaliser reads a tracker as it reads a Word
table:

- the used range is where cells hold a value (or a fill: a RAG cell may have
  no text); rows and columns hidden in Excel, and rows and columns left empty
  inside the range, are dropped; a hidden sheet or one with no value is skipped;
  blank rows part a title or key block from the tracker under it when the
  tracker uses columns the block does not (then each is a table);
- merged ranges become row/column spans over the rows and columns kept;
- a cell's fill (solid pattern; literal, theme with tint, or indexed colour)
  is its ``fill``; bold font its ``bold``;
- text keeps its line breaks (wrapped cells are typed with Alt+Enter) and
  bullet glyphs become ``• ``;
- dates are written as a person reads them: a month format (``mmm-yy``)
  gives 'Mar 2015', any other date '31/03/2015'; whole numbers lose '.0';
  percentages keep their '%';
- rows frozen at the top of a sheet (its header, kept on screen) count as
  header rows, as Word's repeated header rows do.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from pathlib import Path

from extract.colour import excel_colour, theme_scheme, visible_fill
from extract.layout import normalise_bullets
from models.document import Cell, Document, Heading, Table
from models.errors import ExtractError, MissingDependency

#: A cell a long way beyond the data is a formatting stray, not part of the tracker.
MAX_CELLS = 200_000


def _text(value, number_format: str | None) -> str:
    """A cell's value as the text a person reads on screen."""
    if value is None:
        return ""
    fmt = (number_format or "General").lower()
    if isinstance(value, dt.datetime | dt.date):
        if isinstance(value, dt.time):
            return value.strftime("%H:%M")
        plain = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", fmt)  # quoted text, colours, escapes
        if "d" not in plain and "m" in plain:
            return value.strftime("%B %Y" if "mmmm" in plain else "%b %Y")
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if "%" in fmt:
            pct = value * 100
            return f"{pct:.0f}%" if float(pct).is_integer() else f"{pct:g}%"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return f"{value:g}" if isinstance(value, float) else str(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "")
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.split("\n")]
    return normalise_bullets("\n".join(ln for ln in lines if ln))


def _fill(cell, scheme: dict[str, str]) -> str | None:
    fill = getattr(cell, "fill", None)
    if fill is None or getattr(fill, "fill_type", None) != "solid":
        return None
    return visible_fill(excel_colour(fill.fgColor, scheme))


def _hidden_columns(ws) -> set[int]:
    out: set[int] = set()
    for dim in ws.column_dimensions.values():
        if dim.hidden and dim.min and dim.max:
            out.update(range(dim.min, dim.max + 1))
    return out


def _frozen_rows(ws) -> int:
    """Rows frozen at the top of the sheet (its header kept on screen), 0 when none."""
    pane = ws.freeze_panes
    if not pane:
        return 0
    m = re.match(r"^[A-Z]+(\d+)$", str(pane))
    return int(m.group(1)) - 1 if m else 0


def sheet_tables(ws, scheme: dict[str, str]) -> list[Table]:
    """One sheet's used range as tables: one, or more where blank rows part blocks of different
    columns (a title or a key above the tracker); none when the sheet holds no value."""
    hidden_rows = {r for r, dim in ws.row_dimensions.items() if dim.hidden}
    hidden_cols = _hidden_columns(ws)
    values: dict[tuple[int, int], tuple[str, str | None, bool]] = {}
    for row in ws.iter_rows():
        for cell in row:
            if not hasattr(cell, "column") or cell.row in hidden_rows or cell.column in hidden_cols:
                continue
            text = _text(cell.value, cell.number_format)
            fill = _fill(cell, scheme)
            if text or fill:
                bold = bool(cell.font is not None and cell.font.b)
                values[(cell.row, cell.column)] = (text, fill, bold)
            if len(values) > MAX_CELLS:
                raise ExtractError(f"sheet '{ws.title}' has over {MAX_CELLS} cells")
    if not any(text for text, _, _ in values.values()):
        return []
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for rng in ws.merged_cells.ranges:
        spans[(rng.min_row, rng.min_col)] = (rng.max_row, rng.max_col)
        covered.update((r, c) for r in range(rng.min_row, rng.max_row + 1)
                       for c in range(rng.min_col, rng.max_col + 1) if (r, c) != (rng.min_row, rng.min_col))
    # a merged range counts where its top-left cell holds something; a fill with no text beyond the
    # last text (a whole column formatted green) is formatting, not a row or column of the tracker
    used = {rc for rc in values if rc not in covered}
    texted = [rc for rc in used if values[rc][0]]
    last_row, last_col = max(r for r, _ in texted), max(c for _, c in texted)
    used = {(r, c) for r, c in used if r <= last_row and c <= last_col}
    frozen = _frozen_rows(ws)
    return [_table(block, used, values, spans, frozen) for block in _blocks(used, spans, hidden_rows)]


def _blocks(used: set[tuple[int, int]], spans: dict[tuple[int, int], tuple[int, int]],
            hidden_rows: set[int]) -> list[list[int]]:
    """The sheet's rows in blocks: a blank row (not hidden, no merged cell across it) ends a block,
    and a block stays apart only when it uses a column the block above does not (a narrow title or
    key over the tracker); blank spacer rows inside a tracker, and notes under it, stay in it."""
    rows = sorted({r for r, _ in used})
    merged_over = {r for (r0, c0), (r1, _) in spans.items() if (r0, c0) in used for r in range(r0 + 1, r1 + 1)}
    parts: list[list[int]] = [[rows[0]]]
    for prev, r in zip(rows, rows[1:], strict=False):
        gap = [x for x in range(prev + 1, r) if x not in hidden_rows and x not in merged_over]
        if gap:
            parts.append([r])
        else:
            parts[-1].append(r)
    cols_of = [{c for r, c in used if r in set(part)} for part in parts]
    blocks, block_cols = [parts[0]], [cols_of[0]]
    for part, cols in zip(parts[1:], cols_of[1:], strict=True):
        if cols <= block_cols[-1]:
            blocks[-1] += part
        else:
            blocks.append(part)
            block_cols.append(cols)
    return blocks


def _table(rows: list[int], used: set[tuple[int, int]], values: dict, spans: dict, frozen: int) -> Table:
    """One block of sheet rows as a table: columns it uses, merged ranges as spans over the rows and
    columns kept, frozen top rows as header rows."""
    mine = sorted((r, c) for r, c in used if r in set(rows))
    cols = sorted({c for _, c in mine})
    row_at = {r: i for i, r in enumerate(rows)}
    col_at = {c: i for i, c in enumerate(cols)}
    cells = []
    for (r, c) in mine:
        text, fill, bold = values[(r, c)]
        r1, c1 = spans.get((r, c), (r, c))
        rowspan = sum(1 for x in rows if r <= x <= r1)
        colspan = sum(1 for x in cols if c <= x <= c1)
        cells.append(Cell(row_at[r], col_at[c], text, max(rowspan, 1), max(colspan, 1), bold=bold,
                          shaded=fill is not None, fill=fill))
    header_rows = sum(1 for r in rows if r <= frozen) if frozen else 0
    return Table(n_rows=len(rows), n_cols=len(cols), cells=cells,
                 header_rows=header_rows if header_rows < len(rows) else 0)


def read_xlsx(path: Path) -> Document:
    """Read every visible sheet of a workbook: its name as a heading, then its used range as a table."""
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - core dependency
        raise ExtractError("openpyxl is not installed (pip install openpyxl)", file=str(path)) from exc
    from extract.docx import check_package

    check_package(path, path.suffix.lstrip('.').upper() or 'XLSX')
    try:
        wb = openpyxl.load_workbook(str(path), data_only=True, rich_text=False)
    except Exception as exc:  # zip, XML or openpyxl's own errors: a workbook it cannot read
        raise ExtractError(f"not a readable spreadsheet ({exc.__class__.__name__}: {exc})",
                           file=str(path)) from exc
    try:
        scheme = theme_scheme(getattr(wb, "loaded_theme", None))
        blocks: list = []
        for ws in wb.worksheets:
            if ws.sheet_state != "visible":
                continue
            tables = sheet_tables(ws, scheme)
            if tables:
                blocks += [Heading(ws.title, level=2), *tables]  # level 2: the workbook's title stays the title
        title = (wb.properties.title or None) if wb.properties is not None else None
    finally:
        wb.close()
    return Document(source=str(path), format="xlsx", blocks=blocks, title=title)


def read_converted(path: Path) -> Document:
    """``.xls``/``.ods``: converted to XLSX by LibreOffice (as ``.doc`` is to DOCX), then read as XLSX."""
    from extract.doc import convert

    with tempfile.TemporaryDirectory(prefix="boardplans-sheet-") as tmp:
        try:
            converted = convert(path, "xlsx", Path(tmp))
        except ExtractError as exc:
            if not isinstance(exc, MissingDependency) and not _has_calc():
                raise MissingDependency(f"{path.suffix.lower()} needs LibreOffice Calc to convert it "
                                        "(apt-get install libreoffice-calc)", file=str(path)) from exc
            raise
        doc = read_xlsx(converted)
    doc.format = path.suffix.lower().lstrip(".")
    doc.source = str(path)
    return doc


def _has_calc() -> bool:
    """LibreOffice's Calc module is installed (Debian packages it apart from Writer)."""
    from extract.doc import soffice

    exe = soffice()
    if exe is None:
        return False
    program = Path(shutil.which(exe) or exe).resolve().parent
    return any((program / name).exists() for name in ("libsclo.so", "scalc", "scalc.exe"))


def read_odt(path: Path) -> Document:
    """OpenDocument text: converted to DOCX by LibreOffice, then read as DOCX."""
    from extract.doc import read_as_docx

    return read_as_docx(path, "odt")


__all__ = ["read_converted", "read_odt", "read_xlsx", "sheet_tables"]
