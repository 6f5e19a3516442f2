"""Format-neutral geometry helpers for readers that see positioned words (PDF engines).

Small pure functions, each one step: cluster coordinates into grid edges, group
words into lines, and turn a cell's lines into text with its bullets and
paragraph breaks.  Both PDF engines share them, so a cell reads the same
whichever engine found the table.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Generic, TypeVar

from models.document import BULLET

T = TypeVar("T")

#: Glyphs Word and LibreOffice use for bullets (Symbol/Wingdings private-use points included).
BULLET_GLYPHS = "•\uf0b7\u25aa\u25cf\u25e6\u25a0\uf0a7\uf076\uf0d8\u27a2\u2043\u2219\u00b7\uf0fc\u2713"
_BULLET_RE = re.compile(rf"^[{BULLET_GLYPHS}]\s*")
_NUMBER_RE = re.compile(r"^(\d{1,2})[.)]\s+\S")


@dataclass(frozen=True)
class Word:
    """A positioned word (PDF points, origin top-left)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    bold: bool = False
    size: float = 0.0
    #: where the word's first character stands in the page's content stream (-1: unknown).  Office
    #: suites draw a table cell by cell, so this order tells cells apart where no border does
    seq: int = -1


class _kept(Generic[T]):
    """A property computed on first use and kept in the instance (a non-data descriptor: the
    instance's own attribute answers from then on).

    ``functools.cached_property`` does the same behind a lock on Python 3.11,
    which costs more than computing a line's top from two or three words.
    """

    def __init__(self, fn: Callable[[Any], T]) -> None:
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __get__(self, obj: Any, owner: type | None = None) -> T:
        if obj is None:
            return self  # type: ignore[return-value]
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


@dataclass
class Line:
    """Words on one line, left to right.

    A line is made once and never changed (a new line is made instead), so
    its geometry and text are computed on first use and kept: table and prose
    detection ask for them again and again.
    """

    words: list[Word]

    @property
    def x0(self) -> float:
        return self.words[0].x0

    # a one-word line (most of a borderless table's fragments) answers from its word: what
    # ``min``/``max`` over one item return; longer lines over a list (no generator frames)

    @_kept
    def top(self) -> float:
        words = self.words
        return words[0].top if len(words) == 1 else min([w.top for w in words])

    @_kept
    def bottom(self) -> float:
        words = self.words
        return words[0].bottom if len(words) == 1 else max([w.bottom for w in words])

    @_kept
    def text(self) -> str:
        words = self.words
        return words[0].text if len(words) == 1 else " ".join([w.text for w in words])

    @_kept
    def bold(self) -> bool:
        words = self.words
        if len(words) == 1:  # ``all`` over the word, or over nothing when it is a bullet glyph
            return not words[0].text.strip(BULLET_GLYPHS) or bool(words[0].bold)
        return all(w.bold for w in words if w.text.strip(BULLET_GLYPHS))

    @_kept
    def size(self) -> float:
        words = self.words
        return words[0].size if len(words) == 1 else max([w.size for w in words])


def cluster(values: Iterable[float], tolerance: float = 2.0) -> list[float]:
    """Merge coordinates closer than ``tolerance`` into their mean, sorted."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tolerance:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(group) / len(group) for group in out]


def index_of(edges: Sequence[float], value: float, tolerance: float = 2.5) -> int:
    """Index of the edge nearest ``value`` (edges sorted, as :func:`cluster` gives them).

    The first of equally near edges wins, as a scan would pick it; found by
    bisection, since every cell box of a grid asks four times.
    """
    i = bisect.bisect_left(edges, value)
    if i == len(edges) or (i > 0 and abs(edges[i - 1] - value) <= abs(edges[i] - value)):
        i -= 1
    dist = abs(edges[i] - value)
    while i > 0 and abs(edges[i - 1] - value) == dist:  # equal distances (rounding, repeated edges)
        i -= 1
    return i


def _line_order(w: Word) -> tuple[float, float]:
    """The sort key of :func:`words_to_lines`: ``(round(w.top, 1), w.x0)``, each top's rounding
    looked up (a line's words share a top, and ``round`` to a digit costs several dict look-ups)."""
    top = w.top
    r = _ROUNDED_TOPS.get(top)
    if r is None:
        if len(_ROUNDED_TOPS) > 50_000:
            _ROUNDED_TOPS.clear()
        r = _ROUNDED_TOPS[top] = round(top, 1)
    return (r, w.x0)


def _line_order_plain(w: Word) -> tuple[float, float]:
    """:func:`_line_order` without the look-up (``tests/test_pdfium_fast.py`` sorts by both)."""
    return (round(w.top, 1), w.x0)


#: ``round(top, 1)`` by top, for :func:`_line_order` (equal tops round alike; -0.0 and 0.0, one
#: key here, round to values that compare equal, so a sort by them orders words the same)
_ROUNDED_TOPS: dict[float, float] = {}


_X0 = attrgetter("x0")


def words_to_lines(words: Iterable[Word], tolerance: float = 3.0) -> list[Line]:
    """Group words into lines by their top, each line's words sorted left to right.

    Called for every table cell and page (thousands of times a document), so the current line's
    first top and bullet test are kept at hand, a one-word line is not sorted, and one word is
    its line without the sort.
    """
    if type(words) is list and len(words) == 1:  # most table cells: the loop's one line of it
        return [Line([words[0]])]
    lines: list[list[Word]] = []
    current: list[Word] | None = None
    first_top = 0.0
    bullet = False
    for w in sorted(words, key=_line_order):
        top = w.top
        # against the line's first word, or its last when that one is a text word after a taller
        # glyph (an 11 pt bullet sets its line's top 3 pt above the 8 pt text beside it)
        if current is not None and (abs(top - first_top) <= tolerance
                                    or (bullet and abs(top - current[-1].top) <= tolerance)):
            current.append(w)
        else:
            current = [w]
            lines.append(current)
            first_top, bullet = top, w.text in BULLET_GLYPHS
    return [Line(sorted(ws, key=_X0) if len(ws) > 1 else ws) for ws in lines]


def split_columns(line: Line, gap: float) -> list[Line]:
    """Split a line where the space between two words exceeds ``gap`` points."""
    parts: list[list[Word]] = [[line.words[0]]]
    for w in line.words[1:]:
        if w.x0 - parts[-1][-1].x1 > gap:
            parts.append([w])
        else:
            parts[-1].append(w)
    return [Line(p) for p in parts]


def _join(prev: str, nxt: str) -> str:
    if prev.endswith("-") and not prev.endswith(" -") and nxt[:1].isalpha():
        return prev + nxt  # a compound word wrapped at its hyphen ('multi-' / 'agency')
    return f"{prev} {nxt}" if prev else nxt


def _ends_short(prev: Line, line: Line, right: float | None, padding: float) -> bool:
    """The previous line stopped although the next line's first word would have fitted:
    a paragraph break, not a wrap."""
    if right is None:
        return False
    first = line.words[0]
    room = right - padding - prev.words[-1].x1
    return room > (first.x1 - first.x0) + 2.0


def _broken_word(prev: Line, line: Line, right: float | None, padding: float) -> bool:
    """A word too long for the column, broken mid-word.

    Only a word that fills a line alone is broken, and it is broken where not
    one more letter fits: the previous line is one word ending closer to the
    cell edge than the width of the next line's first letter.
    """
    if right is None:
        return False
    first = line.words[0]
    if not (first.text[:1].islower() or first.text[:1] in ").,;:"):  # the cheap test first
        return False
    words = [w for w in prev.words if w.text.strip(BULLET_GLYPHS)]
    letter = (first.x1 - first.x0) / max(len(first.text), 1)
    return len(words) == 1 and right - padding - words[0].x1 < letter


def lines_to_text(lines: Sequence[Line], right: float | None = None, padding: float = 5.0) -> str:
    """Cell or paragraph text from its lines.

    Wrapped lines are joined with spaces; a line starting with a bullet glyph
    starts a new ``• `` item; a line starting left of the current bullet's
    text, after a gap taller than half a line, or after a line that ended
    short of ``right`` (the cell's right edge) starts a new paragraph.

    One line (most cells) is its text, or its bullet item: what :func:`_lines_text` gives it
    (``tests/test_pdfium.py`` holds the two together), without the list-number bookkeeping.
    """
    if len(lines) == 1:
        return _one_line_text(lines[0].text)
    return _lines_text(lines, right, padding)


def _one_line_text(line_text: str) -> str:
    """:func:`lines_to_text` of one line with this text: stripped, or its bullet item."""
    text = line_text.strip()
    m = _BULLET_RE.match(text)
    if m is None:
        return text
    body = text[m.end():].strip()
    return BULLET + body if body else BULLET.strip()


def one_word_cell(word: Word) -> tuple[list[Line], str, bool]:
    """A cell holding one word: its lines (:func:`words_to_lines`), text (:func:`lines_to_text`) and
    boldness (every line bold), straight from the word -- what those give for it, without a
    line's kept properties (``tests/test_pdfium_fast.py`` holds them equal)."""
    text = word.text
    return [Line([word])], _one_line_text(text), not text.strip(BULLET_GLYPHS) or bool(word.bold)


def _lines_text(lines: Sequence[Line], right: float | None = None, padding: float = 5.0) -> str:
    """:func:`lines_to_text` for any number of lines (the plain path)."""
    out: list[str] = []
    bullet_x: float | None = None
    prev: Line | None = None
    number: tuple[int, float] | None = None  # the last list number seen at a line start, and its x
    for line in lines:
        text = line.text.strip()
        if not text:
            continue
        m = _BULLET_RE.match(text)
        n = _NUMBER_RE.match(text)
        if n and (int(n.group(1)) == 1 or number is not None and int(n.group(1)) == number[0] + 1
                  and abs(line.x0 - number[1]) < 2):
            number = (int(n.group(1)), line.x0)
            if out and int(n.group(1)) > 1:  # '2. …' under '1. …': a numbered list's next item
                out.append(text)
                bullet_x, prev = None, line
                continue
        if m:
            body = text[m.end():].strip()
            out.append(BULLET + body if body else BULLET.strip())
            bullet_words = [w for w in line.words if w.text.strip(BULLET_GLYPHS)]
            bullet_x = bullet_words[0].x0 if bullet_words else line.x0
        elif prev is None or not out:
            out.append(text)
        else:
            height = max(prev.bottom - prev.top, 1.0)
            gap = line.top - prev.bottom
            if (gap > 0.6 * height or (bullet_x is not None and line.x0 < bullet_x - 2)
                    or _ends_short(prev, line, right, padding)):
                out.append(text)
                bullet_x = None
            elif out[-1] == BULLET.strip():
                out[-1] = BULLET + text
            elif _broken_word(prev, line, right, padding):
                out[-1] = out[-1] + text
            else:
                out[-1] = _join(out[-1], text)
        prev = line
    return "\n".join(out)


def normalise_bullets(text: str) -> str:
    """Replace any bullet glyph at a line start with the contract's ``• `` marker."""
    return "\n".join(_BULLET_RE.sub(BULLET, ln) if _BULLET_RE.match(ln) else ln
                     for ln in text.split("\n"))
