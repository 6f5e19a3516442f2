"""Borderless tables, row evidence: how a line's text in one column follows the line above it.

Where no rules draw a table, :func:`extract.borderless.row_starts` tells one
row from the next by weighing every column's text at each line.  This module
holds what it weighs, one small judgement each, so the row decisions read as
rules over named evidence:

- the cues of a word or line: a reference or list marker (``_marker``), a
  figure (``_is_numeric``, ``_figures``), bold text (``_bold_text``), a web
  or e-mail address, whose lower case says nothing about carrying on;
- where each column's text stops on the right (``_right_limits``) and whether
  a column is seen to run out of room there at all (``_wrapping_spans``): a
  column of short one-line names has an unknown right edge;
- the document's gap between two lines of one cell (``_line_gap``);
- ``_relation``: how a fragment follows the one directly above it in its
  column (``PARA``, ``LIST``, ``WRAP`` or ``FULL``; ``FRESH`` and
  ``RESUME`` are decided by the caller, which knows the rows so far).

The names keep their leading underscore: they are the borderless reader's
internals, shared by its two modules, not an API.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from extract.layout import BULLET_GLYPHS

if TYPE_CHECKING:
    from extract.borderless import Fragment

_LIST_MARKER = re.compile(r"^[(\[]?([0-9]{1,3}|[a-z]|[ivxlc]{1,6})[.)\]:]?$", re.I)
_NUMERIC = re.compile(r"^[-+(]?[£$€]?[0-9][0-9,.\s]*%?[)]?$")
_LEADERS = re.compile(r"(\.\s?){3,}$")  # dot leaders end a row label; they never wrap


def _is_numeric(text: str) -> bool:
    """A figure, or a placeholder for one (a dash, 'n/a'); asked tens of thousands of times a
    document of the same few texts, so the answers are kept (:data:`_NUMERIC_SEEN`)."""
    found = _NUMERIC_SEEN.get(text)
    if found is None:
        if len(_NUMERIC_SEEN) >= 8192:
            _NUMERIC_SEEN.clear()
        stripped = text.strip()
        found = _NUMERIC_SEEN[text] = bool(_NUMERIC.match(stripped)) or stripped in _PLACEHOLDERS
    return found


_PLACEHOLDERS = frozenset({"-", "–", "—", "n/a", "N/A", ".."})
#: :func:`_is_numeric`'s answers by text (a pure function of it), emptied when it grows large
_NUMERIC_SEEN: dict[str, bool] = {}


def _right_limits(frags: Sequence[Fragment]) -> dict[tuple[int, int], float]:
    """Each column span's right text edge: where a line that wrapped had run out of room."""
    limits: dict[tuple[int, int], float] = {}
    for f in frags:
        span, x1 = (f.c0, f.c1), f.words[-1].x1  # f.span, f.x1
        limits[span] = max(limits.get(span, x1), x1)
    return limits


#: words that never end a cell's text: a line ending with one carries on below
_CONNECTORS = frozenset({"and", "or", "of", "the", "to", "for", "a", "an", "in", "with", "by", "on", "at",
                         "from", "as", "into", "its", "their", "our", "is", "are", "be", "that", "which",
                         "including", "e.g.", "i.e.", "via", "between", "across", "within"})
_REF_LIKE = re.compile(r"^[(\[]?(?:[A-Z]{1,4}\s?)?\d+(?:[.\-]?[0-9A-Za-z]{1,3})*[.)\]:]?$")
_SENTENCE_END = (".", "!", "?", ";", ":")
#: a web or e-mail address: written in lower case wherever it stands, so its case says nothing
_ADDRESS = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.|[\w.+-]+@[\w-]+\.)", re.I)

# how a line's text in one column relates to the text above it in that column
FRESH = "fresh"     # the column has no text yet in the current row
RESUME = "resume"   # after a blank (or under a different span): new text
PARA = "para"       # directly below, a new paragraph (the line above ended short, or a sentence ended)
LIST = "list"       # a bullet under a bulleted item: the list begun in that cell goes on
WRAP = "wrap"       # directly below, carrying on the line above mid-sentence (beyond doubt)
FULL = "full"       # directly below a line that stopped because the next word did not fit: likely a wrap


def _marker(text: str) -> bool:
    """A reference, list marker or figure: a first word that opens an entry, never a wrapped word."""
    word = text.split()[0] if text.split() else ""
    return bool(_REF_LIKE.match(word) or _LIST_MARKER.match(word)) or _is_numeric(word)


def _relation(prev: Fragment, frag: Fragment, right: float, space: float,
              bullet: tuple[float, float] | None) -> str:
    """PARA, LIST, WRAP or FULL: how ``frag`` follows ``prev``, the line directly above it in its
    column; ``bullet``: the glyph's and the text's x of the bulleted item the column is in, if any.

    A WRAP is a continuation beyond doubt: a lower-case start (not a web
    or e-mail address, lower case wherever it stands), a line above
    ending with a hyphen, comma or joining word, a line indented under the
    bullet above it.  FULL is a likely one: the line above stopped because
    the next word would not have fitted (by more than half a letter: the
    column's right edge is known only from its widest line), unless a
    sentence ended there; ``row_starts`` trusts it only in a column seen
    to wrap (``_wrapping_spans``).
    """
    first = frag.words[0]
    if first.text[:1] in BULLET_GLYPHS:
        return LIST if bullet is not None else PARA
    if _is_numeric(frag.text) or _is_numeric(prev.text) or _LEADERS.search(prev.text):
        return PARA
    if bullet is not None and frag.x0 >= bullet[1] - 2.0 and frag.x0 > bullet[0] + 2.0:
        return WRAP  # indented under the bullet's text: the bulleted item goes on
    words = first.text
    last = prev.words[-1].text
    if words[:1].islower() and not _LIST_MARKER.match(words) and not _ADDRESS.match(words) \
            and not last.endswith(_SENTENCE_END):
        return WRAP
    if last.endswith(("-", ",", "/", "&", "(", "\u2013")) or last.lower() in _CONNECTORS:
        return WRAP
    if _marker(frag.text):
        return PARA
    if last.endswith(_SENTENCE_END):
        return PARA  # a sentence (or 'n.a.') ended: what follows may be new text
    width = first.x1 - first.x0
    return FULL if prev.x1 + space + width > right + 0.5 * width / max(len(first.text), 1) else PARA


def _by_span(frags: Sequence[Fragment]) -> dict[tuple[int, int], list[Fragment]]:
    """The fragments of each column span, in their order."""
    by_span: dict[tuple[int, int], list[Fragment]] = {}
    for f in frags:
        by_span.setdefault((f.c0, f.c1), []).append(f)  # f.span
    return by_span


def _wrapping_spans(frags: Sequence[Fragment], limits: dict[tuple[int, int], float], space: float,
                    by_span: dict[tuple[int, int], list[Fragment]] | None = None) -> set[tuple[int, int]]:
    """Column spans seen to run out of room: a line carried on beyond doubt on the next (a
    lower-case start, a joining word) where its next word would not have fitted.

    A column's right edge is known only from its widest line; in a column
    whose text never wraps (short names, one line each) that line may stop
    far short of the edge, so a line reaching it is no sign of a wrap."""
    out: set[tuple[int, int]] = set()
    by_span = _by_span(frags) if by_span is None else by_span
    for span, fs in by_span.items():
        right = limits.get(span, 0.0)
        for a, b in zip(fs, fs[1:], strict=False):
            # the width test first: it is cheap, and both tests are pure (the same pairs pass both)
            if b.line == a.line + 1:
                first = b.words[0]
                if a.words[-1].x1 + space + (first.x1 - first.x0) > right \
                        and _relation(a, b, right, space, None) == WRAP:
                    out.add(span)
                    break
    return out


def _line_gap(frags: Sequence[Fragment], by_span: dict[tuple[int, int], list[Fragment]] | None = None) -> float:
    """The document's gap between two lines of one cell (points): the lower of the gaps between a
    column's consecutive lines (most are inside cells; row padding and blank lines are the larger
    ones).  Line spacing of 1.5 or 2 is then no blank, and row padding stands out above it.
    ``by_span``: ``_by_span(frags)``, if the caller has it already."""
    by_span = _by_span(frags) if by_span is None else by_span
    gaps = sorted([b.top - a.bottom for fs in by_span.values()
                   for a, b in zip(fs, fs[1:], strict=False) if b.line == a.line + 1])
    return max(gaps[int(0.4 * (len(gaps) - 1))], 0.0) if len(gaps) >= 4 else 0.0


def _figures(fs: Sequence[Fragment], key: int) -> bool:
    """A line of figures: at least half its cells outside the key column are numbers (a year
    wrapped under a plan's name in a text table is not)."""
    cells = [f for f in fs if not f.c0 <= key <= f.c1]
    return bool(cells) and 2 * sum(1 for f in cells if _is_numeric(f.text)) >= len(cells)


def _bold_text(fs: Sequence[Fragment]) -> bool | None:
    """Whether a line's text (bullet glyphs aside) is all bold; None for no text."""
    words = [w for f in fs for w in f.words if w.text.strip(BULLET_GLYPHS)]
    return all(w.bold for w in words) if words else None
