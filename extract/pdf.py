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
4. ``page_blocks``: words outside tables become paragraphs and headings;
5. ``drop_furniture``: lines repeated in the top/bottom margin of many pages
   (running headers, footers, page numbers) are removed before anything else
   sees them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from extract.layout import Line, Word, cluster, index_of, lines_to_text, words_to_lines
from models.document import Block, Cell, Document, Heading, Paragraph, Table
from models.errors import ExtractError, NoTextLayer


@dataclass(frozen=True)
class PdfSettings:
    """Tunables of the PDF reader, with defaults that suit Word/LibreOffice exports."""

    snap_tolerance: float = 3.0
    edge_tolerance: float = 2.5
    line_tolerance: float = 3.0
    margin: float = 0.09          # top/bottom share of the page where running headers live
    min_cells: int = 2            # a "table" of one cell is a framed paragraph, not a table
    paragraph_gap: float = 0.8    # gap (in line heights) that starts a new paragraph
    cell_padding: float = 5.5     # inner right margin of a cell (Word's default is 0.08 in)

    def table_settings(self) -> dict:
        return {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                "snap_tolerance": self.snap_tolerance, "intersection_tolerance": 3}


DEFAULT = PdfSettings()


def page_words(page) -> list[Word]:
    """All words of a page with their boldness and size."""
    raw = page.extract_words(keep_blank_chars=False, use_text_flow=False,
                             extra_attrs=["fontname", "size"])
    return [Word(w["text"], w["x0"], w["top"], w["x1"], w["bottom"],
                 bold="bold" in w["fontname"].lower() or "black" in w["fontname"].lower(),
                 size=round(w["size"], 1)) for w in raw]


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


def fill_cells(boxes, spans, words: list[Word], page_no: int,
               settings: PdfSettings) -> tuple[list[Cell], set[int]]:
    """Cells with their text; also the indexes of the words the table consumed."""
    members: list[list[Word]] = [[] for _ in boxes]
    used: set[int] = set()
    for i, w in enumerate(words):
        cx, cy = (w.x0 + w.x1) / 2, (w.top + w.bottom) / 2
        for j, (x0, top, x1, bottom) in enumerate(boxes):
            if x0 <= cx <= x1 and top <= cy <= bottom:
                members[j].append(w)
                used.add(i)
                break
    cells = []
    for (r, c, rs, cs), ws, box in zip(spans, members, boxes, strict=True):
        lines = words_to_lines(ws, settings.line_tolerance)
        text = lines_to_text(lines, right=box[2], padding=settings.cell_padding)
        bold = bool(lines) and all(ln.bold for ln in lines)
        cells.append(Cell(r, c, text, rs, cs, bold=bold, page=page_no))
    return cells, used


def page_tables(page, words: list[Word], page_no: int,
                settings: PdfSettings) -> tuple[list[Table], set[int]]:
    """The page's ruled tables and the words they hold."""
    tables, used = [], set()
    for found in page.find_tables(settings.table_settings()):
        boxes = [tuple(c) for c in found.cells]
        if len(boxes) < settings.min_cells:
            continue
        xs, ys, spans = table_grid(boxes, settings.edge_tolerance)
        cells, consumed = fill_cells(boxes, spans, words, page_no, settings)
        used |= consumed
        cells.sort(key=lambda c: (c.row, c.col))
        n_rows, n_cols = len(ys) - 1, len(xs) - 1
        tables.append(Table(n_rows=n_rows, n_cols=n_cols, cells=cells, page=page_no,
                            col_edges=tuple(round(x, 1) for x in xs), bbox=tuple(found.bbox),
                            row_pages=[page_no] * n_rows))
    return tables, used


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.strip().lower())


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
    return _furniture_key(text) in keys or bool(re.fullmatch(r"(page\s*)?\d+(\s*(of|/)\s*\d+)?", text, re.I))


def prose_blocks(lines: list[Line], page_no: int, body_size: float,
                 settings: PdfSettings) -> list[tuple[float, Block]]:
    """Group non-table lines into paragraphs and headings, keyed by their top."""
    out: list[tuple[float, Block]] = []
    group: list[Line] = []

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
            for part in text.split("\n"):
                out.append((top, Paragraph(part, page=page_no, bold=bold)))
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


def read_pdf(path: Path, *, engine: str = "pdfplumber", settings: PdfSettings = DEFAULT,
             password: str | None = None) -> Document:
    """Read a text PDF: ruled tables per page plus the prose around them."""
    import pdfplumber
    try:
        pdf = pdfplumber.open(str(path), password=password or "")
    except Exception as exc:
        name = exc.__class__.__name__
        if "Password" in name or "Encrypt" in name:
            raise ExtractError("encrypted PDF (password required)", file=str(path)) from exc
        raise ExtractError(f"not a readable PDF ({name}: {exc})".strip(), file=str(path)) from exc
    with pdf:
        try:
            pages = list(pdf.pages)
            per_page = []
            total_words = 0
            for i, page in enumerate(pages, start=1):
                words = page_words(page)
                total_words += len(words)
                tables, used = page_tables(page, words, i, settings)
                rest = [w for j, w in enumerate(words) if j not in used]
                per_page.append((i, float(page.height), tables, words_to_lines(rest, settings.line_tolerance)))
        except ExtractError:
            raise
        except Exception as exc:
            raise ExtractError(f"PDF could not be parsed ({exc.__class__.__name__}: {exc})",
                               file=str(path)) from exc
    if total_words == 0:
        raise NoTextLayer("no text layer (scanned?)", file=str(path))
    keys = furniture([(h, lines) for _, h, _, lines in per_page], settings)
    sizes = Counter(w_size for _, _, _, lines in per_page for ln in lines for w_size in [ln.size])
    body_size = sizes.most_common(1)[0][0] if sizes else 10.0
    blocks: list[Block] = []
    for page_no, height, tables, lines in per_page:
        lines = [ln for ln in lines if not _is_margin_noise(ln, height, keys, settings)]
        placed: list[tuple[float, Block]] = prose_blocks(lines, page_no, body_size, settings)
        placed += [(t.bbox[1], t) for t in tables]
        placed.sort(key=lambda item: item[0])
        blocks.extend(b for _, b in placed)
    title = next((b.text for b in blocks if isinstance(b, Heading)), None)
    return Document(source=str(path), format="pdf", blocks=blocks, pages=len(per_page), title=title)
