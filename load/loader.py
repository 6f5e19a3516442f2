"""Writing one document's records in one transaction, idempotently.

A file is identified by its content hash: an unchanged file is skipped, a
changed file at the same path replaces the earlier document's rows, and a
document is either fully written or not at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.records import PlanDocument
from models.schema import (
    ActionRow,
    Board,
    DocumentRow,
    ImportErrorRow,
    IndicatorRow,
    PriorityRow,
    RawTable,
)


@dataclass(frozen=True)
class LoadResult:
    status: str          # loaded | unchanged | replaced
    document_id: int
    actions: int


def short_name(board: str) -> str:
    m = re.match(r"(.+?)\s+(?:Local\s+)?Safeguarding\b", board)
    return m.group(1) if m else board


def _board(session: Session, name: str | None) -> Board | None:
    if not name:
        return None
    board = session.scalar(select(Board).where(Board.name == name))
    if board is None:
        board = Board(name=name, short_name=short_name(name))
        session.add(board)
        session.flush()
    return board


def load_document(factory: sessionmaker[Session], plan: PlanDocument) -> LoadResult:
    """Store ``plan`` (which must have no error) in one transaction."""
    with factory.begin() as session:
        existing = session.scalar(select(DocumentRow).where(DocumentRow.sha256 == plan.sha256))
        if existing is not None:
            return LoadResult("unchanged", existing.id, len(existing.actions))
        status = "loaded"
        for old in session.scalars(select(DocumentRow).where(DocumentRow.source_path == plan.source)):
            session.delete(old)
            status = "replaced"
        session.flush()
        doc = DocumentRow(board=_board(session, plan.board), source_path=plan.source, sha256=plan.sha256,
                          format=plan.format or "", title=plan.title, period_start=plan.period.get("start"),
                          period_end=plan.period.get("end"), pages=plan.pages, warnings=plan.warnings)
        doc.actions = [ActionRow(seq=i, section=a.section, priority=a.priority, objective=a.objective,
                                 ref=a.ref, action=a.action, lead=a.lead, timescale=a.timescale,
                                 start=a.start, end=a.end, progress=a.progress, outcome=a.outcome,
                                 status=a.status, themes=a.themes, extra=a.extra, page=a.page)
                       for i, a in enumerate(plan.actions)]
        doc.priorities = [PriorityRow(label=p.label, text=p.text, themes=p.themes) for p in plan.priorities]
        doc.indicators = [IndicatorRow(group=x.group, ref=x.ref, name=x.name) for x in plan.indicators]
        doc.tables = [RawTable(seq=i, page=t.page, kind=t.kind, header=t.header, rows=t.rows)
                      for i, t in enumerate(plan.tables)]
        session.add(doc)
        session.flush()
        for err in session.scalars(select(ImportErrorRow).where(ImportErrorRow.source_path == plan.source)):
            session.delete(err)  # the file now imports: its old failures are history
        return LoadResult(status, doc.id, len(plan.actions))


def record_error(factory: sessionmaker[Session], source: str, sha256: str | None, stage: str,
                 message: str) -> None:
    """Remember a file that failed (once per file, hash and message)."""
    with factory.begin() as session:
        exists = session.scalar(select(ImportErrorRow.id).where(
            ImportErrorRow.source_path == source, ImportErrorRow.sha256 == sha256,
            ImportErrorRow.message == message))
        if exists is None:
            session.add(ImportErrorRow(source_path=source, sha256=sha256, stage=stage, message=message))


def summary(factory: sessionmaker[Session]) -> list[tuple[str, int, int]]:
    """(board, documents, actions) for every board, by name."""
    with factory() as session:
        docs = dict(session.execute(
            select(Board.name, func.count(DocumentRow.id)).join(DocumentRow).group_by(Board.name)).all())
        acts = dict(session.execute(
            select(Board.name, func.count(ActionRow.id)).join(DocumentRow, DocumentRow.board_id == Board.id)
            .join(ActionRow, ActionRow.document_id == DocumentRow.id).group_by(Board.name)).all())
        return [(name, docs.get(name, 0), acts.get(name, 0)) for name in sorted(docs)]
