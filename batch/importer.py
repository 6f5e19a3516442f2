"""The import job: files in, documents out, loaded a small batch per transaction as they arrive.

``extract_file`` is the unit of work (read + normalise one file, never raise
on bad input); ``import_paths`` runs it over a batch through an executor
(serial, local worker processes forked warm from a zygote that loaded the readers
once while this process set up, see ``batch/zygote.py``, or Dask) and streams the
results into the database a few documents per transaction (``_BatchWriter``), so memory
stays flat however many files there are.  Files whose content hash is already loaded are
skipped before extraction, which is what makes an interrupted import resume where it stopped.

A database failure that is not the document's fault (disk full, read-only,
connection lost for good after a few retries) stops the batch at once with a
``DatabaseFault``; the run is closed ``aborted`` when the database still takes
that write.  A run this host started and that died without closing (``kill -9``)
is closed ``interrupted`` by the next import (``load/runs.py``).
"""

from __future__ import annotations

import gc
import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from batch.walk import Skipped, printable, walk
from batch.workers import WORKER_GC_THRESHOLD, Executor, Outcome, make_executor
from extract import DEFAULT_ENGINE, read, sha256_of
from models.errors import BoardplansError
from models.records import PlanDocument
from normalise import normalise

IMPORT_SUFFIXES = (".pdf", ".docx", ".doc", ".xlsx", ".xls", ".ods", ".odt")


def load_mapping(path: str | Path | None) -> dict | None:
    """The column lexicon with a user mapping file (TOML) laid over it; None for the built-in one."""
    if path is None:
        return None
    import tomllib

    from normalise.columns import with_user_mapping

    try:
        with open(path, "rb") as fh:
            return with_user_mapping(tomllib.load(fh))
    except (OSError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise BoardplansError(f"bad mapping file ({exc})", file=str(path)) from exc


def extract_file(path: str | Path, engine: str = DEFAULT_ENGINE, debug: bool = False,
                 lexicon: dict | None = None, password: str | None = None) -> PlanDocument:
    """Extract and normalise one file; an unreadable file gives a document with ``error`` set.

    The file is opened by its real name; the document is named by ``printable(path)``
    (the same text for a UTF-8 name, escapes for bytes that are not).
    """
    real = os.fspath(path)
    source = printable(real)
    fmt = Path(real).suffix.lower().lstrip(".") or None
    try:
        digest = sha256_of(real)
    except OSError as exc:
        return PlanDocument.failed(source, None, fmt, f"cannot open file ({exc.strerror or exc})")
    try:
        doc = read(real, engine=engine, password=password)
        plan = normalise(doc, sha256=digest, lexicon=lexicon)
        plan.source = source
        return plan
    except BoardplansError as exc:
        return PlanDocument.failed(source, digest, fmt, exc.reason)
    except RecursionError:
        return PlanDocument.failed(source, digest, fmt, "content nested too deeply to read")
    except Exception as exc:  # a bug or an input we do not know: report, never crash the batch
        if debug:
            traceback.print_exc()
        return PlanDocument.failed(source, digest, fmt, f"internal error ({exc.__class__.__name__}: {exc})")


def extract_job(path: str, options: dict) -> dict:
    """What an executor runs for one file: the contract document as a plain dict."""
    return extract_file(path, **options).to_dict()


def preload() -> None:
    """Import the readers and the normaliser and build their one-time tables (spaCy pipeline, theme
    matchers, lexicons), by normalising a small built-in plan.

    The local pool runs this once in the parent before it forks its workers, so every worker
    (and every replacement of a worker killed on a time limit) starts warm, sharing those pages
    with the parent, instead of each paying ~2-3 s of imports and set-up (see docs/profiling.md,
    "The whole import").  Texts cached on the way are forgotten, so nothing of the sample leaks
    into a real document's reading.
    """
    import docx  # noqa: F401
    import numpy  # noqa: F401
    import pdfminer.pdfdocument  # noqa: F401  (the pdfium reader's font metrics and object resolving)
    import pdfminer.pdfparser  # noqa: F401
    import pdfplumber.table  # noqa: F401  (the pdfium reader's grid builder)
    import pypdfium2  # noqa: F401

    import extract.docx  # noqa: F401
    import extract.filedates  # noqa: F401
    import extract.pdfium  # noqa: F401
    from models.document import Cell, Document, Heading, Table
    from normalise.text import forget_texts

    head = ["Priority", "Action", "Lead", "Timescale", "Progress", "RAG"]
    row = ["1. Neglect", "Audit the neglect strategy and train staff", "LSCB Manager", "March 2016",
           "Complete: audit reported to the board", "Green"]
    cells = [Cell(r, c, t, bold=r == 0) for r, texts in enumerate([head, row]) for c, t in enumerate(texts)]
    sample = Document(source="warm-up", format="docx", pages=1, title="Safeguarding Children Board Business Plan",
                      blocks=[Heading("Business Plan 2015-2016"), Table(2, len(head), cells, header_rows=1)])
    normalise(sample, sha256="0" * 64)
    forget_texts()


def warm_up() -> None:
    """Load what extraction needs, in a worker under its memory limit, before its first file.

    A limit too low to load the parsers then fails once, clearly, instead of every file
    failing with whatever the first failed allocation happened to hit.  In a worker forked
    from a parent that ran ``preload`` this costs nothing but the check.
    """
    import importlib.util

    from normalise.nlp import pipeline

    preload()
    if pipeline()[1] != "LEMMA" and importlib.util.find_spec("spacy_lookups_data") is not None:
        raise MemoryError("the spaCy lemmatizer could not be loaded")
    bytearray(64 * 1024 * 1024)  # and room to read a file


def iter_inputs(paths: Iterable[str | Path], suffixes: tuple[str, ...] = IMPORT_SUFFIXES) -> Iterator[Path]:
    """Files named, and files under folders named (sorted), with an importable suffix (see ``walk``)."""
    return (p for p in walk(paths, suffixes) if isinstance(p, Path))


@dataclass
class ImportReport:
    loaded: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    actions: int = 0
    pages: int = 0
    interrupted: bool = False
    warned: int = 0           # documents loaded with warnings (each document's ``warnings`` list)
    status: str = "running"   # how the run ended: finished, interrupted or aborted


#: Seconds between two checkpoints of a running run's counts (each is a commit of its own; a killed
#: run's counts are rebuilt from the rows it left anyway, see ``load/runs.py``).
CHECKPOINT_SECONDS = 5.0

#: Attempts at one database call when the connection is lost (a fresh connection each time).
DB_ATTEMPTS = 4


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Ctrl-C or SIGTERM during a database call is raised once the call has committed or rolled back.

    Raised at an arbitrary point of a write, the interrupt could leave a driver cursor half read in
    the traceback's frames, still holding SQLite's shared lock, so the run could not then be closed
    (``finish_run`` waited out the busy timeout).  A second signal while one waits is raised at
    once (a call hung on a lock must still be stoppable).  Only in the main thread, where Python
    delivers signals; elsewhere nothing changes.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous: dict[int, Callable] = {}

    def hold(signum, frame) -> None:
        if caught:  # the second one: at once
            previous[signum](signum, frame)
        else:
            caught.append(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(signum)
        if callable(handler):  # a Python handler (SIG_DFL and SIG_IGN are left as they are)
            previous[signum] = handler
            signal.signal(signum, hold)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if caught:  # the handler the import had: it raises its KeyboardInterrupt now
            previous[caught[0]](caught[0], None)


class _Database:
    """The import's database calls: a lost connection retried, a database fault raised as ``DatabaseFault``."""

    def __init__(self, factory, url: str | None) -> None:
        from load.db import display_url, resolve_url

        self.factory = factory
        self.name = display_url(resolve_url(url))

    def __call__(self, fn, *args, **kwargs):
        from sqlalchemy.exc import DBAPIError

        from load.db import DatabaseFault, fault_reason, is_disconnect

        for attempt in range(DB_ATTEMPTS):
            try:
                with interrupts_deferred():
                    return fn(self.factory, *args, **kwargs)
            except DBAPIError as exc:
                if is_disconnect(exc) and attempt < DB_ATTEMPTS - 1:
                    time.sleep(0.5 * 2 ** attempt)
                    continue
                reason = fault_reason(exc)
                if reason is None:
                    raise
                lost = f" (connection lost; {attempt} retries)" if is_disconnect(exc) else ""
                raise DatabaseFault(f"{self.name}: database failed: {reason}{lost}; import stopped, nothing "
                                    "loaded is lost: run it again once the database is fixed") from exc
        raise AssertionError("unreachable")


def import_paths(paths: Iterable[str | Path | Skipped] | str | Path, db: str | None = None,
                 engine: str = DEFAULT_ENGINE, on_file: Callable[[PlanDocument, str], None] | None = None,
                 debug: bool = False, lexicon: dict | None = None, password: str | None = None,
                 executor: str | Executor = "serial", workers: int | None = None, timeout: float = 120.0,
                 memory_mb: int | None = 4096, scheduler: str | None = None) -> ImportReport:
    """Extract every file under ``paths`` and load it; failures are recorded, the batch goes on.

    ``on_file(plan, outcome)`` is called once per file with outcome ``loaded``,
    ``replaced``, ``unchanged`` or ``failed`` (progress reporting).  A path the walk
    could not read is a failure of stage ``walk``.  Raises ``DatabaseFault`` when the
    database fails (the run is closed ``aborted``), ``KeyboardInterrupt`` when
    interrupted (closed ``interrupted``).
    """
    # the pool first: its warm-up (a zygote's preload) runs while this process checks the schema and hashes
    runner = start_executor(executor, workers, timeout, memory_mb, scheduler)
    try:
        return _import(runner, paths, db, engine, on_file, debug, lexicon, password)
    finally:
        runner.close()


def start_executor(executor: str | Executor = "local", workers: int | None = None, timeout: float = 120.0,
                   memory_mb: int | None = 4096, scheduler: str | None = None) -> Executor:
    """The executor an import runs its files on (``--executor``), started now.

    A local pool starts warming up at once (``batch.zygote.EarlyPool``): make it before the
    slow parts of the start (imports of the loader, the schema check, hashing) so they overlap.
    Pass it to ``import_paths`` as ``executor``; it is closed there (``close`` may be called again).
    """
    if not isinstance(executor, str):
        return executor
    return make_executor(executor, workers, timeout, memory_mb, scheduler, warm_up=warm_up, preload=preload,
                         tick=BATCH_SECONDS / 2)


def _import(runner: Executor, paths, db: str | None, engine: str, on_file, debug: bool, lexicon: dict | None,
            password: str | None) -> ImportReport:
    """``import_paths``'s body, on a started executor."""
    from load import connect, known_hashes, record_error
    from load.db import DatabaseFault
    from load.runs import checkpoint_run, close_dead_runs, finish_run, start_run

    factory = connect(db)
    call = _Database(factory, db)
    report = ImportReport()
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    entries = list(walk(paths, IMPORT_SUFFIXES))
    files = [os.fspath(f) for f in entries if isinstance(f, Path)]
    call(close_dead_runs)
    run_id = call(start_run, [p.path if isinstance(p, Skipped) else printable(p) for p in paths])
    counts = {"files": len(entries)}
    last_checkpoint = [time.monotonic()]

    def tally() -> dict[str, int]:
        return dict(counts, loaded=report.loaded, replaced=report.replaced, unchanged=report.unchanged,
                    failed=len(report.failed), actions=report.actions)

    def done(plan: PlanDocument, outcome: str) -> None:
        if on_file:
            on_file(plan, outcome)
        if time.monotonic() - last_checkpoint[0] >= CHECKPOINT_SECONDS:  # what a later import starts from if killed
            call(checkpoint_run, run_id, **tally())
            last_checkpoint[0] = time.monotonic()

    def fail(plan: PlanDocument, stage: str, message: str) -> None:
        plan.source = printable(plan.source)
        call(record_error, plan.source, plan.sha256, stage, message, run_id=run_id)
        report.failed.append((plan.source, message))
        plan.error = message
        done(plan, "failed")

    writer = _BatchWriter(call, run_id, report, fail, done, debug)
    thresholds, frozen = gc.get_threshold(), False
    try:
        for skipped in (e for e in entries if isinstance(e, Skipped)):
            fail(PlanDocument(source=skipped.path), "walk", skipped.reason)
        known = call(known_hashes)
        todo = []
        for path in files:
            try:
                digest = sha256_of(path)
            except OSError as exc:
                fail(PlanDocument(source=path), "extract", f"cannot open file ({exc.strerror or exc})")
                continue
            if digest in known:  # loaded before (an earlier or interrupted run): nothing to extract
                report.unchanged += 1
                done(PlanDocument(source=printable(path), sha256=digest), "unchanged")
            else:
                todo.append(path)
        call(checkpoint_run, run_id, **tally())
        options = {"engine": engine, "debug": debug, "lexicon": lexicon, "password": password}
        gc.freeze()  # what the set-up made lives on: the collector walks only what the import makes
        frozen = True
        gc.set_threshold(WORKER_GC_THRESHOLD, *thresholds[1:])
        for outcome in runner.run(extract_job, todo, options):
            if outcome is None:  # a tick: no file finished lately
                writer.flush_if_due()
            else:
                writer.add(outcome)
        writer.flush()
        report.status = "finished"
    except KeyboardInterrupt:
        report.interrupted = True
        report.status = "interrupted"
        raise
    except BaseException:
        report.status = "aborted"
        raise
    finally:
        runner.close()
        if frozen:  # (the caller's process may live on)
            gc.unfreeze()
            gc.set_threshold(*thresholds)
        try:
            call(finish_run, run_id, status=report.status, **tally())
        except DatabaseFault:
            if report.status != "aborted":  # else the first fault is the one to report
                raise
    return report


#: Documents written in one transaction at most; a batch starts at one document and doubles at
#: each commit up to this, so the first documents are visible (and safe) at once.
BATCH_DOCS = 32
#: Seconds a finished document waits in memory at most before its batch is written.
BATCH_SECONDS = 1.0


class _BatchWriter:
    """Extracted documents written a batch per transaction (``load.load_documents``), reported once committed.

    A document is counted and reported (``on_file``) only after its batch committed, so
    nothing reported as loaded can be lost.  A batch that fails for a reason that is not the
    database's (a bad value, two files of one path) is written again one document per
    transaction, so the bad document fails alone, recorded, and the others are kept.  A failed
    extraction first writes what is waiting, so outcomes are reported in arrival order.
    """

    def __init__(self, call: _Database, run_id, report: ImportReport, fail, done, debug: bool) -> None:
        from load.versions import VersionCache

        self.call, self.run_id, self.report, self.fail, self.done, self.debug = call, run_id, report, fail, done, debug
        self.pending: list[PlanDocument] = []
        self.since = 0.0
        self.limit = 1
        self.cache = VersionCache()

    def add(self, outcome: Outcome) -> None:
        if outcome.document is None:
            self.flush()
            self.fail(PlanDocument(source=outcome.path), outcome.stage, outcome.error or "no result")
            return
        plan = PlanDocument.from_dict(outcome.document)
        if plan.error:
            self.flush()
            self.fail(plan, "extract", plan.error)
            return
        if not self.pending:
            self.since = time.monotonic()
        self.pending.append(plan)
        if len(self.pending) >= self.limit:
            self.flush()
        else:
            self.flush_if_due()

    def flush_if_due(self) -> None:
        if self.pending and time.monotonic() - self.since >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        from load import load_documents
        from load.db import DatabaseFault, fault_reason

        plans, self.pending = self.pending, []
        if not plans:
            return
        try:
            results = self.call(load_documents, plans, run_id=self.run_id, cache=self.cache)
        except Exception as exc:
            if isinstance(exc, DatabaseFault) or fault_reason(exc) is not None:
                raise
            if len(plans) == 1:
                self._failed(plans[0], exc)
            else:
                for plan in plans:  # one at a time: the bad one fails alone
                    self.pending = [plan]
                    self.flush()
            return
        self.limit = min(BATCH_DOCS, self.limit * 2)
        for plan, result in zip(plans, results, strict=True):
            self._count(plan, result)

    def _failed(self, plan: PlanDocument, exc: Exception) -> None:
        if self.debug:
            traceback.print_exc()
        self.fail(plan, "load", f"database error ({exc.__class__.__name__}: {str(exc).splitlines()[0]})")

    def _count(self, plan: PlanDocument, result) -> None:
        report = self.report
        report.pages += plan.pages or 0
        setattr(report, result.status, getattr(report, result.status) + 1)
        report.actions += result.actions if result.status != "unchanged" else 0
        if plan.warnings and result.status != "unchanged":
            report.warned += 1
        self.done(plan, result.status)
