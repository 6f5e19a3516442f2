"""The loader on SQLite and PostgreSQL: one board per board, plan versions, themes and cells as rows,
import runs with their errors, and one transaction per document.

Documents are built from the fixtures' expected records (no extraction), so these run fast.
"""

from __future__ import annotations

import pytest
from db_fixtures import plan_from_expected
from sqlalchemy import func, select

import load.bulk as bulk
from load import connect, finish_run, load_document, record_error, start_run
from load.boards import acronym_fits, parse_board_name
from models.schema import (
    ActionRow,
    ActionTheme,
    Board,
    BoardAlias,
    DocumentRow,
    ImportErrorRow,
    ImportRun,
    PriorityTheme,
    RawCell,
    SectionRow,
)


def _count(factory, model) -> int:
    with factory() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("written,key,full", [
    ("Surrey Safeguarding Children Board", "surrey", "Surrey Safeguarding Children Board"),
    ("Surrey SCB", "surrey", "Surrey Safeguarding Children Board"),
    ("the Surrey LSCB", "surrey", "Surrey Local Safeguarding Children Board"),
    ("Solihull Local Safeguarding Children Board", "solihull", "Solihull Local Safeguarding Children Board"),
    ("Brighton & Hove Safeguarding Children's Board", "brighton and hove",
     "Brighton & Hove Safeguarding Children Board"),
    ("St. Helens Safeguarding Children Partnership", "st helens", "St. Helens Safeguarding Children Board"),
])
def test_board_names_reduce_to_a_place_key(written, key, full):
    parsed = parse_board_name(written)
    assert (parsed.key, parsed.full, parsed.acronym) == (key, full, None)


def test_acronyms_fit_places_by_initials():
    assert parse_board_name("SSCB").acronym == "SSCB"
    assert acronym_fits("SSCB", "Surrey") and acronym_fits("BHLSCB", "Brighton and Hove")
    assert acronym_fits("LSCB", "Anywhere")  # generic
    assert not acronym_fits("SSCB", "Brighton and Hove") and not acronym_fits("WSCB", "Surrey")


def test_one_board_however_its_name_is_written(db_url):
    factory = connect(db_url)
    load_document(factory, plan_from_expected("surrey-2012-15", source="a/surrey-2012-15.docx"))
    load_document(factory, plan_from_expected("surrey-2012-15", source="b/plan.pdf", board="Surrey SCB"))
    # a bare acronym in a Surrey document: resolved from its title
    load_document(factory, plan_from_expected("surrey-2012-15", source="c/x.pdf", board="SSCB",
                                              title="Surrey SCB Business Plan 2012-15"))
    # ... or from its file name
    load_document(factory, plan_from_expected("surrey-2012-15", source="d/surrey-plan-v2.pdf", board="SSCB",
                                              title="2012- 2015 SSCB Business Plan Review May 2014"))
    # another S... board's acronym does not merge into Surrey
    load_document(factory, plan_from_expected("shropshire-2016-18", source="e/shropshire.pdf", board="SSCB"))
    with factory() as s:
        boards = {b.key: b for b in s.scalars(select(Board))}
        assert set(boards) == {"surrey", "shropshire"}
        assert boards["surrey"].name == "Surrey Safeguarding Children Board"
        assert boards["surrey"].short_name == "Surrey"
        aliases = set(s.scalars(select(BoardAlias.alias).where(BoardAlias.board_id == boards["surrey"].id)))
        assert aliases == {"Surrey Safeguarding Children Board", "Surrey SCB", "SSCB"}
        assert s.scalar(select(func.count()).select_from(DocumentRow)
                        .where(DocumentRow.board_id == boards["surrey"].id)) == 4
        written = set(s.scalars(select(DocumentRow.board_as_written)))
        assert written == {"Surrey Safeguarding Children Board", "Surrey SCB", "SSCB"}


def test_versions_and_renditions_all_stay_and_the_latest_version_is_current(db_url):
    factory = connect(db_url)
    first = load_document(factory, plan_from_expected("solihull-2012-13", source="plans/solihull.docx"))
    copy = load_document(factory, plan_from_expected("solihull-2012-13", source="plans/solihull-v2.docx"))
    other_period = load_document(factory, plan_from_expected(
        "solihull-2012-13", source="plans/solihull-2013.docx", period={"start": "2013-07", "end": "2014-06"}))
    assert (first.status, copy.status, other_period.status) == ("loaded", "loaded", "loaded")

    def state():
        with factory() as s:
            return {d.id: (d.current, d.version, d.rendition_of) for d in s.scalars(select(DocumentRow))}

    # the same text and period twice: renditions of version 1 (the one shown is decided by content
    # hash, both reading equally well); the later period is version 2 and current
    now = state()
    shown = next(i for i in (first.document_id, copy.document_id) if now[i][2] is None)
    other = ({first.document_id, copy.document_id} - {shown}).pop()
    assert now == {shown: (False, 1, None), other: (False, 1, shown), other_period.document_id: (True, 2, None)}
    with factory() as s:
        reasons = {d.id: d.current_reason for d in s.scalars(select(DocumentRow))}
    assert reasons[other_period.document_id] == (
        "current: the latest of 2 versions (plan date (its period's start) 2013-07 after 2012-07); its only rendition")
    assert reasons[other].startswith(f"not current: a rendition of document {shown} (100% alike, same period)")

    # the same file again (same sha256) is skipped and changes nothing
    again = plan_from_expected("solihull-2012-13", source="elsewhere/copy.docx")
    with factory() as s:
        again.sha256 = s.get(DocumentRow, first.document_id).sha256
    assert load_document(factory, again).status == "unchanged"
    assert state() == now

    # changed content at the same path replaces that document; the latest version stays current
    changed = load_document(factory, plan_from_expected("solihull-2012-13", source="plans/solihull.docx"))
    assert changed.status == "replaced"
    with factory() as s:
        docs = dict(s.execute(select(DocumentRow.source_path, DocumentRow.current)).all())
    assert docs == {"plans/solihull.docx": False, "plans/solihull-v2.docx": False, "plans/solihull-2013.docx": True}
    assert _count(factory, DocumentRow) == 3 and _count(factory, ActionRow) == 3 * 31


def test_records_are_rows_themes_sections_and_cells(db_url):
    factory = connect(db_url)
    plan = plan_from_expected("sunderland-2018-19")
    plan.actions[0].themes = ["cse", "missing", "cse"]  # duplicates collapse, order is the rank
    result = load_document(factory, plan)
    with factory() as s:
        doc = s.get(DocumentRow, result.document_id)
        assert [a.ref for a in doc.actions] == [a.ref for a in plan.actions]
        first = doc.actions[0]
        assert [(t.theme, t.rank) for t in first.theme_rows] == [("cse", 0), ("missing", 1)]
        assert first.themes == ["cse", "missing"]
        assert first.section_row is not None and first.section_row.title == plan.actions[0].section
        assert [x.title for x in doc.sections] == list(dict.fromkeys(a.section for a in plan.actions if a.section))
        n_themes = sum(len(set(a.themes)) for a in plan.actions)
        assert s.scalar(select(func.count()).select_from(ActionTheme)) == n_themes
        assert s.scalar(select(func.count()).select_from(PriorityTheme)) == sum(
            len(set(p.themes)) for p in plan.priorities)
        assert [p.label for p in doc.priorities] == [p.label for p in plan.priorities]
        cells = s.scalars(select(RawCell).order_by(RawCell.row, RawCell.col)).all()
        table = plan.tables[0]
        assert len(cells) == len(table.header) + sum(len(r) for r in table.rows)
        header = [c for c in cells if c.header]
        assert [c.text for c in header] == table.header and {c.row for c in header} == {0}
        cell = next(c for c in cells if c.row == 2 and c.col == 1)
        assert cell.text == table.rows[1][1] and cell.page == table.page


def test_a_failing_document_leaves_nothing_behind(db_url, monkeypatch):
    factory = connect(db_url)
    load_document(factory, plan_from_expected("surrey-2012-15", source="plans/surrey.docx"))
    before = {m.__tablename__: _count(factory, m) for m in (Board, DocumentRow, ActionRow, SectionRow, RawCell)}

    def boom(session, plans, doc_ids):  # late: the old rows deleted, the new document row written
        raise RuntimeError("disk full")

    monkeypatch.setattr(bulk, "_children", boom)
    with pytest.raises(RuntimeError):
        load_document(factory, plan_from_expected("shropshire-2016-18", source="plans/surrey.docx"))
    after = {m.__tablename__: _count(factory, m) for m in (Board, DocumentRow, ActionRow, SectionRow, RawCell)}
    assert after == before  # the replaced Surrey rows are back, no Shropshire board or rows


def test_import_runs_record_counts_and_their_errors(db_url):
    factory = connect(db_url)
    run1 = start_run(factory, ["plans/"])
    load_document(factory, plan_from_expected("surrey-2012-15"), run_id=run1)
    record_error(factory, "plans/bad.pdf", "ab" * 32, "extract", "not a PDF (no %PDF header)", run_id=run1)
    finish_run(factory, run1, files=2, loaded=1, failed=1, actions=25)
    run2 = start_run(factory, ["plans/"])
    record_error(factory, "plans/bad.pdf", "ab" * 32, "extract", "not a PDF (no %PDF header)", run_id=run2)
    record_error(factory, "plans/empty.docx", None, "extract", "empty file (0 bytes)", run_id=run2)
    record_error(factory, "plans/empty.docx", None, "extract", "empty file (0 bytes)", run_id=run2)
    finish_run(factory, run2, files=2, failed=2)
    with factory() as s:
        runs = s.scalars(select(ImportRun).order_by(ImportRun.id)).all()
        assert [(r.files, r.loaded, r.failed, r.actions) for r in runs] == [(2, 1, 1, 25), (2, 0, 2, 0)]
        assert all(r.finished_at is not None and r.finished_at >= r.started_at for r in runs)
        errors = s.scalars(select(ImportErrorRow).order_by(ImportErrorRow.id)).all()
        assert [(e.source_path, e.run_id) for e in errors] == [("plans/bad.pdf", run2), ("plans/empty.docx", run2)]
        assert s.scalar(select(DocumentRow.run_id)) == run1


def test_text_with_nul_characters_loads(db_url):
    factory = connect(db_url)
    plan = plan_from_expected("shropshire-2016-18")
    plan.actions[0].action = "CSE\x00 awareness"
    plan.actions[0].extra = {"Note\x00": "a\x00b"}
    load_document(factory, plan)
    with factory() as s:
        row = s.scalar(select(ActionRow).where(ActionRow.seq == 0))
        assert row.action == "CSE awareness" and row.extra == {"Note": "ab"}
