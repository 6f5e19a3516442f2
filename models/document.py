"""The neutral document model every reader returns and the normaliser consumes.

Readers (PDF, DOCX, text renderings) differ in what they can see, so the model
keeps only what all of them can give and what normalisation needs: blocks in
reading order (headings, paragraphs, tables), tables as grids of cells with
row/column spans, and the page each block starts on.  A table that a page break
cuts into pieces is emitted as one :class:`Table` per page; stitching them back
together is a normalisation step, so it works the same for every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BULLET = "• "


@dataclass(frozen=True)
class Cell:
    """One origin cell of a table grid.

    ``text`` holds the cell's paragraphs joined by ``\\n``; a bulleted
    paragraph starts with ``• ``.  A merged cell appears once, at its top-left
    grid position, with ``rowspan``/``colspan`` > 1.  ``fill`` is the cell's
    background colour as ``#RRGGBB`` (theme colours resolved; None for no fill
    or white), because many plans give an action's RAG status only as the
    colour of a cell; ``shaded`` stays the reader's yes/no for any shading.
    """

    row: int
    col: int
    text: str
    rowspan: int = 1
    colspan: int = 1
    bold: bool = False
    shaded: bool = False
    page: int | None = None
    fill: str | None = None


@dataclass
class Table:
    """A table (or one page's fragment of a table) as a grid of cells.

    ``header_rows`` counts leading rows the source itself marks as headers
    (Word's "repeat as header row"); 0 when the format cannot say.
    ``col_edges`` are the x positions of the column boundaries in points (PDF
    only), used to recognise a continuation of the same table on the next page.
    """

    n_rows: int
    n_cols: int
    cells: list[Cell]
    page: int | None = None
    header_rows: int = 0
    col_edges: tuple[float, ...] | None = None
    bbox: tuple[float, float, float, float] | None = None
    row_pages: list[int | None] | None = None
    kind: Literal["table"] = "table"

    def grid(self) -> list[list[Cell | None]]:
        """Return a dense ``n_rows x n_cols`` grid; covered positions hold the spanning cell.

        Built once while the table stays as it is (the normaliser asks for it in each step: layout,
        rows, records, checks, key): kept with the table's shape and the identity of each of its
        cells, so a cell replaced or added (page stitching does both) builds it anew.  Callers
        must not change the grid they are given.
        """
        key = (self.n_rows, self.n_cols, tuple(map(id, self.cells)))
        kept = self.__dict__.get("_grid")
        if kept is not None and kept[0] == key:  # the cells it holds are alive, so their ids are theirs
            return kept[1]
        out: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.rowspan, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.colspan, self.n_cols)):
                    out[r][c] = cell
        self.__dict__["_grid"] = (key, out)
        return out

    def __getstate__(self) -> dict:
        """Pickled without the kept grid (it is rebuilt on demand)."""
        state = dict(self.__dict__)
        state.pop("_grid", None)
        return state

    def text_rows(self) -> list[list[str]]:
        """Rows of cell texts; a spanned position repeats nothing (empty string)."""
        rows = [[""] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            if cell.row < self.n_rows and cell.col < self.n_cols:
                rows[cell.row][cell.col] = cell.text
        return rows


@dataclass
class Heading:
    """A heading (or a paragraph that looks like one: bold, larger, numbered)."""

    text: str
    level: int = 1
    page: int | None = None
    kind: Literal["heading"] = "heading"


@dataclass
class Paragraph:
    """A body paragraph; list items keep their marker (``• `` or ``1.``).

    ``level`` is a list item's nesting (0: a top-level item or no list item, 1: a sub-item under
    the item above, ...), where the format shows it: sub-bullets belong to their parent's text.
    ``bold_lead`` is the text's opening bold run when plain text follows it (a label:
    '**Neglect** we will …' gives 'Neglect'), else ''.
    """

    text: str
    page: int | None = None
    bold: bool = False
    level: int = 0
    bold_lead: str = ""
    kind: Literal["paragraph"] = "paragraph"


Block = Heading | Paragraph | Table


@dataclass
class Document:
    """What a reader returns: blocks in reading order plus file facts."""

    source: str
    format: str
    blocks: list[Block] = field(default_factory=list)
    pages: int | None = None
    title: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: the file's own metadata dates, ``{"created": ISO, "modified": ISO}`` as far as known
    #: (``extract/filedates.py``): hints for ordering versions of a plan, never plan facts
    dates: dict[str, str] = field(default_factory=dict)

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
