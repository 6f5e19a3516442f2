"""Readers: the neutral document model from real DOCX and PDF fixtures."""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from extract import read
from models.document import Heading, Paragraph, Table
from models.errors import ExtractError, UnsupportedFormat


def _tables(doc):
    return [b for b in doc.blocks if isinstance(b, Table)]


def test_docx_keeps_spans_and_header_rows():
    doc = read(FIXTURES / "surrey-2012-15.docx")
    t = _tables(doc)[1]  # section 1.1: title row + header row, both repeated on every page
    assert t.header_rows == 2
    title = [c for c in t.cells if c.row == 0]
    assert [(c.text[:4], c.colspan) for c in title] == [("1.1", 1), ("Opti", 3)]
    assert t.text_rows()[1] == ["", "Action", "Lead Group / Officer", "Progress to 31 May 2014"]
    assert doc.format == "docx" and t.page is None


def test_docx_vertical_merge_is_a_rowspan():
    doc = read(FIXTURES / "sunderland-2018-19.docx")
    theme1 = next(t for t in _tables(doc) if any(c.text == "Theme 1: People" for c in t.cells))
    cell = next(c for c in theme1.cells if c.text == "Theme 1: People")
    assert (cell.row, cell.col, cell.colspan) == (1, 0, 1)
    assert cell.rowspan == theme1.n_rows - 1


def test_docx_two_level_header():
    doc = read(FIXTURES / "staffordshire-2011-12.docx")
    t = next(t for t in _tables(doc) if t.header_rows == 2)
    timescale = next(c for c in t.cells if c.text == "Timescale")
    assert (timescale.row, timescale.colspan) == (0, 2)
    assert [c.text for c in t.cells if c.row == 1 and c.text] == ["Start", "End"]
    assert next(c for c in t.cells if c.text == "Priority Outcome").rowspan == 2


def test_docx_bullets_and_headings():
    doc = read(FIXTURES / "surrey-2012-15.docx")
    assert isinstance(doc.blocks[0], Heading) and doc.blocks[0].level == 0
    bullets = [b.text for b in doc.blocks if isinstance(b, Paragraph) and b.text.startswith("• ")]
    assert "• Optimise the effectiveness of arrangements to safeguard and protect children and young people" \
        in bullets


def test_pdf_tables_have_pages_and_columns():
    doc = read(FIXTURES / "surrey-2012-15.pdf")
    tables = _tables(doc)
    assert doc.pages == 8
    assert [t.page for t in tables][:3] == [3, 3, 3]
    assert all(t.col_edges and len(t.col_edges) == t.n_cols + 1 for t in tables)
    # the 1.1 table continues on page 4 with its two header rows repeated
    cont = next(t for t in tables if t.page == 4)
    assert cont.text_rows()[1] == ["", "Action", "Lead Group / Officer", "Progress to 31 May 2014"]


def test_pdf_cell_text_keeps_bullets_and_lines():
    doc = read(FIXTURES / "surrey-2012-15.pdf")
    cell = next(c for t in _tables(doc) for c in t.cells if c.text.startswith("• SSCB Report Card a multi"))
    assert cell.text.count("\n") == 3 and all(line.startswith("• ") for line in cell.text.split("\n"))
    lead = next(c for t in _tables(doc) for c in t.cells if c.text.startswith("Training & Communications"))
    assert lead.text == "Training & Communications sub-Group\nSSCB QA Officer\nSSCB QA Officer"


def test_pdf_page_furniture_never_enters_text():
    doc = read(FIXTURES / "solihull-2012-13.pdf")
    texts = [c.text for t in _tables(doc) for c in t.cells] + \
        [b.text for b in doc.blocks if not isinstance(b, Table)]
    assert not any("FINAL 24.8.12" in t for t in texts)
    assert not any(t.strip().isdigit() and len(t.strip()) <= 2 for t in texts
                   if t in [b.text for b in doc.blocks if isinstance(b, Paragraph)])


@pytest.mark.parametrize("content,suffix,reason", [
    (b"", ".pdf", "empty file (0 bytes)"),
    (b"<html><body>not a pdf</body></html>", ".pdf", "not a PDF (no %PDF header)"),
    (b"plain text", ".docx", "not a DOCX (not a zip package)"),
    (b"%PDF-1.4\n%broken", ".pdf", "not a readable PDF"),
])
def test_bad_inputs_fail_with_a_reason(tmp_path, content, suffix, reason):
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(content)
    with pytest.raises(ExtractError) as info:
        read(path)
    assert info.value.reason.startswith(reason)
    assert str(path) in str(info.value)


def test_unsupported_suffix(tmp_path):
    path = tmp_path / "plan.pptx"
    path.write_bytes(b"x")
    with pytest.raises(UnsupportedFormat, match="unsupported format '.pptx'"):
        read(path)
