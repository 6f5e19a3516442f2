"""RAG as colour: a cell's fill read from DOCX and PDF, classed by hue, mapped through the plan's key.

``tests/data/rag/westmoor-2015-16`` (built by ``tests/data/build_rag.py``) gives status only as
colour: literal fills, theme colours with a tint or shade, a coloured column with no header, and
numbered codes, with the plan's keys as paragraphs.  Its records are hand-written in
``westmoor-2015-16.json`` and asserted exactly from the DOCX and from the PDF (both engines).
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache

import pytest
from conftest import ROOT, fold

from extract import read
from models.document import Cell, Paragraph, Table
from normalise.rag import Legend, colour_class, is_rag_column, label_status
from pipeline import extract_file

RAG = ROOT / "tests" / "data" / "rag"
FIELDS = ("section", "priority", "objective", "ref", "action", "lead", "timescale", "start", "end", "progress",
          "outcome", "status")


@cache
def _got(name: str, ext: str, engine: str = "pdfium") -> dict:
    plan = extract_file(RAG / f"{name}.{ext}", engine=engine)
    assert plan.error is None, plan.error
    return plan.to_dict()


def _want(name: str) -> dict:
    return json.loads((RAG / f"{name}.json").read_text(encoding="utf-8"))


def _records(doc: dict) -> list[dict]:
    return [{**{f: fold(a[f]) for f in FIELDS}, "rag": a["extra"].get("rag")} for a in doc["actions"]]


NO_CAMELOT = importlib.util.find_spec("camelot") is None


@pytest.mark.parametrize(("ext", "engine"), [
    ("docx", "pdfium"), ("pdf", "pdfium"), ("pdf", "pdfplumber"),
    pytest.param("pdf", "camelot", marks=pytest.mark.skipif(NO_CAMELOT, reason="camelot-py is not installed")),
])
def test_westmoor_exact_records(ext, engine):
    got, want = _got("westmoor-2015-16", ext, engine), _want("westmoor-2015-16")
    assert (got["board"], got["period"]) == (want["board"], want["period"])
    assert _records(got) == _records(want)


def test_westmoor_pdf_engines_give_the_same_document_model():
    a = read(RAG / "westmoor-2015-16.pdf", engine="pdfplumber")
    b = read(RAG / "westmoor-2015-16.pdf", engine="pdfium")
    fills = [[c.fill for c in t.cells] for t in a.tables]
    assert fills == [[c.fill for c in t.cells] for t in b.tables]
    # the first table's RAG column, literal and theme colours, as LibreOffice drew them
    first = a.tables[0]
    assert [c.fill for c in first.cells if c.col == 5] == ["#D9D9D9", "#0070C0", "#00B050", "#C3D69B", "#F79646",
                                                          "#953735"]


def test_docx_theme_colours_resolved_from_the_theme_part():
    doc = read(RAG / "westmoor-2015-16.docx")
    col = [c.fill for c in doc.tables[0].cells if c.col == 5]
    assert col == ["#D9D9D9", "#0070C0", "#00B050", "#C3D69B", "#F79646", "#953735"]
    assert all(c.shaded for c in doc.tables[0].cells if c.col == 5)


def test_docx_theme_fill_wins_over_a_stale_fill(tmp_path):
    """Word writes w:fill only as a fallback: the theme colour (with its tint) is the colour shown."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    d = docx.Document()
    table = d.add_table(rows=1, cols=3)
    for cell, attrs in zip(table.rows[0].cells, [
            {"w:fill": "auto", "w:themeFill": "accent3", "w:themeFillTint": "99"},
            {"w:fill": "FFFFFF", "w:themeFill": "accent2", "w:themeFillShade": "BF"},
            {"w:fill": "auto"}], strict=True):
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        for k, v in attrs.items():
            shd.set(qn(k), v)
        cell._tc.get_or_add_tcPr().append(shd)
        cell.text = "x"
    path = tmp_path / "theme.docx"
    d.save(str(path))
    assert [c.fill for c in read(path).tables[0].cells] == ["#C3D69B", "#953735", None]


@pytest.mark.parametrize(("fill", "name"), [
    ("#00B050", "green"), ("#92D050", "green"), ("#C6EFCE", "green"), ("#C3D69B", "green"),
    ("#FFC000", "amber"), ("#FFFF00", "amber"), ("#F79646", "amber"), ("#FFEB9C", "amber"),
    ("#FF0000", "red"), ("#953735", "red"), ("#FFC7CE", "red"),
    ("#0070C0", "blue"), ("#8DB3E2", "blue"),
    ("#D9D9D9", None), ("#FFFFFF", None), ("#000000", None), ("#7030A0", None), (None, None), ("auto", None),
])
def test_colour_classes_by_hue(fill, name):
    assert colour_class(fill) == name


@pytest.mark.parametrize(("label", "status"), [
    ("Completed", "completed"), ("Complete and embedded", "completed"), ("On track", "in_progress"),
    ("Not on track", "delayed"), ("Some slippage", "delayed"), ("Not started", "not_started"),
    ("In progress, some risk to timescale", "in_progress"), ("Delayed", "delayed"), ("Priority", None),
])
def test_key_labels(label, status):
    assert label_status(label) == status


def test_legend_forms():
    """'Colour = label' lines, numbered categories (two or more), and a table of coloured cells beside labels."""
    key = Legend.of([Paragraph("Key: Green = Completed, Amber = On track, Red - Significantly off track")])
    assert key.colours == {"green": "completed", "amber": "in_progress", "red": "delayed"}
    assert Legend.of([Paragraph("1 = Completed")]).codes == {}  # one code alone is no key
    codes = Legend.of([Paragraph("Rating: 1 = Complete; 2 = On track; 3 = Not started")])
    assert codes.codes == {"1": "completed", "2": "in_progress", "3": "not_started"}
    listed = Legend.of([Paragraph("Status key: 1. Complete 2. On track 3. Slipped 4. Not started")])
    assert listed.codes == {"1": "completed", "2": "in_progress", "3": "delayed", "4": "not_started"}
    assert Legend.of([Paragraph("Key: (1) Achieved (2) In progress")]).codes == {"1": "completed", "2": "in_progress"}
    assert not Legend.of([Paragraph("1. Develop the neglect strategy 2. Train staff in its use")])  # a list, no key
    table = Table(3, 2, [Cell(0, 0, "", fill="#00B050"), Cell(0, 1, "On track"),
                         Cell(1, 0, "", fill="#0070C0"), Cell(1, 1, "Achieved"),
                         Cell(2, 0, "Behind schedule", fill="#FF0000")])
    assert Legend.of([table]).colours == {"green": "in_progress", "blue": "completed", "red": "delayed"}
    assert key.status("", "green") == "completed" and key.status("", "blue") == "completed"
    assert Legend().status(None, "green", brag=True) == "in_progress"  # BRAG: green is on track
    assert Legend().status(None, "green") == "completed"
    assert Legend().status("Amber", "green") == "in_progress"  # the cell's own word wins over its colour


def test_rag_column_from_content():
    coloured = [Cell(r, 3, "", fill=f) for r, f in enumerate(["#00B050", "#FF0000", "#FFC000"])]
    assert is_rag_column([*coloured, None])
    assert not is_rag_column([Cell(r, 3, "", fill="#D9D9D9") for r in range(3)])  # grey: header shading
    assert not is_rag_column([Cell(r, 3, "A long progress text, shaded green", fill="#00B050") for r in range(3)])
