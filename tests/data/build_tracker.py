"""Build the spreadsheet tracker of ``tests/data/tracker/`` (the outputs are committed).

``eastfield-2016-17.xlsx`` is an action plan kept in Excel, made with openpyxl as a board's
business manager would lay it out: a sheet per group of priorities, each priority a merged cell
over its actions, a frozen header row, wrapped progress text with line breaks and bullets,
target dates as Excel dates in two formats, RAG status as the fill of a cell (literal colours,
a theme colour with a tint, and one RAG cell also typed), a hidden action row and a hidden notes
column, a key sheet (coloured cells beside their meaning), a hidden lookup sheet and an empty
sheet.  ``eastfield-2016-17.ods`` is the same workbook saved by LibreOffice.  The expected
records, ``eastfield-2016-17.json``, are written by hand; ``tests/test_xlsx.py`` checks them.

Run from the repository root (the .ods needs LibreOffice)::

    .venv/bin/python tests/data/build_tracker.py
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.colors import Color

HERE = Path(__file__).resolve().parent / "tracker"
NAME = "eastfield-2016-17"
HEADER = ["Priority", "Ref", "Action", "Lead", "Target date", "Progress update", "RAG", "Internal notes"]
WIDTHS = [28, 6, 45, 22, 12, 50, 8, 20]
GREEN, AMBER, RED, BLUE = "00B050", "FFC000", "FF0000", "0070C0"
THIN = Side(style="thin", color="000000")
FIXED = dt.datetime(2017, 4, 10, 9, 0, 0)


def _fill(value: str | Color) -> PatternFill:
    colour = value if isinstance(value, Color) else Color(rgb=f"FF{value}")
    return PatternFill(fill_type="solid", fgColor=colour)


def _sheet(ws, rows: list[list], merges: list[str], rag: dict[int, str | Color], hidden_rows=()) -> None:
    ws.append(HEADER)
    for c in range(1, len(HEADER) + 1):
        cell = ws.cell(row=1, column=c)
        cell.font = Font(bold=True)
        cell.fill = _fill("D9D9D9")
    for row in rows:
        ws.append(row)
    for r in range(1, len(rows) + 2):
        for c in range(1, len(HEADER) + 1):
            cell = ws.cell(row=r, column=c)
            cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, colour in rag.items():
        ws.cell(row=r, column=7).fill = _fill(colour)
    for r in range(2, len(rows) + 2):
        ws.cell(row=r, column=5).number_format = "mmm-yy" if r % 2 else "dd/mm/yyyy"
    for rng in merges:
        ws.merge_cells(rng)
    for r in hidden_rows:
        ws.row_dimensions[r].hidden = True
    for i, w in enumerate(WIDTHS):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    ws.column_dimensions["H"].hidden = True
    ws.freeze_panes = "A2"


def build_xlsx(out: Path) -> None:
    wb = Workbook()
    wb.properties.title = "Eastfield Safeguarding Children Board Action Plan Tracker April 2016 to March 2017"
    wb.properties.creator = "boardplans fixtures"
    wb.properties.created = wb.properties.modified = FIXED
    p1 = "1. Neglect: children living with neglect are identified and helped early"
    p2 = "2. Early help: families get the right help at the right time"
    ws = wb.active
    ws.title = "Neglect and early help"
    _sheet(ws, [
        [p1, "1.1", "Launch the neglect strategy with all partner agencies", "Neglect Sub-group",
         dt.datetime(2016, 9, 30), "Strategy launched in September 2016.", None, "check date"],
        [None, "1.2", "Train practitioners in the graded care profile", "Training Sub-group",
         dt.datetime(2017, 3, 31), "• 6 sessions held\n• 140 practitioners trained\n• 4 more sessions booked",
         None, None],
        [None, "1.3", "Audit neglect referrals to children's social care", "Quality Assurance Sub-group",
         dt.datetime(2017, 1, 31), "Audit tool agreed.\nCase files not yet selected.", None, None],
        [None, "1.4", "Withdrawn: merged with action 1.2", "Training Sub-group", None, "", None, "hidden row"],
        [p2, "2.1", "Agree the early help assessment with schools and health visitors", "Early Help Board",
         dt.datetime(2016, 12, 31), "Assessment agreed by all partners in November.", None, None],
        [None, "2.2", "Report the number of early help assessments to the Board", "Early Help Manager",
         dt.datetime(2017, 3, 31), "Data not yet available from the new case system.", None, None],
    ], ["A2:A5", "A6:A7"], {2: BLUE, 3: GREEN, 4: Color(theme=6, tint=0.3999755851924192), 5: GREEN, 6: BLUE,
                            7: RED}, hidden_rows=[5])
    ws2 = wb.create_sheet("CSE")
    p3 = "3. Child sexual exploitation: children at risk are identified and protected"
    _sheet(ws2, [
        [p3, "3.1", "Set up a multi-agency CSE panel", "Detective Inspector, Public Protection",
         dt.datetime(2016, 10, 31), "The panel meets monthly.", "G", None],
        [None, "3.2", "Deliver CSE awareness sessions in every secondary school", "Schools Safeguarding Lead",
         dt.datetime(2017, 7, 31), "Sessions booked in 9 of 12 schools.", None, None],
        [None, "3.3", "Map places where young people are at risk of exploitation", "Community Safety Partnership",
         dt.datetime(2017, 3, 31), "", None, None],
    ], ["A2:A4"], {2: GREEN, 3: AMBER, 4: RED})
    key = wb.create_sheet("Key")
    key.append(["RAG key"])
    for colour, label in ((BLUE, "Completed"), (GREEN, "On track"), (AMBER, "Some slippage"),
                          (RED, "Not started")):
        key.append(["", label])
        key.cell(row=key.max_row, column=1).fill = _fill(colour)
    lookups = wb.create_sheet("Lookups")
    for word in ("Blue", "Green", "Amber", "Red"):
        lookups.append([word])
    lookups.sheet_state = "hidden"
    wb.create_sheet("Sheet5")
    wb.save(str(out))


def convert_ods(xlsx: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise RuntimeError("soffice not found: apt-get install -y libreoffice-calc")
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "ods",
                        "--outdir", str(xlsx.parent), str(xlsx)], check=True, capture_output=True, timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return xlsx.with_suffix(".ods")


def main() -> int:
    HERE.mkdir(exist_ok=True)
    out = HERE / f"{NAME}.xlsx"
    build_xlsx(out)
    convert_ods(out)
    print(f"{NAME}: built", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
