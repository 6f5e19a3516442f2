"""Full-text search over actions: their action, progress, outcome and priority text.

Each database does it natively, made by the migrations:

- SQLite: an FTS5 external-content table ``actions_fts`` (porter stemming) kept
  in step with ``actions`` inside the writer's transaction, so a replaced document
  leaves no stale entries: the import's bulk writer indexes a batch's new actions
  with one statement (``load/bulk._insert_actions``, migration 0004), triggers
  do it for any other insert and for every update and delete.
- PostgreSQL: a generated ``tsvector`` column ``actions.search_vector``
  (English configuration, action text weighted highest) with a GIN index.

User text never becomes SQL: on PostgreSQL it goes as a bound parameter to
``websearch_to_tsquery`` (which accepts any string); on SQLite it is reduced to
quoted FTS5 terms (``"word"``), the only operators kept being ``OR``, ``-word``
and ``"phrases"``, then bound too.  So ``'; DROP TABLE actions; --`` is just
four words that match nothing.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from sqlalchemy import Float, Integer, bindparam, func, literal_column, select, type_coerce
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from load.query import ACTION_COLUMNS, action_select, as_session, board_ids, check_status, check_theme, frame
from models.schema import FULLTEXT_COLUMNS, ActionRow, ActionTheme, Board, DocumentRow

SEARCH_FIELDS = FULLTEXT_COLUMNS

# PostgreSQL's English stop words, dropped on SQLite too so a query means the same on both.
_STOP = frozenset("""a about above after again against all am an and any are as at be because been before being
below between both but by can did do does doing down during each few for from further had has have having he her
here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of
off on once only or other our ours ourselves out over own same she should so some such than that the their theirs
them themselves then there these they this those through to too under until up very was we were what when where
which while who whom why will with you your yours yourself yourselves""".split())
_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.U)


def fts5_query(user_text: str) -> str | None:
    """User text as a safe FTS5 query: quoted terms ANDed, ``OR`` and leading-``-`` negation kept.

    ``None`` when nothing searchable is left (only punctuation or stop words).
    """
    parts: list[str] = []
    pending_or = False
    for m in _TOKEN.finditer(user_text):
        phrase, raw = m.group(1), m.group(2)
        if raw == "OR":
            pending_or = bool(parts)
            continue
        negate = bool(raw and raw.startswith("-") and len(raw) > 1)
        words = [w for w in _WORD.findall(phrase if phrase is not None else raw) if w.lower() not in _STOP]
        if not words:
            continue
        term = '"' + " ".join(w.replace('"', "") for w in words) + '"'
        if negate:
            if parts:  # FTS5's NOT is binary: a negation needs a positive term before it
                parts.append(f"NOT {term}")
            continue
        if pending_or and parts:
            parts[-1] = f"{parts[-1]} OR {term}"
        else:
            parts.append(term)
        pending_or = False
    if not parts or all(p.startswith("NOT ") for p in parts):
        return None
    return " ".join(parts)


def _matches(session: Session, user_text: str) -> Any | None:
    """A subquery (action_id, score) of actions matching ``user_text``; higher score is better."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        q = fts5_query(user_text)
        if q is None:
            return None
        # bm25 weights follow SEARCH_FIELDS: the action text counts most.
        return (sql_text("SELECT rowid AS action_id, -bm25(actions_fts, 4.0, 1.0, 1.0, 2.0) AS score "
                     "FROM actions_fts WHERE actions_fts MATCH :q")
                .bindparams(q=q).columns(action_id=Integer, score=Float).subquery("fts"))
    if dialect == "postgresql":
        if not _WORD.search(user_text):
            return None
        vector = literal_column("actions.search_vector")
        tsq = func.websearch_to_tsquery(literal_column("'english'::regconfig"), bindparam("q", user_text))
        return (select(ActionRow.id.label("action_id"), type_coerce(func.ts_rank(vector, tsq), Float).label("score"))
                .where(vector.op("@@")(tsq))
                .subquery("fts"))
    raise NotImplementedError(f"full-text search is not implemented for {dialect}")


def search(session_or_factory: Any, text: str, board: str | None = None, theme: str | None = None,
           status: str | None = None, all_versions: bool = False, limit: int | None = None) -> pd.DataFrame:
    """Actions whose action, progress, outcome or priority text matches ``text``, best first.

    ``board`` is any way of naming a board ('Surrey', 'Surrey SCB'); ``theme`` a theme id;
    ``status`` one of the contract's statuses.  Only current documents unless ``all_versions``.
    An empty frame (with the usual columns) when nothing matches.
    """
    if theme is not None:
        check_theme(theme)
    if status is not None:
        check_status(status)
    columns = ACTION_COLUMNS + ["score"]
    with as_session(session_or_factory) as session:
        fts = _matches(session, text)
        if fts is None:
            return frame([], columns)
        stmt = (action_select(current_only=not all_versions).add_columns(fts.c.score)
                .join(fts, fts.c.action_id == ActionRow.id))
        if board is not None:
            ids = board_ids(session, board)
            if not ids:
                return frame([], columns)
            stmt = stmt.where(Board.id.in_(ids))
        if theme is not None:
            stmt = stmt.where(select(ActionTheme.action_id).where(ActionTheme.action_id == ActionRow.id,
                                                                  ActionTheme.theme == theme).exists())
        if status is not None:
            stmt = stmt.where(ActionRow.status == status)
        stmt = stmt.order_by(fts.c.score.desc(), Board.name, DocumentRow.id, ActionRow.seq)
        if limit:
            stmt = stmt.limit(limit)
        out = frame(session.execute(stmt).mappings().all(), columns)
    if len(out):
        out["score"] = [round(float(x), 4) for x in out["score"]]
    return out
