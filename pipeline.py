"""boardplans command line: extract plans to JSON, import them into a database.

Each command is a thin wrapper over one library function (``extract_file``,
``import_paths`` from ``batch.importer``, the questions in ``load.query``);
input problems become one ``Error: ...`` line on stderr naming the file, and
the batch goes on.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import typer

from batch.importer import (  # noqa: F401  (the library API, re-exported for scripts and tests)
    IMPORT_SUFFIXES,
    ImportReport,
    extract_file,
    import_paths,
    iter_inputs,
    load_mapping,
)
from extract import DEFAULT_ENGINE, read
from load.output import OutputFormat, write
from models.errors import BoardplansError
from models.records import PlanDocument

#: The --engine option's help (the default first, then the others, see extract/base.py).
ENGINE_HELP = "PDF table engine: pdfium (fast), pdfplumber (the same reader on pdfplumber) or camelot."

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Turn safeguarding children board business plans (PDF, DOCX, .doc) into "
                       "structured records: `extract` prints JSON, `import` loads a database.")


def _err(message: str) -> None:
    typer.echo(f"Error: {message}", err=True)


def _mapping_or_exit(path: Path | None) -> dict | None:
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
    failed = 0
    for f in files:
        plan = extract_file(f, engine=engine, debug=debug, lexicon=lexicon, password=password)
        if plan.error:
            failed += 1
            _err(f"{plan.source}: {plan.error}")
        if plan.warnings:  # one line per file; the warnings themselves are in the JSON
            n = len(plan.warnings)
            typer.echo(f"Warning: {plan.source}: {n} warning{'s' if n > 1 else ''}: " + "; ".join(plan.warnings),
                       err=True)
        sys.stdout.write(json.dumps(plan.to_dict(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    raise typer.Exit(1 if failed else 0)


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
    interrupted import resumes where it stopped.
    """
    lexicon = _mapping_or_exit(mapping)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.table import Table as RichTable

    from load import connect, summary
    from models.errors import MissingDependency

    console = Console(stderr=True)
    files = list(iter_inputs(paths))
    try:
        factory = connect(db)
    except (MissingDependency, BoardplansError) as exc:
        _err(str(exc))
        raise typer.Exit(2) from exc
    counts = {"pages": 0, "actions": 0, "failed": 0}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[stats]}"), TimeRemainingColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task("importing", total=len(files), stats="")

        def on_file(plan: PlanDocument, outcome: str) -> None:
            if outcome == "failed":
                counts["failed"] += 1
                progress.console.print(f"Error: {plan.source}: {plan.error or 'could not be loaded'}",
                                       markup=False, highlight=False, soft_wrap=True)
            else:
                counts["actions"] += len(plan.actions)
                counts["pages"] += plan.pages or 0
            progress.update(task, advance=1, stats=f"pages {counts['pages']}  actions {counts['actions']}  "
                                                   f"failed {counts['failed']}")

        try:
            report = import_paths(files, db=db, engine=engine, on_file=on_file, debug=debug, lexicon=lexicon,
                                  password=password, executor=executor, workers=workers, timeout=timeout,
                                  memory_mb=memory, scheduler=scheduler)
        except KeyboardInterrupt:
            progress.stop()
            _err("interrupted: every document loaded so far is complete; run the same import again to resume")
            raise typer.Exit(130) from None
        except (MissingDependency, ValueError) as exc:
            _err(str(exc))
            raise typer.Exit(2) from exc
        elapsed = progress.tasks[0].elapsed or 0.0
    rate = f", {counts['pages'] / elapsed:.1f} pages/s" if elapsed and counts["pages"] else ""
    console.print(f"{len(files)} files: {report.loaded} loaded, {report.replaced} replaced, "
                  f"{report.unchanged} unchanged, {len(report.failed)} failed ({elapsed:.1f} s{rate})",
                  highlight=False)
    table = RichTable("board", "documents", "actions", title="database")
    for board, docs, acts in summary(factory):
        table.add_row(board, str(docs), str(acts))
    Console().print(table)
    raise typer.Exit(1 if report.failed else 0)


def explain_file(path: str | Path, engine: str = DEFAULT_ENGINE, lexicon: dict | None = None) -> list[dict]:
    """How each table of a file was read: kind, headers, the field each maps to, and why."""
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
def boards_cmd(db: str = DB_OPTION, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Boards with their documents (all versions / current), plan periods and action counts."""
    from load.query import boards

    df = _answer(lambda: boards(db))
    write(df, fmt, title="boards", columns=["board", "documents", "current", "periods", "actions", "files"])


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
def compare_cmd(theme: str = typer.Option(..., help="Theme id (THEMES.md), e.g. cse, neglect."),
                boards: str = typer.Option(None, help="Comma-separated boards, e.g. Surrey,Solihull [all]."),
                db: str = DB_OPTION, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Boards' actions on one theme side by side (lead, timescale, status, progress) and status counts."""
    from load.output import records
    from load.query import compare

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
              port: int = typer.Option(8001, help="Port to listen on.")) -> None:
    """Serve a read-only web page (Datasette) over the database, with the questions as canned queries."""
    from load.web import make_datasette

    ds = _answer(lambda: make_datasette(db))
    import uvicorn

    typer.echo(f"serving on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
