"""The import job: files in, documents out, loaded one transaction each as they arrive.

``extract_file`` is the unit of work (read + normalise one file, never raise
on bad input); ``import_paths`` runs it over a batch through an executor
(serial, local worker processes, or Dask) and streams each result into the
database, so memory stays flat however many files there are.  Files whose
content hash is already loaded are skipped before extraction, which is what
makes an interrupted import resume where it stopped.

A database failure that is not the document's fault (disk full, read-only,
connection lost for good after a few retries) stops the batch at once with a
``DatabaseFault``; the run is closed ``aborted`` when the database still takes
that write.  A run this host started and that died without closing (``kill -9``)
is closed ``interrupted`` by the next import (``load/runs.py``).
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from batch.walk import Skipped, printable, walk
from batch.workers import Executor, Outcome, make_executor
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


def warm_up() -> None:
    """Load what extraction needs, in a worker under its memory limit, before its first file.

    A limit too low to load the parsers then fails once, clearly, instead of every file
    failing with whatever the first failed allocation happened to hit.
    """
    import importlib.util

    import docx  # noqa: F401
    import numpy  # noqa: F401
    import pypdfium2  # noqa: F401

    from normalise.nlp import pipeline

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


#: Attempts at one database call when the connection is lost (a fresh connection each time).
DB_ATTEMPTS = 4


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
    from load import connect, known_hashes, load_document, record_error
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
        if time.monotonic() - last_checkpoint[0] >= 1.0:  # what a later import starts from if we are killed
            call(checkpoint_run, run_id, **tally())
            last_checkpoint[0] = time.monotonic()

    def fail(plan: PlanDocument, stage: str, message: str) -> None:
        plan.source = printable(plan.source)
        call(record_error, plan.source, plan.sha256, stage, message, run_id=run_id)
        report.failed.append((plan.source, message))
        plan.error = message
        done(plan, "failed")

    runner = None
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
        runner = make_executor(executor, workers, timeout, memory_mb, scheduler, warm_up=warm_up) \
            if isinstance(executor, str) else executor
        options = {"engine": engine, "debug": debug, "lexicon": lexicon, "password": password}
        for outcome in runner.run(extract_job, todo, options):
            _load_outcome(outcome, call, run_id, report, fail, done, debug, load_document)
        report.status = "finished"
    except KeyboardInterrupt:
        report.interrupted = True
        report.status = "interrupted"
        raise
    except BaseException:
        report.status = "aborted"
        raise
    finally:
        if runner is not None:
            runner.close()
        try:
            call(finish_run, run_id, status=report.status, **tally())
        except DatabaseFault:
            if report.status != "aborted":  # else the first fault is the one to report
                raise
    return report


def _load_outcome(outcome: Outcome, call: _Database, run_id, report: ImportReport, fail, done, debug,
                  load_document) -> None:
    from load.db import DatabaseFault, fault_reason

    if outcome.document is None:
        fail(PlanDocument(source=outcome.path), outcome.stage, outcome.error or "no result")
        return
    plan = PlanDocument.from_dict(outcome.document)
    if plan.error:
        fail(plan, "extract", plan.error)
        return
    report.pages += plan.pages or 0
    try:
        result = call(load_document, plan, run_id=run_id)
    except Exception as exc:
        if isinstance(exc, DatabaseFault) or fault_reason(exc) is not None:
            raise
        if debug:
            traceback.print_exc()
        fail(plan, "load", f"database error ({exc.__class__.__name__}: {str(exc).splitlines()[0]})")
        return
    setattr(report, result.status, getattr(report, result.status) + 1)
    report.actions += result.actions if result.status != "unchanged" else 0
    if plan.warnings and result.status != "unchanged":
        report.warned += 1
    done(plan, result.status)
