"""SQLite's full-text index written once per batch (migration 0004, ``load/bulk._insert_actions``).

The import indexes a batch's actions with one statement instead of the insert trigger; these
tests hold that index to the one SQLite would rebuild from the ``actions`` table, term by term,
and check that every other way of writing an action is still indexed by the trigger.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import FIXTURES
from db_fixtures import plan_from_expected

from load import connect, load_document
from load.db import dispose, downgrade, upgrade
from pipeline import import_paths


def _instances(path: Path) -> list[tuple]:
    """Every (term, rowid, column, offset) the full-text index holds, in order."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, actions_fts, instance)")
        return conn.execute("SELECT term, doc, col, offset FROM temp.vocab ORDER BY 1, 2, 3, 4").fetchall()


def _integrity(path: Path) -> None:
    """FTS5's own check, against the content table too (rank 1): raises if any row is missing or stale."""
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO actions_fts(actions_fts, rank) VALUES ('integrity-check', 1)")


def _rebuilt(path: Path, tmp_path: Path) -> list[tuple]:
    copy = tmp_path / "rebuilt.db"
    shutil.copy(path, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("INSERT INTO actions_fts(actions_fts) VALUES ('rebuild')")
    return _instances(copy)


@pytest.fixture
def imported(tmp_path) -> Path:
    """``import fixtures/`` then a replacement of one of them (deletes through the trigger, new rows in a batch)."""
    path = tmp_path / "plans.db"
    report = import_paths([FIXTURES], db=str(path))
    assert report.failed == [] and report.loaded == 10
    dispose(str(path))
    return path


def test_a_batch_import_indexes_exactly_what_a_rebuild_would(imported, tmp_path):
    with sqlite3.connect(imported) as conn:
        actions = conn.execute("SELECT count(*) FROM actions").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM actions_fts_deferred").fetchone()[0] == 0
        hits = conn.execute("SELECT count(*) FROM actions_fts WHERE actions_fts MATCH 'safeguarding'").fetchone()[0]
    assert actions > 300 and hits > 0
    _integrity(imported)
    assert _instances(imported) == _rebuilt(imported, tmp_path)


def test_a_replaced_document_leaves_the_index_whole(imported, tmp_path):
    copy = tmp_path / "incoming"
    copy.mkdir()
    src = next(FIXTURES.glob("*.docx"))
    target = copy / src.name
    shutil.copy(src, target)
    with target.open("ab") as fh:  # new bytes (a zip reads past trailing ones): a new document
        fh.write(b"\0")
    assert import_paths([target], db=str(imported)).loaded == 1
    with target.open("ab") as fh:  # the same path with new bytes again: a replacement
        fh.write(b"\0")
    report = import_paths([target], db=str(imported))
    dispose(str(imported))
    assert report.failed == [] and report.replaced == 1, report
    _integrity(imported)
    assert _instances(imported) == _rebuilt(imported, tmp_path)


def test_actions_written_any_other_way_are_indexed_by_the_trigger(tmp_path):
    path = tmp_path / "one.db"
    url = str(path)
    factory = connect(url)
    load_document(factory, plan_from_expected("shropshire-2016-18"))
    dispose(url)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO actions (document_id, seq, action, status, themes, extra) "
                     "SELECT document_id, 999, 'zebra crossing patrols', status, themes, extra FROM actions LIMIT 1")
        hit = conn.execute("SELECT count(*) FROM actions_fts WHERE actions_fts MATCH 'zebra'").fetchone()[0]
    assert hit == 1
    _integrity(path)


def test_the_check_fails_when_an_action_is_missing_from_the_index(imported):
    """The two checks above can fail: an action inserted while the trigger is held off is found."""
    with sqlite3.connect(imported) as conn:
        conn.execute("INSERT INTO actions_fts_deferred (one) VALUES (1)")
        conn.execute("INSERT INTO actions (document_id, seq, action, status, themes, extra) "
                     "SELECT document_id, 999, 'zebra crossing patrols', status, themes, extra FROM actions LIMIT 1")
        conn.execute("DELETE FROM actions_fts_deferred")
    with pytest.raises(sqlite3.DatabaseError):
        _integrity(imported)


def test_downgrade_restores_the_row_by_row_trigger(tmp_path):
    path = tmp_path / "down.db"
    url = str(path)
    upgrade(url)
    downgrade(url, "0003")
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "actions_fts_deferred" not in names and "actions_fts_insert" in names
    upgrade(url)
    dispose(url)
    factory = connect(url)
    load_document(factory, plan_from_expected("shropshire-2016-18"))
    dispose(url)
    _integrity(path)
