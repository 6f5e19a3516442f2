"""Migrations on SQLite and PostgreSQL: they build exactly the models' schema, and `db upgrade` runs them."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import ROOT
from sqlalchemy import inspect

from load.db import DatabaseError, connect, current_revision, dispose, downgrade, engine_for, head_revision, upgrade
from models.schema import FULLTEXT_OBJECTS, Base

TABLES = {"boards", "board_aliases", "documents", "sections", "actions", "action_themes", "priorities",
          "priority_themes", "indicators", "raw_tables", "raw_cells", "import_runs", "import_errors",
          "alembic_version"}


def _diff(url: str) -> list:
    with engine_for(url).connect() as conn:
        ctx = MigrationContext.configure(conn, opts={
            "compare_type": True,
            "include_object": lambda obj, name, *_: not (name or "").startswith(FULLTEXT_OBJECTS)})
        return compare_metadata(ctx, Base.metadata)


def test_connect_migrates_a_fresh_database_to_the_models_schema(db_url):
    connect(db_url)
    assert current_revision(db_url) == head_revision()
    tables = set(inspect(engine_for(db_url)).get_table_names())
    assert TABLES <= tables
    assert _diff(db_url) == []
    # the full-text index exists in the dialect's own form
    if db_url.startswith("sqlite"):
        assert "actions_fts" in tables
    else:
        columns = {c["name"] for c in inspect(engine_for(db_url)).get_columns("actions")}
        assert "search_vector" in columns


def test_downgrade_then_upgrade_again(db_url):
    upgrade(db_url)
    assert downgrade(db_url, "base") is None
    assert set(inspect(engine_for(db_url)).get_table_names()) <= {"alembic_version"}
    assert upgrade(db_url) == head_revision()
    assert _diff(db_url) == []


def test_db_upgrade_command(db_url):
    dispose(db_url)
    res = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "db", "upgrade", "--db", db_url],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stderr
    assert head_revision() in res.stdout
    assert current_revision(db_url) == head_revision()


def test_a_database_from_before_migrations_is_refused_clearly(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE documents (id INTEGER PRIMARY KEY, source_path TEXT)")
    with pytest.raises(DatabaseError, match="before migrations"):
        connect(str(path))
    dispose(str(path))


def test_unreachable_database_is_one_clear_error():
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"
    with pytest.raises(DatabaseError, match="cannot open database") as info:
        connect(url)
    assert "secret" not in str(info.value)
    dispose(url)
