"""The borderless search's fast paths give what its plain paths give, on every line of real pages.

Each fast path (``extract/borderless.py``, ``extract/borderless_regions.py``) answers the common
case without the general loop: a line with no wide space is one run, a run with no two figures side
by side is not cut, a run inside one column covers that column alone, a prose line with no river to
follow is passed over, a stretch's emptiest piece is found in one pass.  These tests hold each one
to the plain path (or, for the stretches, to the expressions it replaced) on the plans' pages and
their borderless renderings, at the page's own gaps and at others.
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

from conftest import FIXTURES, PLANS

from extract.borderless import (
    _cover,
    _figure_parts,
    _split_figures,
    _stretches,
    column_bounds,
    fragments,
)
from extract.borderless_regions import (
    DEFAULT,
    _segments,
    column_gap,
    find_regions,
    find_rivers,
    segments,
    spacing,
    text_size,
    word_space,
)
from extract.layout import Line, words_to_lines

BORDERLESS = Path(__file__).resolve().parent / "data" / "borderless"


@cache
def _pages() -> list[list[Line]]:
    """Each page's lines, as the reader groups its words (plans, and their borderless renderings)."""
    import pypdfium2 as pdfium

    from extract.pdfium import pages, pdfminer_facts

    paths = [FIXTURES / f"{name}.pdf" for name in PLANS] + sorted(BORDERLESS.glob("*.pdf"))
    out = []
    for path in paths:
        doc = pdfium.PdfDocument(str(path))
        try:
            out += [sorted(words_to_lines(page.words), key=lambda ln: ln.top)
                    for page in pages(doc, pdfminer_facts(path, None)) if page.words]
        finally:
            doc.close()
    return out


def _gaps(lines: list[Line]) -> tuple[float, float, list[float]]:
    space = word_space(lines)
    size = text_size(lines)
    return space, size, [column_gap(space, DEFAULT, lines), 3.5, 8.0, 20.0]


def _words(parts: list[Line]) -> list[list]:
    return [p.words for p in parts]


def test_segments_and_figure_cuts_are_the_plain_paths():
    whole = split = cut = 0
    for lines in _pages():
        _, size, gaps = _gaps(lines)
        for ln in lines:
            for gap in gaps:
                for sz in (size, 0.0, 0.5 * size):
                    fast = segments(ln, gap, sz)
                    assert _words(fast) == _words(_segments(ln, gap, sz))
                    whole += len(fast) == 1
                    split += len(fast) > 1
                for seg in segments(ln, gap, size):
                    parts = _split_figures(seg)
                    assert _words(parts) == _words(_figure_parts(seg))
                    cut += len(parts) > 1
    assert whole > 5000 and split > 1000 and cut > 50, (whole, split, cut)


def test_fragment_columns_are_the_plain_cover():
    fast = checked = 0
    for lines in _pages():
        space, size, gaps = _gaps(lines)
        regions = [lines[a:b + 1] for a, b in find_regions(lines, DEFAULT, space)]
        for region in [lines, *regions]:
            gap = column_gap(space, DEFAULT, region)
            segs = [[p for s in segments(ln, gap, size) for p in _split_figures(s)] for ln in region]
            bounds = column_bounds(segs, gap, DEFAULT)
            lo = [min(ln.x0 for ln in region), *bounds]
            hi = [*bounds, max(ln.words[-1].x1 for ln in region)]
            cols = list(zip(lo, hi, strict=True))
            quarter = [0.25 * max(b - a, 1.0) for a, b in cols]
            for f in fragments(region, bounds, gap, space):
                assert (f.c0, f.c1) == _cover(f.x0, f.x1, cols, quarter)
                checked += 1
                fast += len(bounds) > 0 and f.c0 == f.c1
    assert checked > 5000 and fast > 1000, (checked, fast)


def _plain_stretches(pieces, level):
    """``_stretches`` as it was: the lowest count with ``min``, the widest such piece with ``max``."""
    out = []
    k = 0
    while k < len(pieces):
        if pieces[k][2] > level:
            k += 1
            continue
        j = k
        while j + 1 < len(pieces) and pieces[j + 1][2] <= level:
            j += 1
        low = min(p[2] for p in pieces[k:j + 1])
        emptiest = max((p for p in pieces[k:j + 1] if p[2] == low), key=lambda p: p[1] - p[0])
        out.append((pieces[k][0], pieces[j][1], (emptiest[0] + emptiest[1]) / 2))
        k = j + 1
    return out


def _pieces(lines: list[Line], gap: float) -> list[tuple[float, float, int]]:
    """``column_bounds``' pieces: x intervals with the number of runs over each."""
    runs = [(s.x0, s.words[-1].x1) for ln in lines for s in segments(ln, gap)]
    events = sorted([(a, 1) for a, _ in runs] + [(b, -1) for _, b in runs])
    pieces, count, prev = [], 0, min(a for a, _ in runs)
    for x, step in events:
        if x > prev:
            pieces.append((prev, x, count))
        count += step
        prev = max(prev, x)
    return pieces


def test_stretches_in_one_pass_are_min_then_max():
    rng = random.Random(16)
    made = [[(float(x), float(x + rng.choice((1, 2, 2, 3))), rng.randint(0, 3)) for x in range(0, 60, 3)]
            for _ in range(200)]  # ties in count and width
    real = [_pieces(lines, gaps[0]) for lines in _pages() for gaps in [_gaps(lines)[2]]]
    checked = 0
    for pieces in made + real:
        for level in range(5):
            assert _stretches(pieces, level) == _plain_stretches(pieces, level)
            checked += 1
    assert checked > 1000


def test_rivers_skipping_prose_lines_are_the_rivers():
    rivers = 0
    for lines in _pages():
        _, size, gaps = _gaps(lines)
        for gap in gaps[:2]:
            segs = [segments(ln, gap, size) for ln in lines]
            fast = find_rivers(lines, segs, gap, DEFAULT)
            plain = find_rivers(lines, segs, gap, DEFAULT, skip=False)
            assert [vars(r) for r in fast] == [vars(r) for r in plain]
            rivers += len(fast)
    assert rivers > 100


def test_page_spacing_is_word_space_and_its_widest_gaps_the_runs():
    """``spacing`` gives ``word_space``'s figure, and a line whose widest space is no wider than the
    gap is the one run ``segments`` finds; ``find_regions`` is the same with the widths or without."""
    regions = one_run = 0
    for lines in _pages():
        space, widest = spacing(lines)
        assert space == word_space(lines)
        _, size, gaps = _gaps(lines)
        for gap in gaps:
            for ln, w in zip(lines, widest, strict=True):
                if not w > gap:
                    assert _words(segments(ln, gap, size)) == [ln.words]
                    one_run += 1
        found = find_regions(lines, DEFAULT, space, widest)
        assert found == find_regions(lines, DEFAULT, space)
        regions += len(found)
    assert regions > 20 and one_run > 5000, (regions, one_run)
