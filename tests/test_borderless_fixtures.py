"""Borderless benchmark: every fixture rendered without cell borders scores as its bordered PDF does.

``tests/data/borderless/NAME.pdf`` is ``fixtures/src/NAME.yaml`` rendered by
LibreOffice with no cell borders or shading, ``NAME-rule.pdf`` the same with a
rule under each table's header rows (``tests/data/build_borderless.py --all``).  The rows must come from the page:
a new paragraph or bullet in one column while another column's cell carries on
is no new row, a header repeated at the top of each section's table is no
action, two references on adjacent lines are two rows, and rows with no
padding between them that look like one cell of several paragraphs are told
apart by the order the page draws them in (cell by cell, row by row).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from conftest import PLANS, expected, scorer

from extract.borderless import build_table
from extract.layout import Line, Word
from models.document import Cell, Table
from normalise.repeats import split_table

DATA = Path(__file__).resolve().parent / "data" / "borderless"
VARIANTS = ["", "-rule"]  # no rules at all; a rule under the header rows


@cache
def borderless(name: str, engine: str = "pdfium", variant: str = "") -> dict:
    from pipeline import extract_file

    plan = extract_file(DATA / f"{name}{variant}.pdf", engine=engine)
    assert plan.error is None, plan.error
    return plan.to_dict()


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", PLANS)
def test_borderless_rendering_scores(name, variant):
    res = scorer().score(expected(name), [borderless(name, variant=variant)])
    summary = {k: round(v, 3) for k, v in res.items() if isinstance(v, float)}
    assert res["precision"] >= 0.97, summary
    assert res["score"] >= 0.97, summary


@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
def test_rows_drawn_apart_share_their_merged_cells(engine):
    """Staffordshire's three training actions are three rows with no padding, one short paragraph each,
    sharing every other cell (merged over them): on the page, one cell of three paragraphs.  The page
    draws the first row's other cells before the second action, so the second is a cell of its own; the
    third follows it in the one column with cells of its own there, a paragraph as each is.  Each action
    keeps the shared lead, dates and review; a cell of two paragraphs drawn together stays one action."""
    actions = borderless("staffordshire-2011-12", engine)["actions"]
    texts = [a["action"] for a in actions]
    first = texts.index("To ensure materials are updated as required")
    assert texts[first:first + 4] == [
        "To ensure materials are updated as required", "To respond to Serious Case review Actions as required",
        "To respond to Child Death Actions as required.",
        "Provide a quarterly Report to be presented at the SSCB Strategic Board"]
    for a in actions[first:first + 3]:
        assert a["lead"] == "SSCB Training Pool\nSSCB Training Manager"
        assert (a["start"], a["end"]) == ("2011-04", "2012-03")
        assert a["progress"].startswith("Materials are constantly reviewed") and a["progress"].endswith(
            "All relevant SCR recommendations inform SSCB training events.")
        assert a["objective"].startswith("To review and re-refresh training materials")
    assert actions[first + 3]["lead"] == "Chair of the sub-group"
    assert "Work with partners to help coordinate & produce Staffordshire's Draft Hidden Harm Strategy.\n" \
        "Ratify, publish & disseminate." in texts


@pytest.mark.parametrize("name", ["surrey-2012-15", "solihull-2012-13"])
def test_borderless_engines_agree(name):
    """The pdfplumber engine reads the same words and so the same records."""
    key = lambda a: (a["ref"], " ".join((a["action"] or "").split()))  # noqa: E731
    assert [key(a) for a in borderless(name, "pdfplumber")["actions"]] == \
        [key(a) for a in borderless(name)["actions"]]


def test_repeated_section_headers_are_no_actions():
    """Surrey's tables (a title row and a column header row each) stand one under another with a blank
    line between: one borderless table.  Each header is cut off with its title (the section)."""
    actions = borderless("surrey-2012-15")["actions"]
    assert not [a for a in actions if (a["action"] or "").strip() == "Action" or a["ref"] is None]
    assert [a["ref"] for a in actions][:6] == ["1.1.a", "1.1.b", "1.1.c", "1.2.a", "1.2.b", "1.3.a"]
    by_ref = {a["ref"]: a for a in actions}
    assert by_ref["1.3.a"]["section"].startswith("1.3 Oversee Serious Case Reviews")
    assert by_ref["1.2.a"]["action"].endswith("annual IRO reports, Complaints reports etc")


def test_new_paragraph_beside_a_running_cell_is_no_row():
    """Surrey 1.1.a: its progress cell is six bullets long while the action cell wraps beside the first
    ones; every bullet stays in 1.1.a."""
    a = next(a for a in borderless("surrey-2012-15")["actions"] if a["ref"] == "1.1.a")
    assert len(a["progress"].split("\n")) == 6
    assert a["action"].endswith("c) children who are subject to CPP/LAC.")


def test_refs_on_adjacent_lines_are_two_rows():
    """Sunderland's references open the action text ('3.3 Design, ...'): a ref right under the last line
    of the row above starts a row even where the lead beside it looks as if it carried on."""
    refs = [a["ref"] for a in borderless("sunderland-2018-19")["actions"]]
    assert refs[refs.index("3.2"):refs.index("3.2") + 3] == ["3.2", "3.3", "3.4"]
    assert len(refs) == len(set(refs)) == 28


def test_divider_rows_and_page_top_headers():
    """Solihull: 'Business Fundamentals' / 'Change Priorities' lines read as dividers (categories), and the
    column header repeated at each page top is kept (not taken for a running header), so the pages'
    tables stitch and no action is lost."""
    actions = borderless("solihull-2012-13")["actions"]
    assert len(actions) == 31
    assert {a["extra"].get("category") for a in actions} == {"Business Fundamentals", "Change Priorities"}
    got = {a["ref"]: a for a in actions}
    assert got["1.3"]["action"] == "safeguarding in Solihull"
    assert got["1.1"]["outcome"] == "Communication activity/ plan"


# ---------------------------------------------------------------- the row rules on made-up lines

def _line(y: float, *parts: tuple[float, str], pitch: float = 9.0) -> Line:
    """A line of 9 pt words at ``y``: each part (x, text) laid out word by word, 5 pt a letter."""
    words = []
    for x, text in parts:
        for tok in text.split():
            words.append(Word(tok, x, y, x + 5 * len(tok), y + pitch, size=9.0))
            x += 5 * len(tok) + 2.5
    return Line(words)


def _rows(lines: list[Line]) -> list[list[str]]:
    table = build_table(lines, 1)
    assert table is not None
    return [[" ".join(c.split()) for c in row] for row in table.text_rows()]


def test_bullet_beside_a_running_cell_is_no_row():
    """A new bullet in one column while the action beside it carries on stays in the row."""
    lines = [
        _line(100, (72, "Ref"), (120, "Action"), (330, "Progress")),
        _line(112, (72, "1.a"), (120, "Write the annual report and"), (330, "• Draft written")),
        _line(124, (120, "publish it on the website"), (330, "• Shared with partners")),
        _line(136, (120, "for partners."), (330, "• Published")),
        _line(148, (72, "1.b"), (120, "Audit the front door"), (330, "• Done")),
    ]
    assert _rows(lines) == [
        ["Ref", "Action", "Progress"],
        ["1.a", "Write the annual report and publish it on the website for partners.",
         "• Draft written • Shared with partners • Published"],
        ["1.b", "Audit the front door", "• Done"],
    ]


def test_rows_under_wide_line_spacing():
    """Lines 1.5 apart inside cells and row padding below each row: the gap between a cell's lines is
    learnt from the table, so only the padding starts rows."""
    tops = [100, 121, 136, 151, 172, 187]  # header, row 1 (3 lines), row 2 (2 lines): 6 pt gaps, 12 pt padding
    lines = [
        _line(tops[0], (72, "Action"), (300, "Lead")),
        _line(tops[1], (72, "Write the annual report"), (300, "Board manager")),
        _line(tops[2], (72, "and publish it"), (300, "and chair")),
        _line(tops[3], (72, "for partners")),
        _line(tops[4], (72, "Audit the front door"), (300, "Quality group")),
        _line(tops[5], (72, "twice a year")),
    ]
    assert _rows(lines) == [
        ["Action", "Lead"],
        ["Write the annual report and publish it for partners", "Board manager and chair"],
        ["Audit the front door twice a year", "Quality group"],
    ]


def test_cell_carrying_on_across_a_row_is_merged():
    """Two columns start new cells while the first column's text goes on mid-sentence: the first
    column's cell is merged over both rows, and each row keeps its own action."""
    lines = [
        _line(100, (72, "Priority"), (200, "Action"), (400, "Lead")),
        _line(112, (72, "Keep children"), (200, "Audit the front door"), (400, "QA group")),
        _line(124, (72, "safe from harm")),
        _line(136, (72, "in every part of"), (200, "Review the thresholds"), (400, "Board manager")),
        _line(148, (72, "the county")),
    ]
    table = build_table(lines, 1)
    assert [row[1:] for row in table.text_rows()] == [
        ["Action", "Lead"], ["Audit the front door", "QA group"], ["Review the thresholds", "Board manager"]]
    merged = next(c for c in table.cells if c.col == 0 and c.row == 1)
    assert merged.rowspan == 2
    assert " ".join(merged.text.split()) == "Keep children safe from harm in every part of the county"


def test_header_repeated_inside_a_table_is_dropped_or_cut():
    """A column header repeated mid-table without its title is dropped; with a title row above it the
    table is cut there, and each part keeps its title."""
    def table(rows: list[list[str]]) -> Table:
        cells = [Cell(r, c, t) for r, row in enumerate(rows) for c, t in enumerate(row) if t]
        return Table(len(rows), 3, cells)

    head = ["Ref", "Action", "Lead"]
    alone = table([head, ["1.1", "Audit the front door", "QA group"], head, ["1.2", "Review thresholds", "Board"]])
    assert [t.text_rows() for t in split_table(alone)] == [
        [head, ["1.1", "Audit the front door", "QA group"], ["1.2", "Review thresholds", "Board"]]]
    titled = table([["1", "Governance", ""], head, ["1.1", "Audit the front door", "QA group"],
                    ["2", "Learning", ""], head, ["2.1", "Review thresholds", "Board"]])
    parts = split_table(titled)
    assert [t.text_rows()[0][:2] for t in parts] == [["1", "Governance"], ["2", "Learning"]]
    assert [t.n_rows for t in parts] == [3, 3]


# ---------------------------------------------------------------- the drawing order on made-up lines

#: a header and three lines of three actions that share their lead and progress, as a page lays them
#: out with no row padding: on the page alone, one action cell of three paragraphs
SHARED = [
    (100, [(72, "Action"), (250, "Lead"), (400, "Progress")]),
    (112, [(72, "Check the training materials"), (250, "Training pool"), (400, "Materials are reviewed")]),
    (124, [(72, "Respond to reviews"), (250, "and training manager"), (400, "every quarter.")]),
    (136, [(72, "Respond to child deaths"), (400, "All findings shared.")]),
]


def _drawn(order: list[tuple[int, int]]) -> list[Line]:
    """SHARED's lines, each part's words given its place in ``order`` ((line, part) as drawn)."""
    seq = {key: n * 100 for n, key in enumerate(order)}
    lines = []
    for i, (y, parts) in enumerate(SHARED):
        words = []
        for k, (x, text) in enumerate(parts):
            for n, tok in enumerate(text.split()):
                words.append(Word(tok, x, y, x + 5 * len(tok), y + 9.0, size=9.0, seq=seq[(i, k)] + n))
                x += 5 * len(tok) + 2.5
        lines.append(Line(words))
    return lines


HEAD = [(0, 0), (0, 1), (0, 2)]


def test_cells_drawn_apart_are_rows():
    """Drawn cell by cell: the first row's lead and progress come between 'Check the training
    materials' and 'Respond to reviews', so that is another cell, a row with no padding; the
    third action follows it in the one column with cells of its own, a paragraph as each is there.
    The lead and progress, carrying on beside them, are merged over the three rows."""
    table = build_table(_drawn(HEAD + [(1, 0), (1, 1), (2, 1), (1, 2), (2, 2), (3, 1), (2, 0), (3, 0)]), 1)
    assert [" ".join(r[0].split()) for r in table.text_rows()] == [
        "Action", "Check the training materials", "Respond to reviews", "Respond to child deaths"]
    merged = {c.col: c for c in table.cells if c.row == 1}
    assert (merged[1].rowspan, merged[2].rowspan) == (3, 3)
    assert " ".join(merged[2].text.split()) == "Materials are reviewed every quarter. All findings shared."


def _undrawn(lines: list[Line]) -> list[Line]:
    return [Line([Word(w.text, w.x0, w.top, w.x1, w.bottom, size=w.size) for w in ln.words]) for ln in lines]


def test_cell_drawn_together_is_one_cell():
    """The same page drawn with the first two paragraphs in one go, then the lead and progress: one
    cell, which the page's geometry alone reads too (the order adds no row)."""
    lines = _drawn(HEAD + [(1, 0), (2, 0), (1, 1), (2, 1), (1, 2), (2, 2), (3, 0), (3, 1)])
    rows = build_table(lines, 1).text_rows()
    assert rows == build_table(_undrawn(lines), 1).text_rows()
    assert " ".join(rows[1][0].split()) == "Check the training materials Respond to reviews"


def test_table_drawn_line_by_line_reads_from_its_geometry():
    """Drawn line by line across the columns (every cell parted from its next line by the rest of
    the line), the order says nothing of cells: the page is read from its geometry alone."""
    lines = _drawn([(i, k) for i, (_, parts) in enumerate(SHARED) for k in range(len(parts))])
    rows = build_table(lines, 1).text_rows()
    assert rows == build_table(_undrawn(lines), 1).text_rows()
    assert " ".join(rows[1][0].split()) == "Check the training materials Respond to reviews"


def test_row_under_a_merged_cell_is_no_section_title():
    """One text alone just above a repeated header is that section's title, unless a cell of the row
    above is merged down over it: then it is the last row of the table above (Sunderland 5.2's third
    progress row, its project and lead merged over it, just above theme 6's header)."""
    head = ["Ref", "Action", "Lead"]
    cells = [Cell(0, c, t) for c, t in enumerate(head)]
    cells += [Cell(1, 0, "1.1"), Cell(1, 1, "Audit the front door"), Cell(1, 2, "QA group", rowspan=2),
              Cell(2, 1, "Review the thresholds")]
    cells += [Cell(3, c, t) for c, t in enumerate(head)]
    cells += [Cell(4, 0, "1.2"), Cell(4, 1, "Train the staff"), Cell(4, 2, "Board")]
    parts = split_table(Table(5, 3, cells))
    assert [t.text_rows() for t in parts] == [[head, ["1.1", "Audit the front door", "QA group"],
                                              ["", "Review the thresholds", ""], ["1.2", "Train the staff", "Board"]]]
