"""PDF reader on pdfplumber: ruled tables as grids with spans, text around them as blocks.

The reader works page by page and emits one :class:`Table` per table fragment
on a page; continuation across pages is the normaliser's job.  Steps, each a
small function:

1. ``page_words``: the page's words once, with bold/size (cells and prose both
   draw from this one list, so text is read once per page);
2. ``table_grid``: pdfplumber's ruled-table finder gives cell boxes; their
   edges, clustered, give the grid, and each box's extent gives its spans;
3. ``fill_cells``: each word goes to the cell holding its centre, and the
   cell's lines become text with bullets (``extract.layout.lines_to_text``);
4. ``furniture``: lines repeated in the top/bottom margin of many pages
   (running headers, footers, page numbers) are removed before anything else
   sees them;
5. ``extract.borderless.find_tables``: where no rules draw a table, the lines
   left over are searched for tables from text alignment alone (so ruled
   tables always take precedence, and a footer never becomes a table row);
6. ``prose_blocks``: the lines outside every table become paragraphs and
   headings.

The page loop and the assembly after it are :func:`read_pages`, which takes
its pages from any engine: pdfplumber's (:func:`read_pdf`) or the pdfium
engine's (``extract.pdfium``, which supplies words and rulings read by PDFium).
The table finder of step 2 is a parameter too, so another engine
(``extract.camelot``) can supply the grid while words, text, prose and
furniture stay this module's: a cell reads the same whichever engine found it.
:func:`tables_in_bbox` runs the same chain on one region of a page (the
ICDAR 2013 benchmark gives table regions).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Any

import numpy as np

from extract import borderless
from extract.borderless import BorderlessSettings
from extract.colour import pdf_colour, visible_fill
from extract.layout import BULLET_GLYPHS, Line, Word, cluster, index_of, lines_to_text, one_word_cell, words_to_lines
from models.document import BULLET, Block, Cell, Document, Heading, Paragraph, Table
from models.errors import ExtractError, NoTextLayer


@dataclass(frozen=True)
class PdfSettings:
    """Tunables of the PDF reader, with defaults that suit Word/LibreOffice exports."""

    snap_tolerance: float = 3.0
    edge_tolerance: float = 2.5
    line_tolerance: float = 3.0
    margin: float = 0.09          # top/bottom share of the page where running headers live
    min_cells: int = 2            # a "table" of one cell is a framed paragraph, not a table
    min_filled: float = 0.2       # a grid with fewer cells holding text is a chart's grid, not a table
    paragraph_gap: float = 0.8    # gap (in line heights) that starts a new paragraph
    cell_padding: float = 5.5     # inner right margin of a cell (Word's default is 0.08 in)
    borderless: BorderlessSettings = field(default_factory=BorderlessSettings)

    def table_settings(self) -> dict:
        return {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                "snap_tolerance": self.snap_tolerance, "intersection_tolerance": 3}


DEFAULT = PdfSettings()
Box = tuple[float, float, float, float]


def page_words(page) -> list[Word]:
    """All words of a page with their boldness and size."""
    raw = page.extract_words(keep_blank_chars=False, use_text_flow=False,
                             extra_attrs=["fontname", "size"], return_chars=True)
    drawn = {id(c): k for k, c in enumerate(page.chars)}  # content-stream order
    return [Word(w["text"], w["x0"], w["top"], w["x1"], w["bottom"],
                 bold="bold" in w["fontname"].lower() or "black" in w["fontname"].lower(),
                 size=round(w["size"], 1), seq=min(drawn.get(id(c), -1) for c in w["chars"]))
            for w in raw]


def table_grid(boxes: list[tuple[float, float, float, float]],
               tol: float) -> tuple[list[float], list[float], list[tuple[int, int, int, int]]]:
    """Grid edges and each box's (row, col, rowspan, colspan) from cell boxes."""
    xs = cluster([b[0] for b in boxes] + [b[2] for b in boxes], tol)
    ys = cluster([b[1] for b in boxes] + [b[3] for b in boxes], tol)
    spans = []
    for x0, top, x1, bottom in boxes:
        c0, c1 = index_of(xs, x0), index_of(xs, x1)
        r0, r1 = index_of(ys, top), index_of(ys, bottom)
        spans.append((r0, c0, max(r1 - r0, 1), max(c1 - c0, 1)))
    return xs, ys, spans


def _centres(words: Sequence[Word]) -> tuple[np.ndarray, np.ndarray]:
    """Each word's centre, x and y, computed as ``(x0 + x1) / 2`` in float64 as the loops did."""
    xy = np.fromiter(chain.from_iterable(map(_BOX, words)), dtype=np.float64, count=4 * len(words)).reshape(-1, 4)
    return (xy[:, 0] + xy[:, 1]) / 2, (xy[:, 2] + xy[:, 3]) / 2


_BOX = attrgetter("x0", "x1", "top", "bottom")


def _membership(boxes: Sequence[Box], cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
    """Word-by-box matrix: the word's centre lies in the box, edges included."""
    b = np.array(boxes, dtype=np.float64).reshape(-1, 4)
    return ((b[:, 0] <= cx[:, None]) & (cx[:, None] <= b[:, 2])
            & (b[:, 1] <= cy[:, None]) & (cy[:, None] <= b[:, 3]))


#: A filled rectangle drawn on the page: its box and colour (``#RRGGBB``), in drawing order.
Fill = tuple[Box, str]


def page_fills(page) -> list[Fill]:
    """The page's filled rectangles that are not white, in drawing order (a later one is on top).

    Cell shading is a filled rectangle drawn behind the cell's text; both
    engines' pages give ``rects`` with pdfplumber's ``fill`` and
    ``non_stroking_color``, so both read the same colours.
    """
    out = []
    seen: dict = {}  # colour components -> colour: a chart or banded page repeats a few colours thousands of times
    for r in page.rects:
        if not r.get("fill"):
            continue
        given = r.get("non_stroking_color")
        try:
            colour = seen[given]
        except KeyError:
            colour = seen[given] = visible_fill(pdf_colour(given))
        except TypeError:  # unhashable components (a list): converted each time
            colour = visible_fill(pdf_colour(given))
        if colour:  # a string of its own per rectangle, as converting each gave (a pickle shows sharing)
            out.append(((r["x0"], r["top"], r["x1"], r["bottom"]), "#" + colour[1:]))
    return out


def box_fill(box: Box, fills: Sequence[Fill]) -> str | None:
    """The colour behind a cell: the topmost filled rectangle covering most (60 %) of its box."""
    x0, top, x1, bottom = box
    area = max((x1 - x0) * (bottom - top), 1e-6)
    for (fx0, ftop, fx1, fbottom), colour in reversed(fills):
        w, h = min(x1, fx1) - max(x0, fx0), min(bottom, fbottom) - max(top, ftop)
        if w > 0 and h > 0 and w * h >= 0.6 * area:
            return colour
    return None


def box_fills(boxes: Sequence[Box], fills: Sequence[Fill]) -> list[str | None]:
    """:func:`box_fill` of every box, as one box-by-fill matrix.

    A page may draw thousands of filled rectangles (a chart's bars, a
    shaded band per line) behind a grid of hundreds of cells; the loop
    per cell and fill was the largest cost of reading such pages.  The
    arithmetic is the loop's, element by element (float64), so the same
    colour is found.
    """
    if not boxes or not fills:
        return [None] * len(boxes)
    b = np.array(boxes, dtype=np.float64).reshape(-1, 4)
    f = np.array([fb for fb, _ in fills], dtype=np.float64).reshape(-1, 4)
    area = np.maximum((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]), 1e-6)[:, None]
    w = np.minimum(b[:, 2:3], f[:, 2]) - np.maximum(b[:, 0:1], f[:, 0])
    h = np.minimum(b[:, 3:4], f[:, 3]) - np.maximum(b[:, 1:2], f[:, 1])
    covers = (w > 0) & (h > 0) & (w * h >= 0.6 * area)
    top = len(fills) - 1 - covers[:, ::-1].argmax(axis=1)  # the last (topmost) covering fill
    hit = covers.any(axis=1).tolist()
    return [fills[k][1] if ok else None for k, ok in zip(top.tolist(), hit, strict=True)]


def fill_cells(boxes: Sequence[Box], spans, words: list[Word], page_no: int,
               settings: PdfSettings, fills: Sequence[Fill] = (),
               box_lines: list[list[Line]] | None = None) -> tuple[list[Cell], set[int]]:
    """Cells with their text; also the indexes of the words the table consumed.

    A word goes to the first box (in ``boxes`` order) holding its centre.  The
    test runs as one word-by-box matrix: a page has hundreds of words and a
    grid dozens of boxes, which word-by-word loops made the table code's
    largest cost.  ``box_lines``, when given, receives each box's lines (its
    words in page order, grouped), which :func:`_shared_cells` then need not
    group again.
    """
    members: list[list[Word]] = [[] for _ in boxes]
    used: set[int] = set()
    if boxes and words:
        inside = _membership(boxes, *_centres(words))
        held = np.flatnonzero(inside.any(axis=1))
        first = inside[held].argmax(axis=1)
        for i, j in zip(held.tolist(), first.tolist(), strict=True):
            members[j].append(words[i])
        used = set(held.tolist())
    cells = []
    colours = box_fills(boxes, fills)
    for (r, c, rs, cs), ws, box, fill in zip(spans, members, boxes, colours, strict=True):
        if len(ws) == 1:  # most cells: what the three steps below give, from the word
            lines, text, bold = one_word_cell(ws[0])
        elif ws:
            lines = words_to_lines(ws, settings.line_tolerance)
            text = lines_to_text(lines, right=box[2], padding=settings.cell_padding)
            bold = all(ln.bold for ln in lines)
        else:  # an empty cell: what the two calls give for no words
            lines, text, bold = [], "", False
        cells.append(Cell(r, c, text, rs, cs, bold=bold, page=page_no, fill=fill))
        if box_lines is not None:
            box_lines.append(lines)
    return cells, used


#: A table finder: (pdfplumber page, its words, page number, settings) -> (tables, indexes of words used).
TableFinder = Callable[..., tuple[list[Table], set[int]]]


def grid_table(boxes: list[Box], words: list[Word], page_no: int, settings: PdfSettings,
               bbox: Box | None = None, fills: Sequence[Fill] = (),
               box_lines: list[list[Line]] | None = None) -> tuple[Table, set[int]]:
    """A :class:`Table` from cell boxes (any engine's), filled with the page's words (and each
    cell's background colour from ``fills``; ``box_lines`` as for :func:`fill_cells`)."""
    xs, ys, spans = table_grid(boxes, settings.edge_tolerance)
    cells, consumed = fill_cells(boxes, spans, words, page_no, settings, fills, box_lines)
    cells.sort(key=lambda c: (c.row, c.col))
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if bbox is None:
        bbox = (xs[0], ys[0], xs[-1], ys[-1])
    table = Table(n_rows=n_rows, n_cols=n_cols, cells=cells, page=page_no,
                  col_edges=tuple(round(x, 1) for x in xs), bbox=tuple(bbox), row_pages=[page_no] * n_rows)
    return table, consumed


def _filled(table: Table) -> int:
    return sum(1 for c in table.cells if c.text.strip())


def ruled_tables(page, words: list[Word], page_no: int,
                 settings: PdfSettings) -> list[tuple[Table, set[int], bool]]:
    """pdfplumber's ruled grids, each with the indexes of the words it holds and whether
    some cell holds text falling apart into columns (a vertical rule is missing there)."""
    out = []
    fills: list[Fill] | None = None
    for found in page.find_tables(settings.table_settings()):
        boxes = [tuple(c) for c in found.cells]
        if len(boxes) < settings.min_cells:
            continue
        fills = page_fills(page) if fills is None else fills
        box_lines: list[list[Line]] = []
        table, consumed = grid_table(boxes, words, page_no, settings, bbox=tuple(found.bbox), fills=fills,
                                     box_lines=box_lines)
        if _filled(table) < settings.min_filled * len(table.cells):
            continue
        held = [words[i] for i in sorted(consumed)]
        out.append((table, consumed, _shared_cells(boxes, held, settings, box_lines)))
    return out


def page_tables(page, words: list[Word], page_no: int,
                settings: PdfSettings) -> tuple[list[Table], set[int]]:
    """The page's ruled tables (re-read where their rules are incomplete) and the words they hold."""
    tables, used = [], set()
    found = ruled_tables(page, words, page_no, settings)
    taken = set().union(*(c for _, c, _ in found)) if found else set()
    for table, consumed, shared in found:
        if settings.borderless.enabled:
            table, consumed = refine_ruled(page, table, consumed, words, taken, settings, shared)
        used |= consumed
        tables.append(table)
    return tables, used


def _beside(words: list[Word], consumed: set[int], taken: set[int], bbox: Box,
            reach: float = 12.0) -> set[int]:
    """Words on a grid's lines just left or right of it, chained word to word (a label
    column the rules leave out)."""
    x0, top, x1, bottom = bbox
    side = [i for i, w in enumerate(words) if i not in consumed and i not in taken
            and top <= (w.top + w.bottom) / 2 <= bottom and (w.x1 <= x0 + 1 or w.x0 >= x1 - 1)]
    out: set[int] = set()
    rows: dict[int, list[int]] = {}
    for i in side:
        rows.setdefault(round(words[i].top / 3), []).append(i)
    for idx in rows.values():
        edge = x0
        for i in sorted((i for i in idx if words[i].x1 <= x0 + 1), key=lambda i: -words[i].x1):
            if edge - words[i].x1 > reach:
                break
            out.add(i)
            edge = words[i].x0
        edge = x1
        for i in sorted((i for i in idx if words[i].x0 >= x1 - 1), key=lambda i: words[i].x0):
            if words[i].x0 - edge > reach:
                break
            out.add(i)
            edge = words[i].x1
    return out


def refine_ruled(page, table: Table, consumed: set[int], words: list[Word], taken: set[int],
                 settings: PdfSettings, shared: bool = False) -> tuple[Table, set[int]]:
    """A ruled grid re-read from text alignment when its rules miss rows or columns.

    Many tables rule only some lines: a frame and the header, or the columns
    but not the rows.  pdfplumber's grid then has cells holding several
    values (a whole column of figures in one cell), or leaves out a label
    column that has no rule.  The region's words are then read as a
    borderless table that keeps every drawn rule as a boundary; it is taken
    when it gives clearly more filled cells (30 % more) than the grid.
    """
    if table.bbox is None:
        return table, consumed
    beside = _beside(words, consumed, taken, table.bbox)
    region = consumed | beside
    if not region or not (len({round(words[i].top) for i in beside}) >= 2
                          or _stacked(table) or shared):
        return table, consumed
    mine = [words[i] for i in sorted(region)]
    box = (min(w.x0 for w in mine), table.bbox[1], max(w.x1 for w in mine), table.bbox[3])
    rules = [r for r in horizontal_rules(page) if box[1] - 2 <= r[2] <= box[3] + 2]
    hybrid = borderless.build_table(words_to_lines(mine, settings.line_tolerance), table.page, rules,
                                    settings.borderless, padding=settings.cell_padding,
                                    vrules=vertical_rules(page, box))
    if hybrid is None or hybrid.n_cols < 2 or _filled(hybrid) < 1.3 * _filled(table):
        return table, consumed
    return hybrid, region


_FIGURE = re.compile(r"^[-+–(*]*[£$€]?[0-9][0-9,.]*%?\)?\**$")


def _stacked(table: Table) -> bool:
    """Cells holding a column of figures each: the rules between the rows are missing."""
    filled = [c.text.split() for c in table.cells if c.text.strip()]
    stacks = sum(1 for toks in filled if len(toks) >= 2 and all(_FIGURE.match(t) for t in toks))
    return stacks >= 3 and stacks >= 0.2 * len(filled)


def _shared_cells(boxes: list[Box], words: list[Word], settings: PdfSettings,
                  box_lines: Sequence[list[Line]] | None = None) -> bool:
    """Two or more lines whose text falls apart into columns inside one cell.

    Every box holding the word's centre counts here (not only the first), and
    a box with fewer than two words cannot hold a line that falls apart.
    ``box_lines`` (from :func:`fill_cells`, with ``words`` the words it put
    in the boxes, in page order) are a box's lines already grouped: used for
    a box whose words have no earlier box, where they are the same words.  The
    page's column gap (its lines, their word spaces and sizes) is worked out
    only once a line has a space wider than the narrowest gap there can be
    (``min_gap``): in most grids no cell line has one.
    """
    if not words:
        return False
    gap: float | None = None  # the page's column gap, found when a line first needs it
    floor = settings.borderless.min_gap  # ... which is never narrower than this
    inside = _membership(boxes, *_centres(words))
    held = inside.sum(axis=0)
    counts = held.tolist()
    # a box whose words all have it as their first box holds fill_cells' members (all boxes at once)
    own: list[bool] | None = None
    if box_lines is not None:
        first = inside & (inside.argmax(axis=1)[:, None] == np.arange(inside.shape[1]))
        own = (first.sum(axis=0) == held).tolist()
    seen = 0
    for j, n in enumerate(counts):
        if n < 2:
            continue
        if own is not None and box_lines is not None and own[j]:
            box = box_lines[j]
        else:
            rows = np.flatnonzero(inside[:, j])
            box = words_to_lines([words[i] for i in rows.tolist()], settings.line_tolerance)
        for ln in box:
            if not _has_gap(ln, floor):  # no space wider than the narrowest column gap there can be
                continue
            if gap is None:
                lines = words_to_lines(words, settings.line_tolerance)
                gap = borderless.column_gap(borderless.word_space(lines), settings.borderless, lines)
            if _has_gap(ln, gap) and len(borderless.segments(ln, gap)) >= 2:
                seen += 1
        if seen >= 2:
            return True
    return False


def _has_gap(line: Line, gap: float) -> bool:
    """Some space between two words wider than ``gap``: a line without one is one segment
    (the test ``extract.layout.split_columns`` makes, without building the parts)."""
    ws = line.words
    return any(b.x0 - a.x1 > gap for a, b in zip(ws, ws[1:], strict=False))


def chart_boxes(page) -> list[Box]:
    """Where the page has drawings (curves, images): text aligned there is a chart's labels."""
    out = [(c["x0"], c["top"], c["x1"], c["bottom"]) for c in page.curves]
    return out + [(i["x0"], i["top"], i["x1"], i["bottom"]) for i in page.images]


def _over_chart(table: Table, charts: list[Box]) -> bool:
    if not charts or table.bbox is None:
        return False
    x0, top, x1, bottom = table.bbox
    inside = sum(1 for c in charts if x0 <= (c[0] + c[2]) / 2 <= x1 and top <= (c[1] + c[3]) / 2 <= bottom)
    return inside >= 2


def horizontal_rules(page) -> list[borderless.Rule]:
    """Horizontal rules (x0, x1, y): drawn lines and rectangle edges (a shaded band's edge too),
    which separate the rows of a table that has no full grid.  A PDFium page gives its edges as
    tuples (``edge_split``), the same values in the same order without a dict each."""
    split = getattr(page, "edge_split", None)
    if split is not None:
        return [(x0, x1, top) for x0, top, x1, *_ in split[1] if x1 - x0 > 10]
    return [(e["x0"], e["x1"], e["top"]) for e in page.horizontal_edges if e["x1"] - e["x0"] > 10]


def vertical_rules(page, bbox: Box) -> list[float]:
    """x of vertical rules inside a region, which separate the columns of a partly ruled table."""
    x0, top, x1, bottom = bbox
    split = getattr(page, "edge_split", None)  # a PDFium page's edges as tuples (horizontal_rules)
    if split is not None:
        return [ex for ex, etop, _, ebottom, *_ in split[0]
                if x0 < ex < x1 and ebottom - etop >= 6 and etop < bottom and ebottom > top]
    return [e["x0"] for e in page.vertical_edges
            if x0 < e["x0"] < x1 and e["bottom"] - e["top"] >= 6 and e["top"] < bottom and e["bottom"] > top]


def _inside(w: Word, bbox: Box) -> bool:
    cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
    return bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3]


def tables_in_bbox(page, bbox: Box, settings: PdfSettings | None = None, page_no: int | None = None,
                   words: list[Word] | None = None) -> list[Table]:
    """The table grid(s) this reader gives for one region of a page (top-left origin, points).

    Ruled tables inside the region come first; when they hold less than half
    of the region's words (no rules, or rules for a header only), the region's
    words are read as one borderless table.  Used by the ICDAR 2013 benchmark,
    whose ground truth gives table regions.
    """
    settings = settings or DEFAULT
    page_no = page_no if page_no is not None else page.page_number
    words = [w for w in (words if words is not None else page_words(page)) if _inside(w, bbox)]
    if not words:
        return []
    pad = 2.0
    x0, top, x1, bottom = bbox
    crop = page.crop((max(x0 - pad, page.bbox[0]), max(top - pad, page.bbox[1]),
                      min(x1 + pad, page.bbox[2]), min(bottom + pad, page.bbox[3])), strict=False)
    found = ruled_tables(crop, words, page_no, settings)
    ruled = [t for t, _, _ in found if t.n_cols >= 2 or t.n_rows >= 2]
    used = set().union(*(c for _, c, _ in found)) if found else set()
    rules = [r for r in horizontal_rules(crop) if top - pad <= r[2] <= bottom + pad]
    table = borderless.build_table(words_to_lines(words, settings.line_tolerance), page_no, rules,
                                   settings.borderless, padding=settings.cell_padding,
                                   vrules=vertical_rules(crop, bbox))
    if ruled and len(used) >= 0.9 * len(words):
        # a grid whose rules miss rows or columns holds several values per cell: fewer, fuller cells
        filled = sum(1 for t in ruled for c in t.cells if c.text.strip())
        if table is None or sum(1 for c in table.cells if c.text.strip()) < 1.3 * filled:
            return ruled
    return [table] if table is not None else []


_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"(page\s*)?\d+(\s*(of|/)\s*\d+)?", re.I)


def _furniture_key(text: str) -> str:
    return _DIGITS.sub("#", text.strip().lower())


def furniture(pages_lines: list[tuple[float, list[Line]]], settings: PdfSettings) -> set[str]:
    """Keys of lines that recur in the margins of several pages (running headers/footers)."""
    counts: Counter[str] = Counter()
    for height, lines in pages_lines:
        seen = set()
        for ln in lines:
            if ln.top < height * settings.margin or ln.bottom > height * (1 - settings.margin):
                seen.add(_furniture_key(ln.text))
        counts.update(seen)
    need = 2 if len(pages_lines) > 1 else 99
    return {k for k, n in counts.items() if n >= need}


def _is_margin_noise(ln: Line, height: float, keys: set[str], settings: PdfSettings) -> bool:
    in_margin = ln.top < height * settings.margin or ln.bottom > height * (1 - settings.margin)
    if not in_margin:
        return False
    text = ln.text.strip()
    return _furniture_key(text) in keys or bool(_PAGE_NUMBER.fullmatch(text))


def _glued(line: Line, lines: Sequence[Line], noise: Sequence[bool]) -> bool:
    """A margin line set as close to the body as the body's own lines are (the column header of a
    table repeated at each page top) is part of it, not a running header."""
    reach = 0.5 * max(line.bottom - line.top, 1.0)
    return any(not n and (0 <= m.top - line.bottom <= reach or 0 <= line.top - m.bottom <= reach)
               for m, n in zip(lines, noise, strict=True))


def prose_blocks(lines: list[Line], page_no: int, body_size: float,
                 settings: PdfSettings) -> list[tuple[float, Block]]:
    """Group non-table lines into paragraphs and headings, keyed by their top."""
    out: list[tuple[float, Block]] = []
    group: list[Line] = []
    # a bullet's nesting: its glyph right of the page's leftmost bullet glyph is a sub-item
    bullet_x = [ln.x0 for ln in lines if ln.text.strip()[:1] in BULLET_GLYPHS]
    left = min(bullet_x, default=0.0)

    def flush() -> None:
        if not group:
            return
        text = lines_to_text(group)
        size = max(ln.size for ln in group)
        bold = all(ln.bold for ln in group)
        top = group[0].top
        if size >= body_size + 1.5 and len(text) < 200:
            level = 1 if size >= body_size + 4 else 2
            out.append((top, Heading(text.replace("\n", " "), level=level, page=page_no)))
        else:
            items = [ln for ln in group if ln.text.strip()[:1] in BULLET_GLYPHS]
            for n, part in enumerate(text.split("\n")):
                first = items.pop(0) if part.startswith(BULLET) and items else group[0] if n == 0 else None
                level = int(first.x0 > left + 6) if first is not None and part.startswith(BULLET) else 0
                out.append((top, Paragraph(part, page=page_no, bold=bold, level=level,
                                           bold_lead=_bold_lead(first) if first is not None else "")))
        group.clear()

    for ln in lines:
        if group:
            prev = group[-1]
            height = max(prev.bottom - prev.top, 1.0)
            if (ln.top - prev.bottom > settings.paragraph_gap * height or
                    abs(ln.size - prev.size) > 0.6 or ln.bold != prev.bold):
                flush()
        group.append(ln)
    flush()
    return out


def _bold_lead(line: Line) -> str:
    """The line's opening bold words when plain words follow them (a label), else ''."""
    words = [w for w in line.words if w.text.strip(BULLET_GLYPHS)]
    k = next((i for i, w in enumerate(words) if not w.bold), len(words))
    return " ".join(w.text for w in words[:k]) if 0 < k < len(words) else ""


def _plumber_pages(pdf: Any) -> Iterator[Any]:
    """pdfplumber's pages, parsed as the driver reaches them (a page-tree error is then a parse error)."""
    yield from pdf.pages


def read_pdf(path: Path, *, engine: str = "pdfplumber", settings: PdfSettings = DEFAULT,
             password: str | None = None, finder: TableFinder | None = None) -> Document:
    """Read a text PDF with pdfplumber: ruled (or borderless) tables per page plus the prose around them.

    ``finder`` replaces the ruled-table step (another engine's grids); the
    ``camelot`` engine is dispatched to :mod:`extract.camelot`, which calls
    back here with its finder.
    """
    if engine == "camelot" and finder is None:
        from extract.camelot import read_pdf_camelot
        return read_pdf_camelot(path, settings=settings, password=password)
    import pdfplumber
    try:
        pdf = pdfplumber.open(str(path), password=password or "")
    except Exception as exc:
        name = exc.__class__.__name__
        cause = f"{name} {exc.__cause__.__class__.__name__ if exc.__cause__ else ''} {exc.args!r}"
        if "Password" in cause or "Encrypt" in cause:
            reason = "wrong password for encrypted PDF" if password else "encrypted PDF (password required)"
            raise ExtractError(reason, file=str(path)) from exc
        raise ExtractError(f"not a readable PDF ({name}: {exc})".strip(), file=str(path)) from exc
    with pdf:
        return read_pages(path, _plumber_pages(pdf), settings, words=page_words, finder=finder or page_tables)


#: What the page loop keeps of a page for the assembly: number, height, tables, the lines
#: outside them, horizontal rules, right edge of the text, chart boxes.
PageParts = tuple[int, float, list[Table], list[Line], list, float | None, list[Box]]


def read_pages(path: Path, pages: Iterable[Any], settings: PdfSettings = DEFAULT, *,
               words: Callable[[Any], list[Word]] = page_words, finder: TableFinder = page_tables) -> Document:
    """The reader's page loop and assembly, whichever engine supplies the pages.

    ``pages`` yields page objects offering what this module's steps read (a
    pdfplumber page, or the pdfium engine's ``extract.pdfium.PdfiumPage``),
    in order; ``words`` gives a page's words.  Every engine runs the same
    decisions on its pages, so the engines give the same Document for the
    same words and rulings.  An error while reading a page is a one-line
    :class:`ExtractError`; a PDF without a word is :class:`NoTextLayer`.
    """
    per_page: list[PageParts] = []
    total_words = 0
    try:
        for i, page in enumerate(pages, start=1):
            found = words(page)
            total_words += len(found)
            tables, used = finder(page, found, i, settings)
            rest = [w for j, w in enumerate(found) if j not in used]
            right = max((w.x1 for w in found), default=None)
            rules = horizontal_rules(page) if settings.borderless.enabled else []
            charts = chart_boxes(page) if settings.borderless.enabled else []
            per_page.append((i, float(page.height), tables, words_to_lines(rest, settings.line_tolerance),
                             rules, right, charts))
    except ExtractError:
        raise
    except Exception as exc:
        raise ExtractError(f"PDF could not be parsed ({exc.__class__.__name__}: {exc})",
                           file=str(path)) from exc
    if total_words == 0:
        raise NoTextLayer("no text layer (scanned?)", file=str(path))
    return assemble(path, per_page, settings)


def assemble(path: Path, per_page: list[PageParts], settings: PdfSettings) -> Document:
    """Furniture, borderless tables and prose over all pages, then the blocks in reading order."""
    keys = furniture([(h, lines) for _, h, _, lines, _, _, _ in per_page], settings)
    sizes = Counter(ln.size for _, _, _, lines, _, _, _ in per_page for ln in lines)
    body_size = sizes.most_common(1)[0][0] if sizes else 10.0
    blocks: list[Block] = []
    for page_no, height, tables, lines, rules, right, charts in per_page:
        noise = [_is_margin_noise(ln, height, keys, settings) for ln in lines]
        lines = [ln for ln, n in zip(lines, noise, strict=True) if not n or _glued(ln, lines, noise)]
        found, lines = borderless.find_tables(lines, page_no, rules, settings.borderless, right,
                                              settings.cell_padding,
                                              reject=lambda t, charts=charts: _over_chart(t, charts))
        tables = tables + found
        placed: list[tuple[float, Block]] = prose_blocks(lines, page_no, body_size, settings)
        placed += [(t.bbox[1], t) for t in tables]
        placed.sort(key=lambda item: item[0])
        blocks.extend(b for _, b in placed)
    title = next((b.text for b in blocks if isinstance(b, Heading)), None)
    return Document(source=str(path), format="pdf", blocks=blocks, pages=len(per_page), title=title)
