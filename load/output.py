"""Printing query results as a rich table, CSV or JSON on stdout.

Kept apart from the queries so the Python API stays DataFrames and the
commands stay thin: a command asks ``load.query`` and hands the frame here.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # pandas is imported by the functions: `extract` should not pay for it at start-up
    import pandas as pd


MAX_CELL = 300


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows (numpy numbers become Python numbers, NaN becomes null)."""
    return json.loads(df.to_json(orient="records", force_ascii=False, date_format="iso")) if len(df) else []


def _cell(column: str, value: Any, pd: Any) -> str:
    """A value as a table shows it: files by name, long text cut (CSV and JSON keep everything)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value)
    if column == "file":
        return os.path.basename(text)
    return text if len(text) <= MAX_CELL else text[:MAX_CELL - 1].rstrip() + "…"


def print_table(df: pd.DataFrame, title: str | None = None, columns: Sequence[str] | None = None,
                caption: str | None = None, group_by: str | None = None, file: TextIO | None = None) -> None:
    """A rich table of ``df`` (``columns`` only, if given); ``group_by`` draws a line between groups."""
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    cols = list(columns or df.columns)
    table = Table(*cols, title=title, caption=caption, show_lines=False, expand=False)
    previous = None
    for _, row in df[cols].iterrows():
        if group_by is not None and previous is not None and row[group_by] != previous:
            table.add_section()
        previous = row[group_by] if group_by is not None else None
        table.add_row(*(_cell(col, v, pd) for col, v in zip(cols, row, strict=True)))
    out = file or sys.stdout
    # A pipe or file gets a readable width (rich would assume 80 columns); a terminal its own.
    width = None if out.isatty() else int(os.environ.get("COLUMNS") or 160)
    console = Console(file=out, highlight=False, width=width)
    console.print(table)
    if df.empty:
        console.print("(no rows)", highlight=False)


def write(df: pd.DataFrame, fmt: OutputFormat | str, *, title: str | None = None,
          columns: Sequence[str] | None = None, caption: str | None = None, group_by: str | None = None,
          file: TextIO | None = None) -> None:
    """``df`` on stdout as ``fmt``: table (``columns`` shown), CSV or JSON (every column)."""
    out = file or sys.stdout
    fmt = OutputFormat(fmt)
    if fmt is OutputFormat.csv:
        df.to_csv(out, index=False)
    elif fmt is OutputFormat.json:
        out.write(json.dumps(records(df), ensure_ascii=False, indent=2) + "\n")
    else:
        print_table(df, title=title, columns=columns, caption=caption, group_by=group_by, file=out)
