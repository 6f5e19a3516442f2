"""Borderless tables: tables found from text alignment where no rules draw the grid.

Plans exported from tools other than Word often draw tables with no cell
borders, or with only a rule under the header.  pdfplumber's ruled finder sees
nothing there, so the words would read as prose and every action would be
lost.  This module finds such tables from the words alone and returns the same
:class:`models.document.Table` a ruled table gives.  It works on the
:class:`extract.layout.Line` s the PDF reader has left after ruled tables and
page furniture are removed, so ruled tables always take precedence.

Steps, each a small function:

1. ``segments``: a line splits into runs of words where the space between two
   words is much wider than the page's word spacing (a bullet glyph stays
   with its text, so a bulleted list is one run per line);
2. ``find_regions`` (detection): a *river* is an x-interval of white space
   that continues down consecutive lines; a river that separates runs on
   several lines is a column gap.  Lines covered by column gaps, plus the
   lines above and below that cross none of them and are as close as the
   table's own lines, are a table region.  Prose crosses every river, so it
   ends a region; a list's marker column is rejected in ``looks_like_table``;
3. ``column_bounds`` (structure): within a region the column boundaries are
   the x-intervals that (almost) no run covers: a few runs may cross them,
   because a spanning title or section row crosses every gap;
4. ``fragments``: each line's runs, cut at the column boundaries, with the
   columns each one covers (a run over several columns is a spanning cell);
5. ``row_starts``: rows come from every column at once.  At each line a
   column's text either starts a cell (no text yet in the row, text after a
   blank taller than the table's own gap between a cell's lines, a new
   paragraph under a cell just ended) or carries one on (mid-sentence, a
   lower-case start, indented under a bullet, the line above ran out of
   room in a column seen to wrap: :mod:`extract.borderless_rows` holds this
   evidence); a continuation never starts a row, while a new reference, two
   columns starting cells together, a rule, figures, or a cell the page
   draws after the rest of the row above (:mod:`extract.borderless_order`)
   do.  A column that
   carries on across a row start is a cell merged over those rows; a lone
   bold line is a title spanning its row; a bold header whose sub-headers
   start on its second line is two header rows;
6. ``build_table``: fragments grouped by row and column become cells, their
   lines joined into text by :func:`extract.layout.lines_to_text`, exactly as
   a ruled cell's are.

``col_edges`` are the columns' left text edges and the page's right text edge,
which stay put from page to page, so the normaliser's stitcher recognises the
next page's part of a table as it does for ruled tables.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from extract.borderless_order import CELL, drawing_order, drawn_row, shared_spans
from extract.borderless_regions import (
    DEFAULT,
    BorderlessSettings,
    _is_bullet,
    column_gap,
    find_regions,
    line_height,
    segments,
    spacing,
    text_size,
    word_space,
)
from extract.borderless_rows import (
    _LIST_MARKER,
    FRESH,
    FULL,
    LIST,
    PARA,
    RESUME,
    WRAP,
    _bold_text,
    _by_span,
    _figures,
    _is_numeric,
    _line_gap,
    _marker,
    _relation,
    _right_limits,
    _wrapping_spans,
)
from extract.layout import BULLET_GLYPHS, Line, Word, lines_to_text
from models.document import Cell, Table

Rule = tuple[float, float, float]  # a horizontal rule: x0, x1, y (top-left origin)


@dataclass
class Fragment(Line):
    """One cell's worth of a line: its words (with a line's geometry) and the columns it covers."""

    line: int = 0
    c0: int = 0
    c1: int = 0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def span(self) -> tuple[int, int]:
        return self.c0, self.c1


# ---------------------------------------------------------------- structure

def column_bounds(segs: Sequence[Sequence[Line]], gap: float, settings: BorderlessSettings = DEFAULT,
                  forced: Sequence[float] = ()) -> list[float]:
    """x positions between columns: white intervals that at most a few runs cross.

    ``forced`` are x positions of vertical rules (a partly ruled table): each
    one that no more runs cross than a white gap may is a boundary as drawn.
    """
    runs = [(s.x0, s.words[-1].x1) for line in segs for s in line]
    if not runs:
        return []
    n_lines = len(segs)
    tolerance = max(1, int(settings.span_share * n_lines)) if n_lines >= 3 else 0
    xmin, xmax = min(a for a, _ in runs), max(b for _, b in runs)
    events = sorted([(a, 1) for a, _ in runs] + [(b, -1) for _, b in runs])
    pieces: list[tuple[float, float, int]] = []
    count, prev = 0, xmin
    for x, step in events:
        if x > prev:
            pieces.append((prev, x, count))
        count += step
        prev = max(prev, x)
    need = min(settings.min_witnesses, max(n_lines - 1, 1))
    # each line's white gaps between consecutive runs, which a boundary must fall in; a line whose
    # text all starts at the far edge of the stretch (a header cell over columns the body leaves
    # empty) witnesses it too
    gaps = [[(s.words[-1].x1, t.x0) for s, t in zip(line, line[1:], strict=False)] for line in segs]
    witness = [(g, line[0].x0 if line else None) for line, g in zip(segs, gaps, strict=True)]
    accepted: list[tuple[float, float, float]] = []
    for x in sorted(forced):
        crossing = sum(1 for a, b in runs if a < x < b)
        if xmin + 1 < x < xmax - 1 and crossing <= tolerance and not any(abs(x - q) < gap for _, _, q in accepted):
            accepted.append((x - gap / 2, x + gap / 2, x))
    # the emptiest stretches first, then ones a few runs cross: spanning rows, or header
    # cells wider than their column, which the more lines a gap separates the more it may have
    # a level above the most runs over any x gives that level's stretches again, none acceptable anew
    # (accepted ones overlap themselves, the others fail tests that do not loosen with the level)
    most = max([p[2] for p in pieces], default=0)
    for level in range(min(max(tolerance, n_lines // 4), most) + 1):
        for a, b, x in _stretches(pieces, level):
            if b - a < gap or a <= xmin or b >= xmax or any(a < q1 and b > q0 for q0, q1, _ in accepted):
                continue
            seen = 0  # lines witnessing x: sum(1 for each line if any(g0 <= x <= g1 ...) or ...), as loops
            for g, start in witness:
                for g0, g1 in g:
                    if g0 <= x <= g1:
                        seen += 1
                        break
                else:
                    if start is not None and x < start <= b + 2.0:
                        seen += 1
            if seen >= need and level <= max(tolerance, seen // 3):
                accepted.append((a, b, x))
    return sorted(x for _, _, x in accepted)


def _stretches(pieces: Sequence[tuple[float, float, int]], level: int) -> list[tuple[float, float, float]]:
    """Maximal stretches where at most ``level`` runs cover x: (start, end, middle of their emptiest part)."""
    out = []
    k = 0
    n = len(pieces)
    while k < n:
        if pieces[k][2] > level:
            k += 1
            continue
        # one pass for the stretch's end and its emptiest piece: the first of the widest among the
        # lowest counts, as min over the counts then max(key=width) over those pieces pick
        emptiest = pieces[k]
        low, widest = emptiest[2], emptiest[1] - emptiest[0]
        j = k
        while j + 1 < n and pieces[j + 1][2] <= level:
            j += 1
            p = pieces[j]
            if p[2] < low:
                emptiest, low, widest = p, p[2], p[1] - p[0]
            elif p[2] == low and (width := p[1] - p[0]) > widest:
                emptiest, widest = p, width
        out.append((pieces[k][0], pieces[j][1], (emptiest[0] + emptiest[1]) / 2))
        k = j + 1
    return out


def fragments(lines: Sequence[Line], bounds: Sequence[float], gap: float, space: float) -> list[Fragment]:
    """Each line's runs cut at column boundaries, with the columns each run covers (``bounds``
    sorted, as ``build_table`` gives them: a run inside one column is placed by bisection)."""
    lo = [min(ln.x0 for ln in lines)] + list(bounds)
    hi = list(bounds) + [max(ln.words[-1].x1 for ln in lines)]
    cols = list(zip(lo, hi, strict=True))
    quarter = [0.25 * max(b - a, 1.0) for a, b in cols]  # a quarter of a column's width covers it
    out: list[Fragment] = []
    for i, ln in enumerate(lines):
        runs: list[list[Word]] = [[ln.words[0]]]
        for w in ln.words[1:]:
            prev = runs[-1][-1]
            space_between = w.x0 - prev.x1
            # a boundary in the space between two words cuts there, unless that space is an
            # ordinary word space (a spanning title); two figures a space apart are two cells
            # (the boundary test last: the tests are pure, and most word spaces fail the others)
            if space_between >= gap or ((space_between >= 1.5 * space or (
                    _is_numeric(prev.text) and _is_numeric(w.text))) and any(prev.x1 <= b <= w.x0 for b in bounds)):
                runs.append([w])
            else:
                runs[-1].append(w)
        merged: list[list[Word]] = []
        for run in runs:  # a lone bullet glyph belongs to the text after it
            if merged and _is_bullet(merged[-1]):
                merged[-1] = merged[-1] + run
            else:
                merged.append(run)
        for run in merged:
            x0, x1 = run[0].x0, run[-1].x1
            c = bisect_right(bounds, x0)
            if 0.5 * (x1 - x0) > 0.0 and lo[c] <= x0 and x1 <= hi[c]:
                # inside one column (most runs): its overlap is x1 - x0, every other column's at most
                # 0 (the columns are contiguous and ordered), so that column alone is home and covered
                out.append(Fragment(run, line=i, c0=c, c1=c))
            else:
                c0, c1 = _cover(x0, x1, cols, quarter)
                out.append(Fragment(run, line=i, c0=c0, c1=c1))
    return out


def _cover(x0: float, x1: float, cols: Sequence[tuple[float, float]], quarter: Sequence[float]) -> tuple[int, int]:
    """The first and last column a run from ``x0`` to ``x1`` covers: its home (the column it overlaps
    most) and any column it overlaps by half its own width or a quarter of the column's
    (``fragments``' plain path; ``tests/test_borderless_fast.py`` holds the two together)."""
    # max(0.0, min(x1, b) - max(x0, a)) for each column, inline (as the builtins pick)
    overlaps = [(o if (o := (b if b < x1 else x1) - (a if a > x0 else x0)) > 0.0 else 0.0) for a, b in cols]
    home = overlaps.index(max(overlaps))  # the first of the largest, as max(key=...) picks
    half = 0.5 * (x1 - x0)
    covered = [c for c in range(len(cols)) if c == home or overlaps[c] >= half or overlaps[c] >= quarter[c]]
    return min(covered), max(covered)


def _split_figures(seg: Line) -> list[Line]:
    """A run cut between two figures: in a fixed-width table two columns of figures can be one
    space apart, and a figure never holds a space.  A run with no two figures side by side is
    returned as it is (its runs are read for their geometry alone)."""
    words = seg.words
    for k in range(1, len(words)):
        if _is_numeric(words[k - 1].text) and _is_numeric(words[k].text):
            break
    else:
        return [seg]
    return _figure_parts(seg)


def _figure_parts(seg: Line) -> list[Line]:
    """:func:`_split_figures` for any run (the plain path)."""
    parts = [[seg.words[0]]]
    for w in seg.words[1:]:
        if _is_numeric(parts[-1][-1].text) and _is_numeric(w.text):
            parts.append([w])
        else:
            parts[-1].append(w)
    return [Line(p) for p in parts]


def row_starts(lines: Sequence[Line], frags: Sequence[Fragment], n_cols: int, space: float,
               rules: Sequence[Rule] = (), settings: BorderlessSettings = DEFAULT,
               carried: set[tuple[int, int, int]] | None = None,
               limits: dict[tuple[int, int], float] | None = None) -> list[int]:
    """Indexes of the lines that start a table row.

    ``carried`` (if given) receives ``(line, c0, c1)`` of each column whose
    text carries on across a row start: a cell merged over several rows.

    Every column's text at a line is weighed, not one column's: in a table
    without borders a cell's text starts at the top of its row, so at a row
    boundary each column with text starts a cell there (FRESH, RESUME, or a
    PARA under a cell that has just ended), while inside a row some column
    carries on (WRAP, FULL) or goes on with its list (LIST).  In order: a
    rule, two lines of figures, two columns starting cells together (a
    column that carries on beside them is a merged cell), plain text under a
    bold header, and a new reference in the key (first) column start a row;
    then a continuation anywhere keeps the line in its row; then the key
    column starting text, or a reference right under the last, or the key
    column starting new text with no column carrying on, or beside a column
    starting a cell, starts one; a likely wrap (FULL: only in a column seen
    to wrap, or a header's bold lines) keeps the line; and in a table of
    one-line rows any line that does not go on with a list starts a row.  Row padding needs no rule of
    its own: it is a blank above every column's text, so every column
    starts a cell (RESUME).  ``limits``: ``_right_limits(frags)`` if the caller has it already.
    """
    by_line: list[list[Fragment]] = [[] for _ in lines]
    for f in frags:
        by_line[f.line].append(f)
    limits = _right_limits(frags) if limits is None else limits
    left = min(ln.x0 for ln in lines)
    right = max(ln.words[-1].x1 for ln in lines)
    # only rules spanning enough of the table separate rows; a page has many rules, so they
    # are picked once rather than for every line
    wide = [y for x0, x1, y in rules if min(x1, right) - max(x0, left) >= settings.rule_share * (right - left)]

    def ruled_between(i: int) -> bool:
        if not wide:
            return False
        lo, hi = lines[i - 1].bottom - 1, lines[i].top + 1
        return any(lo <= y <= hi for y in wide)

    spans = _by_span(frags)  # grouped once for both
    pitch = _line_gap(frags, spans)
    wrapping = _wrapping_spans(frags, limits, space, spans)
    # white space above a fragment on line i is a blank (more than the document's gap between a
    # cell's lines) beyond this many points: one figure a line, from the line's height
    para_gap = settings.para_gap
    blank = [max(para_gap * h, pitch + 0.3 * h) for h in [line_height(ln) for ln in lines]]

    same_cell = drawing_order(frags, lambda a, b: not b.top - a.bottom > blank[b.line])

    # first pass, rows unknown: where each column starts text (for the key column and density)
    last: dict[int, Fragment] = {}
    starts_at: list[list[bool]] = []
    for i in range(len(lines)):
        limit = blank[i]
        flags = []
        for f in by_line[i]:
            c0, c1 = f.c0, f.c1
            prev = last.get(c0) if c0 == c1 else _above(last, f)
            flags.append(prev is None or prev.c0 != c0 or prev.c1 != c1 or f.top - prev.bottom > limit)
        for f in by_line[i]:
            if f.c0 == f.c1:
                last[f.c0] = f
            else:
                for c in range(f.c0, f.c1 + 1):
                    last[c] = f
        starts_at.append(flags)
    key = _key_column(by_line, starts_at, n_cols)
    values = [_figures(fs, key) for fs in by_line]

    out = [0]
    last = {}
    bullets: dict[tuple[int, int], tuple[float, float] | None] = {}
    row_bold = _bold_text(by_line[0])
    key_wraps = key_lines = 0
    lone: tuple[int, int] | None = None  # the one column with cells of its own in rows drawn apart
    for i in range(len(lines)):
        limit = blank[i]
        fs = by_line[i]
        row = out[-1]
        rel = [FRESH] * len(fs)
        drawn_on = [False] * len(fs)  # carrying on the text above, as drawn (same_cell)
        for j, f in enumerate(fs):
            c0, c1 = f.c0, f.c1
            prev = last.get(c0) if c0 == c1 else _above(last, f)
            if prev is None or prev.line < row:
                rel[j] = FRESH
            elif prev.c0 != c0 or prev.c1 != c1 or f.top - prev.bottom > limit:  # another span, a blank
                rel[j] = RESUME
            else:
                span = (c0, c1)
                rel[j] = _relation(prev, f, limits.get(span, f.words[-1].x1), space, bullets.get(span))
                if rel[j] == FULL and span not in wrapping and not (_bold_text([prev]) and _bold_text([f])):
                    rel[j] = PARA  # the column never visibly wraps: its edge is unknown (a header's bold lines
                    # are set in the column's width: they may still have run out of room)
                if rel[j] in (WRAP, FULL) and _bold_text([prev]) and not f.words[0].bold:
                    rel[j] = PARA  # plain text under a bold line (a header's) is new text
                if same_cell is not None:
                    drawn_on[j] = same_cell(prev, f)
                    rel[j] = rel[j] if drawn_on[j] else CELL
        if i:
            k = None  # the first fragment over the key column
            for j, f in enumerate(fs):
                if f.c0 <= key <= f.c1:
                    k = j
                    break
            if k is not None:
                key_lines += 1
                key_wraps += rel[k] in (WRAP, FULL, LIST)
            # with no drawing order no relation is CELL and no column is left alone (lone stays None):
            # drawn_row would answer (False, None)
            drawn, lone = drawn_row(fs, rel, drawn_on, lone, row_bold) if same_cell is not None else (False, None)
            new, carry = (True, True) if drawn else \
                _new_row(i, fs, rel, k, row_bold, ruled_between, values, key_lines, key_wraps)
            if new:
                out.append(i)
                row = i
                if carried is not None and carry:
                    carried.update((i, f.c0, f.c1) for f, r in zip(fs, rel, strict=True) if r == WRAP)
                    if drawn:
                        carried.update((i, *span) for span in shared_spans(fs, drawn_on, lone, last))
                lone = lone if drawn else None
                row_bold = None
        bold = _bold_text(fs)
        if bold is not None:
            row_bold = bold if row_bold is None else row_bold and bold
        for f in fs:
            c0, c1 = f.c0, f.c1
            if c0 == c1:
                last[c0] = f
            else:
                for c in range(c0, c1 + 1):
                    last[c] = f
            if f.words[0].text[:1] in BULLET_GLYPHS:
                body = [w for w in f.words if w.text.strip(BULLET_GLYPHS)]
                bullets[(c0, c1)] = (f.x0, body[0].x0 if body else f.x0)
            elif bullets and (b := bullets.get((c0, c1))) is not None and f.x0 < b[1] - 2.0:
                bullets[(c0, c1)] = None  # text back at the column's edge: the list has ended
    return _header_rows(out, by_line, values, ruled_between)


def _above(last: dict[int, Fragment], f: Fragment) -> Fragment | None:
    """The lowest of the fragments last seen in ``f``'s columns (the first of equally low ones, as
    ``max`` picks), or None: the text above ``f`` in its column."""
    if f.c0 == f.c1:  # one column (most fragments): its last fragment, if any
        return last.get(f.c0)
    prevs = [last[c] for c in range(f.c0, f.c1 + 1) if c in last]
    return max(prevs, key=lambda p: p.bottom) if prevs else None


def _new_row(i: int, fs: Sequence[Fragment], rel: Sequence[str], k: int | None, row_bold: bool | None,
             ruled_between: Callable[[int], bool], values: Sequence[bool], key_lines: int, key_wraps: int,
             ) -> tuple[bool, bool]:
    """Whether line ``i`` starts a row, from how each column's text there relates to the text above,
    and whether a column carrying on there is a cell merged over both rows."""
    if ruled_between(i):
        return True, False
    if values[i] and values[i - 1]:
        return True, False  # two lines of figures are two rows
    starting = sum(1 for r in rel if r in (FRESH, RESUME))
    if starting >= 2:
        return True, True  # cells start in two columns at once (a cell merged over rows may carry on)
    plain = [r for f, r in zip(fs, rel, strict=True) if _bold_text([f]) is False]
    if row_bold and any(r in (FRESH, RESUME, PARA) for r in plain) and WRAP not in plain:
        return True, False  # the body under a bold header row
    key_starts = k is not None and rel[k] in (FRESH, RESUME)
    if key_starts and _marker(fs[k].text):
        return True, False  # a new reference: whatever seems to carry on beside it starts its cell
    if not fs or WRAP in rel:
        return False, False  # a continuation never starts a row
    if key_starts:
        return True, False
    if k is not None and rel[k] == PARA and LIST not in rel and _marker(fs[k].text):
        return True, False  # a new reference right under the last: adjacent refs never merge
    others = [r for j, r in enumerate(rel) if j != k]
    if k is not None and (values[i] or len(others) >= 2) and others and all(r == PARA for r in others):
        return True, False  # every other column starts new text (figures, or items one per line)
    if k is not None and rel[k] == PARA and others and all(r in (FRESH, RESUME, PARA) for r in others):
        return True, False  # the key column starts new text and no column carries on: rows with no padding
    if k is not None and rel[k] == PARA and LIST not in rel and any(r in (FRESH, RESUME) for r in others):
        return True, False  # new text in the key column and a cell starting beside it: a FULL line ended its cell
    if FULL in rel:
        return False, False
    # a table of one-line rows: the key column has text on almost every line, and never wraps
    dense = key_lines >= 3 and key_wraps <= 0.15 * key_lines and k is not None
    return dense and LIST not in rel, False


def _header_rows(starts: list[int], by_line: Sequence[Sequence[Fragment]], values: Sequence[bool],
                 ruled_between: Callable[[int], bool]) -> list[int]:
    """Re-cut the header above a body of figures: its cells are several lines tall.

    Above the first two lines of figures, each line that holds a spanning
    cell (a group title over several columns) is a row of its own, and the
    lines between them are one row, so ``Body`` / ``Weight`` / ``(g)`` stacked
    in a column read as one header cell.
    """
    body = next((i for i in range(len(values) - 1) if values[i] and values[i + 1]), None)
    if not body or body > 8:
        return starts
    spanning = [any(f.c0 != f.c1 for f in fs) for fs in by_line]
    head = [0] + [j for j in range(1, body) if spanning[j] or spanning[j - 1] or ruled_between(j)]
    return head + sorted({i for i in starts if i >= body} | {body})


def _key_column(by_line: Sequence[Sequence[Fragment]], starts_at: Sequence[Sequence[bool]], n_cols: int) -> int:
    """The leftmost column that starts text about as often as any: refs, or row labels."""
    counts = [0] * n_cols
    for fs, starts in zip(by_line, starts_at, strict=True):
        for f, s in zip(fs, starts, strict=True):
            if s and f.c0 == f.c1:
                counts[f.c0] += 1
    top = max(counts) if counts else 0
    return next((c for c in range(n_cols) if counts[c] >= 0.5 * top and counts[c] > 0), 0)


def build_table(lines: Sequence[Line], page_no: int | None, rules: Sequence[Rule] = (),
                settings: BorderlessSettings = DEFAULT, space: float | None = None,
                page_right: float | None = None, padding: float = 5.5,
                vrules: Sequence[float] = (), columns: Sequence[float] | None = None,
                candidate: bool = False) -> Table | None:
    """The grid of a region of lines known (or supposed) to be one table.

    ``rules`` (horizontal) separate rows and ``vrules`` (x of vertical rules)
    separate columns where a table is partly ruled; white space does the rest.
    ``columns`` (x of column boundaries another engine found) replaces the
    column search altogether.  ``candidate``: the region is only supposed to
    be a table, and a grid :func:`looks_like_table` would refuse for its
    shape alone (one column, one row) is given up (``None``) as soon as that
    shape is known, before its rows or cells are built.
    """
    lines = [ln for ln in lines if ln.words]
    if not lines:
        return None
    space = word_space(lines) if space is None else space
    size = text_size(lines)
    gap = column_gap(space, settings, lines, size)
    segs = [[part for seg in segments(ln, gap, size) for part in _split_figures(seg)] for ln in lines]
    bounds = sorted(columns) if columns is not None else column_bounds(segs, gap, settings, vrules)
    n_cols = len(bounds) + 1
    if candidate and n_cols < 2:
        return None
    frags = fragments(lines, bounds, gap, space)
    carried: set[tuple[int, int, int]] = set()
    limits = _right_limits(frags)  # before _span_titles and _group_header widen spans
    starts = row_starts(lines, frags, n_cols, space, rules, settings, carried, limits)
    if candidate and len(starts) < 2:  # a second row comes only from a second row start
        return None
    row_of = {}
    for r, s in enumerate(starts):
        end = starts[r + 1] if r + 1 < len(starts) else len(lines)
        for i in range(s, end):
            row_of[i] = r
    _span_titles(frags, row_of, n_cols)
    spans: dict[tuple[int, int, int], int] = {}
    sub_header = _group_header(frags, starts)
    if sub_header is not None:  # the header is two rows: group titles over their sub-headers
        j, members = sub_header
        row_of = {i: r + 1 if r else r for i, r in row_of.items()}
        starts = [0, j, *starts[1:]]
        carried = {(i, c0, c1) for i, c0, c1 in carried if i != starts[2]}
        for f in frags:
            if f.line < starts[2] and f.c0 not in members:
                spans[(0, f.c0, f.c1)] = 2
    # a column carrying on across a row start is one cell merged over those rows
    owner: dict[tuple[int, int, int], int] = {}
    for i, c0, c1 in sorted(carried):
        r = row_of[i]
        if i == starts[r] and r > 0:
            top = owner.get((r - 1, c0, c1), r - 1)
            owner[(r, c0, c1)] = top
            spans[(top, c0, c1)] = r - top + 1
    groups: dict[tuple[int, int, int], list[Fragment]] = {}
    for f in frags:
        r = row_of[f.line]
        if sub_header is not None and r == 0 and f.c0 in sub_header[1] and f.line >= sub_header[0]:
            r = 1
        groups.setdefault((owner.get((r, f.c0, f.c1), r), f.c0, f.c1), []).append(f)
    cells = _cells(groups, limits, page_no, padding, spans)
    firsts: dict[int, float] = {}  # each column's leftmost text: min over its fragments, in one pass
    for f in frags:
        x = f.words[0].x0
        c = f.c0
        if c not in firsts or x < firsts[c]:  # what min keeps: the first unless a later one is lower
            firsts[c] = x
    lefts = []
    for c in range(n_cols):
        lefts.append(firsts[c] if c in firsts else (bounds[c - 1] if c else min(ln.x0 for ln in lines)))
    right = max(ln.words[-1].x1 for ln in lines)
    edges = tuple(round(x, 1) for x in [*lefts, max(right, page_right or 0.0)])
    bbox = (min(ln.x0 for ln in lines), min(ln.top for ln in lines), right, max(ln.bottom for ln in lines))
    n_rows = len(starts)
    return Table(n_rows=n_rows, n_cols=n_cols, cells=cells, page=page_no, col_edges=edges, bbox=bbox,
                 row_pages=[page_no] * n_rows)


def _span_titles(frags: Sequence[Fragment], row_of: dict[int, int], n_cols: int) -> None:
    """A row holding one line of bold text (after a reference, if any) and nothing to its right is a
    title or divider row: without borders its span is unknown, so it spans the rest of the row."""
    by_row: dict[int, list[Fragment]] = {}
    for f in frags:
        by_row.setdefault(row_of[f.line], []).append(f)
    for r, fs in by_row.items():
        if r == 0 or len({f.line for f in fs}) != 1 or len(fs) > 2:
            continue
        fs = sorted(fs, key=lambda f: f.c0)
        title = fs[-1]
        if len(fs) == 2 and not (_marker(fs[0].text) and fs[0].c1 < title.c0):
            continue
        if title.c1 < n_cols - 1 and _bold_text([title]) and (len(fs) == 2 or title.c1 > title.c0 or title.c0 == 0):
            title.c1 = n_cols - 1


def _group_header(frags: Sequence[Fragment], starts: Sequence[int]) -> tuple[int, set[int]] | None:
    """A bold header row whose cells are a group title over sub-headers (``Timescale`` over
    ``Start`` | ``End``): columns with no text on the header's first line start together on a
    later line ``j``, each run of them beside a column whose title stands above ``j`` and whose
    sub-header is on ``j``.  The title then spans the run; returns ``j`` and the grouped columns
    (the title's own spans that many columns once this returns)."""
    if len(starts) < 2 or starts[1] < 2:
        return None
    head = [f for f in frags if f.line < starts[1]]
    if not head or not _bold_text(head) or any(f.c0 != f.c1 for f in head):
        return None
    first = {}
    for f in sorted(head, key=lambda f: f.line):
        first.setdefault(f.c0, f.line)
    late = sorted(c for c, line in first.items() if line > 0)
    if not late or len({first[c] for c in late}) != 1:
        return None
    j = first[late[0]]
    members: set[int] = set()
    titles: list[tuple[Fragment, int]] = []
    for c in late:
        if c - 1 in members:
            members.add(c)
            titles[-1] = (titles[-1][0], c)
            continue
        above = [f for f in head if f.c0 == c - 1 and f.line < j]
        below = [f for f in head if f.c0 == c - 1 and f.line >= j]
        if c - 1 not in first or first[c - 1] != 0 or not above or len(below) != 1:
            return None
        members.update((c - 1, c))
        titles.append((max(above, key=lambda f: f.line), c))
    if any(len([f for f in head if f.c0 == c and f.line >= j]) != 1 for c in members):
        return None  # a sub-header is one line
    for title, last in titles:
        for f in head:
            if f.c0 == title.c0 and f.line < j:
                f.c1 = last
    return j, members


def _cells(groups: dict[tuple[int, int, int], list[Fragment]], limits: dict[tuple[int, int], float],
           page_no: int | None, padding: float, rowspans: dict[tuple[int, int, int], int] | None = None,
           ) -> list[Cell]:
    """One cell per row and column span; overlapping spans in a row merge into the widest;
    ``rowspans``: cells (row, c0, c1) merged down over that many rows."""
    by_row: dict[int, list[tuple[int, int, list[Fragment]]]] = {}
    for (r, c0, c1), fs in groups.items():
        by_row.setdefault(r, []).append((c0, c1, fs))
    cells: list[Cell] = []
    for r in sorted(by_row):
        spans = sorted(by_row[r], key=lambda s: (s[0], -s[1]))
        merged: list[tuple[int, int, list[Fragment]]] = []
        for c0, c1, fs in spans:
            if merged and c0 <= merged[-1][1]:
                m0, m1, mfs = merged[-1]
                merged[-1] = (m0, max(m1, c1), mfs + fs)
            else:
                merged.append((c0, c1, list(fs)))
        for c0, c1, fs in merged:
            if len(fs) == 1:  # most cells: one fragment, which is the cell's one line
                lines: list[Line] = fs  # (one line's text needs no right edge)
                text = lines_to_text(lines, padding=padding)
                bold = fs[0].bold  # a Line's bold is a bool: what all() over it gives
            else:
                fs.sort(key=lambda f: (f.line, f.x0))
                lines = []
                prev_line = None
                for f in fs:
                    if lines and f.line == prev_line:
                        lines[-1] = Line(lines[-1].words + f.words)
                    else:
                        lines.append(f)  # a fragment is a line of its words (whose text it may know already)
                    prev_line = f.line
                right = max(limits.get((c0, c1), 0.0), max(f.x1 for f in fs)) + padding
                text = lines_to_text(lines, right=right, padding=padding)
                bold = all(ln.bold for ln in lines)
            rowspan = (rowspans or {}).get((r, c0, c1), 1)
            cells.append(Cell(r, c0, text, rowspan, c1 - c0 + 1, bold=bold, page=page_no))
    return cells


def looks_like_table(table: Table) -> bool:
    """Reject what alignment alone mistakes for a table.

    A list (its marker column), a run of one-cell rows, and prose set in
    columns: there the "cells" are pieces of running sentences, so many long
    ones start in the middle of a sentence, with a lower-case word; a table's
    cells start with a capital, a figure or a bullet (or are a header in lower
    case, repeated over each section: counted once).
    """
    rows = table.text_rows()
    filled = [row for row in rows if sum(1 for t in row if t.strip()) >= 2]
    if table.n_cols < 2 or table.n_rows < 2 or len(filled) < 2:
        return False
    first = [row[0].strip() for row in rows if row[0].strip()]
    if table.n_cols == 2 and first and all(_LIST_MARKER.match(t) or _is_bullet([Word(t, 0, 0, 0, 0)])
                                            for t in first):
        return False
    long = [c.text.strip() for c in table.cells if len(c.text.split()) >= 4]
    # counted once: a label repeated on every section's header row ('who will do it?') is no
    # piece of running prose, which never says the same thing twice
    mid_sentence = len({t for t in long if t[:1].islower()})
    return not (len(long) >= 4 and mid_sentence >= 0.35 * len(long))


def find_tables(lines: Sequence[Line], page_no: int | None, rules: Sequence[Rule] = (),
                settings: BorderlessSettings = DEFAULT, page_right: float | None = None,
                padding: float = 5.5, reject: Callable[[Table], bool] | None = None,
                ) -> tuple[list[Table], list[Line]]:
    """Borderless tables among a page's lines, and the lines left over for prose.

    ``reject`` vetoes a candidate on what only the page knows (a chart's
    drawing under its axis labels).
    """
    if not settings.enabled or len(lines) < 2:
        return [], list(lines)
    lines = sorted(lines, key=lambda ln: ln.top)
    space, widest = spacing(lines)  # word_space(lines), and each line's widest word space
    tables: list[Table] = []
    taken: set[int] = set()
    for start, end in find_regions(lines, settings, space, widest):
        region = lines[start:end + 1]
        table = build_table(region, page_no, rules, settings, space, page_right, padding, candidate=True)
        if table is not None and looks_like_table(table) and not (reject and reject(table)):
            tables.append(table)
            taken.update(range(start, end + 1))
    return tables, [ln for i, ln in enumerate(lines) if i not in taken]
