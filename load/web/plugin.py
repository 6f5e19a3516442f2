"""The Datasette plugin of the web page: SQL functions, pages, forms, the action page and the guards.

- ``fts_query(text)``: the search question's SQL function.  It quotes user text exactly as
  ``load.search.fts5_query`` does, so the page's search cannot be broken (or steered) by FTS5
  syntax; text with nothing searchable becomes ``""``, which matches nothing.  ``board_ids``,
  ``theme_id`` and ``status_id`` read a board, theme or status as a person writes it
  (``questions.py``).
- ``ROUTES``: the plugin's pages (``pages.py``): the compare view with a column per board, the
  priorities matrix with its chart, and an action's own page.  A new page is one more
  ``(regex, view)`` entry.
- ``/-/versions-compare`` (``version_pages.py``): progress between two versions of a board's plan.
- the ``plan`` facet and ``?_plan_<field>=`` filter (``facets.py``): browse actions by board and
  plan period, which live on ``documents``, not on ``actions``.
- template variables for the question forms (``questions.py``), a document's warnings and the
  brief ``actions`` table (``action.py``).
- errors answered at once with one log line, GET only, internal pages hidden (``guard.py``).
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl
from datasette.utils import path_with_replaced_args

from load.search import fts5_query
from load.web import action, facets, guard, pages, questions, ranking, version_pages

# The plugin's pages: (path regex, view).  Add a page here (and a link in PAGES, load/web/__init__.py).
ROUTES: list[tuple[str, Any]] = [
    (r"^/-/compare(\.(?P<format>json))?$", pages.compare_page),
    (r"^/-/priorities(\.(?P<format>json))?$", pages.priorities_page),
    (r"^/-/versions-compare(\.(?P<format>json))?$", version_pages.versions_compare_page),
    (r"^/(?P<database>[^/.]+)/actions/(?P<id>\d+)$", pages.action_view),
]


def fts_query(text: Any) -> str:
    return fts5_query(str(text or "")) or '""'


def debug_pages(datasette: Any) -> bool:
    """Whether Datasette's internal pages are on (``serve --debug-pages``)."""
    return bool((datasette.plugin_config("boardplans") or {}).get("debug_pages"))


@hookimpl
def prepare_connection(conn: Any) -> None:
    conn.create_function("fts_query", 1, fts_query, deterministic=True)
    questions.register_functions(conn)


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    hidden = [] if debug_pages(datasette) else [(guard.INTERNAL_ROUTE, guard.not_found)]
    return hidden + ROUTES


@hookimpl
def register_facet_classes() -> list[type]:
    return [facets.PlanFacet]


@hookimpl
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    return facets.plan_filters(request, database, table, datasette)


@hookimpl
def handle_exception(datasette: Any, request: Any, exception: BaseException) -> Any:
    return guard.error_response(datasette, request, exception)


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    return lambda app: guard.methods_guard(guard.sql_gate(ranking.drop_default_sort(app)))


@hookimpl
def extra_template_vars(template: str, database: str | None, table: str | None, view_name: str,
                        request: Any, datasette: Any) -> Any:
    """What the boardplans templates (``query.html``, ``row.html``, ``_table.html``) render from."""
    if request is None or database is None:
        return None

    async def inner() -> dict[str, Any]:
        db = datasette.get_database(database)
        name = request.url_vars.get("table")
        if template.startswith("query") and name in questions.FORMS:
            values = {k: request.args.get(k, "") for k in request.args}
            return {**await questions.form_context(db, name, values),
                    "bp_hidden_columns": questions.HIDDEN_COLUMNS}
        if view_name == "row" and table == "documents":
            return {"bp_document": await action.document_page(db, request.url_vars.get("pks", ""))}
        if view_name == "table" and table == "actions":
            return {"bp_brief": request.args.get("_view") != "all", "bp_plans": await action.plans(db),
                    "bp_all_url": path_with_replaced_args(request, {"_view": "all"}),
                    "bp_brief_url": path_with_replaced_args(request, {"_view": None}),
                    "bp_cells": action.cells_by_column, "bp_excerpt": action.excerpt,
                    "bp_brief_columns": action.BRIEF_COLUMNS}
        return {}

    return inner


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    """The pages in Datasette's menu too, so they are one click away from any table."""
    return [{"href": datasette.urls.path("/-/compare"), "label": "Compare boards on a theme"},
            {"href": datasette.urls.path("/-/priorities"), "label": "Priorities matrix"},
            {"href": datasette.urls.path(version_pages.PATH), "label": "Progress between versions"}]
