"""Column roles from evidence, and the quality warnings.

- Header-blind: every header cell of each fixture's action tables rewritten as a neutral label
  ('Column 1' ... 'Column N') in the extracted Document, and the plan still scores >= 0.90.
- General header forms (questions), headers no lexicon holds, a header the cells contradict,
  a table with no header row: made-up tables through the real normaliser.
- Quality warnings: none on any fixture, renamed plan or seed rendering; each one raised by a
  made-up table that should raise it.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from functools import cache

import pytest
from conftest import FIXTURES, FORMATS, PLANS, ROOT, SHARED, expected, extracted, scorer

from extract import read
from models.document import Cell, Document, Heading, Table
from normalise import explain, normalise
from normalise.layout import MAX_HEADER_SCAN, analyse
from normalise.roles import header_evidence, is_neutral
from normalise.stitch import StitchedTable, stitch
from normalise.text import one_line

RENAMED = ROOT / "tests" / "renamed"


# --------------------------------------------------------------------------- header-blind fixtures

def neutralise(doc: Document) -> tuple[Document, int]:
    """The document with every header cell of its action tables replaced by 'Column N' (N: the
    cell's column), on every page where the header is repeated; and how many cells were rewritten.

    The header texts are those the normaliser reads as the header rows of action tables; a row of
    a table fragment is a header row when most of its texts are such header texts. A matrix's
    column headers are its data (the priorities) and are kept."""
    labels = set()
    for st in stitch(doc.blocks):
        if isinstance(st, StitchedTable):
            layout = analyse(st)
            if layout.kind == "actions":
                labels.update(one_line(c.text) for c in st.table.cells
                              if c.row in layout.header_rows and one_line(c.text))
    blocks, rewritten = [], 0
    for block in doc.blocks:
        if isinstance(block, Table):
            rows = set()
            for r in range(min(MAX_HEADER_SCAN, block.n_rows)):
                texts = [one_line(c.text) for c in block.cells if c.row == r and one_line(c.text)]
                if texts and sum(t in labels for t in texts) * 2 > len(texts):
                    rows.add(r)
            cells = [dataclasses.replace(c, text=f"Column {c.col + 1}") if c.row in rows else c for c in block.cells]
            rewritten += sum(c.row in rows for c in block.cells)
            block = dataclasses.replace(block, cells=cells)
        blocks.append(block)
    return dataclasses.replace(doc, blocks=blocks), rewritten


@cache
def _blind(name: str, ext: str) -> tuple[dict, int]:
    doc, n = neutralise(read(FIXTURES / f"{name}.{ext}"))
    return normalise(doc).to_dict(), n


@pytest.mark.parametrize("ext", FORMATS)
@pytest.mark.parametrize("name", PLANS)
def test_header_blind_fixture_scores(name, ext):
    got, rewritten = _blind(name, ext)
    if name != "shropshire-2016-18":  # its one table is a matrix: its headers are the priorities
        assert rewritten >= 4
    res = scorer().score(expected(name), [got])
    assert res["score"] >= 0.90, {k: v for k, v in res.items() if k != "_misses"}


def test_header_blind_reads_fields_from_the_cells():
    got, _ = _blind("solihull-2012-13", "docx")
    first = got["actions"][0]
    assert first["ref"] == "1.1" and first["action"].startswith("Provide information to children")
    assert first["lead"].startswith("Julie Harrison") and first["timescale"] == "July 12 – June 13"
    got, _ = _blind("staffordshire-2011-12", "docx")
    first = got["actions"][0]
    assert first["action"] == "Receive monthly sub-group monitoring reports"
    assert first["lead"] == "Chair - SSCB Executive"
    assert first["timescale"].startswith("Apr 2011; Mar 2012")  # Start and End: one timescale
    assert first["progress"].startswith("Written reports on the progress")


# --------------------------------------------------------------------------- made-up tables

def _table(rows: list[list[str]], bold_header: bool = False, page: int | None = 1) -> Table:
    cells = [Cell(r, c, text, bold=bold_header and r == 0) for r, row in enumerate(rows) for c, text in enumerate(row)]
    return Table(len(rows), len(rows[0]), cells, page=page)


def _doc(*tables: Table) -> Document:
    return Document(source="made-up.docx", format="docx", blocks=[Heading("Business Plan 2018-19"), *tables],
                    pages=1)


ROWS = [
    ["1.1", "Develop a multi-agency neglect strategy and launch it with all partner agencies",
     "Neglect sub-group", "March 2019", "Fewer repeat referrals for neglect",
     "Draft strategy agreed by the Board in June 2018; launch event held in September"],
    ["1.2", "Review the training offer on child sexual exploitation for secondary schools",
     "Training Manager", "Sept 2018", "Increase in staff confident to identify CSE",
     "Audit completed and the new course was launched with 40 places taken"],
    ["1.3", "Ensure every partner agency completes the Section 11 audit on time",
     "SSCB Business Manager", "Q4 2018/19", "Evidence of improved compliance with Section 11",
     "Ongoing: 14 of 18 returns have been received and reviewed by the group"],
    ["1.4", "Publish a clear guide for parents on online safety and share it through schools",
     "Communications Officer", "December 2018", "Number of downloads of the guide",
     "Guide drafted and consulted on with the parents' forum in October"],
]
FIELDS = ["ref", "action", "lead", "timescale", "outcome", "progress"]


def _fields(doc: Document) -> list[str]:
    table = next(t for t in explain(doc) if t["kind"] == "actions")
    return [c["field"] for c in table["columns"]]


def test_questions_as_headers():
    headers = ["#", "What are we going to do?", "Who will make sure it happens?", "When should it be done by?",
               "How will we measure success?", "Where are we now?"]
    doc = _doc(_table([headers, *ROWS]))
    assert _fields(doc) == FIELDS
    plan = normalise(doc)
    assert [a.ref for a in plan.actions] == ["1.1", "1.2", "1.3", "1.4"]
    assert plan.actions[1].lead == "Training Manager" and plan.actions[1].end == "2018-09"
    assert plan.warnings == []


def test_unknown_nouns_as_headers():
    headers = ["Line", "Deed", "Steward", "Horizon", "Yardstick", "Narrative"]
    assert all(header_evidence(h)[0].field is None for h in headers[1:])  # the lexicon knows none of them
    doc = _doc(_table([headers, *ROWS], bold_header=True))
    assert _fields(doc)[1:4] == ["action", "lead", "timescale"]
    assert _fields(doc)[5] == "progress"
    plan = normalise(doc)
    assert plan.actions[0].action.startswith("Develop a multi-agency neglect strategy")
    assert plan.actions[3].timescale == "December 2018"


def test_neutral_labels_and_no_header_row():
    assert is_neutral("Column 3") and is_neutral("") and not is_neutral("Who leads?")
    labelled = _doc(_table([[f"Column {i + 1}" for i in range(6)], *ROWS]))
    assert _fields(labelled)[:4] == FIELDS[:4]
    bare = _doc(_table(ROWS))  # no header row at all: every row is an action
    assert _fields(bare)[:4] == FIELDS[:4]
    plan = normalise(bare)
    assert [a.ref for a in plan.actions] == ["1.1", "1.2", "1.3", "1.4"]
    assert plan.actions[2].lead == "SSCB Business Manager"


def test_lead_over_dates_is_questioned():
    headers = ["Ref", "Action", "Lead", "Timescale"]
    rows = [[r[0], r[1], r[3], r[2]] for r in ROWS]  # the Lead and Timescale columns swapped under their headers
    doc = _doc(_table([headers, *rows]))
    table = next(t for t in explain(doc) if t["kind"] == "actions")
    lead_col = table["columns"][2]
    assert lead_col["field"] == "timescale" and "questioned" in lead_col
    assert lead_col["header_evidence"]["lead"]["score"] < 1.0
    assert lead_col["content_evidence"]["timescale"]["score"] >= 0.9
    assert lead_col["runner_up"]["field"] == "lead"
    plan = normalise(doc)
    assert plan.actions[0].lead == "Neglect sub-group" and plan.actions[0].timescale == "March 2019"
    assert "table 1 (page 1): column 'Lead': header says lead but the cells look like timescale; " \
           "read as timescale" in plan.warnings


def test_action_form_over_short_labels_is_questioned():
    """A header in a general form that reads as 'action' over short labels that repeat (the aims the
    rows work towards) is questioned; the column of sentences beside it is the action."""
    aims = ["1. Safer homes", "2. Healthy minds", "2. Healthy minds", "3. Strong families"]
    rows = [["What we hope for", "Our pledge", "Steward"]] + [
        [aim, r[5], r[2]] for aim, r in zip(aims, ROWS, strict=True)]
    doc = _doc(_table(rows))
    table = next(t for t in explain(doc) if t["kind"] == "actions")
    first = table["columns"][0]
    assert [c["field"] for c in table["columns"]] == ["extra", "action", "lead"]
    assert first["questioned"] == "header reads as action but the cells are short labels"
    assert first["header_evidence"]["action"]["score"] < 0.5
    plan = normalise(doc)
    assert plan.actions[0].action.startswith("Draft strategy agreed by the Board")
    assert plan.actions[2].lead == "SSCB Business Manager"
    assert plan.actions[1].extra["What we hope for"] == "2. Healthy minds"


def test_action_form_over_short_instructions_is_kept():
    """Short cells that are instructions are actions all the same: the header is not questioned."""
    todo = ["Audit CSE cases", "Train school staff", "Review the strategy", "Publish the guide"]
    rows = [["What we hope for", "Steward"]] + [[t, r[2]] for t, r in zip(todo, ROWS, strict=True)]
    table = next(t for t in explain(_doc(_table(rows, bold_header=True))) if t["kind"] == "actions")
    assert table["columns"][0]["field"] == "action" and "questioned" not in table["columns"][0]


def test_one_row_tables_each_an_action():
    """A plan written as one small table per action, each under its priority's heading: a long text
    beside a lead (or a date) is an action row, not a heading; a one-row table of short text still is."""
    blocks: list = [Heading("Business Plan 2018-19")]
    for i, r in enumerate(ROWS):
        blocks += [Heading(f"Priority {i + 1}"), _table([[r[5], r[2]]])]
    blocks += [Heading("Appendix"), _table([["Contents", "Page 4"]])]
    doc = Document(source="made-up.docx", format="docx", blocks=blocks, pages=1)
    plan = normalise(doc)
    assert [a.lead for a in plan.actions] == [r[2] for r in ROWS]
    assert plan.actions[0].action.startswith("Draft strategy agreed by the Board")
    assert plan.actions[3].section == "Priority 4"
    assert [t["kind"] for t in explain(doc)] == ["actions"] * 4 + ["heading"]


def test_header_repeated_inside_the_table_is_no_evidence():
    """Sections each under their own copy of a neutral header, read as one table (a page without
    borders): the repeated header rows do not count as cells of the columns, so the columns still
    read as action and lead (before, a column held as many 'A' as actions and the table read as
    'other', with no actions at all); the table is then cut at each repeat, the one text just above
    a repeat (no title stood above the first header) that section's title."""
    rows = [["A", "B"]]
    for i, r in enumerate(ROWS):
        if i:
            rows += [[f"Section {i + 1}", ""], ["A", "B"]]
        rows.append([r[5], r[2]])
    plan = normalise(_doc(_table(rows, bold_header=True)))
    assert [a.lead for a in plan.actions] == [r[2] for r in ROWS]
    assert [a.action for a in plan.actions] == [r[5] for r in ROWS]
    # the table is cut at each repeat, the one text just above it that section's title
    assert [a.section for a in plan.actions] == [None, "Section 2", "Section 3", "Section 4"]
    assert plan.warnings == []


def test_user_mapping_still_wins(tmp_path):
    from pipeline import load_mapping

    headers = ["Ref", "Action", "Lead", "Timescale"]
    rows = [[r[0], r[1], r[3], r[2]] for r in ROWS]
    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\n"Lead" = "lead"\n"Timescale" = "timescale"\n')
    plan = normalise(_doc(_table([headers, *rows])), lexicon=load_mapping(mapping))
    assert plan.actions[0].lead == "March 2019"  # as the user said


# --------------------------------------------------------------------------- quality warnings

def test_no_warnings_on_any_fixture():
    plans = [extracted(name, ext) for name in PLANS for ext in FORMATS]
    from pipeline import extract_file

    plans += [extract_file(p).to_dict() for p in sorted(RENAMED.glob("*.docx")) + sorted(RENAMED.glob("*.pdf"))]
    plans += [extract_file(p).to_dict() for p in sorted((SHARED / "seeds").glob("*.txt"))]
    cases = ROOT / "tests" / "data"
    plans += [extract_file(p).to_dict() for sub in ("structures", "rag", "borderless") for ext in ("docx", "pdf")
              for p in sorted((cases / sub).glob(f"*.{ext}"))]
    assert len(plans) >= 19 + 12 + 10
    assert {p["source"]: p["warnings"] for p in plans if p["warnings"]} == {}


def test_warning_tables_but_no_actions():
    plan = normalise(_doc(_table([["Year", "Referrals"], ["2012", "340"], ["2013", "365"], ["2014", "402"]])))
    assert plan.actions == []
    assert plan.warnings == ["1 table but no actions read"]


def test_warning_actions_without_action_text():
    rows = [["Ref", "Action", "Lead", "Timescale"]] + [[r[0], "", r[2], r[3]] for r in ROWS]
    rows[1][1] = ROWS[0][1]
    plan = normalise(_doc(_table(rows)))
    assert len(plan.actions) == 4
    assert "table 1 (page 1): 3 of 4 actions have no action text" in plan.warnings


def test_warning_actions_without_lead_or_timescale():
    rows = [["Ref", "Action", "Progress"]] + [[r[0], r[1], r[5]] for r in ROWS]
    plan = normalise(_doc(_table(rows)))
    assert plan.warnings == ["table 1 (page 1): 4 of 4 actions have neither lead nor timescale"]


#: a progress column of telegraphic, dated notes beside a column of measures written as states
NOTES = [["1.1", "Develop a multi-agency neglect strategy and launch it with all partner agencies",
          "Neglect sub-group", "March 2019",
          "Lead established Task and Finish Group established; first meeting held in June 2018",
          "Neglect strategy is agreed and launched across the partnership"],
         ["1.2", "Review the training offer on child sexual exploitation for secondary schools",
          "Training Manager", "Sept 2018", "Review completed in May 2018. New course to be arranged",
          "Staff are trained and report that they feel confident to identify CSE"],
         ["1.3", "Ensure every partner agency completes the Section 11 audit on time",
          "SSCB Business Manager", "Q4 2018/19", "Audit commenced: 14 of 18 returns received by 30th September",
          "Returns are received from all agencies and actions are agreed"],
         ["1.4", "Publish a clear guide for parents on online safety and share it through schools",
          "Communications Officer", "December 2018", "Guide drafted and consulted on with the parents' forum "
          "in October", "Guide is published and shared through every school"]]


def test_header_blind_progress_notes_beside_measures():
    """Header-blind: the progress column is the one of reports -- a noun and what was done to it
    ('Lead established', 'Review completed'), dated updates -- not the column of measures written as
    present states, though that one is the last text column (the place a progress column takes)."""
    doc = _doc(_table([[f"Column {i + 1}" for i in range(6)], *NOTES]))
    assert _fields(doc) == ["ref", "action", "lead", "timescale", "progress", "extra"]
    plan = normalise(doc)
    got = [(a.ref, a.action, a.lead, a.timescale, a.progress, a.outcome, a.extra.get("Column 6"))
           for a in plan.actions]
    assert got == [(r[0], r[1], r[2], r[3], r[4], None, r[5]) for r in NOTES]
    # states alone say no more than 'a report or a measure': that column is kept, and flagged
    assert plan.warnings == ["table 1 (page 1): column 'Column 6' holds long text (4 cells) but maps to no field"]


def test_header_blind_long_table():
    """A table longer than the cells the evidence samples: a column's share of the rows it fills is
    counted over all of them (a full action column is not 'labels on some rows only')."""
    rows = [[f"{k + 1}.{i + 1}", f"{r[1]} in district {k + 1}", r[2], r[3], r[5]]
            for k in range(10) for i, r in enumerate(ROWS)]
    doc = _doc(_table([[f"Column {i + 1}" for i in range(5)], *rows]))
    table = next(t for t in explain(doc) if t["kind"] == "actions")
    assert [c["field"] for c in table["columns"]] == ["ref", "action", "lead", "timescale", "progress"]
    assert table["columns"][1]["content_evidence"]["action"]["score"] == 1.0
    assert table["columns"][4]["content_evidence"]["progress"]["score"] >= 0.6
    assert not any("section" in c["content_evidence"] for c in table["columns"])
    plan = normalise(doc)
    assert len(plan.actions) == 40 and plan.warnings == []
    assert [(a.ref, a.action, a.lead, a.progress) for a in plan.actions[-4:]] == [
        (r[0], r[1], r[2], r[4]) for r in rows[-4:]]


def test_one_header_over_two_date_columns():
    """A header cell spanning two columns of dates, read as the same text over both (a PDF's merged
    header): one timescale, both dates in it, whatever the header's wording."""
    starts = ["April 2018", "May 2018", "June 2018", "July 2018"]
    rows = [["Ref", "Action", "Lead", "When will this be achieved?", "When will this be achieved?", "Progress"]] + [
        [r[0], r[1], r[2], start, r[3], r[5]] for start, r in zip(starts, ROWS, strict=True)]
    doc = _doc(_table(rows))
    assert _fields(doc) == ["ref", "action", "lead", "timescale", "timescale", "progress"]
    plan = normalise(doc)
    assert [a.timescale for a in plan.actions] == [
        "April 2018; March 2019", "May 2018; Sept 2018", "June 2018; Q4 2018/19", "July 2018; December 2018"]
    assert plan.actions[0].end == "2019-03" and plan.actions[3].end == "2018-12"
    assert plan.warnings == []


def test_warning_long_text_mapped_to_nothing():
    rows = [["Ref", "Action", "Lead", "Timescale", "Progress", "Remarks"]] + [
        [*r[:4], r[5], r[5].replace(" in ", " during ")] for r in ROWS]
    plan = normalise(_doc(_table(rows)))
    assert plan.actions[0].progress.startswith("Draft strategy agreed")
    assert plan.actions[0].extra["Remarks"].startswith("Draft strategy agreed")
    assert plan.warnings == ["table 1 (page 1): column 'Remarks' holds long text (4 cells) but maps to no field"]


def test_neighbouring_progress_columns_share_the_field():
    rows = [["Ref", "Action", "Lead", "Timescale", "Progress Q1", "Progress Q2"]] + [
        [*r[:4], r[5], "Further work " + r[5].lower()] for r in ROWS]
    plan = normalise(_doc(_table(rows)))
    assert plan.actions[0].progress.split("\n")[1].startswith("Further work draft strategy")
    assert plan.warnings == []


def test_warning_other_table_of_long_text():
    prose = [[f"The Board met in quarter {i} and heard reports from each of its sub-groups on their work."]
             for i in range(1, 7)]
    plan = normalise(_doc(_table(prose)))
    assert "table 1 (page 1): read as 'other' but 6 of 6 rows hold long text" in plan.warnings


def test_extract_prints_one_line_per_warned_file(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("Business Plan 2018-19\n\nYear\tReferrals\n2012\t340\n2013\t365\n2014\t402\n", encoding="utf-8")
    clean = FIXTURES / "solihull-2012-13.docx"
    res = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "extract", str(path), str(clean)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0
    assert res.stderr.splitlines() == [f"Warning: {path}: 1 warning: 1 table but no actions read"]
    assert len(res.stdout.splitlines()) == 2


# --------------------------------------------------------------------------- tables of one header read together

FAMILY_HEADER = ["Column 1", "Column 2", "Column 3", "Column 4", "Column 5"]
FAMILY = [
    ("Priority 1: Neglect", [
        ["1.1", "Develop a multi-agency neglect strategy and launch it with all partner agencies",
         "See the neglect toolkit", "Neglect sub-group", "March 2019"],
        ["1.2", "Train front-line staff in the use of the graded care profile", "", "Training Manager", "June 2019"],
        ["1.3", "Audit a sample of neglect cases referred to children's social care", "Linked to 2.1",
         "Quality Assurance sub-group", "October 2018"]]),
    ("Priority 2: Exploitation", [
        ["2.1", "Map the children known to be at risk of exploitation across the county", "Data from the police",
         "Head of Early Help", "September 2018"],
        ["2.2", "Agree a joint protocol on missing children with the police and health partners", "",
         "Detective Inspector, Public Protection", "December 2018"],
        ["2.3", "Publish a guide for parents on online safety and share it through schools", "Budget agreed",
         "Communications Officer", "January 2019"]]),
    ("Priority 3: Learning", [  # two rows: too little to read alone ('Schools' forum' looks as much a lead)
        ["3.1", "Share the learning from serious case reviews with every agency", "Schools' forum",
         "Lead Nurse for Safeguarding", "April 2019"],
        ["3.2", "Evaluate the impact of the multi-agency training programme on practice", "", "Audit Group",
         "May 2019"]]),
]


def _family_docx(path) -> Document:
    """A made-up plan as Word writes it: one small table per priority, each under its heading, all
    under the same header row of neutral labels."""
    import docx

    d = docx.Document()
    d.add_heading("Westmoor Safeguarding Children Board Business Plan 2018-19", 0)
    for title, rows in FAMILY:
        d.add_heading(title, 1)
        table = d.add_table(rows=1 + len(rows), cols=len(FAMILY_HEADER))
        for r, row in enumerate([FAMILY_HEADER, *rows]):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
    d.save(str(path))
    return read(path)


def test_tables_of_one_header_are_read_together(tmp_path):
    """The short third table's columns are read from the cells of all three tables under its header
    row: its lead column read alone (a role beside a group, a notes column beside it that names a
    forum) went to extra and the notes became the lead; with its family it reads as the others do."""
    doc = _family_docx(tmp_path / "family.docx")
    assert [[c["field"] for c in t["columns"]] for t in explain(doc)] == [
        ["ref", "action", "extra", "lead", "timescale"]] * 3
    plan = normalise(doc)
    got = [(a.section, a.ref, a.action, a.lead, a.timescale, a.end, {k: v for k, v in a.extra.items()
                                                                    if k != "lead_parts"})
           for a in plan.actions]
    want = [(title, r[0], r[1], r[3], r[4], end, {"Column 3": r[2]} if r[2] else {})
            for (title, rows), ends in zip(FAMILY, [["2019-03", "2019-06", "2018-10"],
                                                    ["2018-09", "2018-12", "2019-01"],
                                                    ["2019-04", "2019-05"]], strict=True)
            for r, end in zip(rows, ends, strict=True)]
    assert got == want
    assert plan.warnings == []


def test_user_mapping_wins_over_the_family(tmp_path):
    from pipeline import load_mapping

    mapping = tmp_path / "map.toml"
    mapping.write_text('[columns]\n"Column 3" = "lead"\n')
    plan = normalise(_family_docx(tmp_path / "family.docx"), lexicon=load_mapping(mapping))
    assert [a.lead for a in plan.actions] == [r[2] or None for _, rows in FAMILY for r in rows]
