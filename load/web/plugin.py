"""Datasette plugin: the ``fts_query(text)`` SQL function used by the search canned query.

It quotes user text exactly as ``load.search.fts5_query`` does, so the page's search cannot be
broken (or steered) by FTS5 syntax; text with nothing searchable becomes ``""``, which matches
nothing.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from load.search import fts5_query


def fts_query(text: Any) -> str:
    return fts5_query(str(text or "")) or '""'


@hookimpl
def prepare_connection(conn: Any) -> None:
    conn.create_function("fts_query", 1, fts_query, deterministic=True)
