"""The web page of progress between versions: ``/-/versions-compare?board=Surrey``.

The page asks ``compare --versions``' question of the served database: each action of a
board's two latest plan versions beside its counterpart, status and progress side by side,
with what changed.  The pairing is ``load.version_compare`` itself (the CLI's), fed here from
Datasette's read-only connection; the board is matched as ``--board`` options match it (key,
name, place or any alias) with bound parameters only.  Also as JSON
(``/-/versions-compare.json?board=Surrey``).  (``/-/versions`` is Datasette's own page.)
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from datasette.utils.asgi import Response

from load.boards import parse_board_name, place_key
from load.version_compare import compare_rows

PATH = "/-/versions-compare"
TEMPLATE = "boardplans_versions_compare.html"

_BOARD_LABEL = "coalesce(b.short_name, b.name)"
FIND_BOARD = """select distinct b.id from boards b left join board_aliases a on a.board_id = b.id
where b.key in (:key, :parsed_key) or lower(b.name) = lower(:text) or lower(b.short_name) = lower(:text)
  or lower(a.alias) = lower(:text)"""
BOARDS_WITH_VERSIONS = f"""select {_BOARD_LABEL} as board, count(distinct d.version) as versions
from boards b join documents d on d.board_id = b.id
where d.version is not null group by b.id having count(distinct d.version) >= 2 order by board"""
CHOSEN = f"""select d.id, d.version, d.source_path as file, d.title, d.plan_date, d.period_start, d.period_end,
  d.current, {_BOARD_LABEL} as board
from documents d join boards b on b.id = d.board_id
where d.board_id = :board and d.rendition_of is null and d.version is not null order by d.version"""
ACTIONS = """select ref, action, status, progress, lead, timescale, page, id as action_id
from actions where document_id = :document order by seq"""


async def _board_ids(db: Any, text: str) -> list[int]:
    parsed = parse_board_name(text)
    params = {"key": place_key(text), "parsed_key": parsed.key or place_key(text), "text": text}
    return [r["id"] for r in (await db.execute(FIND_BOARD, params)).rows]


def _document(row: Any) -> dict[str, Any]:
    return {"document_id": row["id"], "version": row["version"], "file": row["file"], "title": row["title"],
            "plan_date": row["plan_date"], "period_start": row["period_start"], "period_end": row["period_end"],
            "current": bool(row["current"])}


async def version_comparison(db: Any, board: str) -> dict[str, Any]:
    """``{"board", "earlier", "later", "actions", "counts"}`` for the board's two latest versions, or
    ``{"error": ...}`` when the board is unknown, ambiguous or has fewer than two versions."""
    ids = await _board_ids(db, board)
    if not ids:
        return {"error": f"There is no board '{board}' in the database."}
    if len(ids) > 1:
        return {"error": f"'{board}' names {len(ids)} boards; give its full name."}
    chosen = list((await db.execute(CHOSEN, {"board": ids[0]})).rows)
    if len(chosen) < 2:
        label = chosen[0]["board"] if chosen else board
        return {"error": f"{label} has {len(chosen)} version{'' if len(chosen) == 1 else 's'} of its plan here; "
                         "comparing needs two (import a later or earlier review)."}
    earlier, later = _document(chosen[-2]), _document(chosen[-1])
    acts = {}
    for side, doc in (("earlier", earlier), ("later", later)):
        acts[side] = [dict(r) for r in (await db.execute(ACTIONS, {"document": doc["document_id"]})).rows]
    rows = compare_rows(chosen[-1]["board"], acts["earlier"], acts["later"], earlier, later)
    counts: dict[str, int] = {}
    for r in rows:
        kind = r["match"] if r["match"] in ("new", "dropped") else ("unchanged" if r["change"] == "unchanged"
                                                                    else "changed")
        counts[kind] = counts.get(kind, 0) + 1
    return {"board": chosen[-1]["board"], "earlier": earlier, "later": later, "actions": rows, "counts": counts}


async def versions_compare_page(datasette: Any, request: Any) -> Response:
    """``/-/versions-compare?board=Surrey``: a board's two latest plan versions side by side."""
    db = datasette.get_database()
    await datasette.ensure_permissions(request.actor, [("view-database", db.name), "view-instance"])
    wants_json = request.url_vars.get("format") == "json"
    board = (request.args.get("board") or "").strip()
    choices = [dict(r) for r in (await db.execute(BOARDS_WITH_VERSIONS)).rows]
    context: dict[str, Any] = {"board": board, "choices": choices, "database": db.name, "path": PATH}
    status = 200
    if board:
        data = await version_comparison(db, board)
        if "error" in data:
            status = 400 if wants_json else 404
            context["error"] = data["error"]
        context.update(data)
        if wants_json:
            return Response.json(data, status=200 if "error" not in data else 400)
        context["json_url"] = datasette.urls.path(PATH + ".json") + "?" + urlencode({"board": board})
    elif wants_json:
        return Response.json({"error": "give ?board=", "boards": choices}, status=400)
    html = await datasette.render_template(TEMPLATE, context, request=request)
    return Response.html(html, status=status)
