"""boardplans command line: extract plans to JSON, import them into a database.

Each command is a thin wrapper over one library function in this module
(``extract_file``, ``import_paths``); input problems become one ``Error: ...``
line on stderr naming the file, and the batch goes on.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import typer

from extract import read, sha256_of
from models.errors import BoardplansError
from models.records import PlanDocument
from normalise import normalise

IMPORT_SUFFIXES = (".pdf", ".docx", ".doc")

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Turn safeguarding children board business plans (PDF, DOCX, .doc) into "
                       "structured records: `extract` prints JSON, `import` loads a database.")


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


def extract_file(path: str | Path, engine: str = "pdfplumber", debug: bool = False,
                 lexicon: dict | None = None) -> PlanDocument:
    """Extract and normalise one file; an unreadable file gives a document with ``error`` set."""
    source = str(path)
    fmt = Path(source).suffix.lower().lstrip(".") or None
    try:
        digest = sha256_of(source)
    except OSError as exc:
        return PlanDocument.failed(source, None, fmt, f"cannot open file ({exc.strerror or exc})")
    try:
        doc = read(source, engine=engine)
        plan = normalise(doc, sha256=digest, lexicon=lexicon)
        plan.source = source
        return plan
    except BoardplansError as exc:
        return PlanDocument.failed(source, digest, fmt, exc.reason)
    except Exception as exc:  # a bug or an input we do not know: report, never crash the batch
        if debug:
            traceback.print_exc()
        return PlanDocument.failed(source, digest, fmt, f"internal error ({exc.__class__.__name__}: {exc})")


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


def import_paths(paths: Iterable[str | Path], db: str | None = None, engine: str = "pdfplumber",
                 on_file: Callable[[PlanDocument, str], None] | None = None,
                 debug: bool = False, lexicon: dict | None = None) -> ImportReport:
    """Extract every file under ``paths`` and load it; failures are recorded, the batch goes on."""
    from load import connect, load_document, record_error

    factory = connect(db)
    report = ImportReport()
    for path in iter_inputs(paths):
        plan = extract_file(path, engine=engine, debug=debug, lexicon=lexicon)
        if plan.error:
            record_error(factory, plan.source, plan.sha256, "extract", plan.error)
            report.failed.append((plan.source, plan.error))
            outcome = "failed"
        else:
            try:
                result = load_document(factory, plan)
            except Exception as exc:
                if debug:
                    traceback.print_exc()
                message = f"database error ({exc.__class__.__name__}: {str(exc).splitlines()[0]})"
                record_error(factory, plan.source, plan.sha256, "load", message)
                report.failed.append((plan.source, message))
                outcome = "failed"
            else:
                outcome = result.status
                setattr(report, outcome, getattr(report, outcome) + 1)
                report.actions += result.actions if outcome != "unchanged" else 0
        if on_file:
            on_file(plan, outcome)
    return report


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
    engine: str = typer.Option("pdfplumber", help="PDF table engine."),
    mapping: Path = typer.Option(None, help="TOML file of column mappings laid over the built-in lexicon."),
    debug: bool = typer.Option(False, help="Show tracebacks for internal errors."),
) -> None:
    """Print one JSON document per file (JSON Lines) on stdout; exit 1 if any file failed."""
    lexicon = _mapping_or_exit(mapping)
    failed = 0
    for f in files:
        plan = extract_file(f, engine=engine, debug=debug, lexicon=lexicon)
        if plan.error:
            failed += 1
            _err(f"{plan.source}: {plan.error}")
        sys.stdout.write(json.dumps(plan.to_dict(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    raise typer.Exit(1 if failed else 0)


@app.command("import")
def import_cmd(
    paths: list[Path] = typer.Argument(..., help="Files or folders (walked for .pdf, .docx, .doc)."),
    db: str = typer.Option(None, "--db", help="SQLAlchemy URL or SQLite path [default: sqlite:///plans.db, "
                                              "or $BOARDPLANS_DB]."),
    engine: str = typer.Option("pdfplumber", help="PDF table engine."),
    mapping: Path = typer.Option(None, help="TOML file of column mappings laid over the built-in lexicon."),
    debug: bool = typer.Option(False, help="Show tracebacks for internal errors."),
) -> None:
    """Extract files and load them into the database; unchanged files are skipped."""
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
    except MissingDependency as exc:
        _err(str(exc))
        raise typer.Exit(2) from exc
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[stats]}"), TimeRemainingColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task("importing", total=len(files), stats="")
        counts = {"actions": 0, "failed": 0}

        def on_file(plan: PlanDocument, outcome: str) -> None:
            if outcome == "failed":
                counts["failed"] += 1
                progress.console.print(f"Error: {plan.source}: {plan.error or 'could not be loaded'}",
                                       markup=False, highlight=False)
            else:
                counts["actions"] += len(plan.actions)
            progress.update(task, advance=1,
                            stats=f"actions {counts['actions']}  failed {counts['failed']}")

        report = import_paths(files, db=db, engine=engine, on_file=on_file, debug=debug, lexicon=lexicon)
    console.print(f"{len(files)} files: {report.loaded} loaded, {report.replaced} replaced, "
                  f"{report.unchanged} unchanged, {len(report.failed)} failed", highlight=False)
    table = RichTable("board", "documents", "actions", title="database")
    for board, docs, acts in summary(factory):
        table.add_row(board, str(docs), str(acts))
    Console().print(table)
    raise typer.Exit(1 if report.failed else 0)


def explain_file(path: str | Path, engine: str = "pdfplumber", lexicon: dict | None = None) -> list[dict]:
    """How each table of a file was read: kind, headers, the field each maps to, and why."""
    from normalise import explain

    return explain(read(path, engine=engine), lexicon)


@app.command("explain")
def explain_cmd(
    file: Path = typer.Argument(..., help="A plan file."),
    engine: str = typer.Option("pdfplumber", help="PDF table engine."),
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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
