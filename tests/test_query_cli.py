"""The question commands (boards, priorities, search, compare, export, db) on SQLite and PostgreSQL.

Run in-process through typer's runner (the wiring is what is tested here; the answers are tested
in test_query.py), with every output format.
"""

from __future__ import annotations

import io
import json

import pandas as pd
from conftest import PLANS, expected
from typer.testing import CliRunner

from load.db import head_revision
from load.search import search
from pipeline import app

runner = CliRunner()


def cli(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_boards_as_json_and_table(fixtures_db):
    res = cli("boards", "--db", fixtures_db, "--format", "json")
    assert res.exit_code == 0, res.output
    rows = {r["board"]: r for r in json.loads(res.stdout)}
    assert {b: r["actions"] for b, r in rows.items()} == {expected(p)["board_short"]: len(expected(p)["actions"])
                                                          for p in PLANS}
    res = cli("boards", "--db", fixtures_db)
    assert res.exit_code == 0 and "Staffordshire" in res.stdout and "66" in res.stdout


def test_priorities_matrix_and_common(fixtures_db):
    res = cli("priorities", "--common", "--db", fixtures_db)
    assert res.exit_code == 0, res.output
    assert "neglect: Shropshire, Solihull, Sunderland" in res.stdout.splitlines()
    table = cli("priorities", "--db", fixtures_db)
    assert table.exit_code == 0 and "★" in table.stdout
    long = pd.read_csv(io.StringIO(cli("priorities", "--db", fixtures_db, "--format", "csv").stdout))
    assert list(long.columns) == ["theme", "board", "declared", "priorities", "actions"]
    common = json.loads(cli("priorities", "--common", "--db", fixtures_db, "--format", "json").stdout)
    assert {"theme", "boards", "board_names", "actions"} == set(common[0])


def test_search_command(fixtures_db):
    res = cli("search", "audit", "--board", "Surrey", "--db", fixtures_db, "--format", "csv")
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.stdout))
    assert len(df) == len(search(fixtures_db, "audit", board="Surrey")) > 0
    assert set(df["board"]) == {"Surrey"} and {"file", "page", "progress"} <= set(df.columns)
    res = cli("search", "audit'; DROP TABLE actions; --", "--db", fixtures_db, "--format", "json")
    assert res.exit_code == 0 and json.loads(res.stdout) == []


def test_compare_command(fixtures_db):
    res = cli("compare", "--theme", "cse", "--db", fixtures_db, "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["theme"] == "cse" and data["actions"] and data["status_counts"]
    assert {a["board"] for a in data["actions"]} == {c["board"] for c in data["status_counts"]}
    table = cli("compare", "--theme", "cse", "--boards", "Surrey,Shropshire", "--db", fixtures_db)
    assert table.exit_code == 0 and "Surrey" in table.stdout and "Solihull" not in table.stdout
    assert "status of cse actions" in table.stdout


def test_bad_questions_are_one_error_line(fixtures_db):
    res = cli("compare", "--theme", "nope", "--db", fixtures_db)
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr.startswith("Error: unknown theme 'nope'")
    res = cli("search", "audit", "--status", "finished", "--db", fixtures_db)
    assert res.exit_code == 2 and "unknown status" in res.stderr


def test_missing_sqlite_database_is_an_error_not_an_empty_answer(tmp_path):
    res = cli("boards", "--db", str(tmp_path / "typo.db"))
    assert res.exit_code == 2 and "no database at" in res.stderr
    assert not (tmp_path / "typo.db").exists()


def test_export_command(fixtures_db, tmp_path):
    res = cli("export", "--format", "xlsx", "--theme", "cse", "--out", str(tmp_path), "--db", fixtures_db)
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == str(tmp_path / "boardplans.xlsx")
    actions = pd.read_excel(tmp_path / "boardplans.xlsx", sheet_name="actions")
    assert len(actions) > 0 and actions["themes"].str.contains("cse").all()
    assert cli("export", "--format", "pdf", "--db", fixtures_db).exit_code == 2


def test_db_upgrade_and_downgrade_commands(db_url):

    res = cli("db", "upgrade", "--db", db_url)
    assert res.exit_code == 0 and f"at revision {head_revision()}" in res.stdout
    res = cli("db", "downgrade", "base", "--db", db_url)
    assert res.exit_code == 0 and "at revision base" in res.stdout
