"""Spreadsheet trackers: ``.xlsx`` read by openpyxl; ``.ods``/``.xls`` (and ``.odt``) through LibreOffice.

``tests/data/tracker/eastfield-2016-17.xlsx`` (built by ``tests/data/build_tracker.py`` with
openpyxl) has two sheets of actions with merged priority cells and RAG fills, a key sheet, a
hidden row, a hidden column, a hidden sheet and an empty sheet; its records are hand-written in
``eastfield-2016-17.json``.  The ``.ods`` is the same workbook saved by LibreOffice.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from conftest import ROOT, fold

from batch.importer import iter_inputs
from extract import read, supported_suffixes
from extract.xlsx import _text
from models.document import Heading, Table
from pipeline import extract_file

TRACKER = ROOT / "tests" / "data" / "tracker"
RAG = ROOT / "tests" / "data" / "rag"
FIELDS = ("section", "priority", "objective", "ref", "action", "lead", "timescale", "start", "end", "progress",
          "outcome", "status")


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _calc() -> bool:
    exe = _soffice()
    return exe is not None and any((Path(exe).resolve().parent / name).exists() for name in ("libsclo.so", "scalc"))


needs_calc = pytest.mark.skipif(not _calc(), reason="LibreOffice Calc is not installed")
needs_writer = pytest.mark.skipif(_soffice() is None, reason="LibreOffice is not installed")


@cache
def _got(path: Path) -> dict:
    plan = extract_file(path)
    assert plan.error is None, plan.error
    return plan.to_dict()


def _want(name: str) -> dict:
    return json.loads((TRACKER / f"{name}.json").read_text(encoding="utf-8"))


def _records(doc: dict) -> list[dict]:
    return [{**{f: fold(a[f]) for f in FIELDS}, "rag": a["extra"].get("rag")} for a in doc["actions"]]


@pytest.mark.parametrize("ext", ["xlsx", pytest.param("ods", marks=needs_calc)])
def test_tracker_exact_records(ext):
    got, want = _got(TRACKER / f"eastfield-2016-17.{ext}"), _want("eastfield-2016-17")
    assert (got["format"], got["board"], got["title"], got["period"]) == (ext, want["board"], want["title"],
                                                                          want["period"])
    assert _records(got) == _records(want)
    # the hidden 'Internal notes' column is not read: extra holds only the colour and the lead's parts
    assert all(set(a["extra"]) <= {"rag", "lead_parts"} for a in got["actions"])
    assert got["actions"][1]["progress"].split("\n")[0] == "• 6 sessions held"  # line breaks kept


def test_tracker_document_model():
    doc = read(TRACKER / "eastfield-2016-17.xlsx")
    # visible sheets with values only: the hidden 'Lookups' and the empty 'Sheet5' are skipped
    assert [b.text for b in doc.blocks if isinstance(b, Heading)] == ["Neglect and early help", "CSE", "Key"]
    assert [type(b) for b in doc.blocks] == [Heading, Table] * 3
    first = doc.tables[0]
    assert (first.n_rows, first.n_cols, first.header_rows) == (6, 7, 1)  # hidden row 1.4 and column H gone
    priority = [(c.row, c.rowspan) for c in first.cells if c.col == 0]
    assert priority == [(0, 1), (1, 3), (4, 2)]  # merged over its actions, the hidden row not counted
    assert [c.fill for c in first.cells if c.col == 6] == ["#D9D9D9", "#0070C0", "#00B050", "#C3D69B", "#0070C0",
                                                          "#FF0000"]
    assert [c.text for c in first.cells if c.col == 4][1:] == ["30/09/2016", "Mar 2017", "31/01/2017",
                                                               "31/12/2016", "Mar 2017"]
    assert all(c.bold for c in first.cells if c.row == 0)


@pytest.mark.parametrize(("value", "fmt", "text"), [
    (__import__("datetime").datetime(2015, 3, 31), "mmm-yy", "Mar 2015"),
    (__import__("datetime").datetime(2015, 3, 31), "mmmm yyyy", "March 2015"),
    (__import__("datetime").datetime(2015, 3, 31), "dd/mm/yyyy", "31/03/2015"),
    (__import__("datetime").datetime(2015, 3, 31), "General", "31/03/2015"),
    (3.0, "General", "3"), (0.5, "0%", "50%"), (2.25, "General", "2.25"),
    ("  first line\r\nsecond   line ", "General", "first line\nsecond line"),
    ("\u2022 one\n\u25aa two", "General", "• one\n• two"),
])
def test_cell_text_as_a_person_reads_it(value, fmt, text):
    assert _text(value, fmt) == text


def test_import_walks_spreadsheets(tmp_path):
    for name in ("a.xlsx", "b.ods", "c.xls", "d.odt", "e.csv"):
        (tmp_path / name).write_bytes(b"x")
    assert sorted(p.name for p in iter_inputs([tmp_path])) == ["a.xlsx", "b.ods", "c.xls", "d.odt"]
    assert {".xlsx", ".xls", ".ods", ".odt"} <= set(supported_suffixes())


def test_not_a_workbook_is_one_line(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    plan = extract_file(bad)
    assert plan.error is not None and "\n" not in plan.error and plan.actions == []


def _convert(src: Path, target: str, outdir: Path) -> Path:
    subprocess.run([_soffice(), f"-env:UserInstallation=file://{outdir / 'profile'}", "--headless",
                    "--convert-to", target, "--outdir", str(outdir), str(src)], check=True, capture_output=True,
                   timeout=300)
    return outdir / f"{src.stem}.{target}"


@needs_calc
def test_xls_gives_the_xlsx_records(tmp_path):
    xls = _convert(TRACKER / "eastfield-2016-17.xlsx", "xls", tmp_path)
    got = extract_file(xls).to_dict()
    assert got["error"] is None and got["format"] == "xls"
    assert _records(got) == _records(_want("eastfield-2016-17"))


@needs_writer
def test_odt_gives_the_docx_records(tmp_path):
    odt = _convert(RAG / "westmoor-2015-16.docx", "odt", tmp_path)
    got = extract_file(odt).to_dict()
    assert got["error"] is None and got["format"] == "odt"
    want = extract_file(RAG / "westmoor-2015-16.docx").to_dict()
    assert _records(got) == _records(want)


def test_title_and_key_above_the_tracker_are_tables_of_their_own(tmp_path):
    """Blank rows part a title and a key (narrower blocks) from the tracker under them; a blank
    spacer row inside the tracker does not part it."""
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "Tracker"
    ws["A1"] = "Northdale Safeguarding Children Board action plan tracker"
    ws.merge_cells("A1:E1")
    ws["A3"] = "Key"
    for r, (colour, label) in enumerate([("00B050", "On track"), ("FFC000", "Some slippage"),
                                         ("FF0000", "Not started")], start=4):
        ws.cell(row=r, column=1).fill = PatternFill(fill_type="solid", fgColor=f"FF{colour}")
        ws.cell(row=r, column=2, value=label)
    rows = [["Ref", "Action", "Lead", "Progress", "RAG"],
            ["1.1", "Agree the neglect strategy", "Neglect Sub-group", "Draft agreed.", None],
            ["1.2", "Audit neglect cases", "QA Sub-group", "Audit delayed to June.", None],
            None,
            ["2.1", "Train staff in early help", "Training Sub-group", "Not begun.", None]]
    for r, values in enumerate(rows, start=8):
        for c, v in enumerate(values or [], start=1):
            ws.cell(row=r, column=c, value=v)
    for r, colour in ((9, "00B050"), (10, "FFC000"), (12, "FF0000")):
        ws.cell(row=r, column=5).fill = PatternFill(fill_type="solid", fgColor=f"FF{colour}")
    path = tmp_path / "northdale.xlsx"
    wb.save(str(path))

    doc = read(path)
    assert [(t.n_rows, t.n_cols) for t in doc.tables] == [(1, 1), (4, 2), (4, 5)]
    got = extract_file(path).to_dict()
    assert [(a["ref"], a["action"], a["status"], a["extra"].get("rag")) for a in got["actions"]] == [
        ("1.1", "Agree the neglect strategy", "in_progress", "green"),
        ("1.2", "Audit neglect cases", "delayed", "amber"),
        ("2.1", "Train staff in early help", "not_started", "red"),
    ]
