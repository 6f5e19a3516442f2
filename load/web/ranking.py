"""Relevance order for the ``actions`` table's search box (``?_search=``).

Datasette's table page filters by full-text search (``fts_table``/``fts_pk`` in the metadata
point it at ``actions_fts``) but always orders by the primary key, so the best match for
"graded care profile" may be on page three.  Datasette has no hook for a table page's ORDER BY,
so the served database is this ``Database`` subclass: when the table page's main query on
``actions`` carries a search and no sort of its own, its ``order by id`` becomes the FTS5 bm25
score (the weights ``load.search`` uses: action text first, then the priority it serves), then
id; its next-page clause ``id > :p`` becomes the same keyset on (score, id), so every page
continues where the previous one stopped.  Any other query passes through unchanged, and a query
not of exactly that shape is not touched (its order is then Datasette's).

The table page's form sends its sort select back as ``_sort=id`` (hidden on wide screens), which
would read "sorted by id" over a ranked list; ``drop_default_sort`` redirects such a search to
the same URL without it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette.database import Database

TABLE = "actions"
FTS = "actions_fts"
# bm25 of one action for the search in :search (lower is better), as the search question ranks.
_SCORE = (f"(select bm25({FTS}, 4.0, 1.0, 1.0, 2.0) from {FTS} where {FTS} match escape_fts(:search) "
          f"and {FTS}.rowid = {{id}})")
_MAIN = re.compile(rf"^select .+ from {TABLE} where .*{FTS} match escape_fts\(:search\).* "
                   r"order by id limit \d+$", re.S)
_NEXT = re.compile(r"\(id > :(p\d+)\)")


def ranked(sql: str, params: Any) -> str:
    """``sql`` ordered by relevance when it is the actions table page's searched main query."""
    if not isinstance(params, dict) or "search" not in params or not _MAIN.match(sql.strip()):
        return sql
    score = _SCORE.format(id=f"{TABLE}.id")
    sql = _NEXT.sub(lambda m: f"(({score}, id) > ({_SCORE.format(id=':' + m[1])}, :{m[1]}))", sql)
    return re.sub(r"order by id limit (\d+)$", rf"order by {score}, id limit \1", sql.strip())


class RankedDatabase(Database):
    """A Datasette database whose actions table page lists search results best first."""

    async def execute(self, sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        return await super().execute(ranked(sql, params), params, *args, **kwargs)


def drop_default_sort(app: Any) -> Any:
    """ASGI middleware: ``/<db>/actions?_search=...&_sort=id`` redirects to the URL without ``_sort=id``."""

    async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith(f"/{TABLE}"):
            pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
            if any(k == "_search" and v for k, v in pairs) and ("_sort", "id") in pairs:
                query = urlencode([(k, v) for k, v in pairs if (k, v) != ("_sort", "id")])
                location = f"{scope.get('root_path', '')}{scope['path']}?{query}"
                await send({"type": "http.response.start", "status": 302,
                            "headers": [(b"location", location.encode())]})
                await send({"type": "http.response.body", "body": b""})
                return
        await app(scope, receive, send)

    return inner
