"""Loading into a real SQLite file: counts, idempotent re-import, replacement, failures recorded."""

from __future__ import annotations

import shutil

import pytest
from conftest import FIXTURES, PLANS, expected
from sqlalchemy import func, select

from load import connect
from models.schema import ActionRow, Board, DocumentRow, ImportErrorRow, IndicatorRow, RawTable
from pipeline import import_paths


def _counts(factory) -> dict[str, int]:
    with factory() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (Board, DocumentRow, ActionRow, RawTable, IndicatorRow, ImportErrorRow)}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    db = tmp_path_factory.mktemp("db") / "plans.db"
    report = import_paths([FIXTURES], db=str(db))
    return db, report


def test_import_fixtures_loads_all_ten_files(loaded):
    db, report = loaded
    assert (report.loaded, report.unchanged, report.failed) == (10, 0, [])
    factory = connect(str(db))
    with factory() as s:
        per_board = dict(s.execute(
            select(Board.short_name, func.count(ActionRow.id)).select_from(Board)
            .join(DocumentRow, DocumentRow.board_id == Board.id)
            .join(ActionRow, ActionRow.document_id == DocumentRow.id)
            .group_by(Board.short_name)).all())
    want = {expected(p)["board_short"]: 2 * len(expected(p)["actions"]) for p in PLANS}
    assert per_board == want
    counts = _counts(factory)
    assert counts["boards"] == 5 and counts["documents"] == 10
    assert counts["indicators"] == 2 * 69


def test_reimport_changes_nothing(loaded):
    db, _ = loaded
    factory = connect(str(db))
    before = _counts(factory)
    report = import_paths([FIXTURES], db=str(db))
    assert (report.loaded, report.replaced, report.unchanged) == (0, 0, 10)
    assert _counts(factory) == before


def test_action_rows_keep_all_fields(loaded):
    db, _ = loaded
    with connect(str(db))() as s:
        row = s.scalar(select(ActionRow).join(DocumentRow).where(
            DocumentRow.source_path.endswith("sunderland-2018-19.pdf"), ActionRow.ref == "3.2"))
        assert row.timescale == "Feb-18; Feb-18; Jul-18" and row.end == "2018-07"
        assert row.section == "Theme 3: Performance, compliance and quality assurance"
        assert row.page is not None and isinstance(row.themes, list)


def test_changed_file_replaces_its_rows_and_failures_are_recorded(tmp_path):
    db = tmp_path / "t.db"
    plan = tmp_path / "plans" / "board.docx"
    plan.parent.mkdir()
    shutil.copy(FIXTURES / "surrey-2012-15.docx", plan)
    (plan.parent / "broken.pdf").write_bytes(b"<html>not a pdf</html>")
    (plan.parent / "empty.docx").write_bytes(b"")
    report = import_paths([plan.parent], db=str(db))
    assert report.loaded == 1
    assert sorted(r for _, r in report.failed) == ["empty file (0 bytes)", "not a PDF (no %PDF header)"]
    factory = connect(str(db))
    assert _counts(factory)["actions"] == 25 and _counts(factory)["import_errors"] == 2

    shutil.copy(FIXTURES / "shropshire-2016-18.docx", plan)  # a new version at the same path
    report = import_paths([plan.parent], db=str(db))
    assert report.replaced == 1
    counts = _counts(factory)
    assert (counts["documents"], counts["actions"], counts["import_errors"]) == (1, 12, 2)
