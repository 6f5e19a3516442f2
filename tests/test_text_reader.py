"""The .txt/.md/.html reader: seed renderings scored against their gold files, and the rendering
habits it must undo (HTML in cells, tables split with repeated headers and running headings, slid
rows, spans written as empty cells) on small made-up plans."""

from __future__ import annotations

import json
import textwrap
from functools import cache
from pathlib import Path

import pytest
from conftest import SHARED, scorer

from extract import read
from extract.text import fragment_lines, infer_spans
from extract.text_damage import merge_wrapped_lines, next_ref, realign_rows
from models.document import Heading, Paragraph, Table
from normalise.stitch import StitchedTable, stitch

SEEDS = SHARED / "seeds"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DATA = Path(__file__).resolve().parent / "data"
GOLD = {"000_11dbe971133ed612": "Surrey", "001_673af2f67e147fdd": "Shropshire", "004_65ecbf7b54d9d114": "Sunderland"}



@cache
def _seed(name: str) -> dict:
    from pipeline import extract_file

    return extract_file(SEEDS / f"{name}.txt").to_dict()


@pytest.mark.parametrize("name", sorted(GOLD))
def test_gold_seeds_score(name):
    got = _seed(name)
    assert got["error"] is None and got["format"] == "txt"
    gold = (SHARED / "gold" / f"{name}.json").read_text(encoding="utf-8")
    res = scorer().score(json.loads(gold), [got])
    assert res["recall"] == 1.0 and res["precision"] == 1.0
    assert res["score"] >= 0.95, {k: v for k, v in res.items() if k != "_misses"}
    assert res.get("board", 1.0) == 1.0


@pytest.mark.parametrize(("name", "expected", "least"), [
    ("002_e0077982ddd52c77", "staffordshire-2011-12", 0.95),
    # Solihull's rendering is the damaged one: lines written as rows, columns dropped page by page,
    # references merged into actions, labels and the header cut at column edges, page numbers in cells
    ("003_f0080826c230f088", "solihull-2012-13", 0.99),
])
def test_seeds_without_gold_score_against_the_fixture_records(name, expected, least):
    got = _seed(name)
    assert got["error"] is None and got["format"] == "txt"
    want = json.loads((FIXTURES / "expected" / f"{expected}.json").read_text(encoding="utf-8"))
    res = scorer().score(want, [got])
    assert res["recall"] == 1.0 and res["precision"] == 1.0
    assert res["score"] >= least, {k: v for k, v in res.items() if k != "_misses"}


def test_solihull_rendering_categories_and_rows_split_by_breaks():
    acts = {a["ref"]: a for a in _seed("003_f0080826c230f088")["actions"]}
    assert {a["extra"]["category"] for a in acts.values()} == {"Business Fundamentals", "Change Priorities"}
    assert acts["1.3"]["action"] == "safeguarding in Solihull"   # its first page lost the start
    assert acts["1.5"]["action"] == ("Conduct an audit of awareness of safeguarding measures across 3 rd "
                                     "Sector organisations.")
    assert acts["1.5"]["outcome"].split("\n") == [
        "• Audit commenced", "• Audit Completed", "• Audit Analysed", "• Learning identified",
        "• Learning used to inform LSCB work programme"]
    assert acts["1.8"]["action"].endswith("children/ young people living with domestic abuse.")
    assert acts["1.9"]["action"].startswith("Support the implementation")
    assert acts["4.10"]["lead"] == "Stephen Munday,"
    assert acts["4.10"]["timescale"] == "July 12 – June 13"
    assert acts["4.10"]["action"] == ("Influence the development of local arrangements for the commissioning "
                                      "of health services so as to support the safety of children and young "
                                      "people. and young people.")


def _doc(tmp_path, text: str, suffix: str = ".txt"):
    path = tmp_path / f"plan{suffix}"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return read(path)


def _tables(doc) -> list[StitchedTable]:
    return [b for b in stitch(doc.blocks) if isinstance(b, StitchedTable)]


# --------------------------------------------------------------------------- cell text


@pytest.mark.parametrize(("raw", "lines"), [
    ('<ul style="list-style-type: none"> • First item • Second item', ["• First item", "• Second item"]),
    ('<ul><li>• Faith Communities</li> <li>NSPCC</li></ul>', ["• Faith Communities", "• NSPCC"]),
    ("<p>Training &amp; Communications</p> <p>SSCB QA Officer</p>", ["Training & Communications", "SSCB QA Officer"]),
    ("Website live<br>Go-live in June", ["Website live", "Go-live in June"]),
    ("<ol><li>Audit</li><li>Report</li></ol>", ["1. Audit", "2. Report"]),
    ("Interviews held on 17 <sup>th</sup> November", ["Interviews held on 17th November"]),
    ("SSCB Training Pool  SSCB Training Manager", ["SSCB Training Pool", "SSCB Training Manager"]),
    ("looked after children • Transition Plans", ["looked after children", "• Transition Plans"]),
])
def test_cell_fragments_become_lines(raw, lines):
    assert fragment_lines(raw)[0] == lines


def test_bold_markup_marks_the_cell_bold():
    assert fragment_lines("<b>Priority Outcome</b>")[1] is True
    assert fragment_lines("<b>Priority</b> Outcome")[1] is False


# --------------------------------------------------------------------------- table parts and pages

STAFFS = """
    **SSCB Business Plan 2011 – 12**

    **SSCB Executive**

    **Chair: Dr. Kate Reynolds**

    **Strategic Objective 1 - Participating in planning**

    Priority Outcome\tAction Required\tResponsible Officer\tTimescale\t\tReview
    \t\t\tStart\tEnd\t
    All Priorities\tReceive monthly sub-group reports\tChair - SSCB Executive\tApr 2011\tMar 2012\tBoard informed
    \tForward exception reports to the Strategic Board\tChair – SSCB Executive\tMay 2011\tJun 2011\tDone and

    **SSCB Business Plan 2011 – 12**

    **SSCB Executive**

    **Chair: Dr. Kate Reynolds**

    **Strategic Objective 1 - Participating in planning**

    Priority Outcome\tAction Required\tResponsible Officer\tTimescale\t\tReview
    \t\t\tStart\tEnd\t
    \t\t\t\t\treported in July.
    \tApprove SSCB agenda\tActing SSCB Manager\t4x per annum\t4x per annum\tAgenda agreed

    **SSCB Business Plan 2011 – 12**

    **SSCB Policies & Procedures Sub-group**

    **Chair: Helen Jones**

    Priority Outcome\tAction Required\tResponsible Officer\tTimescale\t\tReview
    \t\t\tStart\tEnd\t
    All Priorities\tMerge the procedures\tHelen Jones\tApr 2011\tMar 2012\tMerged
"""


def test_parts_with_repeated_headers_get_consecutive_pages(tmp_path):
    doc = _doc(tmp_path, STAFFS)
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert [t.page for t in tables] == [1, 2, 2]      # the second part continues; the third is a new table
    texts = [b.text for b in doc.blocks if isinstance(b, (Paragraph, Heading))]
    assert texts.count("SSCB Business Plan 2011 – 12") == 2   # repeated running heading dropped once
    assert texts.count("Chair: Helen Jones") == 1
    first, second = _tables(doc)
    assert first.table.n_rows == 6 and first.repeated_header_rows == 2
    assert second.table.text_rows()[2][1] == "Merge the procedures"


def test_split_row_joins_and_two_level_header_spans(tmp_path):
    from pipeline import extract_file

    path = tmp_path / "plan.txt"
    path.write_text(textwrap.dedent(STAFFS).lstrip("\n"), encoding="utf-8")
    doc = read(path)
    head = next(b for b in doc.blocks if isinstance(b, Table))
    assert next(c for c in head.cells if c.text == "Timescale").colspan == 2
    actions = extract_file(path).to_dict()["actions"]
    assert [a["action"] for a in actions] == ["Receive monthly sub-group reports",
                                              "Forward exception reports to the Strategic Board",
                                              "Approve SSCB agenda", "Merge the procedures"]
    assert actions[1]["progress"] == "Done and reported in July."
    assert actions[1]["timescale"] == "Start: May 2011; End: Jun 2011"
    assert actions[0]["extra"]["chair"] == "Dr. Kate Reynolds"
    assert actions[3]["extra"]["chair"] == "Helen Jones"


SURREY = """
    1\tTo ensure the LSCB delivers its core business
    ----------\t--

    1.3\t\t\t
    Oversee Serious Case Reviews and ensure learning is implemented\t\t\t
    \tAction\tLead Group / Officer\tProgress to 31 May 2014
    1.3.a\tOversee the review process\tSCRG Sub Group\tReviews take place
    1.3.b\tEnsure that learning from the review\tSSCB\tLearning informs practice and policy

    1.3 Oversee Serious Case Reviews and ensure learning is implemented\t\t\t
    \tAction\tLead Group / Officer\tProgress to 31 May 2014
    \tprocesses is shared with the workforce\tBusiness Manager\tdevelopment.
    1.3c\tMonitor the impact of learning\tSSCB Partnership Manager\tNot yet in place

    TP 2\tTo ensure sufficient, timely and effective early help\t\t
    -------------\t--\t--\t--

    \tAction\tLead Group / Officer\tProgress to 31 May 2014
    TP 2.1\tMonitor early help arrangements\tQA and E group\tReports received
"""


def test_title_rows_split_differently_still_stitch(tmp_path):
    from pipeline import extract_file

    path = tmp_path / "plan.txt"
    path.write_text(textwrap.dedent(SURREY).lstrip("\n"), encoding="utf-8")
    doc = read(path)
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert [t.page for t in tables] == [1, 1, 2, 2, 2]   # heading table, 1.3 and its continuation, TP 2, TP 2.x
    # the continuation's title row is rewritten as the first part's rows, so the stitcher drops both
    assert tables[2].text_rows()[:3] == tables[1].text_rows()[:3]
    actions = extract_file(path).to_dict()["actions"]
    assert [a["ref"] for a in actions] == ["1.3.a", "1.3.b", "1.3c", "TP 2.1"]
    b = actions[1]
    assert b["action"] == "Ensure that learning from the review processes is shared with the workforce"
    assert b["lead"] == "SSCB Business Manager" and b["progress"] == "Learning informs practice and policy development."
    assert b["section"] == "1.3 Oversee Serious Case Reviews and ensure learning is implemented"
    assert actions[3]["section"] == "TP 2 To ensure sufficient, timely and effective early help"


def test_headerless_continuation_joins_a_matrix_cell(tmp_path):
    from pipeline import extract_file

    path = tmp_path / "plan.txt"
    path.write_text(textwrap.dedent("""
        Priority area\t1. Neglect\t2. CSE\t3. Domestic abuse
        Training sub group\tNeglect in training\tCSE in training\tDA in training
        CSE sub group\t\tStrategy in place; Function of\t

        \t\tCSE panel reviewed.\t
        Executive Group\tReview the business plans of the sub groups\t\t
    """).lstrip("\n"), encoding="utf-8")
    actions = extract_file(path).to_dict()["actions"]
    cse = [a for a in actions if a["lead"] == "CSE sub group"]
    assert [a["action"] for a in cse] == ["Strategy in place; Function of CSE panel reviewed."]
    assert [a["priority"] for a in actions if a["lead"] == "Executive Group"] == [None]   # spans all columns


def test_slid_rows_are_realigned_and_mid_part_headers_split(tmp_path):
    from pipeline import extract_file

    path = tmp_path / "plan.txt"
    rows = ["\tProject\tLead PB and Lead Officer\tActivity (how much)\tTimescale for delivery",
            "Theme 1: People\t1.1 Develop a programme\tLearning and Workforce Development - Lynne Thomas\t"
            "Induction sessions held\tNov-17",
            "\t1.2 Review learning needs\tLearning and Workforce Development - Lynne Thomas\tSurvey completed\tJun-18",
            "\t1.3 Build a framework\tLearning and Workforce Development - Catherine Witt\tGroup established\tJul-18",
            "1.4 Engage lay members\tLearning and Workforce Development - Lynne Thomas\tDelayed\tJun-18\t",
            "\tProject\tLead PB\tActivity (how much)\tTimescale for delivery",
            "Theme 2: Practice\t2.1 Complete the plan\tPerformance and Quality Assurance - Nicola Morrow\t"
            "See plan\tSep-17",
            "2.2 Review the QA framework\tPerformance and Quality Assurance - Nicola Morrow\t\tAudit cycle in place\t"
            "Feb-18",
            "\t2.3 Negotiate new budget\tPerformance and Quality Assurance - Nicola Morrow\tBudget agreed\tMar-18"]
    path.write_text("SSCB Business Plan 2017 - 2019\n\n" + "\n".join(rows) + "\n", encoding="utf-8")
    doc = read(path)
    assert [t.page for t in doc.blocks if isinstance(t, Table)] == [1, 2]
    actions = extract_file(path).to_dict()["actions"]
    assert [(a["ref"], a["lead"].split(" - ")[1], a["timescale"]) for a in actions] == [
        ("1.1", "Lynne Thomas", "Nov-17"), ("1.2", "Lynne Thomas", "Jun-18"), ("1.3", "Catherine Witt", "Jul-18"),
        ("1.4", "Lynne Thomas", "Jun-18"), ("2.1", "Nicola Morrow", "Sep-17"), ("2.2", "Nicola Morrow", "Feb-18"),
        ("2.3", "Nicola Morrow", "Mar-18")]
    assert [a["section"] for a in actions] == ["Theme 1: People"] * 4 + ["Theme 2: Practice"] * 3


def test_realign_keeps_rows_that_fit():
    rows = [["1.1", "Do a thing", "Board Manager", "Apr-18"], ["1.2", "Do another", "Board Manager", "May-18"],
            ["1.3", "Third", "Board Manager", ""], ["1.4", "Fourth", "Chair", "Jun-18"],
            ["1.5", "Fifth", "Board Manager", "Jul-18"], ["1.6", "Sixth", "Board Manager", "Aug-18"]]
    assert realign_rows([list(r) for r in rows], 4) == []


def test_label_rows_span_and_short_tables_do_not():
    spans = infer_spans([["L&I", "Review cases", "", ""], ["P&P", "a", "b", "c"]], 4)
    assert spans == {(0, 1): 3}
    assert infer_spans([["1", "To ensure"]], 2) == {}


# --------------------------------------------------------------------------- markdown and HTML


def test_markdown_pipe_table_and_prose(tmp_path):
    doc = _doc(tmp_path, """
        # Testshire Safeguarding Children Board Business Plan 2016-17

        Our plan runs from **April 2016 to March 2017**.

        - a *bulleted* line

        | Ref | Action | Lead | Timescale |
        |-----|--------|------|-----------|
        | 1.1 | Launch the strategy \\| toolkit | Head of Early Help | June 2016 |
    """, ".md")
    assert doc.format == "md" and doc.title == "Testshire Safeguarding Children Board Business Plan 2016-17"
    assert isinstance(doc.blocks[0], Heading) and doc.blocks[0].level == 1
    assert [b.text for b in doc.blocks if isinstance(b, Paragraph)] == [
        "Our plan runs from April 2016 to March 2017.", "• a bulleted line"]
    (table,) = [b for b in doc.blocks if isinstance(b, Table)]
    assert table.text_rows() == [["Ref", "Action", "Lead", "Timescale"],
                                 ["1.1", "Launch the strategy | toolkit", "Head of Early Help", "June 2016"]]


HTML = """
    <!DOCTYPE html><html><head><title>x</title></head><body>
    <h1>Testshire Local Safeguarding Children Board Business Plan 2015-16</h1>
    <p><b>Sub-group: Training</b></p>
    <h2>Priority 1: Neglect</h2>
    <table>
    <tr><th rowspan="2">Ref</th><th rowspan="2">Action</th><th rowspan="2">Lead</th><th colspan="2">Timescale</th>
        <th rowspan="2">Progress</th></tr>
    <tr><th>Start</th><th>End</th></tr>
    <tr><td>1.1</td><td>Launch the neglect strategy</td><td>Board Manager</td><td>Apr 2015</td><td>Jun 2015</td>
        <td><ul><li>Strategy drafted</li><li>Consultation held</li></ul></td></tr>
    <tr><td>1.2</td><td>Audit neglect cases across</td><td>QA Group</td><td colspan="2">Quarterly</td>
        <td>Audit tool</td></tr>
    </table>
    <p><b>Sub-group: Training</b></p>
    <table>
    <tr><th rowspan="2">Ref</th><th rowspan="2">Action</th><th rowspan="2">Lead</th><th colspan="2">Timescale</th>
        <th rowspan="2">Progress</th></tr>
    <tr><th>Start</th><th>End</th></tr>
    <tr><td></td><td>partner agencies</td><td></td><td></td><td></td><td>agreed.</td></tr>
    </table>
    <p><b>Sub-group: Training</b></p>
    </body></html>
"""


def test_html_tables_keep_spans_and_continue(tmp_path):
    from pipeline import extract_file

    doc = _doc(tmp_path, HTML, ".html")
    assert doc.format == "html"
    first, second = (b for b in doc.blocks if isinstance(b, Table))
    assert (first.page, second.page) == (1, 2)
    assert next(c for c in first.cells if c.text == "Timescale").colspan == 2
    assert next(c for c in first.cells if c.text == "Ref").rowspan == 2
    path = tmp_path / "plan.html"
    actions = extract_file(path).to_dict()["actions"]
    assert [(a["ref"], a["action"], a["timescale"], a["progress"]) for a in actions] == [
        ("1.1", "Launch the neglect strategy", "Start: Apr 2015; End: Jun 2015",
         "• Strategy drafted\n• Consultation held"),
        ("1.2", "Audit neglect cases across partner agencies", "Quarterly", "Audit tool agreed.")]
    assert actions[0]["section"] == "Priority 1: Neglect"


def test_binary_content_is_refused(tmp_path):
    from models.errors import ExtractError

    path = tmp_path / "plan.txt"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(ExtractError, match="not a text file"):
        read(path)


# --------------------------------------------------------------------------- converter damage (tests/data/renderings)


def test_damaged_rendering_reads_as_its_plan():
    """A made-up plan with each kind of damage the Solihull rendering shows, once."""
    from pipeline import extract_file

    got = extract_file(DATA / "renderings" / "damaged.txt").to_dict()
    rows = [(a["ref"], a["action"], a["lead"], a["timescale"], a["start"], a["end"], a["outcome"],
             a["extra"].get("category")) for a in got["actions"]]
    assert rows == [
        ("1.1", "Run a training programme for all staff.", "Ann Lee, Training Officer", "April 13 – March 14",
         "2013-04", "2014-03", "• Courses delivered", "Business Fundamentals"),
        # lines written as rows; a page number in the output column
        ("1.2", "Write the neglect strategy and publish it.", "Bob Day, Board Manager", "June 13", None, "2013-06",
         "• Procedures agreed\n• Strategy published", "Business Fundamentals"),
        # after a footer: reference merged into the action, progress columns dropped; then the lead dropped
        ("1.3", "Audit the use of the neglect toolkit in schools.", "Carol Ng, Audit Lead", "Sept 13 – March 14",
         "2013-09", "2014-03", "• Audit report Findings to Board", "Business Fundamentals"),
        # a divider label cut at the column edge; the next row's first words carried back
        ("1.4", "Set up a CSE panel and train staff on domestic abuse.", "Dan Roe, Police", "July 13 onwards",
         "2013-07", None, "• Panel meets monthly", "Change Priorities"),
        ("1.5", "Brief all GPs on the new pathway.", "Fay Lim, Named GP", "Nov 13", None, "2013-11",
         "• GPs briefed", "Change Priorities"),
    ]
    assert {a["section"] for a in got["actions"]} == {"1. To keep children safe"}


def test_header_cut_over_its_sub_headers_is_one_spanning_header(tmp_path):
    doc = _doc(tmp_path, """
        Plan

        ACTION\tLEAD\tTIMESCALE\tOUTPUT\tPROGRES\tS TO DATE
        \t\t\t\tTIMESCALE\tACTION

        1.1\tRun a course.\tAnn Lee\tJune 13\tCourse run\t
        1.2\tWrite a plan.\tBob Day\tJuly 13\tPlan written\t
        1.3\tHold a review.\tCarol Ng\tMay 14\tReview held\t
    """)
    (st,) = _tables(doc)
    grid = st.table.text_rows()
    assert grid[0] == ["", "ACTION", "LEAD", "TIMESCALE", "OUTPUT", "PROGRESS TO DATE", ""]
    assert next(c.colspan for c in st.table.cells if (c.row, c.col) == (0, 5)) == 2
    assert grid[1] == ["", "", "", "", "", "TIMESCALE", "ACTION"]
    assert grid[2] == ["1.1", "Run a course.", "Ann Lee", "June 13", "Course run", "", ""]


@pytest.mark.parametrize(("ref", "other", "follows"), [
    ("1.2", "1.3", True), ("1.2", "1.2.a", True), ("TP 1.3", "TP 1.4", True),
    ("1.2", "1.4", False), ("1.2", "2.1", False), ("1.9", "1.10", True),
])
def test_next_reference(ref, other, follows):
    assert next_ref(ref, other) is follows


def test_contents_lines_are_not_wrapped_rows():
    rows = [["1.0", "Introduction", "3"], ["2.0", "Scope of the Board", "4"], ["", "National Drivers", "7"],
            ["", "Local Drivers", "7"], ["3.0", "Governance", "8"]]
    assert merge_wrapped_lines([list(r) for r in rows], 3) == rows
