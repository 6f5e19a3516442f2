"""Writing several documents' records in one transaction, a few statements per table.

The import used to build every row as an ORM object and flush it, one transaction (and one
commit, one ``fsync``) per document: on the fixtures that was ~30 ms of the parent's CPU a
document, as much as a worker spent reading a small plan (docs/profiling.md, "The whole
import").  Here a batch of documents goes in with one multi-row ``INSERT ... RETURNING`` per
table (SQLAlchemy's "insertmanyvalues": ids come back in the order the rows were given), child
rows are linked to those ids, and each board's versions are settled once per batch, from
candidates cached across batches (``versions.VersionCache``) instead of re-read per document.

The rows are the ones ``load.loader`` always wrote, in the same order (so ids are the same as
one document at a time would give).  The full-text index is written inside the batch's
transaction: on SQLite by one statement for the batch's actions (``_insert_actions``), on
PostgreSQL by the generated ``tsvector`` column.  The caller decides
what a failed batch means (``batch/importer.py`` loads its documents again one by one, so a bad
document fails alone and the others are kept).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, delete, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from load import versions
from load.boards import resolve_board
from models.records import PlanDocument
from models.schema import (
    FULLTEXT_COLUMNS,
    ActionRow,
    ActionTheme,
    DocumentRow,
    ImportErrorRow,
    IndicatorRow,
    PriorityRow,
    PriorityTheme,
    RawCell,
    RawTable,
    SectionRow,
)


@dataclass(frozen=True)
class LoadResult:
    status: str          # loaded | unchanged | replaced
    document_id: int
    actions: int


class BatchConflict(Exception):
    """Two documents of one batch share a source path: load them one at a time instead."""


def clean(value: Any) -> Any:
    """Text without NUL characters (PostgreSQL refuses them; PDFs sometimes carry them), recursively."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    return value


def themes_once(themes) -> list[str]:
    """Theme ids once each, in the normaliser's order (the order is the rank)."""
    return list(dict.fromkeys(t for t in themes if t))


def _insert_returning(session: Session, table, rows: list[dict]) -> list[int]:
    """Insert ``rows``; their new ids in row order.

    SQLite: the ids numbered here as SQLite would number them (``_insert_numbered``; an
    ``INSERT ... RETURNING`` whose ids must come back in row order is one statement per row).
    PostgreSQL: the ids drawn from the table's sequence first (ascending, as inserts would take
    them), then the rows sent by ``COPY``: psycopg parses a multi-row statement's placeholders in
    Python, which costs more than the insert itself.
    """
    if not rows:
        return []
    if _sqlite(session):
        return _insert_numbered(session, table, rows)
    if _postgresql(session):
        ids = sorted(session.execute(text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) "
                                          "FROM generate_series(1, :n)"), {"t": table.name, "n": len(rows)}).scalars())
        _copy(session, table, [dict(r, id=i) for r, i in zip(rows, ids, strict=True)])
        return ids
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.execute(stmt, rows).scalars())


_FTS_COLUMNS = ", ".join(FULLTEXT_COLUMNS)


def _insert_actions(session: Session, table, rows: list[dict]) -> list[int]:
    """Insert the batch's actions; their new ids in row order.

    On SQLite the full-text index is written once for the whole batch: the insert trigger is
    held off (migration 0004: it fires only while ``actions_fts_deferred`` is empty), then one
    ``INSERT ... SELECT`` indexes the new rows, about a third of the trigger's CPU.  Held off
    only for this one statement, inside the batch's transaction: if anything fails the
    transaction is rolled back (``load_documents``), the marker row with it.
    """
    if not rows or not _sqlite(session):
        return _insert_returning(session, table, rows)
    session.execute(text("INSERT INTO actions_fts_deferred (one) VALUES (1)"))
    ids = _insert_returning(session, table, rows)
    session.execute(text(f"INSERT INTO actions_fts (rowid, {_FTS_COLUMNS}) SELECT id, {_FTS_COLUMNS} FROM actions "
                         "WHERE id BETWEEN :first AND :last ORDER BY id"), {"first": ids[0], "last": ids[-1]})
    session.execute(text("DELETE FROM actions_fts_deferred"))
    return ids


def _insert(session: Session, table, rows: list[dict]) -> None:
    """Insert ``rows`` (``COPY`` on PostgreSQL, the driver's executemany on SQLite)."""
    if not rows:
        return
    if _postgresql(session):
        _copy(session, table, rows)
    elif _sqlite(session):
        _executemany(session, table, rows)
    else:
        session.execute(insert(table), rows)


def _insert_numbered(session: Session, table, rows: list[dict]) -> list[int]:
    """SQLite: insert ``rows`` with the ids SQLite would give them, one ``executemany``; the ids.

    A table without ``AUTOINCREMENT`` (none here) gives a new row the largest id + 1 (1 when
    empty), so rows inserted one after another get max + 1, max + 2, ...: the same ids, given
    here.  The maximum is read in the batch's transaction, and SQLite serialises writers: a
    transaction whose reads another writer overtook cannot write (SQLITE_BUSY), so no other
    import can take these ids before the commit.
    """
    first = (session.execute(select(func.max(table.c.id))).scalar() or 0) + 1
    ids = list(range(first, first + len(rows)))
    _executemany(session, table, [dict(row, id=i) for row, i in zip(rows, ids, strict=True)])
    return ids


#: Column types whose values sqlite3 takes as SQLAlchemy would bind them (JSON: ``json.dumps``).
_PLAIN_TYPES = (Integer, String, Boolean)


def _executemany(session: Session, table, rows: list[dict]) -> None:
    """SQLite: ``rows`` in one ``executemany`` of the driver's, values as SQLAlchemy would bind them.

    SQLAlchemy's own executemany builds and processes every row's parameters in Python, which
    cost about as much as SQLite's insert; a table with a column of another type (a date) goes
    through SQLAlchemy.  An error is raised as SQLAlchemy would raise it (a full disk is an
    ``OperationalError``, a fault that stops the import).
    """
    import sqlite3

    columns = list(rows[0])
    types = [table.c[c].type for c in columns]
    if not all(isinstance(t, (JSON, *_PLAIN_TYPES)) for t in types):
        session.execute(insert(table), rows)
        return
    json_at = [i for i, t in enumerate(types) if isinstance(t, JSON)]
    values = [[row[c] for c in columns] for row in rows]
    for v in values:
        for i in json_at:
            v[i] = json.dumps(v[i])
    quoted = ", ".join(f'"{c}"' for c in columns)
    statement = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(columns))})'
    connection = session.connection()
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.executemany(statement, values)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(statement, None, exc, sqlite3.Error, dialect=connection.dialect) from exc
    finally:
        cursor.close()


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _copy(session: Session, table, rows: list[dict]) -> None:
    """``COPY table FROM STDIN`` through psycopg, values as the SQLAlchemy types would bind them.

    A JSON value is stored as SQLAlchemy writes it (``json.dumps``; None as JSON ``null``), so
    a row is the same text whichever way it went in.
    """
    import psycopg

    columns = list(rows[0])
    json_cols = {c for c in columns if isinstance(table.c[c].type, JSON)}
    quoted = ", ".join(f'"{c}"' for c in columns)
    statement = f'COPY "{table.name}" ({quoted}) FROM STDIN'
    connection = session.connection()
    cursor = connection.connection.driver_connection.cursor()
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([json.dumps(row[c]) if c in json_cols else row[c] for c in columns])
    except psycopg.Error as exc:  # as SQLAlchemy would raise it: a unique-key race is an IntegrityError (retried)
        raise DBAPIError.instance(statement, None, exc, psycopg.Error, dialect=connection.dialect) from exc
    finally:
        cursor.close()


def _document_row(plan: PlanDocument, board_id: int | None, run_id: int | None) -> dict:
    row = dict(board_id=board_id, run_id=run_id, board_as_written=clean(plan.board), source_path=clean(plan.source),
               sha256=plan.sha256, format=plan.format or "", title=clean(plan.title),
               period_start=plan.period.get("start"), period_end=plan.period.get("end"), pages=plan.pages,
               warnings=clean(plan.warnings), current=True, plan_date=(plan.dates or {}).get("plan"),
               file_dates={k: v for k, v in (plan.dates or {}).items() if k != "plan"} or None,
               version=None, rendition_of=None, current_reason=None, imported_at=datetime.now(UTC))
    if board_id is None:  # stands alone (versions.settle_unboarded)
        row["current_reason"] = versions.UNBOARDED_REASON
    return row


def _children(session: Session, plans: list[PlanDocument], doc_ids: list[int]) -> None:
    """Every child row of the new documents: sections, actions (+ themes), priorities (+ themes),
    indicators, raw tables (+ cells), a statement or two per table for the whole batch."""
    tables = DocumentRow.metadata.tables
    section_rows, section_keys = [], []
    for plan, doc_id in zip(plans, doc_ids, strict=True):
        seen: dict[str, int] = {}
        for a in plan.actions:
            title = clean(a.section)
            if title and title not in seen:
                seen[title] = len(seen)
                section_rows.append(dict(document_id=doc_id, seq=seen[title], title=title))
                section_keys.append((doc_id, title))
    section_ids = dict(zip(section_keys, _insert_returning(session, tables[SectionRow.__tablename__], section_rows),
                           strict=True))

    action_rows, action_themes = [], []
    for plan, doc_id in zip(plans, doc_ids, strict=True):
        for i, a in enumerate(plan.actions):
            themes = themes_once(a.themes)
            section = clean(a.section)
            action_rows.append(dict(document_id=doc_id, section_id=section_ids.get((doc_id, section or "")), seq=i,
                                    section=section, priority=clean(a.priority), objective=clean(a.objective),
                                    ref=clean(a.ref), action=clean(a.action), lead=clean(a.lead),
                                    timescale=clean(a.timescale), start=a.start, end=a.end,
                                    progress=clean(a.progress), outcome=clean(a.outcome),
                                    status=a.status or "unknown", themes=themes, extra=clean(a.extra), page=a.page))
            action_themes.append(themes)
    action_ids = _insert_actions(session, tables[ActionRow.__tablename__], action_rows)
    _insert(session, tables[ActionTheme.__tablename__],
            [dict(action_id=aid, theme=t, rank=r) for aid, themes in zip(action_ids, action_themes, strict=True)
             for r, t in enumerate(themes)])

    priority_rows, priority_themes = [], []
    for plan, doc_id in zip(plans, doc_ids, strict=True):
        for i, p in enumerate(plan.priorities):
            themes = themes_once(p.themes)
            priority_rows.append(dict(document_id=doc_id, seq=i, label=clean(p.label), text=clean(p.text),
                                      themes=themes))
            priority_themes.append(themes)
    priority_ids = _insert_returning(session, tables[PriorityRow.__tablename__], priority_rows)
    _insert(session, tables[PriorityTheme.__tablename__],
            [dict(priority_id=pid, theme=t, rank=r) for pid, themes in zip(priority_ids, priority_themes, strict=True)
             for r, t in enumerate(themes)])

    _insert(session, tables[IndicatorRow.__tablename__],
            [dict(document_id=doc_id, seq=i, group_name=clean(x.group), ref=clean(x.ref), name=clean(x.name))
             for plan, doc_id in zip(plans, doc_ids, strict=True) for i, x in enumerate(plan.indicators)])

    table_rows, table_cells = [], []
    for plan, doc_id in zip(plans, doc_ids, strict=True):
        for i, t in enumerate(plan.tables):
            header, rows = clean(list(t.header)), clean([list(r) for r in t.rows])
            table_rows.append(dict(document_id=doc_id, seq=i, page=t.page, kind=t.kind, header=header, rows=rows))
            cells = [(0, c, True, str(v)) for c, v in enumerate(header)]
            cells += [(r, c, False, str(v)) for r, row in enumerate(rows, start=1) for c, v in enumerate(row)]
            table_cells.append((t.page, cells))
    table_ids = _insert_returning(session, tables[RawTable.__tablename__], table_rows)
    _insert(session, tables[RawCell.__tablename__],
            [dict(table_id=tid, row=r, col=c, header=h, page=page, text=text)
             for tid, (page, cells) in zip(table_ids, table_cells, strict=True) for r, c, h, text in cells])


def write_batch(session: Session, plans: list[PlanDocument], run_id: int | None,
                cache: versions.VersionCache | None = None) -> list[LoadResult]:
    """Store ``plans`` (none with an error) in the session's transaction; one result per plan, in order.

    Unchanged files (a hash already stored, or earlier in the batch) are skipped; a file at a
    path already stored replaces that document.  Raises ``BatchConflict`` when two plans of the
    batch share a path (the caller loads them one at a time).
    """
    sources = [clean(p.source) for p in plans]
    shas = [p.sha256 for p in plans]
    existing = dict(session.execute(select(DocumentRow.sha256, DocumentRow.id)
                                    .where(DocumentRow.sha256.in_(shas))).all())
    counts = dict(session.execute(select(ActionRow.document_id, func.count(ActionRow.id))
                                  .where(ActionRow.document_id.in_(list(existing.values())))
                                  .group_by(ActionRow.document_id)).all()) if existing else {}
    results: list[LoadResult | None] = [None] * len(plans)
    new: list[int] = []   # indexes of plans to write
    first: dict[str, int] = {}
    for i, plan in enumerate(plans):
        if plan.sha256 in existing:
            doc_id = existing[plan.sha256]
            results[i] = LoadResult("unchanged", doc_id, counts.get(doc_id, 0))
        elif plan.sha256 in first:
            continue  # a copy of a file earlier in the batch: settled below, once its id is known
        else:
            first[plan.sha256] = i
            new.append(i)
    new_sources = [sources[i] for i in new]
    if len(set(new_sources)) != len(new_sources):
        raise BatchConflict("two files of the batch have one path")

    old = session.execute(select(DocumentRow.id, DocumentRow.board_id, DocumentRow.source_path)
                          .where(DocumentRow.source_path.in_(new_sources))).all() if new else []
    replaced = {src for _, _, src in old}
    old_boards = {b for _, b, _ in old}
    if old:
        session.execute(delete(DocumentRow).where(DocumentRow.id.in_([i for i, _, _ in old])))
        if cache is not None:
            cache.forget([i for i, _, _ in old])

    boards: list[int | None] = []
    for i in new:
        plan = plans[i]
        board = resolve_board(session, clean(plan.board), title=clean(plan.title), source=plan.source)
        boards.append(board.id if board else None)
    session.flush()  # boards and aliases made by resolve_board
    versions.lock_boards(session, old_boards | set(boards))
    doc_ids = _insert_returning(session, DocumentRow.__table__,
                                [_document_row(plans[i], b, run_id) for i, b in zip(new, boards, strict=True)])
    _children(session, [plans[i] for i in new], doc_ids)
    for board_id in sorted({b for b in old_boards | set(boards) if b is not None}):
        versions.settle(session, board_id, cache)
    if new_sources:
        session.execute(delete(ImportErrorRow).where(ImportErrorRow.source_path.in_(new_sources)))
    ids = dict(zip(new, doc_ids, strict=True))
    for i, doc_id in ids.items():
        results[i] = LoadResult("replaced" if sources[i] in replaced else "loaded", doc_id, len(plans[i].actions))
    for i, plan in enumerate(plans):
        if results[i] is None:  # the batch's second copy of a file
            j = first[plan.sha256]
            results[i] = LoadResult("unchanged", ids[j], len(plans[j].actions))
    return results  # type: ignore[return-value]
