"""Facets and filters by the plan a row comes from: its board, plan period and version.

Datasette facets a table by its own columns, but ``actions`` (like ``priorities`` and
``indicators``) only holds ``document_id``: the board and the period are on ``documents`` and
``boards``.  Rather than a database view (the schema belongs to the migrations and the served
SQLite file is opened read-only), the plugin adds a facet type ``plan`` whose values are computed
through ``document_id``, and a filter for them: ``?_plan_board=Surrey``, ``?_plan_period=2012-04
to 2015-03``, ``?_plan_version=current``.  Each value is a bound parameter in a fixed
``document_id in (select ...)`` clause, so nothing typed in a URL becomes SQL.  Configured in the
metadata as ``{"plan": "board"}`` it shows on the table page like any other facet.
"""

from __future__ import annotations

from typing import Any

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.filters import FilterArguments
from datasette.utils import path_with_added_args, path_with_removed_args

from load.web import NO_BOARD, NO_PERIOD, PLAN_FIELDS  # noqa: F401 (NO_* re-exported for pages.py)

PARAM = "_plan_{}"  # query-string key selecting a value of a plan field
_DOCS = "select d.id from documents d left join boards b on b.id = d.board_id"


class PlanFacet(Facet):
    """Facet ``{"plan": "board" | "period" | "version"}`` on any table with a ``document_id`` column."""

    type = "plan"

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        if not self.table or "document_id" not in await self.get_columns(self.sql, self.params):
            return results, timed_out
        pairs = self.get_querystring_pairs()
        size = self.get_facet_size()
        seen: set[str] = set()
        for source_and_config in self.get_configs():  # metadata first: a repeat in the URL is ignored
            name = source_and_config["config"].get("simple")
            if name not in PLAN_FIELDS or name in seen:
                continue
            seen.add(name)
            key = PARAM.format(name)
            sql = f"""select {PLAN_FIELDS[name]} as value, count(*) as count
                from ({self.sql}) x join documents d on d.id = x.document_id
                left join boards b on b.id = d.board_id
                group by value order by count desc, value limit {size + 1}"""
            try:
                rows = await self.ds.execute(self.database, sql, self.params, truncate=False,
                                             custom_time_limit=self.ds.setting("facet_time_limit_ms"))
            except QueryInterrupted:
                timed_out.append(name)
                continue
            values = []
            for row in rows.rows[:size]:
                selected = (key, str(row["value"])) in pairs
                path = (path_with_removed_args(self.request, {key: str(row["value"])}) if selected
                        else path_with_added_args(self.request, {key: row["value"]}))
                values.append({"value": row["value"], "label": row["value"], "count": row["count"],
                               "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path)),
                               "selected": selected})
            results.append({
                "name": name, "type": self.type, "hideable": source_and_config["source"] != "metadata",
                "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet_plan": name})),
                "results": values, "truncated": len(rows) > size,
            })
        return results, timed_out


def plan_filters(request: Any, database: str, table: str, datasette: Any) -> Any:
    """Where clauses for ``?_plan_<field>=value`` (several values of one field: any of them)."""
    selected = {name: request.args.getlist(PARAM.format(name)) for name in PLAN_FIELDS}
    if not any(selected.values()):
        return None

    async def inner() -> FilterArguments | None:
        if "document_id" not in await datasette.get_database(database).table_columns(table):
            return None
        clauses, params, described = [], {}, []
        for name, values in selected.items():
            if not values:
                continue
            keys = [f"plan_{name}_{i}" for i in range(len(values))]
            params.update(zip(keys, values, strict=True))
            marks = ", ".join(f":{k}" for k in keys)
            clauses.append(f"document_id in ({_DOCS} where {PLAN_FIELDS[name]} in ({marks}))")
            described.append(f"plan {name} is {' or '.join(repr(v) for v in values)}")
        return FilterArguments(clauses, params, described)

    return inner
