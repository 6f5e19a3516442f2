"""Alembic environment: migrations target ``models.schema.Base.metadata``.

Run either programmatically by ``load.db.upgrade()`` (which hands over its open
connection in ``config.attributes['connection']`` so the whole upgrade is one
transaction), or by the ``alembic`` command with ``-x db=URL`` (else
``$BOARDPLANS_DB``, else ``plans.db``).  The full-text objects (SQLite FTS5
table and triggers, PostgreSQL ``search_vector`` column) are made by hand in the
migrations and are invisible to the models, so autogenerate is told to ignore them.
"""

from __future__ import annotations

import sys
from logging.config import fileConfig
from pathlib import Path

from alembic import context

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from load.db import engine_for, resolve_url  # noqa: E402
from models.schema import FULLTEXT_OBJECTS, Base  # noqa: E402

config = context.config
if config.config_file_name is not None and "connection" not in config.attributes:
    fileConfig(config.config_file_name)

target_metadata = Base.metadata


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Leave the hand-made full-text objects out of autogenerate's comparison."""
    return not (name or "").startswith(FULLTEXT_OBJECTS)


def _url() -> str:
    return resolve_url(context.get_x_argument(as_dictionary=True).get("db"))


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, include_object=include_object,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      include_object=include_object, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with engine_for(_url()).connect() as conn:
        _run(conn)
        conn.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
