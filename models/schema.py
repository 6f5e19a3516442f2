"""Database schema (SQLAlchemy 2 declarative) shared by the loader and the query side.

One row per board however its plans write its name (``boards.key`` is the
normalised place name, ``board_aliases`` every written form), one per imported
file (keyed by content hash; ``current`` marks the newest version of a plan),
and the records of each file.  Themes are rows (``action_themes``,
``priority_themes``) so cross-board questions are plain joins; ``raw_tables``
and ``raw_cells`` keep every table as extracted, each cell with its row,
column and page, so any mapping can be audited back to its source.

Types are portable: the same models run on SQLite and PostgreSQL.  The
full-text index is not a model: it is dialect-specific DDL made by the
migration (FTS5 table on SQLite, a generated ``tsvector`` column on
PostgreSQL), see ``load/search.py``.  The migrations in ``alembic/`` create
exactly these tables; ``tests/test_db_schema.py`` checks that they agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# The full-text objects the migrations make by hand (dialect-specific, not models): autogenerate
# and the schema check ignore them.  See load/search.py.
FULLTEXT_OBJECTS = ("actions_fts", "ix_actions_search", "search_vector")
#: The text of an action the full-text index holds, in the index's column order (migration 0001).
FULLTEXT_COLUMNS = ("action", "progress", "outcome", "priority")


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


# A document's children are deleted with it, both by the ORM (cascade) and by the
# database (ON DELETE CASCADE) so a DELETE issued outside the ORM leaves no orphans.
# ``passive_deletes`` lets the database do it: deleting a replaced document is one statement,
# not a load of every row and cell it holds.
_CASCADE = "all, delete-orphan"
_CHILDREN: dict[str, Any] = {"cascade": _CASCADE, "passive_deletes": True}


class Board(Base):
    """A Local Safeguarding Children Board, one row however its name is written."""

    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)   # normalised place name: 'surrey'
    name: Mapped[str] = mapped_column(Text, unique=True)         # display name
    short_name: Mapped[str | None] = mapped_column(Text)         # place name: 'Surrey'

    documents: Mapped[list[DocumentRow]] = relationship(back_populates="board")
    aliases: Mapped[list[BoardAlias]] = relationship(back_populates="board", **_CHILDREN)


class BoardAlias(Base):
    """A way a document wrote the board's name ('Surrey SCB', 'SSCB')."""

    __tablename__ = "board_aliases"
    __table_args__ = (UniqueConstraint("board_id", "alias"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(Text, index=True)
    board: Mapped[Board] = relationship(back_populates="aliases")


class ImportRun(Base):
    """One `import` invocation: when, and what it did (errors link back to it)."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paths: Mapped[list[str]] = mapped_column(JSON, default=list)
    files: Mapped[int] = mapped_column(Integer, default=0)
    loaded: Mapped[int] = mapped_column(Integer, default=0)
    replaced: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    actions: Mapped[int] = mapped_column(Integer, default=0)
    # running | finished | interrupted (Ctrl-C, SIGTERM, or found dead by a later import) | aborted (database failed)
    status: Mapped[str | None] = mapped_column(String(12))
    host: Mapped[str | None] = mapped_column(Text)    # where the run ran, and its process id: a later
    pid: Mapped[int | None] = mapped_column(Integer)  # import on the same host can tell it died

    errors: Mapped[list[ImportErrorRow]] = relationship(back_populates="run")


class DocumentRow(Base):
    """One imported file.  Every document of a board stays; one per board is ``current``.

    Documents of one board are grouped into *versions* of its plan and, within a version, into
    *renditions* (the DOCX and its PDF: same period, near-identical action and progress text);
    ``load/versions.py`` decides, and ``current_reason`` says why each row is or is not current.
    """

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_plan", "board_id", "period_start", "period_end"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id", ondelete="SET NULL"))
    board_as_written: Mapped[str | None] = mapped_column(Text)
    source_path: Mapped[str] = mapped_column(Text, index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    format: Mapped[str] = mapped_column(String(10))
    title: Mapped[str | None] = mapped_column(Text)
    period_start: Mapped[str | None] = mapped_column(String(7))
    period_end: Mapped[str | None] = mapped_column(String(7))
    pages: Mapped[int | None] = mapped_column(Integer)
    current: Mapped[bool] = mapped_column(Boolean, default=True, server_default=false())
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # versions and renditions (migration 0002, load/versions.py)
    plan_date: Mapped[str | None] = mapped_column(String(7))        # YYYY-MM the plan gives itself
    file_dates: Mapped[dict[str, str] | None] = mapped_column(JSON)  # file metadata: created/modified
    version: Mapped[int | None] = mapped_column(Integer)            # 1 = the board's oldest version
    rendition_of: Mapped[int | None] = mapped_column(Integer)       # the version's chosen document
    current_reason: Mapped[str | None] = mapped_column(Text)        # why current, or why not

    board: Mapped[Board | None] = relationship(back_populates="documents")
    sections: Mapped[list[SectionRow]] = relationship(**_CHILDREN, order_by="SectionRow.seq")
    actions: Mapped[list[ActionRow]] = relationship(back_populates="document", **_CHILDREN,
                                                    order_by="ActionRow.seq")
    priorities: Mapped[list[PriorityRow]] = relationship(**_CHILDREN, order_by="PriorityRow.seq")
    indicators: Mapped[list[IndicatorRow]] = relationship(**_CHILDREN, order_by="IndicatorRow.seq")
    tables: Mapped[list[RawTable]] = relationship(**_CHILDREN, order_by="RawTable.seq")


class SectionRow(Base):
    """A heading actions sit under (strategic objective, theme, numbered aim), in document order."""

    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("document_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)


class ActionRow(Base):
    """One action record of the contract; ``themes`` as given, ``theme_rows`` for joins."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="SET NULL"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    section: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str | None] = mapped_column(Text)
    objective: Mapped[str | None] = mapped_column(Text)
    ref: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(Text)
    lead: Mapped[str | None] = mapped_column(Text)
    timescale: Mapped[str | None] = mapped_column(Text)
    start: Mapped[str | None] = mapped_column(String(7))
    end: Mapped[str | None] = mapped_column(String(7))
    progress: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="unknown", index=True)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    page: Mapped[int | None] = mapped_column(Integer)

    document: Mapped[DocumentRow] = relationship(back_populates="actions")
    section_row: Mapped[SectionRow | None] = relationship()
    theme_rows: Mapped[list[ActionTheme]] = relationship(**_CHILDREN, order_by="ActionTheme.rank")


class ActionTheme(Base):
    """An action's theme; ``rank`` keeps the normaliser's order (0 = first, the main theme)."""

    __tablename__ = "action_themes"

    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    rank: Mapped[int] = mapped_column(Integer)


class PriorityRow(Base):
    """A priority the board declares, with its themes as rows in ``priority_themes``."""

    __tablename__ = "priorities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)

    theme_rows: Mapped[list[PriorityTheme]] = relationship(**_CHILDREN, order_by="PriorityTheme.rank")


class PriorityTheme(Base):
    __tablename__ = "priority_themes"

    priority_id: Mapped[int] = mapped_column(ForeignKey("priorities.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    rank: Mapped[int] = mapped_column(Integer)


class IndicatorRow(Base):
    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    group: Mapped[str | None] = mapped_column("group_name", Text)
    ref: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)


class RawTable(Base):
    """A table as extracted (after page stitching); ``header``/``rows`` as given, cells as rows."""

    __tablename__ = "raw_tables"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    header: Mapped[list[str]] = mapped_column(JSON)
    rows: Mapped[list[list[str]]] = mapped_column(JSON)

    cells: Mapped[list[RawCell]] = relationship(**_CHILDREN, order_by="[RawCell.row, RawCell.col]")


class RawCell(Base):
    """One cell of a raw table: row 0 is the header row, body rows count from 1."""

    __tablename__ = "raw_cells"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_id: Mapped[int] = mapped_column(ForeignKey("raw_tables.id", ondelete="CASCADE"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    col: Mapped[int] = mapped_column(Integer)
    header: Mapped[bool] = mapped_column(Boolean, default=False)
    page: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class ImportErrorRow(Base):
    """A file that could not be imported, with the stage that failed, why, and the last run it failed in."""

    __tablename__ = "import_errors"
    # a file that could not be hashed has no sha256: the key treats it as '' so it is recorded once too
    __table_args__ = (UniqueConstraint("source_path", "sha256", "message"),
                      Index("uq_import_errors_failure", "source_path", text("coalesce(sha256, '')"), "message",
                            unique=True))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id", ondelete="SET NULL"), index=True)
    source_path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    run: Mapped[ImportRun | None] = relationship(back_populates="errors")
