"""The plugin's own pages: the compare view (boards as columns) and the priorities matrix.

A canned query returns one flat table; comparing boards needs a pivot (a column per board, the
actions of each board down it, status counts on top) and the matrix needs a chart, so these two
are plugin routes that read the database with Datasette's read-only connections
(``Database.execute``) and render templates from ``templates/``.  Every value a visitor sends is
either checked against the theme list or passed as a bound parameter.  Each page also answers as
JSON (``/-/compare.json?theme=neglect``), which is what the tests compare with ``load.query``.
"""

from __future__ import annotations

import tomllib
from collections import Counter, defaultdict
from functools import cache
from typing import Any
from urllib.parse import urlencode

from datasette.utils.asgi import Response

from load.db import ROOT
from load.web.action import action_page
from load.web.chart import STATUS_COLOURS, priorities_chart, status_bar
from load.web.facets import NO_BOARD, PARAM
from models.records import STATUSES

_CURRENT = "d.current = 1"
_BOARD = f"coalesce(b.short_name, b.name, '{NO_BOARD}')"

ACTIONS_ON_THEME = f"""select a.id as action_id, {_BOARD} as board, a.ref, a.action, a.lead, a.timescale, a.status,
  a.progress, d.source_path as file, a.page
from actions a join action_themes t on t.action_id = a.id and t.theme = :theme
join documents d on d.id = a.document_id and {_CURRENT}
left join boards b on b.id = d.board_id
order by board, d.id, a.seq"""

DECLARED = f"""select pt.theme, {_BOARD} as board, p.label
from priority_themes pt join priorities p on p.id = pt.priority_id
join documents d on d.id = p.document_id and {_CURRENT}
join boards b on b.id = d.board_id
order by p.document_id, p.seq"""

THEME_ACTIONS = f"""select t.theme, {_BOARD} as board, count(*) as actions
from action_themes t join actions a on a.id = t.action_id
join documents d on d.id = a.document_id and {_CURRENT}
join boards b on b.id = d.board_id
group by t.theme, board"""

BOARDS = f"""select distinct {_BOARD} as board
from documents d join boards b on b.id = d.board_id where {_CURRENT}"""

STATUS_LABELS = {s: s.replace("_", " ") for s in STATUSES}


@cache
def themes() -> dict[str, str]:
    """Theme id -> what it covers, in THEMES.md order (``data/themes.toml``, as ``load.query``)."""
    with open(ROOT / "data" / "themes.toml", "rb") as fh:
        return {theme: entry.get("what", "") for theme, entry in tomllib.load(fh).items()}


def _by_board(names: Any) -> list[str]:
    return sorted(set(names), key=lambda b: (b == NO_BOARD, b.lower()))


async def declared_priorities(db: Any) -> dict[str, dict[str, list[str]]]:
    """theme -> board -> labels of the priorities (current plans) that declare it."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for theme, board, label in (await db.execute(DECLARED)).rows:
        if label not in out[theme][board]:
            out[theme][board].append(label)
    return out


async def comparison(db: Any, theme: str) -> dict[str, Any]:
    """The compare view's data: per board (a column) its declared priorities, status counts and actions.

    The columns are the boards with an action on the theme and the boards declaring it a priority
    (a declared priority with no action is worth seeing); the other boards are listed apart.
    """
    actions = [dict(r) for r in (await db.execute(ACTIONS_ON_THEME, {"theme": theme})).rows]
    declared = (await declared_priorities(db)).get(theme, {})
    all_boards = _by_board(r["board"] for r in (await db.execute(BOARDS)).rows)
    shown = _by_board([a["board"] for a in actions] + list(declared))
    columns = []
    for board in shown:
        mine = [a for a in actions if a["board"] == board]
        counts = Counter(a["status"] for a in mine)
        columns.append({"board": board, "declared": declared.get(board, []), "total": len(mine),
                        "counts": {s: counts.get(s, 0) for s in STATUSES}, "actions": mine})
    return {"theme": theme, "what": themes().get(theme, ""), "boards": columns,
            "rows": max((c["total"] for c in columns), default=0),
            "other_boards": [b for b in all_boards if b not in shown]}


async def matrix(db: Any) -> dict[str, Any]:
    """The priorities matrix: a row per theme any board declares or acts on, a column per board.

    Rows are ordered as the CLI's ``priorities``: most boards declaring first, then THEMES.md order.
    """
    declared = await declared_priorities(db)
    counts = {(r["theme"], r["board"]): r["actions"] for r in (await db.execute(THEME_ACTIONS)).rows}
    boards = _by_board(r["board"] for r in (await db.execute(BOARDS)).rows)
    order = {t: i for i, t in enumerate(themes())}
    rows = []
    for theme in set(declared) | {t for t, _ in counts}:
        by = [b for b in boards if b in declared.get(theme, {})]
        cells = {b: {"declared": b in by, "priorities": declared.get(theme, {}).get(b, []),
                     "actions": counts.get((theme, b), 0)} for b in boards}
        rows.append({"theme": theme, "what": themes().get(theme, ""), "declared_by": by,
                     "actions": sum(c["actions"] for c in cells.values()), "cells": cells})
    rows.sort(key=lambda r: (-len(r["declared_by"]), order.get(r["theme"], len(order)), r["theme"]))
    return {"boards": boards, "themes": rows}


async def theme_choices(db: Any) -> list[dict[str, Any]]:
    """Every theme with its description and number of actions in current plans, for the form."""
    counts: Counter[str] = Counter()
    for r in (await db.execute(THEME_ACTIONS)).rows:
        counts[r["theme"]] += r["actions"]
    return [{"theme": t, "what": what, "actions": counts.get(t, 0)} for t, what in themes().items()]


def _wants_json(request: Any) -> bool:
    return request.url_vars.get("format") == "json"


async def _database(datasette: Any, request: Any) -> Any:
    db = datasette.get_database()
    await datasette.ensure_permissions(request.actor, [("view-database", db.name), "view-instance"])
    return db


async def compare_page(datasette: Any, request: Any) -> Response:
    """``/-/compare?theme=neglect``: the boards side by side on one theme."""
    db = await _database(datasette, request)
    theme = (request.args.get("theme") or "").strip()
    context: dict[str, Any] = {"theme": theme, "choices": await theme_choices(db), "database": db.name,
                               "status_labels": STATUS_LABELS, "colours": STATUS_COLOURS}
    status = 200
    if theme and theme not in themes():
        context["error"] = f"There is no theme '{theme}'. Choose one from the list."
        status = 400
    elif theme:
        data = await comparison(db, theme)
        if _wants_json(request):
            return Response.json(data)
        for column in data["boards"]:
            column["bar"] = status_bar(column["counts"])
            column["browse"] = datasette.urls.table(db.name, "actions") + "?" + urlencode(
                {PARAM.format("version"): "current", PARAM.format("board"): column["board"],
                 "themes__arraycontains": theme})
        query = "?" + urlencode({"theme": theme})
        context.update(data, list_url=datasette.urls.database(db.name) + "/compare" + query,
                       csv_url=datasette.urls.database(db.name) + "/compare.csv" + query)
    if not theme or "error" in context:  # somewhere to start: the themes boards share, most shared first
        context["shared"] = [r for r in (await matrix(db))["themes"] if len(r["declared_by"]) >= 2]
    if _wants_json(request):
        return Response.json({"error": context.get("error") or "give ?theme="}, status=400)
    html = await datasette.render_template("boardplans_compare.html", context, request=request)
    return Response.html(html, status=status)


async def priorities_page(datasette: Any, request: Any) -> Response:
    """``/-/priorities``: themes × boards, declared priorities and action counts, as a chart and a table."""
    db = await _database(datasette, request)
    data = await matrix(db)
    if _wants_json(request):
        return Response.json(data)
    compare = datasette.urls.path("/-/compare")
    chart = priorities_chart(data["boards"], data["themes"], link=lambda t: compare + "?" + urlencode({"theme": t}))
    html = await datasette.render_template("boardplans_priorities.html", {**data, "database": db.name, "chart": chart},
                                           request=request)
    return Response.html(html)


async def action_view(datasette: Any, request: Any) -> Response:
    """``/<db>/actions/<id>``: one action as a person reads it (``action.py``)."""
    from datasette.utils.asgi import NotFound

    try:
        db = datasette.get_database(route=request.url_vars["database"])
    except KeyError:
        raise NotFound("Database not found") from None
    await datasette.ensure_permissions(request.actor, [("view-table", (db.name, "actions")),
                                                       ("view-database", db.name), "view-instance"])
    data = await action_page(db, int(request.url_vars["id"]))
    if data is None:
        raise NotFound("There is no such action")
    html = await datasette.render_template("boardplans_action.html",
                                           {"a": data, "stored": data["stored"], "database": db.name},
                                           request=request)
    return Response.html(html)
