"""Import runs: opened at the start, checkpointed as files finish, closed with a status and real counts.

A run ends ``finished``, ``interrupted`` (Ctrl-C or SIGTERM) or ``aborted`` (the
database failed).  A run killed outright (``kill -9``, power cut) cannot close
itself: the next import on the same host sees that its process is gone, and
marks it ``interrupted`` with counts from what it left behind (its documents
and failures, and its last checkpoint).  Runs of other hosts are left to
their own host, since a process elsewhere cannot be checked.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.schema import ActionRow, DocumentRow, ImportErrorRow, ImportRun

COUNTS = ("files", "loaded", "replaced", "unchanged", "failed", "actions")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    try:  # a zombie (killed, not yet reaped) is gone for our purposes
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def start_run(factory: sessionmaker[Session], paths: Iterable[str]) -> int:
    """Open an import run (its own transaction, so it is visible even if the batch is interrupted)."""
    from load.loader import _clean

    with factory.begin() as session:
        run = ImportRun(paths=[_clean(str(p)) for p in paths], status="running", host=socket.gethostname(),
                        pid=os.getpid())
        session.add(run)
        session.flush()
        return run.id


def checkpoint_run(factory: sessionmaker[Session], run_id: int, **counts: int) -> None:
    """Store a running run's counts so far (what a later import starts from if this one is killed)."""
    with factory.begin() as session:
        run = session.get(ImportRun, run_id)
        if run is not None:
            for name, value in counts.items():
                setattr(run, name, value)


def finish_run(factory: sessionmaker[Session], run_id: int, status: str = "finished", **counts: int) -> None:
    """Close an import run with its status and counts (files, loaded, replaced, unchanged, failed, actions)."""
    with factory.begin() as session:
        run = session.get(ImportRun, run_id)
        if run is None:
            return
        for name, value in counts.items():
            setattr(run, name, value)
        if status != "finished":  # stopped midway: a document may have committed after the last count
            _reconcile(session, run)
        run.status = status
        run.finished_at = datetime.now(UTC)


def _reconcile(session: Session, run: ImportRun) -> None:
    """Counts no lower than what the run left in the database.

    Documents and failures carry their run, so what a stopped run loaded is counted from
    them; the run's own counts add what leaves no row (unchanged files, which of the loaded
    were replacements).  Each count is the larger of the two, so none is below the truth.
    """
    docs = session.scalar(select(func.count(DocumentRow.id)).where(DocumentRow.run_id == run.id)) or 0
    actions = session.scalar(select(func.count(ActionRow.id)).join(DocumentRow)
                             .where(DocumentRow.run_id == run.id)) or 0
    failed = session.scalar(select(func.count(ImportErrorRow.id)).where(ImportErrorRow.run_id == run.id)) or 0
    run.replaced = min(run.replaced or 0, docs)
    run.loaded = max(run.loaded or 0, docs - run.replaced)
    run.failed = max(run.failed or 0, failed)
    run.actions = max(run.actions or 0, actions)


def close_dead_runs(factory: sessionmaker[Session]) -> list[int]:
    """Mark this host's runs whose process is gone ``interrupted``, with their real counts; their ids.

    Their counts are reconciled with the rows they left (``_reconcile``): the last checkpoint
    may be older than the last document loaded.
    """
    host = socket.gethostname()
    closed = []
    with factory.begin() as session:
        runs = session.scalars(select(ImportRun).where(ImportRun.status == "running", ImportRun.host == host,
                                                       ImportRun.finished_at.is_(None))).all()
        for run in runs:
            if run.pid is None or run.pid == os.getpid() or _alive(run.pid):
                continue
            _reconcile(session, run)
            run.status = "interrupted"
            run.finished_at = datetime.now(UTC)
            closed.append(run.id)
    return closed
