"""Cross-board questions as pandas DataFrames: the Python API behind the query commands.

Every function takes a session, a session factory or a database URL and
returns plain DataFrames (strings and numbers, themes as ``'cse, missing'``)
that the CLI prints as a table, CSV or JSON.  Questions look at each plan's
*current* document (the newest version of a plan, see ``load/loader.py``) so a
board whose plan was imported as both DOCX and PDF is counted once;
``all_versions=True`` looks at every document.
"""

from __future__ import annotations

import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from load.boards import find_boards
from load.db import ROOT, connect
from models.records import STATUSES
from models.schema import (
    ActionRow,
    ActionTheme,
    Board,
    BoardAlias,
    DocumentRow,
    PriorityRow,
    PriorityTheme,
)

ACTION_COLUMNS = ["board", "ref", "action", "lead", "timescale", "start", "end", "status", "progress", "outcome",
                  "priority", "section", "objective", "themes", "file", "page", "document_id", "action_id"]
NO_BOARD = "(no board)"


class QueryError(ValueError):
    """A question that cannot be asked as put (unknown theme, board or status): its message says why."""


@cache
def theme_ids() -> tuple[str, ...]:
    """The theme ids of THEMES.md, in its order (from ``data/themes.toml``)."""
    with open(ROOT / "data" / "themes.toml", "rb") as fh:
        return tuple(tomllib.load(fh))


def check_theme(theme: str) -> str:
    if theme not in theme_ids():
        raise QueryError(f"unknown theme '{theme}'; themes are: {', '.join(theme_ids())}")
    return theme


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise QueryError(f"unknown status '{status}'; statuses are: {', '.join(STATUSES)}")
    return status


@contextmanager
def as_session(source: Any) -> Iterator[Session]:
    """A session from a session (used as is), a session factory, or a URL / ``None`` (connect)."""
    if isinstance(source, Session):
        yield source
        return
    factory = source if isinstance(source, sessionmaker) else connect(source, create=False)
    with factory() as session:
        yield session


def _whole_numbers(df: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Id and number columns with gaps as Python ints and None (pandas would make them floats: 11.0)."""
    for col in columns:
        if col in df.columns:
            df[col] = pd.Series([None if v is None or pd.isna(v) else int(v) for v in df[col]], index=df.index,
                                dtype=object)
    return df


def frame(rows: Iterable[Any], columns: Sequence[str]) -> pd.DataFrame:
    """A DataFrame with exactly ``columns`` (even when empty); theme lists become 'a, b'."""
    records = [dict(r) for r in rows]
    for r in records:
        if isinstance(r.get("themes"), list):
            r["themes"] = ", ".join(r["themes"])
    df = pd.DataFrame.from_records(records, columns=list(columns))
    return df.astype(object).where(df.notna(), None) if len(df) else df


def board_label(name: str | None, short: str | None) -> str:
    return short or name or NO_BOARD


def board_ids(session: Session, text: str) -> list[int]:
    """Ids of the boards ``text`` names (by place, full name, key or alias)."""
    return [b.id for b in find_boards(session, text)]


def _board_filter(session: Session, names: Iterable[str] | None) -> list[int] | None:
    """Ids for a list of board names; every name must match a board (else QueryError)."""
    if names is None:
        return None
    ids: list[int] = []
    for name in names:
        found = board_ids(session, name)
        if not found:
            known = ", ".join(sorted(b for b in session.scalars(select(Board.short_name)) if b))
            raise QueryError(f"no board '{name}' in the database; boards are: {known}")
        ids += found
    return ids


def action_select(current_only: bool = True) -> Select:
    """SELECT of one row per action with its board and provenance (file, page), as ACTION_COLUMNS."""
    stmt = (select(func.coalesce(Board.short_name, Board.name).label("board"), ActionRow.ref, ActionRow.action,
                   ActionRow.lead, ActionRow.timescale, ActionRow.start, ActionRow.end, ActionRow.status,
                   ActionRow.progress, ActionRow.outcome, ActionRow.priority, ActionRow.section,
                   ActionRow.objective, ActionRow.themes, DocumentRow.source_path.label("file"), ActionRow.page,
                   DocumentRow.id.label("document_id"), ActionRow.id.label("action_id"))
            .select_from(ActionRow)
            .join(DocumentRow, DocumentRow.id == ActionRow.document_id)
            .outerjoin(Board, Board.id == DocumentRow.board_id))
    if current_only:
        stmt = stmt.where(DocumentRow.current.is_(True))
    return stmt


def _period(start: str | None, end: str | None) -> str:
    return f"{start or '?'} to {end or '?'}" if (start or end) else "?"


def boards(source: Any) -> pd.DataFrame:
    """One row per board: documents held (all versions), current documents, their periods and action counts.

    ``versions`` counts the versions of the board's plan (later reviews), ``renditions`` the
    documents of the current version (a DOCX and its PDF: 2), ``reason`` says why the current
    document is current (``load/versions.py``).
    ``warnings`` counts the warnings of the current documents (e.g. 'no tables found'): a plan
    loaded with no actions is then visible here, not only in the import's output.
    """
    columns = ["board", "name", "documents", "versions", "renditions", "current", "periods", "actions", "warnings",
               "files", "reason", "aliases"]
    with as_session(source) as session:
        acts = dict(session.execute(select(ActionRow.document_id, func.count()).group_by(ActionRow.document_id))
                    .all())
        aliases: dict[int, list[str]] = defaultdict(list)
        for board_id, alias in session.execute(select(BoardAlias.board_id, BoardAlias.alias)
                                               .order_by(BoardAlias.id)):
            aliases[board_id].append(alias)
        per: dict[int | None, dict[str, Any]] = {}
        docs = session.execute(select(DocumentRow, Board).outerjoin(Board, Board.id == DocumentRow.board_id)
                               .order_by(DocumentRow.id)).all()
        for doc, board in docs:
            key = board.id if board else None
            row = per.setdefault(key, {"board": board_label(board and board.name, board and board.short_name),
                                       "name": board.name if board else None, "documents": 0, "current": 0,
                                       "periods": [], "actions": 0, "warnings": 0, "files": [], "reasons": [],
                                       "version_set": set(), "current_versions": set(), "by_version": Counter(),
                                       "aliases": ", ".join(aliases.get(key, [])) if key else ""})
            row["documents"] += 1
            version = doc.version if doc.version is not None else -doc.id  # before migration 0002: its own
            row["version_set"].add(version)
            row["by_version"][version] += 1
            if doc.current:
                row["current_versions"].add(version)
                if doc.current_reason:
                    row["reasons"].append(doc.current_reason)
                row["current"] += 1
                row["actions"] += acts.get(doc.id, 0)
                row["warnings"] += len(doc.warnings or [])
                row["files"].append(doc.source_path)
                period = _period(doc.period_start, doc.period_end)
                if period not in row["periods"]:
                    row["periods"].append(period)
        rows = []
        for row in per.values():
            row["periods"] = "; ".join(row["periods"])
            row["files"] = "; ".join(row["files"])
            row["reason"] = "; ".join(row.pop("reasons"))
            row["versions"] = len(row.pop("version_set"))
            by_version = row.pop("by_version")
            row["renditions"] = sum(by_version[v] for v in row.pop("current_versions"))
            rows.append(row)
        rows.sort(key=lambda r: (r["board"] == NO_BOARD, r["board"].lower()))
        return frame(rows, columns)


def _declared(session: Session, current_only: bool) -> dict[str, dict[str, list[str]]]:
    """theme -> board -> labels of the priorities declaring it."""
    stmt = (select(PriorityTheme.theme, func.coalesce(Board.short_name, Board.name), PriorityRow.label)
            .select_from(PriorityTheme).join(PriorityRow, PriorityRow.id == PriorityTheme.priority_id)
            .join(DocumentRow, DocumentRow.id == PriorityRow.document_id)
            .join(Board, Board.id == DocumentRow.board_id)
            .order_by(PriorityRow.document_id, PriorityRow.seq))
    if current_only:
        stmt = stmt.where(DocumentRow.current.is_(True))
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for theme, board, label in session.execute(stmt):
        if label not in out[theme][board]:
            out[theme][board].append(label)
    return out


def _theme_actions(session: Session, current_only: bool) -> Counter[tuple[str, str]]:
    """(theme, board) -> number of actions on that theme."""
    stmt = (select(ActionTheme.theme, func.coalesce(Board.short_name, Board.name), func.count())
            .select_from(ActionTheme).join(ActionRow, ActionRow.id == ActionTheme.action_id)
            .join(DocumentRow, DocumentRow.id == ActionRow.document_id)
            .join(Board, Board.id == DocumentRow.board_id)
            .group_by(ActionTheme.theme, func.coalesce(Board.short_name, Board.name)))
    if current_only:
        stmt = stmt.where(DocumentRow.current.is_(True))
    return Counter({(theme, board): n for theme, board, n in session.execute(stmt)})


def _theme_order(themes: Iterable[str]) -> list[str]:
    order = {t: i for i, t in enumerate(theme_ids())}
    return sorted(set(themes), key=lambda t: (order.get(t, len(order)), t))


def priorities_long(source: Any, all_versions: bool = False) -> pd.DataFrame:
    """One row per theme × board: whether the board declares it a priority (and how), and its action count."""
    columns = ["theme", "board", "declared", "priorities", "actions"]
    with as_session(source) as session:
        declared = _declared(session, not all_versions)
        counts = _theme_actions(session, not all_versions)
        names = select(func.coalesce(Board.short_name, Board.name)).join(DocumentRow)
        if not all_versions:
            names = names.where(DocumentRow.current.is_(True))
        board_names = sorted({b for b in session.scalars(names) if b})
    themes = _theme_order(list(declared) + [t for t, _ in counts])
    rows = [{"theme": t, "board": b, "declared": b in declared.get(t, {}),
             "priorities": "; ".join(declared.get(t, {}).get(b, [])), "actions": counts.get((t, b), 0)}
            for t in themes for b in board_names]
    return frame(rows, columns)


def priorities(source: Any, all_versions: bool = False) -> pd.DataFrame:
    """The themes × boards matrix: cell '★ 3' = declared a priority, 3 actions on it; '' = neither.

    Rows are ordered by how many boards declare the theme, then by THEMES.md order.
    """
    long = priorities_long(source, all_versions)
    if long.empty:
        return pd.DataFrame(columns=["theme", "boards declaring"])
    board_names = list(dict.fromkeys(long["board"]))

    def cell(r: Any) -> str:
        mark = "★" if r["declared"] else ""
        n = int(r["actions"])
        return " ".join(x for x in (mark, str(n) if n else "") if x)

    long = long.assign(cell=long.apply(cell, axis=1))
    wide = long.pivot(index="theme", columns="board", values="cell").reindex(columns=board_names)
    wide.insert(0, "boards declaring", long[long["declared"]].groupby("theme").size()
                .reindex(wide.index).fillna(0).astype(int))
    order = {t: i for i, t in enumerate(theme_ids())}
    wide = wide.loc[sorted(wide.index, key=lambda t: (-wide.at[t, "boards declaring"], order.get(t, 99), t))]
    wide = wide[(wide["boards declaring"] > 0) | (wide[board_names] != "").any(axis=1)]
    return wide.reset_index().rename_axis(None, axis=1)


def common_priorities(source: Any, min_boards: int = 2, all_versions: bool = False) -> pd.DataFrame:
    """Themes declared a priority by at least ``min_boards`` boards: 'neglect: Shropshire, Solihull, Sunderland'."""
    long = priorities_long(source, all_versions)
    rows = []
    if not long.empty:
        declared = long[long["declared"].astype(bool)]
        for theme, group in declared.groupby("theme", sort=False):
            names = sorted(group["board"])
            if len(names) >= min_boards:
                rows.append({"theme": theme, "boards": len(names), "board_names": ", ".join(names),
                             "actions": int(group["actions"].sum())})
    order = {t: i for i, t in enumerate(theme_ids())}
    rows.sort(key=lambda r: (-r["boards"], order.get(r["theme"], 99), r["theme"]))
    return frame(rows, ["theme", "boards", "board_names", "actions"])


@dataclass
class Comparison:
    """Boards' actions on one theme side by side, and each board's status counts."""

    theme: str
    actions: pd.DataFrame        # board, ref, action, lead, timescale, status, progress, file, page
    status_counts: pd.DataFrame  # board, completed, in_progress, not_started, delayed, unknown, total


COMPARE_COLUMNS = ["board", "ref", "action", "lead", "timescale", "status", "progress", "outcome", "file", "page"]


def compare(source: Any, theme: str, boards: Sequence[str] | None = None, all_versions: bool = False) -> Comparison:
    """Each board's actions on ``theme`` (lead, timescale, status, progress), and status counts per board.

    With ``boards`` every named board appears in the counts, with zeros if it has no action on the theme.
    """
    check_theme(theme)
    with as_session(source) as session:
        ids = _board_filter(session, boards)
        stmt = action_select(current_only=not all_versions).where(
            select(ActionTheme.action_id).where(ActionTheme.action_id == ActionRow.id,
                                                ActionTheme.theme == theme).exists())
        if ids is not None:
            stmt = stmt.where(Board.id.in_(ids))
        stmt = stmt.order_by(func.coalesce(Board.short_name, Board.name), DocumentRow.id, ActionRow.seq)
        rows = session.execute(stmt).mappings().all()
        named = [] if ids is None else sorted({board_label(b.name, b.short_name) for b in
                                               session.scalars(select(Board).where(Board.id.in_(ids)))})
    actions = frame(rows, ACTION_COLUMNS)[COMPARE_COLUMNS]
    counts: dict[str, Counter[str]] = {b: Counter() for b in named}
    for board, status in zip(actions["board"], actions["status"], strict=True):
        counts.setdefault(board, Counter())[status] += 1
    count_rows = [{"board": b, **{s: c.get(s, 0) for s in STATUSES}, "total": sum(c.values())}
                  for b, c in sorted(counts.items())]
    return Comparison(theme, actions, frame(count_rows, ["board", *STATUSES, "total"]))


DOCUMENT_COLUMNS = ["board", "version", "current", "rendition_of", "document_id", "format", "file", "title",
                    "plan_date", "period", "file_dates", "actions", "warnings", "imported_at", "reason"]


def plan_versions(source: Any, board: str | None = None) -> pd.DataFrame:
    """Every document with its board, version (1 = oldest), whether current, the rendition it
    stands behind and why (``current_reason``): the audit of ``boards``' choice."""
    with as_session(source) as session:
        ids = _board_filter(session, [board]) if board else None
        acts = dict(session.execute(select(ActionRow.document_id, func.count()).group_by(ActionRow.document_id))
                    .all())
        stmt = select(DocumentRow, Board).outerjoin(Board, Board.id == DocumentRow.board_id)
        if ids is not None:
            stmt = stmt.where(DocumentRow.board_id.in_(ids))
        rows = []
        for doc, b in session.execute(stmt):
            dates = doc.file_dates or {}
            rows.append({"board": board_label(b and b.name, b and b.short_name), "version": doc.version,
                         "current": bool(doc.current), "rendition_of": doc.rendition_of, "document_id": doc.id,
                         "format": doc.format, "file": doc.source_path, "title": doc.title,
                         "plan_date": doc.plan_date, "period": _period(doc.period_start, doc.period_end),
                         "file_dates": ", ".join(f"{k} {v}" for k, v in sorted(dates.items())),
                         "actions": acts.get(doc.id, 0), "warnings": len(doc.warnings or []),
                         "imported_at": doc.imported_at.isoformat() if doc.imported_at else None,
                         "reason": doc.current_reason})
    rows.sort(key=lambda r: (r["board"] == NO_BOARD, r["board"].lower(), r["version"] or 0,
                             r["rendition_of"] is not None, r["document_id"]))
    return _whole_numbers(frame(rows, DOCUMENT_COLUMNS), ["version", "rendition_of"])


def _version_actions(session: Session, document_id: int) -> list[dict[str, Any]]:
    stmt = (select(ActionRow.ref, ActionRow.action, ActionRow.status, ActionRow.progress, ActionRow.lead,
                   ActionRow.timescale, ActionRow.page, ActionRow.id.label("action_id"))
            .where(ActionRow.document_id == document_id).order_by(ActionRow.seq))
    return [dict(r) for r in session.execute(stmt).mappings()]


def compare_versions(source: Any, board: str, earlier: int | None = None, later: int | None = None) -> pd.DataFrame:
    """Each action of two versions of ``board``'s plan beside its counterpart, with what changed.

    ``later`` defaults to the current (latest) version, ``earlier`` to the one before it; each
    version is read from its chosen rendition.  Pairing: by reference, then by action text
    (``load/version_compare.py``).  Columns: ``version_compare.COLUMNS``.
    """
    from load import version_compare

    with as_session(source) as session:
        found = find_boards(session, board)
        if not found:
            _board_filter(session, [board])  # raises, naming the boards there are
        if len(found) > 1:
            raise QueryError(f"'{board}' names {len(found)} boards: {', '.join(b.name for b in found)}")
        b = found[0]
        chosen = {d.version: d for d in session.scalars(
            select(DocumentRow).where(DocumentRow.board_id == b.id, DocumentRow.rendition_of.is_(None),
                                      DocumentRow.version.is_not(None)))}
        label = board_label(b.name, b.short_name)
        if len(chosen) < 2:
            raise QueryError(f"{label} has {len(chosen)} version{'' if len(chosen) == 1 else 's'} of its plan in the "
                             f"database; comparing versions needs two (import a later or earlier review)")
        numbers = sorted(chosen)
        later = numbers[-1] if later is None else later
        if later not in chosen:
            raise QueryError(f"{label} has no version {later}; its versions are {', '.join(map(str, numbers))}")
        earlier = max((n for n in numbers if n < later), default=None) if earlier is None else earlier
        if earlier not in chosen or earlier == later:
            raise QueryError(f"{label}: no earlier version {'than ' + str(later) if earlier is None else earlier} "
                             f"to compare with version {later}; its versions are {', '.join(map(str, numbers))}")
        docs = {side: chosen[n] for side, n in (("earlier", earlier), ("later", later))}
        rows = version_compare.compare_rows(
            label, _version_actions(session, docs["earlier"].id), _version_actions(session, docs["later"].id),
            *({"version": d.version, "file": d.source_path} for d in (docs["earlier"], docs["later"])))
    return _whole_numbers(frame(rows, version_compare.COLUMNS),
                          [c for c in version_compare.COLUMNS if c.endswith(("_page", "_action_id", "_version"))])
