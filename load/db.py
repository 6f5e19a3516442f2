"""Engine and session set-up for a database URL.

A bare path is taken as a SQLite file; ``postgresql+psycopg://`` needs the
``postgres`` extra, reported by name if it is missing.
"""

from __future__ import annotations

import os

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from models.errors import MissingDependency
from models.schema import Base

DEFAULT_URL = "sqlite:///plans.db"


def resolve_url(url: str | None) -> str:
    url = url or os.environ.get("BOARDPLANS_DB") or DEFAULT_URL
    if "://" not in url:
        url = f"sqlite:///{url}"
    return url


def connect(url: str | None = None) -> sessionmaker[Session]:
    """A session factory for ``url``, with the schema created if absent."""
    url = resolve_url(url)
    try:
        engine: Engine = create_engine(url, future=True)
    except ModuleNotFoundError as exc:
        raise MissingDependency(f"database driver missing ({exc.name}); for PostgreSQL install the "
                                f"'postgres' extra: pip install -e '.[postgres]'") from exc
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _fk_on(dbapi_conn, _record) -> None:  # cascades need foreign keys on in SQLite
            dbapi_conn.execute("PRAGMA foreign_keys=ON")
    Base.metadata.create_all(engine)
    return sessionmaker(engine, expire_on_commit=False)
