"""camelot as a second PDF table engine (``--engine camelot``).

camelot finds the tables; everything else is the pdfplumber reader's, so the
two engines give the same :class:`models.document.Document` and a cell reads
the same whichever engine found it:

- *lattice* (ruled tables) runs on every page.  Its grid cells carry flags
  for the borders they have; neighbouring cells with no border between them
  are one merged cell, so each connected group becomes one cell box with its
  row/column span.  The boxes are filled with the page's words by
  :func:`extract.pdf.grid_table` (bullets, paragraph breaks, broken words
  handled as for pdfplumber's grids).
- *stream* (borderless tables) runs only on pages where lattice found none
  (camelot 2's ``network`` flavor, stream's successor, where available: see
  ``AREA_FLAVORS``).  Its table areas are kept, but not its grid: stream makes every text line a
  row, which would cut a multi-line Action cell into many rows, and finds its
  columns from text edges, which wrapped left-aligned text blurs.  Within
  each area the lines are read by :func:`extract.borderless.find_tables`
  (column gaps, row anchors); what it rejects (prose, a list) stays prose,
  since stream reads any page of text as a table.
- Words outside the tables become prose, headings and page furniture exactly
  as in :func:`extract.pdf.read_pdf`, which this module calls with its finder.

camelot is imported only when this engine is chosen; a missing package is a
:class:`models.errors.MissingDependency` naming it.
"""

from __future__ import annotations

import importlib
import warnings
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

from extract import borderless
from extract.layout import Word, words_to_lines
from extract.pdf import (
    DEFAULT,
    Box,
    PdfSettings,
    _inside,
    chart_boxes,
    grid_table,
    horizontal_rules,
    page_fills,
    read_pdf,
)
from models.document import Document, Table
from models.errors import ExtractError, MissingDependency


def load_camelot() -> ModuleType:
    """The camelot package, or a clear error naming what to install."""
    try:
        return importlib.import_module("camelot")
    except ImportError as exc:
        raise MissingDependency("the camelot engine needs the camelot-py package "
                                "(pip install camelot-py)") from exc


def _to_top_left(x1: float, y1: float, x2: float, y2: float, height: float) -> Box:
    return (x1, height - y2, x2, height - y1)


def lattice_boxes(table: Any, height: float) -> list[Box]:
    """Cell boxes (top-left origin) of a lattice table, merged where camelot saw no border.

    Grid positions joined through missing borders are one merged cell; its
    box is the bounding box of the positions, so the grid keeps its span.
    """
    cells = table.cells
    n_rows = len(cells)
    n_cols = len(cells[0]) if n_rows else 0
    parent = {(r, c): (r, c) for r in range(n_rows) for c in range(n_cols)}

    def find(p: tuple[int, int]) -> tuple[int, int]:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    def union(a: tuple[int, int], b: tuple[int, int]) -> None:
        parent[find(a)] = find(b)

    for r in range(n_rows):
        for c in range(n_cols):
            cell = cells[r][c]
            if c + 1 < n_cols and not (cell.right or cells[r][c + 1].left):
                union((r, c), (r, c + 1))
            if r + 1 < n_rows and not (cell.bottom or cells[r + 1][c].top):
                union((r, c), (r + 1, c))
    groups: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for pos in parent:
        groups.setdefault(find(pos), []).append(pos)
    boxes = []
    for members in groups.values():
        parts = [cells[r][c] for r, c in members]
        x1 = min(p.x1 for p in parts)
        x2 = max(p.x2 for p in parts)
        y1 = min(p.y1 for p in parts)
        y2 = max(p.y2 for p in parts)
        boxes.append(_to_top_left(x1, y1, x2, y2, height))
    return boxes


def _read(camelot: ModuleType, path: Path, pages: str, flavor: str, password: str | None) -> list[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "No tables found on page-N" and friends
        kwargs: dict[str, Any] = {"pages": pages, "flavor": flavor, "suppress_stdout": True}
        if password:
            kwargs["password"] = password
        try:
            return list(camelot.read_pdf(str(path), **kwargs))
        except Exception as exc:  # camelot raises bare exceptions for odd pages
            raise ExtractError(f"camelot {flavor} failed ({exc.__class__.__name__}: {exc})",
                               file=str(path)) from exc


def stream_tables(table: Any, words: list[Word], taken: set[int], page_no: int, height: float,
                  rules: list[borderless.Rule], settings: PdfSettings,
                  right: float | None) -> tuple[list[Table], set[int]]:
    """The tables inside one stream area, with columns and rows read by our alignment rules.

    camelot's stream columns come from text edges, which left-aligned wrapped
    text blurs (on a plan's Action/Lead/Progress table it finds two columns),
    and its rows are text lines; so camelot decides *where* a borderless
    table is, and :func:`extract.borderless.find_tables` reads it (keeping
    camelot's column separators as boundaries where no text crosses them).
    """
    x1, y1, x2, y2 = table._bbox
    box = _to_top_left(x1, y1, x2, y2, height)
    pad = 2.0
    box = (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
    idx = {i for i, w in enumerate(words) if i not in taken and _inside(w, box)}
    if not idx:
        return [], set()
    lines = words_to_lines([words[i] for i in sorted(idx)], settings.line_tolerance)
    found, rest = borderless.find_tables(lines, page_no, rules, replace(settings.borderless, enabled=True),
                                         right, settings.cell_padding)
    left = {id(w) for ln in rest for w in ln.words}
    return found, {i for i in idx if id(words[i]) not in left}


#: Flavors tried, in order, for borderless table areas: camelot 2's "network" (stream's
#: text-alignment successor) finds every table of a borderless plan where "stream" misses some
#: (on tests/data/borderless_surrey.pdf: all four fragments against two); older camelot has
#: only "stream".
AREA_FLAVORS = ("network", "stream")


def _read_areas(camelot: ModuleType, path: Path, pages: str, password: str | None) -> list[Any]:
    last: ExtractError | None = None
    for flavor in AREA_FLAVORS:
        try:
            return _read(camelot, path, pages, flavor, password)
        except ExtractError as exc:  # an unknown flavor in this camelot version
            last = exc
    assert last is not None
    raise last


def camelot_finder(path: Path, pages: list[Any], settings: PdfSettings, password: str | None):
    """A table finder for :func:`extract.pdf.read_pdf` backed by camelot (lattice, then stream)."""
    camelot = load_camelot()
    heights = {i: float(p.height) for i, p in enumerate(pages, start=1)}
    lattice: dict[int, list[Any]] = {}
    for t in _read(camelot, path, "all", "lattice", password):
        lattice.setdefault(int(t.page), []).append(t)
    rest = [str(i) for i in heights if i not in lattice]
    stream: dict[int, list[Any]] = {}
    if rest:
        for t in _read_areas(camelot, path, ",".join(rest), password):
            stream.setdefault(int(t.page), []).append(t)

    def finder(page: Any, words: list[Word], page_no: int, settings: PdfSettings) -> tuple[list[Table], set[int]]:
        tables: list[Table] = []
        used: set[int] = set()
        height = heights[page_no]
        fills = page_fills(page) if lattice.get(page_no) else []  # cell shading, as the other engines read it
        for t in lattice.get(page_no, []):
            boxes = lattice_boxes(t, height)
            if len(boxes) < settings.min_cells:
                continue
            x1, y1, x2, y2 = t._bbox
            table, consumed = grid_table(boxes, words, page_no, settings,
                                         bbox=_to_top_left(x1, y1, x2, y2, height), fills=fills)
            if not consumed:
                continue
            tables.append(table)
            used |= consumed
        if stream.get(page_no):
            rules = horizontal_rules(page)
            charts = chart_boxes(page)
            right = max((w.x1 for w in words), default=None)
            for t in stream[page_no]:
                found, consumed = stream_tables(t, words, used, page_no, height, rules, settings, right)
                if charts and any(table.bbox and sum(1 for c in charts if _inside(
                        Word("", c[0], c[1], c[2], c[3]), table.bbox)) >= 2 for table in found):
                    continue  # a chart's labels
                tables.extend(found)
                used |= consumed
        return tables, used

    return finder


def read_pdf_camelot(path: Path, *, settings: PdfSettings = DEFAULT, password: str | None = None) -> Document:
    """Read a PDF with camelot finding the tables and the pdfplumber reader doing the rest."""
    load_camelot()  # fail early, with the package name, before any parsing
    import pdfplumber
    try:
        with pdfplumber.open(str(path), password=password or "") as pdf:
            pages = list(pdf.pages)
            finder = camelot_finder(path, pages, settings, password)
    except ExtractError:
        raise
    except Exception as exc:
        raise ExtractError(f"not a readable PDF ({exc.__class__.__name__}: {exc})", file=str(path)) from exc
    # camelot alone finds the tables: our own borderless search stays off for this engine
    only_camelot = replace(settings, borderless=replace(settings.borderless, enabled=False))
    return read_pdf(path, engine="camelot", settings=only_camelot, password=password, finder=finder)
