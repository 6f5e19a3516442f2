"""Borderless table regions: where on a page text stands in columns with no rules drawn.

The first two steps of :mod:`extract.borderless` (its docstring tells the whole chain), kept apart
because they are the page-wide search, run on every page that has text left after ruled tables,
while the rest runs only inside a region found here: ``segments`` splits a line into runs at gaps
much wider than the page's word spacing, and ``find_regions`` follows *rivers* of white space
down consecutive lines to find the lines a table covers.  ``BorderlessSettings`` holds the
tunables of both parts; :mod:`extract.borderless` re-exports it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median

from extract.layout import BULLET_GLYPHS, Line, Word, split_columns


@dataclass(frozen=True)
class BorderlessSettings:
    """Tunables of borderless-table finding; the defaults suit office exports and reports."""

    enabled: bool = True
    gap_factor: float = 2.6      # a column gap is at least this many word spaces wide...
    mono_gap_factor: float = 1.4  # ...or this many in a fixed-width font
    min_gap: float = 3.5         # ...and at least this many points
    para_gap: float = 0.45       # vertical gap (in line heights) that starts new text in a column
    max_line_gap: float = 2.2    # a vertical gap (in line heights) no table spans
    min_witnesses: int = 2       # lines on which a column gap must separate text
    min_support: int = 5         # separating lines summed over a table's column gaps
    span_share: float = 0.12     # share of lines that may cross a column gap (spanning cells)
    dense_share: float = 0.7     # share of lines with key-column text that makes rows one line each
    rule_share: float = 0.5      # a horizontal rule this share of the table's width separates rows
    bridge: int = 2              # lines (a section row) that may cross a river without ending it


DEFAULT = BorderlessSettings()


@dataclass
class _River:
    x0: float
    x1: float
    first: int
    last: int
    witnesses: list[int] = field(default_factory=list)
    closed_at: int | None = None


# ---------------------------------------------------------------- measures

def word_space(lines: Sequence[Line]) -> float:
    """The typical space between two words of a line (points): the scale of every gap test."""
    gaps = [g for ln in lines for a, b in zip(ln.words, ln.words[1:], strict=False)
            if 0 < (g := b.x0 - a.x1) < (6.0 if 6.0 > (s := a.size) else s) * 0.6]  # max(a.size, 6.0), inline
    return median(gaps) if len(gaps) >= 5 else 2.5


def spacing(lines: Sequence[Line]) -> tuple[float, list[float]]:
    """:func:`word_space` of the lines and each line's widest space between two words (``-inf``
    for a line of one word), in one pass over the words: ``find_regions`` splits only a line whose
    widest space is wider than the column gap (:func:`segments` returns any other as it is); a line
    with no words (which no reader gives) counts as wide, so it goes to :func:`segments` as before."""
    gaps: list[float] = []
    widest: list[float] = []
    for ln in lines:
        words = ln.words
        top = -math.inf if words else math.inf
        if words:
            a = words[0]
            for k in range(1, len(words)):
                b = words[k]
                g = b.x0 - a.x1
                if g > top:
                    top = g
                s = a.size
                if 0 < g < (6.0 if 6.0 > s else s) * 0.6:  # word_space's test, as written there
                    gaps.append(g)
                a = b
        widest.append(top)
    return (median(gaps) if len(gaps) >= 5 else 2.5), widest


def column_gap(space: float, settings: BorderlessSettings, lines: Sequence[Line] = (),
               size: float | None = None) -> float:
    """The narrowest white space that can separate two columns.

    In a fixed-width font (Courier: a space as wide as a letter, over 0.45 em)
    columns are often only two spaces apart, so the factor is smaller there.
    ``size``: ``text_size(lines)``, if the caller has it already.
    """
    size = text_size(lines) if size is None else size
    factor = settings.mono_gap_factor if size and space > 0.45 * size else settings.gap_factor
    return max(settings.min_gap, factor * space)


def line_height(line: Line) -> float:
    return max(line.bottom - line.top, 4.0)


def _is_bullet(words: Sequence[Word]) -> bool:
    """A lone bullet glyph (not a dash or asterisk: in a table those are values)."""
    return len(words) == 1 and len(words[0].text) == 1 and words[0].text in BULLET_GLYPHS


def text_size(lines: Sequence[Line]) -> float:
    """The typical font size of the lines' words (0 when the reader gives none)."""
    sizes = [w.size for ln in lines for w in ln.words if w.size]
    return median(sizes) if sizes else 0.0


def segments(line: Line, gap: float, size: float = 0.0) -> list[Line]:
    """Runs of words separated by more than ``gap``; a bullet glyph joins the run after it.

    ``gap`` suits text of ``size`` points (the page's typical text); between words set larger (a
    title in 26 points over a table in 9) the gap grows with their size, so a large title's
    ordinary word spaces are not taken for column gaps.

    A line with no space wider than ``gap`` (most prose lines) is one run, whichever way it is
    split (a larger size only widens the gap), bullet or not: it is returned as it is."""
    words = line.words
    x1 = words[0].x1
    for k in range(1, len(words)):
        w = words[k]
        if w.x0 - x1 > gap:
            break
        x1 = w.x1
    else:
        return [line]
    return _segments(line, gap, size)


def _segments(line: Line, gap: float, size: float = 0.0) -> list[Line]:
    """:func:`segments` for any line (the plain path; ``tests/test_borderless_fast.py`` holds the two
    together)."""
    if size and any(w.size > 1.2 * size for w in line.words):
        parts: list[Line] = []
        words: list[Word] = [line.words[0]]
        for a, b in zip(line.words, line.words[1:], strict=False):
            if b.x0 - a.x1 > gap * max(1.0, min(a.size, b.size) / size):
                parts.append(Line(words))
                words = []
            words.append(b)
        parts.append(Line(words))
    else:
        parts = split_columns(line, gap)
    out: list[Line] = []
    pending: list[Word] = []
    for part in parts:
        if _is_bullet(part.words):
            pending.extend(part.words)
            continue
        out.append(Line(pending + part.words) if pending else part)  # a part is a fresh Line of its own
        pending = []
    if pending:
        out.append(Line(pending))
    return out


# ---------------------------------------------------------------- detection

def _empties(segs: Sequence[Line], xmin: float, xmax: float) -> list[tuple[float, float, bool]]:
    """White intervals of a line: before, between (inner=True) and after its runs."""
    out = [(xmin - 1.0, segs[0].x0, False)]
    out += [(a.words[-1].x1, b.x0, True) for a, b in zip(segs, segs[1:], strict=False)]
    out.append((segs[-1].words[-1].x1, xmax + 1.0, False))
    return out


def find_rivers(lines: Sequence[Line], segs: Sequence[list[Line]], gap: float,
                settings: BorderlessSettings, skip: bool = True) -> list[_River]:
    """White-space rivers down consecutive lines, with the lines each one separates text on.

    ``skip``: pass over a line of one run while no river is being followed (most prose lines): it
    has no inner white to start one, so the loop would leave everything as it was
    (``tests/test_borderless_fast.py`` holds both ways together)."""
    xmin = min(ln.x0 for ln in lines)
    xmax = max(ln.words[-1].x1 for ln in lines)
    active: list[_River] = []
    done: list[_River] = []
    for i, ln in enumerate(lines):
        if skip and not active and len(segs[i]) < 2:
            continue  # no river to follow and no inner white to start one (most prose lines)
        if i and ln.top - lines[i - 1].bottom > settings.max_line_gap * line_height(ln):
            done += active
            active = []
        empties = _empties(segs[i], xmin, xmax)
        claimed: set[int] = set()
        nxt: list[_River] = []
        for r in active:
            if r.closed_at is not None:
                if i - r.closed_at > settings.bridge:
                    done.append(r)
                else:
                    nxt.append(r)
                continue
            best: tuple[float, float, int] | None = None
            rx0, rx1 = r.x0, r.x1
            for k, (e0, e1, _) in enumerate(empties):
                lo, hi = (e0 if e0 > rx0 else rx0), (e1 if e1 < rx1 else rx1)  # max(r.x0, e0), min(r.x1, e1)
                if hi - lo >= gap and (best is None or hi - lo > best[1] - best[0]):
                    best = (lo, hi, k)
            if best is None:
                r.closed_at = i
                nxt.append(r)
                continue
            r.x0, r.x1, r.last = best[0], best[1], i
            if empties[best[2]][2]:
                r.witnesses.append(i)
                claimed.add(best[2])
            nxt.append(r)
        for k, (e0, e1, inner) in enumerate(empties):
            if not inner or k in claimed or e1 - e0 < gap:
                continue
            resumed = next((r for r in nxt if r.closed_at is not None
                            and min(r.x1, e1) - max(r.x0, e0) >= gap
                            and _tight(lines, r.closed_at - 1, i, settings)), None)
            if resumed is not None:  # a section row crossed it: the same column gap goes on
                resumed.x0, resumed.x1 = max(resumed.x0, e0), min(resumed.x1, e1)
                resumed.closed_at, resumed.last = None, i
                resumed.witnesses.append(i)
            else:
                nxt.append(_River(e0, e1, i, i, [i]))
        active = nxt
    return done + active


def _tight(lines: Sequence[Line], first: int, last: int, settings: BorderlessSettings) -> bool:
    """Lines ``first..last`` follow each other as a table's rows do, with no paragraph space."""
    return all(lines[j].top - lines[j - 1].bottom <= settings.para_gap * line_height(lines[j])
               for j in range(max(first, 0) + 1, last + 1))


def _crosses(segs: Sequence[Line], rivers: Sequence[_River]) -> bool:
    return any(s.x0 < r.x1 and s.words[-1].x1 > r.x0 for s in segs for r in rivers)


def find_regions(lines: Sequence[Line], settings: BorderlessSettings = DEFAULT,
                 space: float | None = None, widest: Sequence[float] | None = None) -> list[tuple[int, int]]:
    """Index ranges (inclusive) of lines that form borderless tables.

    ``widest``: each line's widest space between two words (:func:`spacing`), if the caller has
    it: a line with none wider than the column gap is one run, as :func:`segments` would find."""
    if len(lines) < 2:
        return []
    space = word_space(lines) if space is None else space
    size = text_size(lines)
    gap = column_gap(space, settings, lines, size)
    if widest is None:
        segs = [segments(ln, gap, size) for ln in lines]
    else:
        segs = [segments(ln, gap, size) if w > gap else [ln] for ln, w in zip(lines, widest, strict=True)]
    strong = [r for r in find_rivers(lines, segs, gap, settings)
              if len(r.witnesses) >= settings.min_witnesses]
    strong.sort(key=lambda r: r.witnesses[0])
    groups: list[list[_River]] = []
    for r in strong:
        if groups and r.witnesses[0] <= max(g.witnesses[-1] for g in groups[-1]):
            groups[-1].append(r)
        else:
            groups.append([r])
    regions: list[tuple[int, int]] = []
    for group in groups:
        support = sum(len(r.witnesses) for r in group)
        if support < settings.min_support and not (len(group) >= 2 and support >= 4):
            continue
        start = min(r.witnesses[0] for r in group)
        end = max(r.witnesses[-1] for r in group)
        inner = [lines[j].top - lines[j - 1].bottom for j in range(start + 1, end + 1)]
        reach = max([*inner, 0.0]) + 1.0
        # a line set far larger than the table's text (a title wrapped over two lines) is no row of it
        big = 1.6 * (text_size(lines[start:end + 1]) or float("inf"))
        while start > 0 and (regions == [] or start - 1 > regions[-1][1]):
            j = start - 1
            near = [r for r in group if r.witnesses[0] <= start + 3]
            if lines[start].top - lines[j].bottom > reach or (_crosses(segs[j], near) and len(segs[j]) < 2) \
                    or text_size(lines[j:j + 1]) > big:
                break
            start = j
        while end + 1 < len(lines):
            j = end + 1
            near = [r for r in group if r.witnesses[-1] >= end - 3]
            if lines[j].top - lines[end].bottom > reach or (_crosses(segs[j], near) and len(segs[j]) < 2) \
                    or text_size(lines[j:j + 1]) > big:
                break
            end = j
        if regions and start <= regions[-1][1]:
            regions[-1] = (regions[-1][0], max(end, regions[-1][1]))
        else:
            regions.append((start, end))
    return regions

