"""Writing documents' records, one document or a batch of them in one transaction, idempotently.

A file is identified by its content hash: an unchanged file is skipped, a
changed file at the same path replaces the earlier document's rows, and a
document is either fully written or not at all.  A new file of a board
already held stays beside the others, and ``load/versions.py`` settles which
one is ``current`` (renditions of one version: the best read; versions: the
latest by the plans' own dates), so the queries compare each board's latest
plan while older versions and other renditions stay auditable.  The rows are written by
``load/bulk.py`` (a few multi-row statements per batch, not an ORM flush per document).
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from load import versions
from load.boards import parse_board_name
from load.bulk import LoadResult, write_batch
from load.bulk import clean as _clean
from load.runs import finish_run, start_run  # noqa: F401  (their old home; load/runs.py owns them)
from models.records import PlanDocument
from models.schema import ActionRow, Board, DocumentRow, ImportErrorRow

__all__ = ["LoadResult", "known_hashes", "load_document", "load_documents", "record_error", "short_name", "summary"]


def short_name(board: str) -> str:
    """The place part of a board name ('Surrey' for 'Surrey Safeguarding Children Board')."""
    parsed = parse_board_name(board)
    return parsed.place or board


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
    return load_documents(factory, [plan], run_id)[0]


def load_documents(factory: sessionmaker[Session], plans: list[PlanDocument], run_id: int | None = None,
                   cache: versions.VersionCache | None = None) -> list[LoadResult]:
    """Store ``plans`` (none with an error) in one transaction: all of them, or none.

    Retried (twice) on a unique-key race with another import, as ``load_document``;
    any other error is the caller's (``batch/importer.py`` then loads the batch's
    documents one by one, so one bad document fails alone).
    """
    for attempt in range(3):
        try:
            with factory.begin() as session:
                return write_batch(session, plans, run_id, cache)
        except BaseException as exc:
            if cache is not None:
                cache.clear()  # it may hold candidates of rows that were rolled back
            if not isinstance(exc, IntegrityError) or attempt == 2:
                raise
    raise AssertionError("unreachable")


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
