"""The Datasette plugin of the web page: a SQL function, two pages, and facets by plan.

- ``fts_query(text)``: the search canned query's SQL function.  It quotes user text exactly as
  ``load.search.fts5_query`` does, so the page's search cannot be broken (or steered) by FTS5
  syntax; text with nothing searchable becomes ``""``, which matches nothing.
- ``/-/compare`` and ``/-/priorities`` (``pages.py``): the compare view with a column per board
  and the priorities matrix with its chart, which a canned query's flat table cannot show;
- ``/-/versions-compare`` (``version_pages.py``): progress between two versions of a board's plan.
- the ``plan`` facet and ``?_plan_<field>=`` filter (``facets.py``): browse actions by board and
  plan period, which live on ``documents``, not on ``actions``.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from load.search import fts5_query
from load.web import facets, pages, version_pages


def fts_query(text: Any) -> str:
    return fts5_query(str(text or "")) or '""'


@hookimpl
def prepare_connection(conn: Any) -> None:
    conn.create_function("fts_query", 1, fts_query, deterministic=True)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/compare(\.(?P<format>json))?$", pages.compare_page),
            (r"^/-/priorities(\.(?P<format>json))?$", pages.priorities_page),
            (r"^/-/versions-compare(\.(?P<format>json))?$", version_pages.versions_compare_page)]


@hookimpl
def register_facet_classes() -> list[type]:
    return [facets.PlanFacet]


@hookimpl
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    return facets.plan_filters(request, database, table, datasette)


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    """The pages in Datasette's menu too, so they are one click away from any table."""
    return [{"href": datasette.urls.path("/-/compare"), "label": "Compare boards on a theme"},
            {"href": datasette.urls.path("/-/priorities"), "label": "Priorities matrix"},
            {"href": datasette.urls.path(version_pages.PATH), "label": "Progress between versions"}]
