"""The question pages' forms: choices from the database, names as people write them, readable labels.

A canned query's parameters are free text in Datasette; a researcher typing "In progress",
"Neglect" or "SLSCB" would silently get nothing.  So every choice is a select list filled from
the database (boards, themes, statuses, plan periods), and whatever arrives in the URL is read as
the command line reads it: a board by any of its names or aliases (``load.boards``), an acronym
when exactly one board fits it, a theme or status in any case with spaces or underscores.  The
SQL gets the readings through SQL functions registered on each connection (``board_ids``,
``theme_id``, ``status_id``), so a URL written by hand answers as the form does, and the page
says plainly when a value names nothing.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from load.boards import acronym_fits, parse_board_name, place_key
from load.web.facets import PLAN_FIELDS
from load.web.pages import STATUS_LABELS, themes
from models.records import STATUSES

# Each question's form: its parameters in order, each with a label and the kind of choice it is;
# the button's words, and how the page title names the question.  Kinds: text, board, theme,
# status, period.
FORMS: dict[str, dict[str, Any]] = {
    "search": {"fields": [("q", "Words", "text"), ("board", "Board", "board"), ("theme", "Theme", "theme"),
                          ("status", "Status", "status"), ("period", "Plan period", "period")],
               "button": "Search", "link": "action_id", "required": {"q"}},
    "compare": {"fields": [("theme", "Theme", "theme"), ("period", "Plan period", "period")],
                "button": "Compare", "link": "action_id", "required": {"theme"}},
    "status_by_theme": {"fields": [("theme", "Theme", "theme")], "button": "Count", "required": {"theme"}},
    "board_summary": {"fields": [], "button": "Show"},
    "shared_priorities": {"fields": [], "button": "Show"},
}
# Columns a question returns for the machine (ids), not shown as columns on its page.
HIDDEN_COLUMNS = {"action_id"}
_ACRONYM = re.compile(r"^L?[A-Z&]*L?SC[BP]$")
_PERIOD_SQL = PLAN_FIELDS["period"]


@dataclass
class Boards:
    """The boards of one database with every name they go by, to read a board as a person writes it."""

    rows: list[dict[str, Any]] = field(default_factory=list)  # id, key, name, short_name, aliases

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> Boards:
        try:
            boards = {r[0]: {"id": r[0], "key": r[1], "name": r[2], "short_name": r[3], "aliases": []}
                      for r in conn.execute("select id, key, name, short_name from boards")}
            for board_id, alias in conn.execute("select board_id, alias from board_aliases"):
                if board_id in boards:
                    boards[board_id]["aliases"].append(alias)
        except sqlite3.Error:  # not a plans database
            return cls()
        return cls(list(boards.values()))

    def find(self, text: str | None) -> list[int]:
        """Ids of the boards ``text`` names: as ``load.boards.find_boards``, and an acronym only one board fits."""
        text = (text or "").strip()
        if not text:
            return []
        lowered = text.lower()
        parsed = parse_board_name(text)
        keys = {place_key(text)} | ({parsed.key} if parsed.key else set())
        found = [b["id"] for b in self.rows
                 if b["key"] in keys or b["name"].lower() == lowered
                 or (b["short_name"] or "").lower() == lowered
                 or any(a.lower() == lowered for a in b["aliases"])]
        if found or not _ACRONYM.match(text.upper().replace(" ", "")):
            return found
        acronym = text.upper().replace(" ", "")
        local = acronym.replace("&", "").endswith(("LSCB", "LSCP"))
        fits = [b for b in self.rows if b["short_name"] and acronym_fits(acronym, b["short_name"])
                and acronym.upper() not in {"SCB", "LSCB", "SCP", "LSCP"}]
        if len(fits) > 1:  # 'SLSCB': the L says the board calls itself Local
            fits = [b for b in fits if (" local " in f" {b['name'].lower()} ") == local] or fits
        return [fits[0]["id"]] if len(fits) == 1 else []


def _id(text: Any) -> str:
    return re.sub(r"[\s\-]+", "_", str(text or "").strip().lower())


def theme_id(text: Any) -> str:
    """'Domestic abuse', 'domestic-abuse' and 'domestic_abuse' are one theme id; so is what the theme
    covers as THEMES.md words it ('Child sexual exploitation' is cse)."""
    key = _id(text)
    return {_id(what): theme for theme, what in themes().items()}.get(key, key)


def status_id(text: Any) -> str:
    """'In progress' and 'in_progress' are one status."""
    return _id(text)


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the canned queries use to read what a person wrote.

    The boards are read once per connection (a SQL function cannot query its own connection
    safely), so a board first imported while the page is served is found by its names after
    ``serve`` restarts; the select lists, read per request, show it at once.
    """
    boards = Boards.load(conn)
    conn.create_function("board_ids", 1, lambda text: json.dumps(boards.find(text)), deterministic=True)
    conn.create_function("theme_id", 1, theme_id, deterministic=True)
    conn.create_function("status_id", 1, status_id, deterministic=True)


PERIODS = f"""select distinct {_PERIOD_SQL} as period from documents d
where d.current = 1 order by d.period_start is null, d.period_start, d.period_end"""
BOARD_CHOICES = """select coalesce(b.short_name, b.name) as board from boards b
where b.id in (select board_id from documents where current = 1)
order by lower(coalesce(b.short_name, b.name))"""


async def choices(db: Any) -> dict[str, list[dict[str, str]]]:
    """The select lists: value and label of every board, theme, status and plan period in the database."""
    boards = [{"value": r["board"], "label": r["board"]} for r in (await db.execute(BOARD_CHOICES)).rows]
    periods = [{"value": r["period"], "label": r["period"]} for r in (await db.execute(PERIODS)).rows]
    return {"board": boards, "period": periods,
            "theme": [{"value": t, "label": f"{t.replace('_', ' ')}: {what}"} for t, what in themes().items()],
            "status": [{"value": s, "label": STATUS_LABELS[s]} for s in STATUSES]}


async def _board_names(db: Any) -> Boards:
    rows = await db.execute("select id, key, name, short_name from boards")
    aliases = await db.execute("select board_id, alias from board_aliases")
    boards = {r["id"]: {**dict(r), "aliases": []} for r in rows.rows}
    for r in aliases.rows:
        if r["board_id"] in boards:
            boards[r["board_id"]]["aliases"].append(r["alias"])
    return Boards(list(boards.values()))


async def form_context(db: Any, query: str, values: dict[str, str]) -> dict[str, Any]:
    """Everything the question page's form needs: fields with their choices, the chosen value of each
    (read as the SQL reads it, so an alias in the URL shows as selected), what names nothing, and a title."""
    form = FORMS.get(query)
    if form is None:
        return {}
    lists = await choices(db)
    boards = await _board_names(db) if any(kind == "board" for _, _, kind in form["fields"]) else Boards()
    by_id = {b["id"]: b["short_name"] or b["name"] for b in boards.rows}
    fields, problems, named = [], [], []
    for name, label, kind in form["fields"]:
        raw = (values.get(name) or "").strip()
        chosen = raw
        if raw and kind == "board":
            ids = boards.find(raw)
            chosen = by_id[ids[0]] if len(ids) == 1 else raw
            if not ids:
                problems.append(f"There is no board '{raw}' (or more than one fits it). Choose one from the list.")
        elif raw and kind in ("theme", "status"):
            chosen = theme_id(raw) if kind == "theme" else status_id(raw)
            if chosen not in {c["value"] for c in lists[kind]}:
                problems.append(f"There is no {kind} '{raw}'. Choose one from the list.")
        elif raw and kind == "period" and raw not in {c["value"] for c in lists["period"]}:
            problems.append(f"No current plan covers the period '{raw}'. Choose one from the list.")
        if raw:
            named.append(raw if kind == "text" else next(
                (c["label"].split(":")[0] for c in lists.get(kind, []) if c["value"] == chosen), raw))
        fields.append({"name": name, "label": label, "kind": kind, "value": chosen,
                       "choices": lists.get(kind, [])})
    required = form.get("required", set())
    ready = all((values.get(name) or "").strip() for name in required)
    return {"bp_form": {"fields": fields, "button": form["button"], "problems": problems, "named": named,
                        "link": form.get("link"), "required": required, "ready": ready}}
