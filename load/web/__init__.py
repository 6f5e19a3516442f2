"""A read-only web page over the database: Datasette with the questions as canned queries.

Datasette browses SQLite, so a SQLite database is served as it is (Datasette opens it read-only);
a PostgreSQL database is first copied into a SQLite snapshot (``snapshot.py``), made by the
same migrations, so the page and its full-text search work the same on both.  The canned
queries are the CLI's questions (boards, shared priorities, search, compare by theme) written
in SQL; the search query goes through the ``fts_query()`` SQL function (``plugin.py``) so user
text is quoted exactly as ``load.search`` quotes it, and boards, themes and statuses go through
``board_ids()``, ``theme_id()`` and ``status_id()`` (``questions.py``) so they are read as a
person writes them.  What a flat query cannot show (boards as columns, the priorities matrix and
its chart, facets by board and period, an action's own page) is the plugin's: ``pages.py``,
``chart.py``, ``facets.py``, ``action.py`` and the templates in ``templates/``; what keeps the
server up for everyone (limits, quiet errors, GET only) is ``guard.py``; the search box's
relevance order is ``ranking.py``."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy.engine import make_url

from load.db import DatabaseError, connect, resolve_url

_CURRENT = "d.current = 1"
_BOARD = "coalesce(b.short_name, b.name)"

# What the plan facets show (facets.py) and the questions filter on, as SQL over documents d
# left join boards b: a row's board, plan period and version live on its document.
NO_BOARD = "(no board)"
NO_PERIOD = "(not stated)"

PLAN_FIELDS: dict[str, str] = {
    "board": f"coalesce(b.short_name, b.name, '{NO_BOARD}')",
    "period": f"""case when d.period_start is null and d.period_end is null then '{NO_PERIOD}'
        else coalesce(d.period_start, '?') || ' to ' || coalesce(d.period_end, '?') end""",
    "version": "case when d.current then 'current' else 'earlier' end",
}
_PERIOD = PLAN_FIELDS["period"]

# Question names are URLs beside the tables' (``/plans/<name>``): none may be a table's name
# (``make_datasette`` refuses one that is), or the question would hide the table.
QUERIES: dict[str, dict[str, str]] = {
    "board_summary": {
        "title": "Boards",
        "description": "Each board with its documents (all versions), current documents and actions in its "
                       "current plan.",
        "sql": f"""select {_BOARD} as board, count(distinct d.id) as documents,
  count(distinct case when {_CURRENT} then d.id end) as current_documents,
  group_concat(distinct case when {_CURRENT} then coalesce(d.period_start, '?') || ' to ' ||
    coalesce(d.period_end, '?') end) as periods,
  (select count(*) from actions a join documents d2 on d2.id = a.document_id
   where d2.board_id = b.id and d2.current = 1) as actions
from boards b join documents d on d.board_id = b.id
group by b.id order by board""",
    },
    "shared_priorities": {
        "title": "Priorities shared by boards",
        "description": "Themes that two or more boards declare as priorities (current plans).",
        "sql": f"""select pt.theme, count(distinct b.id) as boards,
  group_concat(distinct {_BOARD}) as board_names
from priority_themes pt join priorities p on p.id = pt.priority_id
join documents d on d.id = p.document_id and {_CURRENT}
join boards b on b.id = d.board_id
group by pt.theme having count(distinct b.id) >= 2
order by boards desc, pt.theme""",
    },
    "search": {
        "title": "Search actions",
        "description": "Full-text search of action, progress, outcome and priority text (words are ANDed; "
                       "\"a phrase\", OR and -word work), best match first. A board may be written any way its plans "
                       "write it; leave a choice at \"any\" for all.",
        "sql": f"""select a.id as action_id, {_BOARD} as board, a.ref, a.status, a.action, a.lead, a.progress,
  d.source_path as file, a.page
from actions_fts f join actions a on a.id = f.rowid
join documents d on d.id = a.document_id and {_CURRENT}
left join boards b on b.id = d.board_id
where actions_fts match fts_query(:q)
  and (:board = '' or b.id in (select value from json_each(board_ids(:board))))
  and (:theme = '' or exists (select 1 from action_themes t where t.action_id = a.id and t.theme = theme_id(:theme)))
  and (:status = '' or a.status = status_id(:status))
  and (:period = '' or {_PERIOD} = :period)
order by bm25(actions_fts, 4.0, 1.0, 1.0, 2.0), board, a.seq
limit 200""",
    },
    "compare": {
        "title": "Compare boards on a theme (list)",
        "description": "Each board's actions on one theme (e.g. cse, neglect, domestic_abuse) with lead, "
                       "timescale, status and progress side by side.",
        "sql": f"""select a.id as action_id, {_BOARD} as board, a.ref, a.action, a.lead, a.timescale, a.status,
  a.progress, d.source_path as file, a.page
from actions a join action_themes t on t.action_id = a.id and t.theme = theme_id(:theme)
join documents d on d.id = a.document_id and {_CURRENT}
left join boards b on b.id = d.board_id
where (:period = '' or {_PERIOD} = :period)
order by board, d.id, a.seq""",
    },
    "status_by_theme": {
        "title": "Status counts per board on a theme",
        "description": "How far each board's actions on one theme have got.",
        "sql": f"""select {_BOARD} as board,
  sum(a.status = 'completed') as completed, sum(a.status = 'in_progress') as in_progress,
  sum(a.status = 'not_started') as not_started, sum(a.status = 'delayed') as delayed,
  sum(a.status = 'unknown') as unknown, count(*) as total
from actions a join action_themes t on t.action_id = a.id and t.theme = theme_id(:theme)
join documents d on d.id = a.document_id and {_CURRENT}
left join boards b on b.id = d.board_id
group by board order by board""",
    },
}

TEMPLATES = Path(__file__).parent / "templates"

# The plugin's pages (pages.py), linked from the home page before the canned queries.
PAGES = {"/-/compare": "Compare boards on a theme", "/-/priorities": "Priorities matrix",
         "/-/versions-compare": "Progress between versions"}

# Facets shown on a table's page: by the plan a row comes from (board, period, version: the
# plugin's "plan" facet, facets.py) and by the row's own columns.
PLAN_FACETS = [{"plan": "board"}, {"plan": "period"}, {"plan": "version"}]
FACETS = {
    "actions": [PLAN_FACETS[0], {"array": "themes"}, "status", *PLAN_FACETS[1:]],
    "priorities": PLAN_FACETS,
    "indicators": PLAN_FACETS,
}
# The home page's ways into the actions table, each with its facet's anchor on the table page.
BROWSE = {"board": "facet-board", "theme": "facet-themes", "status": "facet-status", "period": "facet-period"}

TABLE_NOTES = {
    "boards": "One row per board however its name is written (see board_aliases).",
    "documents": "One row per imported file; current = the newest version of a plan.",
    "actions": "One row per action (CONTRACT.md fields) with its file's page.",
    "action_themes": "Action × theme, rank 0 = main theme.",
    "raw_cells": "Every cell of every table as extracted: row (0 = header), col, page.",
    "import_runs": "Each import: when and what it did.",
    "import_errors": "Files that failed, with the stage and reason.",
}


def metadata(database: str) -> dict[str, Any]:
    """Datasette metadata: title, table notes and the canned queries for database ``database``."""
    db = f"/{quote(database)}"
    pages = [f'<a href="{path}">{title}</a>' for path, title in PAGES.items()]
    queries = [f'<a href="{db}/{name}">{q["title"]}</a>' for name, q in QUERIES.items()]
    browse = " · ".join(f'<a href="{db}/actions?_plan_version=current#{anchor}">{by}</a>'
                        for by, anchor in BROWSE.items())
    tables: dict[str, dict[str, Any]] = {name: {"description": note} for name, note in TABLE_NOTES.items()}
    for name, facets in FACETS.items():
        tables.setdefault(name, {})["facets"] = facets
    tables["documents"] = {**tables["documents"], "label_column": "source_path"}
    # the search box on the actions table: Datasette finds an FTS table by its content="..."
    # form; ours is declared content='actions' (the migration's), so name it here.
    tables["actions"].update(fts_table="actions_fts", fts_pk="id")
    tables["alembic_version"] = {"hidden": True}
    return {
        "title": "boardplans: safeguarding children board business plans",
        "description_html": "<p>Actions, priorities and progress from Local Safeguarding Children Board "
                            "business plans, compared across boards. Read-only.</p>"
                            f"<p>Questions: {' · '.join(pages + queries)}</p>"
                            f"<p>Browse the actions of current plans by {browse}</p>",
        "databases": {database: {
            "queries": {name: {**q, "hide_sql": True} for name, q in QUERIES.items()},
            "tables": tables,
        }},
    }


def sqlite_file(url: str | None, workdir: str | Path | None = None) -> Path:
    """The SQLite file to serve: the database itself, or a snapshot of a PostgreSQL one."""
    url = resolve_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connect(url, create=False)  # an error for a missing file; migrates an older one
        return Path(parsed.database or "")
    from load.web.snapshot import snapshot

    folder = Path(workdir or tempfile.mkdtemp(prefix="boardplans-web-"))
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{parsed.database or 'plans'}.db"
    if target.exists():
        target.unlink()
    snapshot(url, target)
    return target


def _tables(path: Path) -> set[str]:
    import sqlite3

    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return {r[0] for r in conn.execute("select name from sqlite_master where type in ('table', 'view')")}


def make_datasette(url: str | None, workdir: str | Path | None = None, debug_pages: bool = False) -> Any:
    """A Datasette instance serving the database read-only, with metadata, canned queries and the plugin.

    ``debug_pages`` turns on Datasette's internal pages (``/-/versions``, ``/-/settings`` ...).
    A SQLite database is served as it is (read-only, so an import may run meanwhile); a PostgreSQL
    one from its snapshot, served immutable (no locking, table counts taken once).
    """
    try:
        from datasette.app import Datasette
        from datasette.plugins import pm
    except ModuleNotFoundError as exc:
        from models.errors import MissingDependency

        raise MissingDependency("the web page needs Datasette: pip install -e '.[web]'") from exc
    from load.web import plugin
    from load.web.guard import SETTINGS
    from load.web.ranking import RankedDatabase

    if not pm.is_registered(plugin):
        pm.register(plugin, name="boardplans")
    default_errors = pm.get_plugin("datasette.handle_exception")
    if default_errors is not None:  # it prints a full traceback with locals per failing request
        pm.unregister(default_errors)
    is_snapshot = make_url(resolve_url(url)).get_backend_name() != "sqlite"
    path = sqlite_file(url, workdir)
    if not path.exists():
        raise DatabaseError(f"no database at {path}")
    shadowed = sorted(set(QUERIES) & _tables(path))
    if shadowed:
        raise DatabaseError(f"question names {shadowed} are also tables: the questions would hide them")
    config = metadata(path.stem)
    config["plugins"] = {"boardplans": {"debug_pages": debug_pages}}
    ds = Datasette([], metadata=config, template_dir=str(TEMPLATES), settings=SETTINGS)
    ds.remove_database("_memory")
    ds.add_database(RankedDatabase(ds, path=str(path), is_mutable=not is_snapshot), name=path.stem,
                    route=path.stem)
    return ds


def serve(url: str | None, host: str = "127.0.0.1", port: int = 8001, debug_pages: bool = False) -> None:
    """Serve the page until interrupted; one log line per request that fails."""
    import logging

    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    ds = make_datasette(url, debug_pages=debug_pages)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")
