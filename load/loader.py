"""Writing one document's records in one transaction, idempotently.

A file is identified by its content hash: an unchanged file is skipped, a
changed file at the same path replaces the earlier document's rows, and a
document is either fully written or not at all.  A new file of a board
already held stays beside the others, and ``load/versions.py`` settles which
one is ``current`` (renditions of one version: the best read; versions: the
latest by the plans' own dates), so the queries compare each board's latest
plan while older versions and other renditions stay auditable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from load import versions
from load.boards import parse_board_name, resolve_board
from load.runs import finish_run, start_run  # noqa: F401  (their old home; load/runs.py owns them)
from models.records import PlanDocument
from models.schema import (
    ActionRow,
    ActionTheme,
    Board,
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


def short_name(board: str) -> str:
    """The place part of a board name ('Surrey' for 'Surrey Safeguarding Children Board')."""
    parsed = parse_board_name(board)
    return parsed.place or board


def _clean(value: Any) -> Any:
    """Text without NUL characters (PostgreSQL refuses them; PDFs sometimes carry them), recursively."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


def _themes(themes: Iterable[str]) -> list[str]:
    """Theme ids once each, in the normaliser's order (the order is the rank)."""
    return list(dict.fromkeys(t for t in themes if t))


def _cells(header: list[str], rows: list[list[str]], page: int | None) -> list[RawCell]:
    cells = [RawCell(row=0, col=c, header=True, page=page, text=str(v)) for c, v in enumerate(header)]
    cells += [RawCell(row=r, col=c, header=False, page=page, text=str(v))
              for r, row in enumerate(rows, start=1) for c, v in enumerate(row)]
    return cells


def _build(plan: PlanDocument, board: Board | None, run_id: int | None) -> DocumentRow:
    """The ORM rows of one document (not yet added to a session)."""
    doc = DocumentRow(board=board, run_id=run_id, board_as_written=_clean(plan.board),
                      source_path=_clean(plan.source), sha256=plan.sha256, format=plan.format or "",
                      title=_clean(plan.title), period_start=plan.period.get("start"),
                      period_end=plan.period.get("end"), pages=plan.pages, warnings=_clean(plan.warnings),
                      current=True, plan_date=(plan.dates or {}).get("plan"),
                      file_dates={k: v for k, v in (plan.dates or {}).items() if k != "plan"} or None)
    sections: dict[str, SectionRow] = {}
    for a in plan.actions:
        title = _clean(a.section)
        if title and title not in sections:
            sections[title] = SectionRow(seq=len(sections), title=title)
    doc.sections = list(sections.values())
    doc.actions = []
    for i, a in enumerate(plan.actions):
        themes = _themes(a.themes)
        row = ActionRow(seq=i, section=_clean(a.section), priority=_clean(a.priority),
                        objective=_clean(a.objective), ref=_clean(a.ref), action=_clean(a.action),
                        lead=_clean(a.lead), timescale=_clean(a.timescale), start=a.start, end=a.end,
                        progress=_clean(a.progress), outcome=_clean(a.outcome), status=a.status or "unknown",
                        themes=themes, extra=_clean(a.extra), page=a.page,
                        theme_rows=[ActionTheme(theme=t, rank=r) for r, t in enumerate(themes)])
        row.section_row = sections.get(_clean(a.section) or "")
        doc.actions.append(row)
    doc.priorities = [PriorityRow(seq=i, label=_clean(p.label), text=_clean(p.text), themes=_themes(p.themes),
                                  theme_rows=[PriorityTheme(theme=t, rank=r) for r, t in enumerate(_themes(p.themes))])
                      for i, p in enumerate(plan.priorities)]
    doc.indicators = [IndicatorRow(seq=i, group=_clean(x.group), ref=_clean(x.ref), name=_clean(x.name))
                      for i, x in enumerate(plan.indicators)]
    doc.tables = []
    for i, t in enumerate(plan.tables):
        header, rows = _clean(list(t.header)), _clean([list(r) for r in t.rows])
        table = RawTable(seq=i, page=t.page, kind=t.kind, header=header, rows=rows)
        table.cells = _cells(header, rows, t.page)
        doc.tables.append(table)
    return doc


def _mark_current(session: Session, doc: DocumentRow) -> None:
    """Settle which of the board's documents is current now that ``doc`` is among them (the
    board's row is locked already); a document with no board stands alone."""
    if doc.board_id is None:
        versions.settle_unboarded(doc)
        return
    versions.settle(session, doc.board_id)


def known_hashes(factory: sessionmaker[Session]) -> set[str]:
    """Content hashes already loaded: a rerun skips these files before extracting them."""
    with factory() as session:
        return set(session.scalars(select(DocumentRow.sha256)))


def load_document(factory: sessionmaker[Session], plan: PlanDocument, run_id: int | None = None) -> LoadResult:
    """Store ``plan`` (which must have no error) in one transaction.

    Two imports running at once may both try to load one file (or create one
    board): the loser's transaction fails on a unique key and is retried, and
    then sees the winner's rows, so each document is loaded exactly once.
    """
    for attempt in range(3):
        try:
            return _load_once(factory, plan, run_id)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _load_once(factory: sessionmaker[Session], plan: PlanDocument, run_id: int | None) -> LoadResult:
    with factory.begin() as session:
        existing = session.scalar(select(DocumentRow).where(DocumentRow.sha256 == plan.sha256))
        if existing is not None:
            return LoadResult("unchanged", existing.id, len(existing.actions))
        status = "loaded"
        old_boards: set[int | None] = set()
        for old in session.scalars(select(DocumentRow).where(DocumentRow.source_path == plan.source)):
            old_boards.add(old.board_id)
            session.delete(old)
            status = "replaced"
        session.flush()
        board = resolve_board(session, _clean(plan.board), title=_clean(plan.title), source=plan.source)
        versions.lock_boards(session, old_boards | {board.id if board else None})
        doc = _build(plan, board, run_id)
        session.add(doc)
        session.flush()
        for board_id in sorted(b for b in old_boards if b is not None and b != doc.board_id):
            versions.settle(session, board_id)  # the replaced file was another board's
        _mark_current(session, doc)
        for err in session.scalars(select(ImportErrorRow).where(ImportErrorRow.source_path == plan.source)):
            session.delete(err)  # the file now imports: its old failures are history
        return LoadResult(status, doc.id, len(plan.actions))


def record_error(factory: sessionmaker[Session], source: str, sha256: str | None, stage: str,
                 message: str, run_id: int | None = None) -> None:
    """Remember a file that failed: once per file, hash and message, linked to the last run it failed in.

    An insert that does nothing on conflict, then an update of the run: two imports recording
    the same failure at once both succeed, and one row remains.
    """
    source, message = _clean(source), _clean(message)
    with factory.begin() as session:
        insert = _UPSERTS.get(session.get_bind().dialect.name)
        if insert is not None:
            session.execute(insert(ImportErrorRow).values(source_path=source, sha256=sha256, stage=stage,
                                                          message=message, run_id=run_id).on_conflict_do_nothing())
        elif session.scalar(select(ImportErrorRow.id).where(*_error_key(source, sha256, message))) is None:
            session.add(ImportErrorRow(source_path=source, sha256=sha256, stage=stage, message=message,
                                       run_id=run_id))
            session.flush()
        if run_id is not None:
            session.execute(update(ImportErrorRow).where(*_error_key(source, sha256, message)).values(run_id=run_id))


_UPSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def _error_key(source: str, sha256: str | None, message: str) -> list:
    return [ImportErrorRow.source_path == source, ImportErrorRow.message == message,
            ImportErrorRow.sha256.is_(None) if sha256 is None else ImportErrorRow.sha256 == sha256]


def summary(factory: sessionmaker[Session]) -> list[tuple[str, int, int]]:
    """(board, documents, actions) for every board, by name (all versions)."""
    with factory() as session:
        docs = dict(session.execute(
            select(Board.name, func.count(DocumentRow.id)).join(DocumentRow).group_by(Board.name)).all())
        acts = dict(session.execute(
            select(Board.name, func.count(ActionRow.id)).join(DocumentRow, DocumentRow.board_id == Board.id)
            .join(ActionRow, ActionRow.document_id == DocumentRow.id).group_by(Board.name)).all())
        return [(name, docs.get(name, 0), acts.get(name, 0)) for name in sorted(docs)]
