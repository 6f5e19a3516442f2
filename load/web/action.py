"""An action's own page, a document's warnings, and the ``actions`` table as a person first sees it.

Datasette's row page shows a row's columns as they are stored: ``themes`` and ``extra`` as JSON,
the plan as a bare ``document_id``, no board.  The page a researcher needs says whose plan it is
(board, title, period), where in it (section, ref, source file and page), what the action is,
who leads it, by when and how far it has got, its themes as labels, and leads on to the board's
other actions on the same themes.  The plugin serves it in place of Datasette's row page
(``/<db>/actions/<id>``: three queries where the row page makes fifteen, so it stays quick when the
server is busy), rendered by ``boardplans_action.html`` from ``action_page``; the row as JSON stays
Datasette's.  A document's row page lists its ``warnings`` (the import's doubts about the file)
from ``document_page`` (``row.html``).

The ``actions`` table has 19 columns; its default view (``_table.html``) shows the few a person
reads (board, ref, action, lead, timescale, status, a progress excerpt), each row linking to the
action's page, with every column one click away (``?_view=all``).
"""

from __future__ import annotations

import json
from typing import Any

from load.web import PLAN_FIELDS

# Columns ACTION adds to the action's own (a.*), kept apart from them on the page.
JOINED = ("board", "board_name", "plan_title", "period", "current", "file", "format", "warnings")
ACTION = f"""select a.*, {PLAN_FIELDS['board']} as board, b.name as board_name, d.title as plan_title,
  {PLAN_FIELDS['period']} as period, d.current as current, d.source_path as file, d.format as format,
  d.warnings as warnings
from actions a join documents d on d.id = a.document_id left join boards b on b.id = d.board_id
where a.id = :id"""
# The same document's other actions sharing a theme with this one, by theme.
RELATED = """select t.theme, a.id, a.ref, a.action, a.status from action_themes t
join actions a on a.id = t.action_id
where a.document_id = :document_id and a.id != :id
  and t.theme in (select theme from action_themes where action_id = :id)
order by t.theme, a.seq"""
DOCUMENT = f"""select d.id, d.warnings, {PLAN_FIELDS['board']} as board, {PLAN_FIELDS['period']} as period
from documents d left join boards b on b.id = d.board_id where d.id = :id"""
# Board and period of every document, for the actions table's board column.
PLANS = f"""select d.id, {PLAN_FIELDS['board']} as board, {PLAN_FIELDS['period']} as period, d.current
from documents d left join boards b on b.id = d.board_id"""

# The actions table's default columns and how many characters of progress it shows.
BRIEF_COLUMNS = ("board", "ref", "action", "lead", "timescale", "status", "progress")
EXCERPT = 160


def _json_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    try:
        out = json.loads(value or "[]")
    except (TypeError, ValueError):
        return [value] if value else []
    return out if isinstance(out, list) else [out]


def warnings_of(value: Any) -> list[str]:
    """A document's warnings (a JSON list of strings or of objects with a message) as sentences."""
    out = []
    for w in _json_list(value):
        if isinstance(w, dict):
            text = w.get("message") or w.get("text") or "; ".join(f"{k}: {v}" for k, v in w.items())
            where = ", ".join(f"{k} {w[k]}" for k in ("page", "row") if w.get(k) is not None)
            out.append(f"{text} ({where})" if where else str(text))
        else:
            out.append(str(w))
    return out


async def action_page(db: Any, action_id: Any) -> dict[str, Any] | None:
    """The action page's data: the action with its plan, themes, extra fields, warnings and related actions."""
    rows = (await db.execute(ACTION, {"id": action_id})).rows
    if not rows:
        return None
    a = dict(rows[0])
    stored = {k: v for k, v in a.items() if k not in JOINED}
    extra = a.get("extra")
    try:
        extra = json.loads(extra) if isinstance(extra, str) else (extra or {})
    except ValueError:
        extra = {"extra": extra}
    related: dict[str, list[dict[str, Any]]] = {}
    for r in (await db.execute(RELATED, {"id": a["id"], "document_id": a["document_id"]})).rows:
        related.setdefault(r["theme"], []).append(dict(r))
    extra = {k.replace("_", " "): extra_text(v) for k, v in (extra if isinstance(extra, dict) else {}).items()}
    return {**a, "themes": _json_list(a.get("themes")), "extra": extra,
            "warnings": warnings_of(a.get("warnings")), "related": related, "stored": stored,
            "file_name": (a.get("file") or "").replace("\\", "/").split("/")[-1]}


async def document_page(db: Any, document_id: Any) -> dict[str, Any] | None:
    rows = (await db.execute(DOCUMENT, {"id": document_id})).rows
    if not rows:
        return None
    return {**dict(rows[0]), "warnings": warnings_of(rows[0]["warnings"])}


async def plans(db: Any) -> dict[Any, dict[str, Any]]:
    """document id -> board and period, for the actions table's brief view."""
    return {r["id"]: dict(r) for r in (await db.execute(PLANS)).rows}


def extra_text(value: Any) -> str:
    """An ``extra`` field for reading: a list of parts (``[{"text": ..., "kind": ...}]``) as their texts."""
    if isinstance(value, list):
        return "; ".join(extra_text(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("text") or ", ".join(f"{k}: {v}" for k, v in value.items()))
    return str(value)


def excerpt(text: Any, size: int = EXCERPT) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= size else text[:size].rsplit(" ", 1)[0] + " …"


def cells_by_column(row: Any) -> dict[str, Any]:
    """A table page row (a list of cell dicts) as column -> cell, for the brief view's template."""
    return {cell["column"]: cell for cell in row}
