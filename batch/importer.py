"""The import job: files in, documents out, loaded one transaction each as they arrive.

``extract_file`` is the unit of work (read + normalise one file, never raise
on bad input); ``import_paths`` runs it over a batch through an executor
(serial, local worker processes, or Dask) and streams each result into the
database, so memory stays flat however many files there are.  Files whose
content hash is already loaded are skipped before extraction, which is what
makes an interrupted import resume where it stopped.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

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
    """Extract and normalise one file; an unreadable file gives a document with ``error`` set."""
    source = str(path)
    fmt = Path(source).suffix.lower().lstrip(".") or None
    try:
        digest = sha256_of(source)
    except OSError as exc:
        return PlanDocument.failed(source, None, fmt, f"cannot open file ({exc.strerror or exc})")
    try:
        doc = read(source, engine=engine, password=password)
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


def iter_inputs(paths: Iterable[str | Path], suffixes: tuple[str, ...] = IMPORT_SUFFIXES) -> Iterator[Path]:
    """Files named, and files under folders named (sorted), with an importable suffix."""
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in suffixes
                              and not f.name.startswith((".", "~$")))
        else:
            yield p


@dataclass
class ImportReport:
    loaded: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    actions: int = 0
    pages: int = 0
    interrupted: bool = False


def import_paths(paths: Iterable[str | Path] | str | Path, db: str | None = None, engine: str = DEFAULT_ENGINE,
                 on_file: Callable[[PlanDocument, str], None] | None = None, debug: bool = False,
                 lexicon: dict | None = None, password: str | None = None,
                 executor: str | Executor = "serial", workers: int | None = None, timeout: float = 120.0,
                 memory_mb: int | None = 4096, scheduler: str | None = None) -> ImportReport:
    """Extract every file under ``paths`` and load it; failures are recorded, the batch goes on.

    ``on_file(plan, outcome)`` is called once per file with outcome ``loaded``,
    ``replaced``, ``unchanged`` or ``failed`` (progress reporting).
    """
    from load import connect, finish_run, known_hashes, load_document, record_error, start_run

    factory = connect(db)
    report = ImportReport()
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    files = [str(f) for f in iter_inputs(paths)]
    run_id = start_run(factory, [str(p) for p in paths])  # import_runs: when, what, counts

    def done(plan: PlanDocument, outcome: str) -> None:
        if on_file:
            on_file(plan, outcome)

    def fail(plan: PlanDocument, stage: str, message: str) -> None:
        record_error(factory, plan.source, plan.sha256, stage, message, run_id=run_id)
        report.failed.append((plan.source, message))
        plan.error = message
        done(plan, "failed")

    known = known_hashes(factory)
    todo = []
    for path in files:
        try:
            digest = sha256_of(path)
        except OSError as exc:
            fail(PlanDocument(source=path), "extract", f"cannot open file ({exc.strerror or exc})")
            continue
        if digest in known:  # loaded before (an earlier or interrupted run): nothing to extract
            report.unchanged += 1
            done(PlanDocument(source=path, sha256=digest), "unchanged")
        else:
            todo.append(path)

    runner = make_executor(executor, workers, timeout, memory_mb, scheduler) if isinstance(executor, str) \
        else executor
    options = {"engine": engine, "debug": debug, "lexicon": lexicon, "password": password}
    try:
        for outcome in runner.run(extract_job, todo, options):
            _load_outcome(outcome, factory, run_id, report, fail, done, debug, load_document)
    except KeyboardInterrupt:
        report.interrupted = True
        raise
    finally:
        runner.close()
        finish_run(factory, run_id, files=len(files), loaded=report.loaded, replaced=report.replaced,
                   unchanged=report.unchanged, failed=len(report.failed), actions=report.actions)
    return report


def _load_outcome(outcome: Outcome, factory, run_id, report: ImportReport, fail, done, debug, load_document) -> None:
    if outcome.document is None:
        fail(PlanDocument(source=outcome.path), outcome.stage, outcome.error or "no result")
        return
    plan = PlanDocument.from_dict(outcome.document)
    if plan.error:
        fail(plan, "extract", plan.error)
        return
    report.pages += plan.pages or 0
    try:
        result = load_document(factory, plan, run_id=run_id)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        fail(plan, "load", f"database error ({exc.__class__.__name__}: {str(exc).splitlines()[0]})")
        return
    setattr(report, result.status, getattr(report, result.status) + 1)
    report.actions += result.actions if result.status != "unchanged" else 0
    done(plan, result.status)
