"""Flat tables for spreadsheets and data tools, each row carrying its provenance (file, page).

``export_tables`` gives the DataFrames; ``export`` writes them as CSV files,
one Excel workbook (a sheet per table) or Parquet files.  Text is exported as
stored; only what a format cannot hold is changed (Excel: control characters
dropped, cells cut at Excel's 32,767 characters).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select

from load.query import as_session, check_theme, frame
from models.schema import (
    ActionRow,
    ActionTheme,
    Board,
    BoardAlias,
    DocumentRow,
    IndicatorRow,
    PriorityRow,
    PriorityTheme,
    RawCell,
    RawTable,
)

FORMATS = ("csv", "xlsx", "parquet")
TABLES = ("boards", "documents", "actions", "priorities", "indicators", "cells")
_EXCEL_MAX = 32767


def _board() -> Any:
    return func.coalesce(Board.short_name, Board.name).label("board")


def export_tables(source: Any, theme: str | None = None, all_versions: bool = False) -> dict[str, pd.DataFrame]:
    """The database as flat tables: boards, documents, actions, priorities, indicators, cells.

    ``theme`` keeps only the actions and priorities on that theme.  Only current documents
    (and their rows) unless ``all_versions``.
    """
    if theme is not None:
        check_theme(theme)

    def docs(stmt: Any) -> Any:
        return stmt if all_versions else stmt.where(DocumentRow.current.is_(True))

    out: dict[str, pd.DataFrame] = {}
    with as_session(source) as s:
        aliases: dict[int, list[str]] = {}
        for board_id, alias in s.execute(select(BoardAlias.board_id, BoardAlias.alias).order_by(BoardAlias.id)):
            aliases.setdefault(board_id, []).append(alias)
        out["boards"] = frame(({"board": b.short_name or b.name, "name": b.name, "key": b.key,
                                "aliases": "; ".join(aliases.get(b.id, []))}
                               for b in s.scalars(select(Board).order_by(Board.name))),
                              ["board", "name", "key", "aliases"])
        documents = [dict(r) for r in s.execute(docs(
            select(_board(), DocumentRow.source_path.label("file"), DocumentRow.id.label("document_id"),
                   DocumentRow.sha256, DocumentRow.format, DocumentRow.title, DocumentRow.period_start,
                   DocumentRow.period_end, DocumentRow.pages, DocumentRow.current, DocumentRow.imported_at,
                   DocumentRow.plan_date, DocumentRow.version, DocumentRow.rendition_of, DocumentRow.current_reason)
            .outerjoin(Board, Board.id == DocumentRow.board_id).order_by(DocumentRow.id))).mappings()]
        for d in documents:  # ISO text: Excel cannot hold time zones, and text reads the same everywhere
            d["imported_at"] = d["imported_at"].isoformat(timespec="seconds") if d["imported_at"] else None
        out["documents"] = frame(documents, [
            "board", "file", "document_id", "sha256", "format", "title", "period_start", "period_end", "pages",
            "current", "imported_at", "plan_date", "version", "rendition_of", "current_reason"])
        stmt = docs(select(_board(), DocumentRow.source_path.label("file"), ActionRow.page, ActionRow.seq,
                           ActionRow.section, ActionRow.priority, ActionRow.objective, ActionRow.ref,
                           ActionRow.action, ActionRow.lead, ActionRow.timescale, ActionRow.start, ActionRow.end,
                           ActionRow.progress, ActionRow.outcome, ActionRow.status, ActionRow.themes,
                           ActionRow.extra, DocumentRow.id.label("document_id"), ActionRow.id.label("action_id"))
                    .join(DocumentRow, DocumentRow.id == ActionRow.document_id)
                    .outerjoin(Board, Board.id == DocumentRow.board_id)
                    .order_by(DocumentRow.id, ActionRow.seq))
        if theme is not None:
            stmt = stmt.where(select(ActionTheme.action_id).where(ActionTheme.action_id == ActionRow.id,
                                                                  ActionTheme.theme == theme).exists())
        rows = [dict(r) for r in s.execute(stmt).mappings()]
        for r in rows:
            r["extra"] = json.dumps(r["extra"], ensure_ascii=False) if r["extra"] else None
        out["actions"] = frame(rows, ["board", "file", "page", "seq", "section", "priority", "objective", "ref",
                                      "action", "lead", "timescale", "start", "end", "progress", "outcome",
                                      "status", "themes", "extra", "document_id", "action_id"])
        stmt = docs(select(_board(), DocumentRow.source_path.label("file"), PriorityRow.seq, PriorityRow.label,
                           PriorityRow.text, PriorityRow.themes, DocumentRow.id.label("document_id"))
                    .join(DocumentRow, DocumentRow.id == PriorityRow.document_id)
                    .outerjoin(Board, Board.id == DocumentRow.board_id).order_by(DocumentRow.id, PriorityRow.seq))
        if theme is not None:
            stmt = stmt.where(select(PriorityTheme.priority_id).where(PriorityTheme.priority_id == PriorityRow.id,
                                                                      PriorityTheme.theme == theme).exists())
        out["priorities"] = frame(s.execute(stmt).mappings(),
                                  ["board", "file", "seq", "label", "text", "themes", "document_id"])
        out["indicators"] = frame(s.execute(docs(
            select(_board(), DocumentRow.source_path.label("file"), IndicatorRow.seq,
                   IndicatorRow.group.label("group"), IndicatorRow.ref, IndicatorRow.name,
                   DocumentRow.id.label("document_id"))
            .join(DocumentRow, DocumentRow.id == IndicatorRow.document_id)
            .outerjoin(Board, Board.id == DocumentRow.board_id).order_by(DocumentRow.id, IndicatorRow.seq)))
            .mappings(), ["board", "file", "seq", "group", "ref", "name", "document_id"])
        out["cells"] = frame(s.execute(docs(
            select(_board(), DocumentRow.source_path.label("file"), RawCell.page, RawTable.seq.label("table"),
                   RawTable.kind, RawCell.row, RawCell.col, RawCell.header, RawCell.text,
                   DocumentRow.id.label("document_id"))
            .join(RawTable, RawTable.id == RawCell.table_id)
            .join(DocumentRow, DocumentRow.id == RawTable.document_id)
            .outerjoin(Board, Board.id == DocumentRow.board_id)
            .order_by(DocumentRow.id, RawTable.seq, RawCell.row, RawCell.col))).mappings(),
            ["board", "file", "page", "table", "kind", "row", "col", "header", "text", "document_id"])
    return out


def _excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def fix(v: Any) -> Any:
        if isinstance(v, str):
            v = ILLEGAL_CHARACTERS_RE.sub("", v)
            return v[:_EXCEL_MAX]
        return v

    return df.map(fix) if len(df) else df


def export(source: Any, fmt: str, out_dir: str | Path, theme: str | None = None,
           all_versions: bool = False) -> list[Path]:
    """Write the flat tables to ``out_dir`` as ``fmt`` (csv, xlsx, parquet); the files written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format '{fmt}'; formats are: {', '.join(FORMATS)}")
    tables = export_tables(source, theme=theme, all_versions=all_versions)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    if fmt == "xlsx":
        path = out / "boardplans.xlsx"
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for name, df in tables.items():
                _excel_safe(df).to_excel(writer, sheet_name=name, index=False)
        return [path]
    for name, df in tables.items():
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            df.to_csv(path, index=False)
        else:
            df.convert_dtypes().to_parquet(path, index=False)
        written.append(path)
    return written
