"""Borderless PDF tables: found from text alignment, never from prose or lists.

``tests/data/borderless_surrey.pdf`` is Surrey's 1.1-1.3 tables rendered with
no cell borders (1.1) or only a rule under the header (1.2, 1.3), after the
fixture's prose and bulleted lists (``tests/data/build_borderless.py``).
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import pytest
from conftest import FIXTURES, PLANS, extracted, fold

from extract import read
from extract.borderless import BorderlessSettings, build_table, find_tables, looks_like_table
from extract.layout import Line, Word
from extract.pdf import PdfSettings, read_pdf, tables_in_bbox

DATA = Path(__file__).resolve().parent / "data"
BORDERLESS = DATA / "borderless_surrey.pdf"
REFS = ["1.1.a", "1.1.b", "1.1.c", "1.2.a", "1.2.b", "1.3.a", "1.3.b", "1.3c"]
FIELDS = ("ref", "action", "lead", "progress")


@cache
def borderless_plan() -> dict:
    from pipeline import extract_file

    plan = extract_file(BORDERLESS)
    assert plan.error is None, plan.error
    return plan.to_dict()


def test_borderless_tables_give_the_bordered_records():
    got = {a["ref"]: a for a in borderless_plan()["actions"]}
    want = {a["ref"]: a for a in extracted("surrey-2012-15", "pdf")["actions"] if a["ref"] in REFS}
    assert list(got) == REFS
    for ref in REFS:
        assert {f: fold(got[ref][f]) for f in FIELDS} == {f: fold(want[ref][f]) for f in FIELDS}, ref
        assert got[ref]["section"] == want[ref]["section"]


def test_borderless_row_split_by_a_page_break_is_joined():
    """1.2.a starts at the foot of page 3 and ends under the repeated header on page 4: the two
    fragments share their column edges, so the stitcher joins them as it does ruled tables."""
    doc = read(BORDERLESS)
    frags = [t for t in doc.tables if t.text_rows()[0][0] == "1.2"]
    assert [t.page for t in frags] == [3, 4]
    assert frags[0].col_edges == frags[1].col_edges
    action = next(a for a in borderless_plan()["actions"] if a["ref"] == "1.2.a")
    assert action["action"].startswith("Partner agencies and sub group chairs to submit reports")


def test_borderless_prose_and_bullets_stay_prose():
    doc = read(BORDERLESS)
    assert [t.page for t in doc.tables] == [3, 3, 4, 4]
    paras = [b.text for b in doc.blocks if b.kind == "paragraph"]
    assert "• Optimise the effectiveness of arrangements to safeguard and protect children and young people" \
        in paras
    assert any(p.startswith("Notes on section 1.1") for p in paras)


def test_borderless_cell_keeps_its_lines_and_spans():
    t = read(BORDERLESS).tables[0]
    rows = t.text_rows()
    assert rows[1][1:] == ["Action", "Lead Group / Officer", "Progress to 31 May 2014"]
    title = next(c for c in t.cells if c.row == 0 and c.col == 1)
    assert title.colspan == 3
    progress = rows[2][3].split("\n")
    assert len(progress) == 6 and all(p.startswith("• ") for p in progress)


@pytest.mark.parametrize("name", PLANS)
def test_no_false_borderless_tables_in_ruled_fixtures(name):
    """Ruled tables take precedence, and prose, bulleted and numbered lists never become tables."""
    path = FIXTURES / f"{name}.pdf"
    on = read_pdf(path)
    off = read_pdf(path, settings=PdfSettings(borderless=BorderlessSettings(enabled=False)))
    assert [(t.page, t.n_rows, t.n_cols) for t in on.tables] == [(t.page, t.n_rows, t.n_cols) for t in off.tables]


def _line(y: float, *parts: tuple[float, str]) -> Line:
    """A line of words: each part (x, text) is laid out word by word, 5 pt per letter, 2.5 pt spaces."""
    words = []
    for x, text in parts:
        for tok in text.split():
            words.append(Word(tok, x, y, x + 5 * len(tok), y + 9, size=9.0))
            x += 5 * len(tok) + 2.5
    return Line(words)


def test_lists_are_not_tables():
    bullets = [_line(100 + 12 * i, (72, "•"), (90, f"item number {i} of a bulleted list")) for i in range(5)]
    numbered = [_line(200 + 12 * i, (72, f"{i}."), (90, f"step {i} of a numbered list")) for i in range(1, 6)]
    for lines in (bullets, numbered):
        tables, rest = find_tables(lines, 1)
        assert tables == [] and len(rest) == len(lines)


def test_wrapped_cells_make_one_row_each():
    lines = [
        _line(100, (72, "Ref"), (120, "Action"), (320, "Lead")),
        _line(112, (72, "1.a"), (120, "Write the annual report and"), (320, "Board manager")),
        _line(124, (120, "publish it on the website")),
        _line(136, (120, "for partners")),
        _line(148, (72, "1.b"), (120, "Audit the front door of each"), (320, "QA group")),
        _line(160, (120, "service twice a year")),
    ]
    table = build_table(lines, 1)
    assert table is not None and looks_like_table(table)
    assert table.text_rows() == [
        ["Ref", "Action", "Lead"],
        ["1.a", "Write the annual report and publish it on the website for partners", "Board manager"],
        ["1.b", "Audit the front door of each service twice a year", "QA group"],
    ]
    assert table.col_edges[:3] == (72, 120, 320)


def test_rows_with_no_padding_and_empty_cells_stay_apart():
    """A matrix drawn with no borders and no row padding, some cells empty: a row starts where the key
    column starts new text and no column carries on, even with one other column beside it."""
    lines = [
        _line(100, (72, "Partner"), (250, "Neglect"), (450, "Exploitation")),
        _line(112, (72, "Board chair"), (250, "Receive the sub-group reports")),
        _line(124, (72, "Business manager"), (250, "Write the neglect strategy"), (450, "Run the exploitation audit")),
        _line(136, (72, "Members of the Strategic Health"), (450, "Commission a return home interview")),
        _line(148, (72, "Commissioning Group"), (450, "service for every child")),
        _line(160, (72, "Police"), (250, "Share missing episode data with schools"),
              (450, "Map exploitation hot spots with partners")),
    ]
    table = build_table(lines, 1)
    assert table is not None and looks_like_table(table)
    assert table.text_rows() == [
        ["Partner", "Neglect", "Exploitation"],
        ["Board chair", "Receive the sub-group reports", ""],
        ["Business manager", "Write the neglect strategy", "Run the exploitation audit"],
        ["Members of the Strategic Health Commissioning Group", "",
         "Commission a return home interview service for every child"],
        ["Police", "Share missing episode data with schools", "Map exploitation hot spots with partners"],
    ]


def _big_line(y: float, text: str, x: float = 72.0, size: float = 26.0) -> Line:
    """A line of a title set large: letters and word spaces grow with the font size."""
    words = []
    for tok in text.split():
        words.append(Word(tok, x, y, x + 0.55 * size * len(tok), y + size, size=size))
        x += 0.55 * size * len(tok) + 0.28 * size
    return Line(words)


def test_large_title_above_a_table_is_no_row_of_it():
    """A plan title in 26 pt wrapped over two lines just above a borderless table in 9 pt: its word
    spaces are ordinary spaces at its size, not column gaps, and it stays out of the table."""
    title = [_big_line(40, "Safeguarding Board Business Plan for"), _big_line(70, "the county")]
    body = [
        _line(100, (72, "Ref"), (120, "Action"), (320, "Lead")),
        _line(112, (72, "1.a"), (120, "Write the annual report and"), (320, "Board manager")),
        _line(124, (120, "publish it on the website")),
        _line(136, (72, "1.b"), (120, "Audit the front door of each"), (320, "QA group")),
        _line(148, (120, "service twice a year")),
    ]
    tables, rest = find_tables(title + body, 1)
    assert len(tables) == 1 and [" ".join(w.text for w in ln.words) for ln in rest] == [
        "Safeguarding Board Business Plan for", "the county"]
    assert tables[0].text_rows() == [
        ["Ref", "Action", "Lead"],
        ["1.a", "Write the annual report and publish it on the website", "Board manager"],
        ["1.b", "Audit the front door of each service twice a year", "QA group"],
    ]


def test_lower_case_header_repeated_over_sections_is_no_prose():
    """Sections each under a copy of a lower-case header ('who will do it?'): the repeated label
    counts once, so the table is not taken for prose in columns (mid-sentence starts)."""
    lines, y = [], 100.0
    for i in range(5):
        head = _line(y, (72, "planned work"), (320, "who will do it?"))
        lines += [Line([dataclasses.replace(w, bold=True) for w in head.words]),
                  _line(y + 12, (72, f"Write the annual report number {i}"), (320, "Board manager"))]
        y += 30
    tables, _ = find_tables(lines, 1)
    assert len(tables) == 1 and tables[0].n_rows == 10
    assert tables[0].text_rows()[:2] == [["planned work", "who will do it?"],
                                         ["Write the annual report number 0", "Board manager"]]


def test_tables_in_bbox_reads_a_region():
    import pdfplumber

    with pdfplumber.open(str(BORDERLESS)) as pdf:
        page = pdf.pages[2]
        tables = tables_in_bbox(page, (60, 65, 780, 445))
    assert len(tables) == 1
    assert [row[0] for row in tables[0].text_rows()] == ["1.1", "", "1.1.a", "1.1.b", "1.1.c"]


UNPADDED = DATA / "borderless" / "unpadded-rows.pdf"


def test_unpadded_rows_in_a_pdf_read_apart():
    """``unpadded-rows.pdf`` (``build_borderless.build_rows``): rows with no space between them.

    Table 1: an owner cell as wide as its column's widest text is no sign that the next row's owner
    carries it on, in a column whose text never wraps (its right edge is unknown).  Table 2
    (header-blind, a rule under the header): a web address starts in lower case without carrying on
    the line above, and where the action starts new text and column D a cell (after a blank), a row
    starts though column B's line above reached its column's edge.
    """
    from pipeline import extract_file

    doc = read(UNPADDED)
    assert [t.text_rows() for t in doc.tables] == [
        [["Planned work", "Owner"],
         ["Publish the neglect toolkit and add it to the multi-agency training offer", "Learning sub group"],
         ["Review the exploitation screening tool with schools, health visitors and the police, and agree one "
          "referral pathway for every partner in the county", "Learning sub group"],
         ["Run a workshop on domestic abuse and its impact on children", "Learning sub group"],
         ["Confirm that the missing children protocol is in place and used by every agency", "Exploitation group"],
         ["Audit twenty cases of neglect each quarter and report what was learnt", "Audit group"]],
        [["A", "B", "C", "D"],
         ["Oversee and monitor the serious case review process and the child death review process",
          "www.countyscb.org.uk/procedures", "Agenda item for Q2", "Review group chair"],
         ["Ensure that learning from reviews is shared with the whole workforce", "www.countyscb.org.uk/procedures",
          "", "Business manager, review group chair and area group chairs"],
         ["Monitor how the learning changes practice through the quality assurance audits", "Learning plan 2014",
          "Papers on the shared drive", "Quality assurance group"]],
    ]
    plan = extract_file(UNPADDED).to_dict()
    assert [(a["section"], a["action"], a["lead"]) for a in plan["actions"]] == [
        ("Priority 1: actions", "Publish the neglect toolkit and add it to the multi-agency training offer",
         "Learning sub group"),
        ("Priority 1: actions", "Review the exploitation screening tool with schools, health visitors and the police, "
         "and agree one referral pathway for every partner in the county", "Learning sub group"),
        ("Priority 1: actions", "Run a workshop on domestic abuse and its impact on children", "Learning sub group"),
        ("Priority 1: actions", "Confirm that the missing children protocol is in place and used by every agency",
         "Exploitation group"),
        ("Priority 1: actions", "Audit twenty cases of neglect each quarter and report what was learnt",
         "Audit group"),
        ("Priority 2: actions", "Oversee and monitor the serious case review process and the child death review "
         "process", "Review group chair"),
        ("Priority 2: actions", "Ensure that learning from reviews is shared with the whole workforce",
         "Business manager, review group chair and area group chairs"),
        ("Priority 2: actions", "Monitor how the learning changes practice through the quality assurance audits",
         "Quality assurance group"),
    ]
    assert plan["warnings"] == []


def test_bold_header_wrapped_in_a_column_that_never_wraps_is_one_cell():
    """Headers 'Task Ref' and 'Target Completion' set over two lines in columns of short values:
    those columns never wrap below, but a header's bold lines are set in the column's width, so
    'Ref' under 'Task' may still carry it on, and the header is one row."""
    head = [_line(100, (72, "Task"), (120, "What we will do"), (320, "Target")),
            _line(112, (72, "Ref"), (320, "Completion"))]
    lines = [Line([dataclasses.replace(w, bold=True) for w in ln.words]) for ln in head] + [
        _line(124, (72, "1.1"), (120, "Write the annual report and"), (320, "March 2013")),
        _line(136, (120, "publish it on the website")),
        _line(148, (72, "1.2"), (120, "Audit the front door"), (320, "June 2013")),
    ]
    table = build_table(lines, 1)
    assert table is not None and table.text_rows() == [
        ["Task Ref", "What we will do", "Target Completion"],
        ["1.1", "Write the annual report and publish it on the website", "March 2013"],
        ["1.2", "Audit the front door", "June 2013"],
    ]
