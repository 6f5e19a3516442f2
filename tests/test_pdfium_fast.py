"""The character layer's fast paths give what their plain paths give, on real fixture pages.

``extract.pdfium_text`` keeps a plain path beside each shortcut it takes on a
page's characters; every PDF at hand is read here with both run side by side
and their results compared exactly (values and dtypes), so a shortcut that
drifts from its plain path fails here, not in a record.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, ROOT

import extract.pdfium_text as pdfium_text
from extract import read

#: the functions themselves (the tests wrap the module's names)
CONTENT_ORDER, CONTENT_ORDER_PLAIN = pdfium_text._content_order, pdfium_text._content_order_plain

PDFS = sorted([*FIXTURES.glob("*.pdf"), *(ROOT / "tests" / "data").rglob("*.pdf")])


def _same(a: np.ndarray | None, b: np.ndarray) -> bool:
    return a is not None and a.dtype == b.dtype and a.shape == b.shape and bool((a == b).all())


def _read_comparing(path: Path, monkeypatch: pytest.MonkeyPatch, fast: str, check) -> int:
    """``read(path)`` with ``pdfium_text.<fast>`` wrapped by ``check(args, result)``; the calls made."""
    calls = []
    original = getattr(pdfium_text, fast)

    def compared(*args):
        got = original(*args)
        check(args, got)
        calls.append(1)
        return got

    with monkeypatch.context() as m:
        m.setattr(pdfium_text, fast, compared)
        try:
            read(path)
        except AssertionError:
            raise
        except Exception:  # a bad file: nothing to compare past its error
            pass
    return len(calls)


@pytest.mark.parametrize("path", PDFS, ids=[str(p.relative_to(ROOT)) for p in PDFS])
def test_content_order_on_runs_is_the_plain_sort(path, monkeypatch):
    """``_content_order`` (on runs of one text object) is ``_content_order_plain`` (a stable sort of
    every character by its object's rank), also on the same page with its runs shuffled."""
    rng = np.random.default_rng(7)

    def check(args, got):
        objs, order = args
        for case in (objs, objs[rng.permutation(len(objs))], objs[::-1].copy()):
            uniq, inv, perm = CONTENT_ORDER(case, order)
            p_uniq, p_inv, p_perm = CONTENT_ORDER_PLAIN(case, order)
            assert _same(uniq, p_uniq) and _same(inv, p_inv)
            assert _same(np.arange(len(case)) if perm is None else perm, p_perm)

    calls = _read_comparing(path, monkeypatch, "_content_order", check)
    assert calls or path.parent != FIXTURES, f"{path.name}: no page compared"


EDGE_PDFS = [*sorted(FIXTURES.glob("*.pdf")), *sorted((ROOT / "tests" / "data").rglob("*.pdf"))[:12]]


@pytest.mark.parametrize("path", EDGE_PDFS, ids=[str(p.relative_to(ROOT)) for p in EDGE_PDFS])
def test_edge_tuples_are_the_edge_dicts(path):
    """``PdfiumPage.edge_split`` holds the values of ``vertical_edges``/``horizontal_edges`` in their
    order; the grid finder, ``horizontal_rules`` and ``vertical_rules`` give the same on either."""
    import pypdfium2 as pdfium

    from extract.pdf import DEFAULT, horizontal_rules, vertical_rules
    from extract.pdfium import pages, pdfminer_facts
    from extract.pdfium_grid import find_grids

    class Dicts:  # the page without its tuples: what a pdfplumber page offers
        def __init__(self, page):
            self.horizontal_edges, self.vertical_edges = page.horizontal_edges, page.vertical_edges

    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        pytest.skip("not a PDF PDFium opens")
    seen = 0
    try:
        for page in pages(doc, pdfminer_facts(path, None)):
            v, h = page.edge_split
            for tuples, dicts in ((v, page.vertical_edges), (h, page.horizontal_edges)):
                assert tuples == [(e["x0"], e["top"], e["x1"], e["bottom"], e["width"], e["height"]) for e in dicts]
                assert [tuple(map(type, t)) for t in tuples] == [
                    tuple(type(e[k]) for k in ("x0", "top", "x1", "bottom", "width", "height")) for e in dicts]
            settings = DEFAULT.table_settings()
            assert [t.cells for t in page.find_tables(settings)] == find_grids(page.edges, settings)
            assert horizontal_rules(page) == horizontal_rules(Dicts(page))
            bbox = page.bbox
            for box in (bbox, (bbox[0] + 50, bbox[1] + 80, bbox[2] - 60, bbox[3] - 100)):
                assert vertical_rules(page, box) == vertical_rules(Dicts(page), box)
            seen += len(v) + len(h)
    finally:
        doc.close()
    if path.parent == FIXTURES:
        assert seen, f"{path.name}: no edge compared"


def test_cells_to_tables_is_pdfplumbers(monkeypatch):
    """``pdfium_grid.cells_to_tables`` (each pass keeps the cells it did not take) gives
    pdfplumber's tables, in its order, on every grid the fixtures draw and on generated ones:
    grids touching at a corner, apart, shuffled, with one-cell tables and equal cells."""
    from pdfplumber.table import cells_to_tables as plain

    from extract import pdfium_grid

    seen = []
    fast = pdfium_grid.cells_to_tables

    def compared(cells):
        got = fast(cells)
        assert got == plain(cells)
        seen.append(len(cells))
        return got

    monkeypatch.setattr(pdfium_grid, "cells_to_tables", compared)
    for path in sorted(FIXTURES.glob("*.pdf")):
        read(path)
    assert len(seen) > 20 and max(seen) > 50

    rng = np.random.default_rng(16)
    for _ in range(300):
        cells = []
        for _ in range(int(rng.integers(1, 5))):  # a few grids, some touching at a corner
            x, y = float(rng.integers(0, 6)) * 10, float(rng.integers(0, 6)) * 10
            rows, cols = int(rng.integers(1, 5)), int(rng.integers(1, 5))
            cells += [(x + 10 * c, y + 10 * r, x + 10 * c + 10, y + 10 * r + 10)
                      for r in range(rows) for c in range(cols)]
        order = rng.permutation(len(cells))
        cells = [cells[k] for k in order]
        assert fast(cells) == plain(cells)
        assert fast(cells[::-1]) == plain(cells[::-1])


def test_one_word_cell_is_the_three_steps():
    """``layout.one_word_cell`` gives what ``words_to_lines``, ``lines_to_text`` and the every-line-bold
    test give one word: on every word of the fixture plans, and on bullets, blanks and list numbers."""
    from extract.layout import BULLET_GLYPHS, Word, lines_to_text, one_word_cell, words_to_lines

    words = [w for path in sorted(FIXTURES.glob("*.pdf")) for w in read_words(path)]
    words += [Word(t, 1.0, 2.0, 3.0, 4.0, bold=b) for t in ("", " ", "•", "• x", "1.", "1. Item", "\uf0b7", "x •",
                                                          *BULLET_GLYPHS) for b in (False, True)]
    assert len(words) > 5000
    for w in words:
        lines = words_to_lines([w], 3.0)
        want = (lines, lines_to_text(lines, right=w.x1 + 40, padding=5.0), all(ln.bold for ln in lines))
        got = one_word_cell(w)
        assert got == want and type(got[2]) is type(want[2]), w


def read_words(path: Path) -> list:
    import pypdfium2 as pdfium

    from extract.pdfium import pages, pdfminer_facts

    doc = pdfium.PdfDocument(str(path))
    try:
        return [w for page in pages(doc, pdfminer_facts(path, None)) for w in page.words]
    finally:
        doc.close()


def test_line_order_and_centres_are_the_plain_expressions():
    """``layout._line_order`` (each top's rounding looked up) sorts every cell's and page's words as
    ``(round(top, 1), x0)`` does, and ``pdf._centres`` gives the list-built centres, on every word of
    the fixture plans and on signed zeros and ties."""
    from extract import layout
    from extract.layout import Word
    from extract.pdf import _centres

    pages = [read_words(path) for path in sorted(FIXTURES.glob("*.pdf"))]
    extra = [Word("z", x, top, x + 1, top + 1) for top in (0.0, -0.0, 0.05, -0.05, 0.15, 0.25, 1e-9, -1e-9)
             for x in (3.0, 1.0, 2.0)]
    for words in [*pages, extra, extra[::-1]]:
        assert sorted(words, key=layout._line_order) == sorted(words, key=layout._line_order_plain)
        assert [layout._line_order(w) for w in words] == [layout._line_order_plain(w) for w in words]
        xy = np.array([(w.x0, w.x1, w.top, w.bottom) for w in words], dtype=np.float64).reshape(-1, 4)
        cx, cy = _centres(words)
        assert _same(cx, (xy[:, 0] + xy[:, 1]) / 2) and _same(cy, (xy[:, 2] + xy[:, 3]) / 2)
