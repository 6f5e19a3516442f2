"""boardplans command line: extract plans to JSON, import them into a database.

Each command is a thin wrapper over one library function (``extract_file``,
``import_paths`` from ``batch.importer``, the questions in ``load.query``);
input problems become one ``Error: ...`` line on stderr naming the file, and
the batch goes on.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path


def _one_blas_thread() -> None:
    """One OpenBLAS thread unless the user chose otherwise: extraction multiplies no matrices, and
    numpy (imported by spaCy's thinc) otherwise starts a pool of BLAS threads at import that costs
    every ``extract`` ~0.04 s of CPU and more of wall time on a busy machine (docs/profiling.md,
    "Start-up of extract")."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _extract_plain(argv: list[str]) -> int | None:
    """``extract FILE...`` with no options, run without building the typer app; ``None`` for anything else.

    The command line of one small plan is mostly start-up, and typer (with the pydantic
    adapter it converts ``Path`` arguments through) is ~0.05-0.1 s of it.  This does what
    ``extract_cmd`` does with its defaults, through the same :func:`_extract_files`:
    ``Path(arg)`` as typer's conversion gives, the same ``Error:``/``Warning:`` lines as
    ``typer.echo`` writes them (ANSI codes stripped when stderr is not a terminal), the
    same exit codes (1 when a file failed, 130 on Ctrl-C, 1 on a closed pipe).  Any option,
    a ``-`` or ``--``, ``--help``, or a stderr that click would re-encode goes to typer
    (``tests/test_startup.py`` holds both paths to the same bytes).
    """
    if len(argv) < 2 or argv[0] != "extract" or any(a.startswith("-") for a in argv[1:]):
        return None
    if sys.platform.startswith("win") or not _plain_stderr():
        return None
    from extract.base import DEFAULT_ENGINE

    try:
        return _extract_files([Path(a) for a in argv[1:]], DEFAULT_ENGINE, None, None, False, _echo_err)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stdout, sys.stderr = _Pacified(sys.stdout), _Pacified(sys.stderr)
        return 1


def _plain_stderr() -> bool:
    """stderr is a text stream click's ``echo`` writes to as it is (it re-encodes an ASCII one)."""
    import codecs

    encoding = getattr(sys.stderr, "encoding", None)
    try:
        return encoding is not None and codecs.lookup(encoding).name != "ascii" and hasattr(sys.stderr, "errors")
    except LookupError:
        return False


def _echo_err(message: str) -> None:
    """``typer.echo(message, err=True)``: ANSI escape codes stripped unless stderr is a terminal."""
    out = message + "\n"
    try:
        tty = sys.stderr.isatty()
    except Exception:
        tty = False
    if not tty:
        import re

        out = re.sub(r"\033\[[;?0-9]*[a-zA-Z]", "", out)
    sys.stderr.write(out)
    sys.stderr.flush()


class _Pacified:
    """A standard stream whose ``flush`` ignores a closed pipe (click's ``PacifyFlushWrapper``), so that
    the interpreter's last flush of a stdout piped into ``head`` does not print a traceback."""

    def __init__(self, wrapped) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        import errno

        try:
            self.wrapped.flush()
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise

    def __getattr__(self, attr: str):
        return getattr(self.wrapped, attr)


def _extract_files(files: list[Path], engine: str, lexicon: dict | None, password: str | None, debug: bool,
                   err: Callable[[str], None]) -> int:
    """The ``extract`` command's work: one JSON line per file on stdout, ``Error:``/``Warning:`` lines
    through ``err``; the exit status (1 if any file failed)."""
    _one_blas_thread()
    import gc

    collecting = gc.isenabled()
    gc.disable()  # the imports' objects live on: normalise.nlp.pipeline() exempts them from the collector
    try:
        from batch.importer import extract_file
    finally:
        if collecting:
            gc.enable()

    failed = 0
    for f in files:
        plan = extract_file(f, engine=engine, debug=debug, lexicon=lexicon, password=password)
        if plan.error:
            failed += 1
            err(f"Error: {plan.source}: {plan.error}")
        if plan.warnings:  # one line per file; the warnings themselves are in the JSON
            n = len(plan.warnings)
            err(f"Warning: {plan.source}: {n} warning{'s' if n > 1 else ''}: " + "; ".join(plan.warnings))
        sys.stdout.write(json.dumps(plan.to_dict(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 1 if failed else 0


def _exit_now(status: int) -> None:
    """End the process with ``status`` the way ``sys.exit`` would, without tearing the interpreter down.

    After ``extract`` has written its last line, freeing the ~1,000 modules, spaCy's vocab and
    pydantic's schemas one object at a time took 0.05-0.1 s on a quiet machine and 0.3-0.8 s on a
    busy one (docs/profiling.md, "Start-up of extract").  The ``atexit`` handlers still run and
    Python's and C's output buffers are flushed; a thread still running (none on this path) gets
    the ordinary exit instead.
    """
    import atexit

    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        sys.exit(status)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            status = status or 120  # what the interpreter's own last flush reports
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)  # what C libraries wrote to their stdio buffers
    except (OSError, AttributeError):
        pass
    os._exit(status)


if __name__ == "__main__" and (_status := _extract_plain(sys.argv[1:])) is not None:
    _exit_now(_status)

import typer  # noqa: E402  (after the plain extract above, which does without it)

from extract.base import DEFAULT_ENGINE  # noqa: E402
from load.output import OutputFormat, write  # noqa: E402
from models.errors import BoardplansError  # noqa: E402
from models.records import PlanDocument  # noqa: E402

#: The library API re-exported for scripts and tests (``from pipeline import extract_file``), loaded on
#: first use so that ``--help`` and the questions do not import the extractors and the normaliser.
_LIBRARY = {name: "batch.importer" for name in
            ("IMPORT_SUFFIXES", "ImportReport", "extract_file", "import_paths", "iter_inputs", "load_mapping")}
_LIBRARY["read"] = "extract.base"


def __getattr__(name: str):
    """PEP 562: the re-exported library names, imported when first asked for."""
    if name in _LIBRARY:
        from importlib import import_module

        return getattr(import_module(_LIBRARY[name]), name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")


#: The --engine option's help (the default first, then the others, see extract/base.py).
ENGINE_HELP = "PDF table engine: pdfium (fast), pdfplumber (the same reader on pdfplumber) or camelot."

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Turn safeguarding children board business plans (PDF, DOCX, .doc) into "
                       "structured records: `extract` prints JSON, `import` loads a database.")


def _err(message: str) -> None:
    typer.echo(f"Error: {message}", err=True)


def _mapping_or_exit(path: Path | None) -> dict | None:
    from batch.importer import load_mapping

    try:
        return load_mapping(path)
    except BoardplansError as exc:
        _err(str(exc))
        raise typer.Exit(2) from exc


@app.command("extract")
def extract_cmd(
    files: list[Path] = typer.Argument(..., help="Plan files: .pdf, .docx, .doc, or .txt/.md/.html renderings."),
    engine: str = typer.Option(DEFAULT_ENGINE, help=ENGINE_HELP),
    mapping: Path = typer.Option(None, help="TOML file of column mappings laid over the built-in lexicon."),
    password: str = typer.Option(None, help="Password for encrypted PDFs."),
    debug: bool = typer.Option(False, help="Show tracebacks for internal errors."),
) -> None:
    """Print one JSON document per file (JSON Lines) on stdout; exit 1 if any file failed."""
    lexicon = _mapping_or_exit(mapping)
    raise typer.Exit(_extract_files(files, engine, lexicon, password, debug, lambda line: typer.echo(line, err=True)))


@app.command("import")
def import_cmd(
    paths: list[Path] = typer.Argument(..., help="Files or folders (walked for .pdf, .docx, .doc)."),
    db: str = typer.Option(None, "--db", help="SQLAlchemy URL or SQLite path [default: sqlite:///plans.db, "
                                              "or $BOARDPLANS_DB]."),
    workers: int = typer.Option(None, help="Extraction worker processes [default: the CPU count]."),
    timeout: float = typer.Option(120.0, help="Seconds one file may take before it is stopped and recorded."),
    memory: int = typer.Option(4096, help="Memory limit of each worker process, MB."),
    executor: str = typer.Option("local", help="local (worker processes), serial (this process) or dask."),
    scheduler: str = typer.Option(None, help="Dask scheduler address (tcp://HOST:8786) for --executor dask; "
                                             "a local cluster when omitted."),
    engine: str = typer.Option(DEFAULT_ENGINE, help=ENGINE_HELP),
    mapping: Path = typer.Option(None, help="TOML file of column mappings laid over the built-in lexicon."),
    password: str = typer.Option(None, help="Password for encrypted PDFs."),
    debug: bool = typer.Option(False, help="Show tracebacks for internal errors."),
) -> None:
    """Extract files in worker processes and load each into the database as it finishes.

    Unchanged files (same content) are skipped without extraction, so an
    interrupted import resumes where it stopped.  Exit status: 0 all loaded,
    1 some files failed (each named on an `Error:` line), 2 bad usage or a
    database that cannot be opened, 3 the database failed during the import
    (full, read-only, connection lost): the import stopped at once.
    """
    from batch.importer import start_executor

    lexicon = _mapping_or_exit(mapping)
    try:  # the pool first: it warms up (batch.zygote) while this process imports, checks the schema, hashes
        runner = start_executor(executor, workers, timeout, memory, scheduler)
    except ValueError as exc:
        _err(str(exc))
        raise typer.Exit(2) from exc
    try:
        _import_with(runner, paths, db, engine, debug, lexicon, password)
    finally:
        runner.close()


def _import_with(runner, paths: list[Path], db: str | None, engine: str, debug: bool, lexicon: dict | None,
                 password: str | None) -> None:
    """``import``'s body, on a started executor (closed by the caller)."""
    import signal

    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.table import Table as RichTable

    from batch.importer import IMPORT_SUFFIXES, import_paths
    from batch.walk import walk
    from batch.workers import MemoryLimitTooLow
    from load import connect, summary
    from load.db import DatabaseFault
    from models.errors import MissingDependency

    console = Console(stderr=True)
    entries = list(walk(paths, IMPORT_SUFFIXES))
    try:
        factory = connect(db)
    except DatabaseFault as exc:
        _err(str(exc))
        raise typer.Exit(3) from exc
    except (MissingDependency, BoardplansError) as exc:
        _err(str(exc))
        raise typer.Exit(2) from exc
    counts = {"pages": 0, "actions": 0, "failed": 0, "warned": 0}
    previous_term = signal.signal(signal.SIGTERM, _terminate)  # like Ctrl-C: workers stopped, run closed
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[stats]}"), TimeRemainingColumn(), console=console,
                  transient=True, refresh_per_second=4) as progress:  # (drawn by a thread: 4/s is enough)
        task = progress.add_task("importing", total=len(entries), stats="")

        def say(line: str) -> None:
            progress.console.print(line, markup=False, highlight=False, soft_wrap=True)

        def on_file(plan: PlanDocument, outcome: str) -> None:
            if outcome == "failed":
                counts["failed"] += 1
                say(f"Error: {plan.source}: {plan.error or 'could not be loaded'}")
            else:
                counts["actions"] += len(plan.actions)
                counts["pages"] += plan.pages or 0
                if plan.warnings and outcome != "unchanged":
                    counts["warned"] += 1
                    n = len(plan.warnings)
                    say(f"Warning: {plan.source}: " + (plan.warnings[0] if n == 1 else
                                                       f"{n} warnings: " + "; ".join(plan.warnings)))
            progress.update(task, advance=1, stats=f"pages {counts['pages']}  actions {counts['actions']}  "
                                                   f"failed {counts['failed']}  warnings {counts['warned']}")

        try:
            report = import_paths(entries, db=db, engine=engine, on_file=on_file, debug=debug, lexicon=lexicon,
                                  password=password, executor=runner)
        except KeyboardInterrupt as exc:
            progress.stop()
            _err("interrupted: every document loaded so far is complete; run the same import again to resume")
            raise typer.Exit(143 if isinstance(exc, _Terminated) else 130) from None
        except DatabaseFault as exc:
            progress.stop()
            _err(str(exc))
            raise typer.Exit(3) from exc
        except (MissingDependency, MemoryLimitTooLow, ValueError) as exc:
            progress.stop()
            _err(str(exc))
            raise typer.Exit(2) from exc
        finally:
            signal.signal(signal.SIGTERM, previous_term)
        elapsed = progress.tasks[0].elapsed or 0.0
    rate = f", {counts['pages'] / elapsed:.1f} pages/s" if elapsed and counts["pages"] else ""
    warned = f", {report.warned} with warnings" if report.warned else ""
    console.print(f"{len(entries)} files: {report.loaded} loaded, {report.replaced} replaced, "
                  f"{report.unchanged} unchanged, {len(report.failed)} failed{warned} ({elapsed:.1f} s{rate})",
                  highlight=False)
    table = RichTable("board", "documents", "actions", title="database")
    for board, docs, acts in summary(factory):
        table.add_row(board, str(docs), str(acts))
    Console().print(table)
    raise typer.Exit(1 if report.failed else 0)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: the workers stop, the run is closed ``interrupted``."""


def _terminate(signum, frame) -> None:
    raise _Terminated()


def explain_file(path: str | Path, engine: str = DEFAULT_ENGINE, lexicon: dict | None = None) -> list[dict]:
    """How each table of a file was read: kind, headers, the field each maps to, and why."""
    from extract.base import read
    from normalise import explain

    return explain(read(path, engine=engine), lexicon)


@app.command("explain")
def explain_cmd(
    file: Path = typer.Argument(..., help="A plan file."),
    engine: str = typer.Option(DEFAULT_ENGINE, help=ENGINE_HELP),
    mapping: Path = typer.Option(None, help="TOML file of column mappings to try."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
) -> None:
    """Show each table's kind, headers, the field each header maps to, and why."""
    lexicon = _mapping_or_exit(mapping)
    try:
        tables = explain_file(file, engine=engine, lexicon=lexicon)
    except BoardplansError as exc:
        _err(str(exc))
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(tables, ensure_ascii=False, indent=1))
        return
    for i, t in enumerate(tables, start=1):
        page = f"page {t['page']}" if t["page"] else "no pages"
        typer.echo(f"table {i} ({page}): {t['kind']}, {t['rows']} body rows"
                   + (f" — title: {t['title'][:70]}" if t["title"] else ""))
        for col in t["columns"]:
            typer.echo(f"  {col['header'][:40] or '(no header)':40s} -> {col['field']:10s} {col['why']}")
            if "header_evidence" in col:
                typer.echo("      " + _evidence_line(col))


def _evidence_line(col: dict) -> str:
    """'header action 1.0 | cells action 0.89, progress 0.2 | runner-up progress 0.2': the scores behind
    a column's field, in one line under it."""
    def part(name: str) -> str:
        items = sorted(col[name].items(), key=lambda x: -x[1]["score"])
        return ", ".join(f"{f} {v['score']:g}" for f, v in items[:3]) or "-"
    text = f"header {part('header_evidence')} | cells {part('content_evidence')}"
    if col.get("position"):
        text += f" | place {part('position')}"
    ru = col.get("runner_up")
    text += f" | runner-up {ru['field']} {ru['score']:g}" if ru else " | no runner-up"
    if col.get("questioned"):
        text += f" | questioned: {col['questioned']}"
    return text


# --- database questions: thin wrappers over load.query / load.search / load.export ---------------------------

DB_OPTION = typer.Option(None, "--db", help="SQLAlchemy URL or SQLite path [default: sqlite:///plans.db, "
                                            "or $BOARDPLANS_DB].")
FORMAT_OPTION = typer.Option("table", "--format", help="table (rich, on stdout), csv or json.")
db_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Database schema: migrations.")
app.add_typer(db_app, name="db")


def _answer(question: Callable[[], object]) -> object:
    """Run a query; a bad question or database becomes one `Error:` line and exit status 2."""
    from load.query import QueryError

    try:
        return question()
    except (BoardplansError, QueryError) as exc:
        _err(str(exc))
        raise typer.Exit(2) from exc


@db_app.command("upgrade")
def db_upgrade_cmd(db: str = DB_OPTION,
                   revision: str = typer.Option("head", help="Alembic revision to go to.")) -> None:
    """Create or migrate the database schema (import and the questions do this on their own too)."""
    from load.db import display_url, resolve_url, upgrade

    rev = _answer(lambda: upgrade(db, revision))
    typer.echo(f"{display_url(resolve_url(db))}: at revision {rev}")


@db_app.command("downgrade")
def db_downgrade_cmd(revision: str = typer.Argument(..., help="Alembic revision to go back to ('base': empty)."),
                     db: str = DB_OPTION) -> None:
    """Undo migrations down to REVISION (base drops every table)."""
    from load.db import display_url, downgrade, resolve_url

    rev = _answer(lambda: downgrade(db, revision))
    typer.echo(f"{display_url(resolve_url(db))}: at revision {rev or 'base'}")


@app.command("boards")
def boards_cmd(db: str = DB_OPTION, fmt: OutputFormat = FORMAT_OPTION,
               documents: bool = typer.Option(False, "--documents",
                                              help="Every document: its version, rendition and why it is "
                                                   "current or not."),
               board: str = typer.Option(None, help="With --documents: only this board.")) -> None:
    """Boards with their documents (versions, renditions, current), plan periods and action counts."""
    from load.query import boards, plan_versions

    if documents:
        df = _answer(lambda: plan_versions(db, board))
        write(df, fmt, title="documents", group_by="board",
              columns=["board", "version", "current", "rendition_of", "document_id", "format", "file", "plan_date",
                       "period", "actions", "warnings", "reason"])
        return
    df = _answer(lambda: boards(db))
    write(df, fmt, title="boards", columns=["board", "documents", "versions", "renditions", "current", "periods",
                                            "actions", "warnings", "files"])


@app.command("priorities")
def priorities_cmd(db: str = DB_OPTION, fmt: OutputFormat = FORMAT_OPTION,
                   common: bool = typer.Option(False, "--common", help="Only themes declared by 2 or more boards."),
                   ) -> None:
    """Themes x boards: declared priorities (★) and action counts; --common lists shared priorities."""
    from load.query import common_priorities, priorities, priorities_long

    if common:
        df = _answer(lambda: common_priorities(db))
        if fmt is OutputFormat.table:
            lines = [f"{t}: {names}" for t, names in zip(df["theme"], df["board_names"], strict=True)]
            typer.echo("\n".join(lines) if lines else "(no priority is shared by two boards)")
        else:
            write(df, fmt)
    elif fmt is OutputFormat.table:
        write(_answer(lambda: priorities(db)), fmt, title="declared priorities (★) and actions per theme")
    else:
        write(_answer(lambda: priorities_long(db)), fmt)


@app.command("search")
def search_cmd(text: str = typer.Argument(..., help="Words to find (\"a phrase\", OR, -word allowed)."),
               board: str = typer.Option(None, help="Only this board (any way of writing its name)."),
               theme: str = typer.Option(None, help="Only actions on this theme id (THEMES.md)."),
               status: str = typer.Option(None, help="completed, in_progress, not_started, delayed or unknown."),
               limit: int = typer.Option(None, help="At most this many results."),
               db: str = DB_OPTION, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Full-text search of action, progress, outcome and priority text, best match first."""
    from load.search import search

    df = _answer(lambda: search(db, text, board=board, theme=theme, status=status, limit=limit))
    write(df, fmt, title=f"search: {text}", columns=["board", "ref", "status", "action", "progress", "file", "page"])


@app.command("compare")
def compare_cmd(theme: str = typer.Option(None, help="Theme id (THEMES.md), e.g. cse, neglect."),
                boards: str = typer.Option(None, help="Comma-separated boards, e.g. Surrey,Solihull [all]."),
                versions: str = typer.Option(None, "--versions", metavar="BOARD",
                                             help="Instead of a theme: one board's two latest plan versions, "
                                                  "each action beside its counterpart, with what changed."),
                earlier: int = typer.Option(None, help="With --versions: the earlier version's number "
                                                       "[the one before --later]."),
                later: int = typer.Option(None, help="With --versions: the later version's number [the latest]."),
                db: str = DB_OPTION, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Boards' actions on one theme side by side (lead, timescale, status, progress) and status counts;
    or, with --versions BOARD, progress between the two latest versions of that board's plan."""
    from load.output import records
    from load.query import compare, compare_versions

    if (theme is None) == (versions is None):
        _err("give either --theme THEME or --versions BOARD")
        raise typer.Exit(2)
    if versions is not None:
        from load.version_compare import TABLE_COLUMNS

        df = _answer(lambda: compare_versions(db, versions, earlier=earlier, later=later))
        title = None
        if len(df):
            first = df.iloc[0]
            title = (f"{first['board']}: version {first['earlier_version']} → {first['later_version']} "
                     f"(changed: {int((df['change'] != 'unchanged').sum())} of {len(df)})")
        write(df, fmt, title=title, columns=TABLE_COLUMNS)
        return
    names = [b.strip() for b in boards.split(",") if b.strip()] if boards else None
    result = _answer(lambda: compare(db, theme, names))
    if fmt is OutputFormat.json:
        typer.echo(json.dumps({"theme": theme, "actions": records(result.actions),
                               "status_counts": records(result.status_counts)}, ensure_ascii=False, indent=2))
        return
    write(result.actions, fmt, title=f"actions on {theme}", group_by="board",
          columns=["board", "ref", "action", "lead", "timescale", "status", "progress"])
    if fmt is OutputFormat.table:
        write(result.status_counts, fmt, title=f"status of {theme} actions")


@app.command("export")
def export_cmd(fmt: str = typer.Option("csv", "--format", help="csv, xlsx or parquet."),
               theme: str = typer.Option(None, help="Only actions and priorities on this theme id."),
               out: Path = typer.Option(Path("export"), "--out", help="Folder to write to."),
               all_versions: bool = typer.Option(False, help="Every document, not only each plan's current one."),
               db: str = DB_OPTION) -> None:
    """Write flat tables (boards, documents, actions, priorities, indicators, cells) with file and page."""
    from load.export import FORMATS, export

    if fmt not in FORMATS:
        _err(f"unknown export format '{fmt}'; formats are: {', '.join(FORMATS)}")
        raise typer.Exit(2)
    for path in _answer(lambda: export(db, fmt, out, theme=theme, all_versions=all_versions)):
        typer.echo(str(path))


@app.command("serve")
def serve_cmd(db: str = DB_OPTION, host: str = typer.Option("127.0.0.1", help="Address to listen on."),
              port: int = typer.Option(8001, help="Port to listen on."),
              debug_pages: bool = typer.Option(False, "--debug-pages",
                                               help="Also serve /-/versions, /-/settings etc.")
              ) -> None:
    """Serve a read-only web page (Datasette) over the database, with the questions as forms."""
    import logging

    from load.web import make_datasette

    ds = _answer(lambda: make_datasette(db, debug_pages=debug_pages))
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    typer.echo(f"serving on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")


def main() -> None:
    """The ``boardplans`` console script: the plain ``extract FILE...`` as ``python pipeline.py`` runs it."""
    status = _extract_plain(sys.argv[1:])
    if status is not None:
        _exit_now(status)
    app()


if __name__ == "__main__":
    main()
