"""A SQLite copy of a database (PostgreSQL), for the web page, which browses SQLite.

The copy is made by the same migrations as any database, then filled table by table in
foreign-key order; the FTS5 triggers index the actions as they arrive.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert, select

from load.db import connect, dispose, engine_for
from models.schema import Base

_CHUNK = 2000


def snapshot(url: str, target: str | Path) -> Path:
    """Copy every table of ``url`` into a new SQLite file ``target``; returns its path."""
    target = Path(target)
    target_url = f"sqlite:///{target}"
    connect(target_url)
    source = connect(url, create=False)
    with source() as src, engine_for(target_url).begin() as dst:
        for table in Base.metadata.sorted_tables:
            rows = src.execute(select(table))
            while chunk := rows.fetchmany(_CHUNK):
                dst.execute(insert(table), [dict(r._mapping) for r in chunk])
    dispose(target_url)
    return target
