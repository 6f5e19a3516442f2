"""The fast PDF engine (``--engine pdfium``) gives what the pdfplumber engine gives.

The engine feeds :mod:`extract.pdf`'s own table, cell and prose code from
PDFium, so any drift between the two (a word box, a font run, a ruling edge)
shows up here as a different record, error or grid.
"""

from __future__ import annotations

import inspect
from functools import cache

import pytest
from conftest import FIXTURES, PLANS, ROOT, expected, extracted, scorer

from extract import DEFAULT_ENGINE, ENGINES, read
from extract.pdf import DEFAULT, page_words
from models.document import Table
from pipeline import explain_file, extract_file, import_paths

FIELDS = ("ref", "action", "lead", "timescale", "progress")
BAD = ROOT / "tests" / "bad"
BAD_PDFS = ["encrypted.pdf", "scanned.pdf", "truncated.pdf", "zero-byte.pdf", "really-html.pdf"]


def _actions(doc: dict) -> list[tuple]:
    return [tuple(a.get(f) for f in FIELDS) for a in doc["actions"]]


def test_engine_is_registered_and_the_default():
    assert "pdfium" in ENGINES
    assert ENGINES[:2] == ("pdfplumber", "camelot")
    assert DEFAULT_ENGINE == "pdfium"
    for fn in (read, extract_file, import_paths, explain_file):
        assert inspect.signature(fn).parameters["engine"].default == "pdfium", fn.__name__


@cache
def _plumber(name: str) -> dict:
    plan = extract_file(FIXTURES / f"{name}.pdf", engine="pdfplumber")
    assert plan.error is None, plan.error
    return plan.to_dict()


@pytest.mark.parametrize("name", PLANS)
def test_same_records_as_pdfplumber_and_scores(name):
    """Both engines named explicitly: the same records (the default engine is pdfium, so
    ``conftest.extracted`` is this engine's output), and no lower score."""
    plan = extract_file(FIXTURES / f"{name}.pdf", engine="pdfium")
    assert plan.error is None
    ours, theirs = plan.to_dict(), _plumber(name)
    assert _actions(ours) == _actions(theirs)
    assert ours == theirs  # every record, table summary, warning and page count
    assert ours == extracted(name, "pdf")  # what the default engine gives
    res, ref = scorer().score(expected(name), [ours]), scorer().score(expected(name), [theirs])
    assert res["score"] >= 0.97, {k: v for k, v in res.items() if k != "_misses"}
    assert res["score"] >= ref["score"]


def _blocks(doc) -> list:
    out = []
    for b in doc.blocks:
        if isinstance(b, Table):
            out.append((b.page, b.n_rows, b.n_cols, b.header_rows, b.col_edges, b.row_pages,
                        tuple(round(v, 1) for v in b.bbox or ()), [c.__dict__ for c in b.cells]))
        else:
            out.append(b.__dict__)
    return out


@pytest.mark.parametrize("name", ["surrey-2012-15", "staffordshire-2011-12"])
def test_same_document_model_as_pdfplumber(name):
    """Blocks, cells (text, spans, bold, page), column edges and page counts are equal."""
    a = read(FIXTURES / f"{name}.pdf", engine="pdfplumber")
    b = read(FIXTURES / f"{name}.pdf", engine="pdfium")
    assert (a.pages, a.title) == (b.pages, b.title)
    assert _blocks(a) == _blocks(b)


def _pdfium_pages(path):
    import pypdfium2 as pdfium

    from extract.pdfium import pages, pdfminer_facts

    doc = pdfium.PdfDocument(str(path))
    try:
        yield from pages(doc, pdfminer_facts(path, None))
    finally:
        doc.close()


def test_words_are_pdfplumbers():
    """Text, boxes (to 0.01 pt), boldness and size of every word, in pdfplumber's order, and the order
    the page draws them in (the borderless reader tells cells apart by it)."""
    import pdfplumber

    path = FIXTURES / "staffordshire-2011-12.pdf"  # hyphens at line ends, bold runs inside cells
    with pdfplumber.open(path) as pdf:
        for page, ours in zip(pdf.pages[:8], _pdfium_pages(path), strict=False):
            ref = page_words(page)
            assert [(w.text, w.bold, w.size) for w in ours.words] == [(w.text, w.bold, w.size) for w in ref]
            assert all(abs(a.x0 - b.x0) < 0.01 and abs(a.x1 - b.x1) < 0.01 and a.top == pytest.approx(b.top)
                       and a.bottom == pytest.approx(b.bottom) for a, b in zip(ours.words, ref, strict=True))
            drawn = lambda ws: sorted(range(len(ws)), key=lambda k: ws[k].seq)  # noqa: E731
            assert min(w.seq for w in ours.words) >= 0 and drawn(ours.words) == drawn(ref)


def test_grid_finder_is_pdfplumbers():
    """The fast ruled-grid finder gives pdfplumber's TableFinder cells, in its order, on every page."""
    from pdfplumber.table import TableFinder, TableSettings

    from extract.pdfium_grid import find_grids

    settings = DEFAULT.table_settings()
    for name in PLANS:
        for page in _pdfium_pages(FIXTURES / f"{name}.pdf"):
            ref = [list(t.cells) for t in TableFinder(page, TableSettings.resolve(settings)).tables]
            assert find_grids(page.edges, settings) == ref, (name, page.page_number)


@pytest.mark.parametrize("name", BAD_PDFS)
def test_bad_pdfs_fail_as_with_pdfplumber(name):
    path = BAD / name
    ours = extract_file(path, engine="pdfium")
    theirs = extract_file(path, engine="pdfplumber")
    assert ours.error == theirs.error
    assert ours.error is not None and "\n" not in ours.error


def test_encrypted_pdf_opens_with_its_password():
    path = BAD / "encrypted.pdf"
    assert len(extract_file(path, engine="pdfium", password="secret").actions) == 12
    assert extract_file(path, engine="pdfium", password="nope").error == "wrong password for encrypted PDF"


def test_one_line_text_and_line_geometry_are_the_plain_paths():
    """A one-line cell's text (``lines_to_text``'s fast path) is what the general loop gives it, and a
    line's top and bottom are the lowest and highest of its words', on every line of the plans and of
    cell-sized pieces of them (bullets alone, bullets with text, list numbers, blank words)."""
    from extract.layout import BULLET_GLYPHS, Line, Word, _lines_text, lines_to_text, split_columns, words_to_lines

    texts = ("•", " • ", "\uf0b7 text", "1. first", "2. x", " ", "")
    made = [Line([Word(t, 10.0, 5.0, 20.0, 9.0, bold=b)]) for t in texts for b in (False, True)]
    made.append(Line([Word("•", 10.0, 4.0, 13.0, 10.0), Word("two", 15.0, 5.0, 30.0, 9.5)]))
    checked = 0
    for name in PLANS:
        for page in _pdfium_pages(FIXTURES / f"{name}.pdf"):
            for line in [*words_to_lines(page.words), *made]:
                for piece in [line, *split_columns(line, 8.0)]:
                    plain = Line(list(piece.words))
                    ws = plain.words
                    assert (piece.top, piece.bottom, piece.size) == (min(w.top for w in ws),
                                                                     max(w.bottom for w in ws),
                                                                     max(w.size for w in ws))
                    assert piece.text == " ".join(w.text for w in ws)
                    assert piece.bold is all(w.bold for w in ws if w.text.strip(BULLET_GLYPHS))
                    assert lines_to_text([piece]) == _lines_text([plain])
                    assert lines_to_text([piece], right=piece.bottom + 40, padding=3.0) == \
                        _lines_text([plain], right=piece.bottom + 40, padding=3.0)
                    checked += 1
    assert checked > 1000
