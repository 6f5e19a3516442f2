"""Database fixtures: every database test runs on SQLite and on PostgreSQL.

``db_url`` is a fresh, empty database per test; ``fixtures_db`` a database per
backend holding ``import fixtures/`` (made once per test session, read-only).
PostgreSQL comes from ``$BOARDPLANS_TEST_PG`` (a URL whose role may CREATE
DATABASE; each test gets its own database, dropped afterwards).  Without it the
PostgreSQL cases are skipped on a developer's machine but fail in CI
(``CI=true``), where ``.ci/run`` starts PostgreSQL: a missing database must not
pass unnoticed.
"""

from __future__ import annotations

import json
import os
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from models.records import Action, Indicator, PlanDocument, Priority, TableRecord

BACKENDS = ["sqlite", "postgresql"]
PG_ENV = "BOARDPLANS_TEST_PG"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pg_base_url() -> str:
    """The PostgreSQL URL to create test databases from, or skip (fail in CI) when there is none."""
    url = os.environ.get(PG_ENV)
    if not url:
        message = f"PostgreSQL tests need {PG_ENV}=postgresql+psycopg://user:password@host/db"
        if in_ci():
            pytest.fail(f"CI: {message} (.ci/run should have started PostgreSQL and set it)")
        pytest.skip(message)
    return url


def create_pg_database(prefix: str = "bp_test") -> str:
    """A new empty PostgreSQL database; its URL."""
    base = make_url(pg_base_url())
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    from load.db import dispose

    dispose(url)
    parsed = make_url(url)
    admin = create_engine(make_url(pg_base_url()), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            try:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
            except Exception as exc:  # a backend the test role may not end: leave it, .ci/run sweeps bp_test_*
                warnings.warn(f"could not drop {parsed.database}: {exc.__class__.__name__}", stacklevel=2)
    finally:
        admin.dispose()


def _new_database(backend: str, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{folder / 'plans.db'}"
    return create_pg_database()


def _drop_database(backend: str, url: str) -> None:
    from load.db import dispose

    if backend == "postgresql":
        drop_pg_database(url)
    else:
        dispose(url)


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> Iterator[str]:
    """A fresh empty database URL (not yet migrated): SQLite file or PostgreSQL database."""
    url = _new_database(request.param, tmp_path)
    yield url
    _drop_database(request.param, url)


@pytest.fixture(scope="session", params=BACKENDS)
def fixtures_db(request, tmp_path_factory) -> Iterator[str]:
    """A database holding ``import fixtures/`` (10 files, 5 boards), shared by the read-only query tests."""
    from conftest import FIXTURES

    from pipeline import import_paths

    url = _new_database(request.param, tmp_path_factory.mktemp(f"fixtures-{request.param}"))
    report = import_paths([FIXTURES], db=url)
    assert report.failed == [] and report.loaded == 10, report
    yield url
    _drop_database(request.param, url)


def plan_from_expected(name: str, source: str | None = None, sha256: str | None = None, **overrides) -> PlanDocument:
    """A contract document built from a fixture's hand-written expected record (no extraction: fast)."""
    from conftest import FIXTURES

    data = json.loads((FIXTURES / "expected" / f"{name}.json").read_text(encoding="utf-8"))
    actions = [Action(**{k: v for k, v in a.items() if k in Action.__dataclass_fields__}, page=i // 5 + 1)
               for i, a in enumerate(data["actions"])]
    plan = PlanDocument(
        source=source or f"expected/{name}.docx", sha256=sha256 or uuid.uuid4().hex * 2, format="docx",
        board=data["board"], title=data.get("title"), period=dict(data.get("period") or {"start": None, "end": None}),
        priorities=[Priority(p["label"], p["text"], list(p.get("themes", []))) for p in data.get("priorities", [])],
        actions=actions,
        indicators=[Indicator(x.get("group"), x.get("ref"), x["name"]) for x in data.get("indicators", [])],
        tables=[TableRecord(page=2, kind="actions", header=["Ref", "Action", "Lead"],
                            rows=[[a.ref or "", a.action or "", a.lead or ""] for a in actions[:3]])],
        pages=max((a.page or 1) for a in actions) if actions else 1)
    for key, value in overrides.items():
        setattr(plan, key, value)
    return plan
