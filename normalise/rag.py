"""RAG status given as colour: classing a cell's fill, reading the plan's key, deciding status.

Many plans show an action's status only as the colour of a cell (red, amber,
green; blue for completed in BRAG plans), often with a key near the table
("Green = Completed", "1 = On track, 2 = Some slippage", a small table of
coloured cells with labels).  The readers give each cell's fill as
``#RRGGBB``; this module, knowing nothing of formats:

- classes a fill by hue (``data/status.toml`` ``[colours]``), so any shade of
  green is green and header greys are no colour;
- reads the plan's key (:class:`Legend`) from its paragraphs and small
  tables, so that plan's colours and codes map to the statuses it means;
- tells a status column from its content when it has no header (cells
  coloured, little or no text: :func:`is_rag_column`);
- decides each action's status from its status cell's code or colour
  (:func:`apply`), the colour name kept in ``extra.rag``.
"""

from __future__ import annotations

import colorsys
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from models.document import Cell, Heading, Paragraph
from normalise.lexicon import load
from normalise.status import from_rag
from normalise.text import norm_key

#: Private keys rows.py leaves in ``Action.extra`` for :func:`apply` (never in the output).
SOURCE_KEY = "status_source"
FILL_KEY = "status_fill"

_KEY_TITLE = re.compile(r"^\s*(?:[A-Za-z]+\s+){0,2}(?:key|legend|rating|ratings|rag|status|brag)\s*:\s*(?=\S+"
                        r"\s*(?:=|:|–|—|-))", re.I)
_NUMBERED = re.compile(r"(?:^|\s)\(?(\d{1,2})[.)]\s+([A-Za-z][A-Za-z ,/'-]{1,40}?)(?=\s+\(?\d{1,2}[.)]\s|\s*$)")
_SEP = r"\s*(?:=|:|–|—|-|\bis\b|\bmeans\b)\s*"
#: a key text's entries ('Green = Completed; Amber - on track'), and one entry (compiled once: every
#: paragraph of a plan is read as a possible key)
_KEY_LINES = re.compile(r"[\n;|•]|,\s+(?=\S+" + _SEP + ")")
_KEY_ENTRY = re.compile(r"\s*(?:category\s+|level\s+|code\s+)?\(?([A-Za-z]+|\d{1,2})\)?" + _SEP
                        + r"(.{2,60}?)[\s.]*", re.I)


def _data() -> dict:
    return load("status")


def colour_class(fill: str | None) -> str | None:
    """The RAG colour name of a ``#RRGGBB`` fill ('green'), or None for greys, white, black and hues
    that are no RAG colour (purple, pink)."""
    if not fill or not re.fullmatch(r"#[0-9A-Fa-f]{6}", fill):
        return None
    spec = _data()["colours"]
    r, g, b = (int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5))
    h, lum, s = colorsys.rgb_to_hls(r, g, b)
    if s < spec["min_saturation"] or not spec["min_lightness"] <= lum <= spec["max_lightness"]:
        return None
    deg = h * 360
    for band in spec["hues"]:
        lo, hi = band["from"], band["to"]
        if (lo <= deg < hi) if lo < hi else (deg >= lo or deg < hi):
            return band["name"]
    return None


def _colour_words() -> dict[str, str]:
    return {norm_key(w): name for name, words in _data()["colours"]["words"].items() for w in words}


def label_status(label: str) -> str | None:
    """The status a key's label means ('Completed', 'Some slippage', 'On track'), or None."""
    key = f" {norm_key(label)} "
    if not key.strip():
        return None
    exact = from_rag(label)
    if exact:
        return exact
    spec = _data()["legend"]
    for status in spec["order"]:
        if any(f" {norm_key(p)} " in key for p in spec[status]):
            return status
    return None


@dataclass
class Legend:
    """A plan's key: colour names and codes ('1', 'G', 'C') -> status."""

    colours: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.colours or self.codes)

    @classmethod
    def of(cls, blocks: Iterable) -> Legend:
        """The key printed anywhere in the plan: 'Colour = label' entries in paragraphs and headings,
        and small tables whose coloured cells carry (or sit beside) a label."""
        legend = cls()
        codes: dict[str, str] = {}
        for block in blocks:
            if isinstance(block, Paragraph | Heading):
                legend._read_text(block.text, codes)
            else:
                table = getattr(block, "table", block)
                if getattr(table, "cells", None) is not None and table.n_rows <= 12 and table.n_cols <= 8:
                    legend._read_table(table, codes)
        # bare codes ('1 = Completed') make a key only when several are given with different meanings
        if len(codes) >= 2 and len(set(codes.values())) >= 2:
            for code, status in codes.items():
                legend.codes.setdefault(code, status)
        return legend

    def _read_text(self, text: str, codes: dict[str, str]) -> None:
        words = _colour_words()
        listed = _NUMBERED.findall(_KEY_TITLE.sub("", text))
        if len(listed) >= 2 and all(label_status(label) for _, label in listed):
            for code, label in listed:  # '1. Complete 2. On track 3. Not started' on one line
                codes.setdefault(code, label_status(label))  # type: ignore[arg-type]
            return
        for line in _KEY_LINES.split(text):
            line = _KEY_TITLE.sub("", line)  # 'RAG key:', 'Status:', 'Progress rating:' before the first entry
            m = _KEY_ENTRY.fullmatch(line)
            if not m:
                continue
            code, label = m.group(1), m.group(2)
            if len(label.split()) > 8:
                continue
            status = label_status(label)
            if status is None:
                continue
            colour = words.get(norm_key(code)) if len(code) > 1 else None
            if colour:
                self.colours.setdefault(colour, status)
            elif len(code) <= 2:
                codes.setdefault(norm_key(code), status)

    def _read_table(self, table, codes: dict[str, str]) -> None:
        grid = table.grid()
        coloured = [c for c in table.cells if colour_class(c.fill)]
        if not coloured or len(coloured) > 10:
            for row in grid:  # a key typed as a table: 'Green | Completed'
                own = [c for i, c in enumerate(row) if c is not None and c.col == i and c.text.strip()]
                if len(own) == 2:
                    self._read_text(f"{own[0].text.strip()} = {own[1].text.strip()}", codes)
            return
        found: dict[str, str] = {}
        for cell in coloured:
            label = cell.text.strip()
            if not label or not label_status(label):
                beside = _right_of(grid, cell)
                label = beside.text.strip() if beside is not None else label
            status = label_status(label) if label else None
            if status is None:
                return  # a coloured cell without a status label: not a key (a plan's own RAG cells)
            found.setdefault(colour_class(cell.fill), status)  # type: ignore[arg-type]
        for colour, status in found.items():
            self.colours.setdefault(colour, status)

    def status(self, text: str | None, colour: str | None, brag: bool = False) -> str | None:
        """A status cell's status: its code or word through the key, a RAG word, then its colour."""
        if text and text.strip():
            key = norm_key(text)
            words = _colour_words()
            if key in self.codes:
                return self.codes[key]
            if key in words and words[key] in self.colours:
                return self.colours[words[key]]
            found = from_rag(text)
            if found:
                return found
        if colour:
            if colour in self.colours:
                return self.colours[colour]
            defaults = _data()["colours"]["status"]
            if colour == "green" and brag and "blue" not in self.colours:
                return defaults["brag_green"]
            return defaults.get(colour)
        return None


def _right_of(grid: list[list[Cell | None]], cell: Cell) -> Cell | None:
    row = grid[cell.row]
    for c in range(cell.col + cell.colspan, len(row)):
        other = row[c]
        if other is not None and other.text.strip():
            return other
    return None


def is_rag_column(cells: list[Cell | None]) -> bool:
    """A column whose body cells are mostly RAG-coloured and hold at most a short code:
    a status column even with no header (evidence from content)."""
    own = [c for c in cells if c is not None and c.colspan == 1]
    if len(own) < 2:
        return False
    coloured = [c for c in own if colour_class(c.fill)]
    short = all(len(c.text.strip()) <= 15 for c in coloured)
    return short and len(coloured) >= 0.6 * len(own)


def apply(actions: list, legend: Legend) -> None:
    """Status from each action's status cell (code, RAG word or colour) where it gives one, the
    colour name kept in ``extra.rag``; the private keys rows.py left are removed.  A plan whose
    status cells use blue (BRAG) reads green as on track unless its key says otherwise."""
    colours = [colour_class(a.extra.get(FILL_KEY)) for a in actions]
    brag = "blue" in colours or "blue" in legend.colours
    for a, colour in zip(actions, colours, strict=True):
        text = a.extra.pop(SOURCE_KEY, None)
        a.extra.pop(FILL_KEY, None)
        if colour:
            a.extra["rag"] = colour
        decided = legend.status(text, colour, brag)
        if decided:
            a.status = decided
