"""Database schema (SQLAlchemy 2 declarative) shared by the loader and the query side.

One row per board however its plans name it, one per imported file (keyed by
content hash), and the records of each file.  ``raw_tables`` keeps every table
as extracted so any mapping can be audited back to its page.  Types are
portable: the same models run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Board(Base):
    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(100))
    documents: Mapped[list[DocumentRow]] = relationship(back_populates="board")


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id"))
    source_path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    format: Mapped[str] = mapped_column(String(10))
    title: Mapped[str | None] = mapped_column(Text)
    period_start: Mapped[str | None] = mapped_column(String(7))
    period_end: Mapped[str | None] = mapped_column(String(7))
    pages: Mapped[int | None] = mapped_column(Integer)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)

    board: Mapped[Board | None] = relationship(back_populates="documents")
    actions: Mapped[list[ActionRow]] = relationship(back_populates="document", cascade="all, delete-orphan",
                                                    order_by="ActionRow.seq")
    priorities: Mapped[list[PriorityRow]] = relationship(cascade="all, delete-orphan")
    indicators: Mapped[list[IndicatorRow]] = relationship(cascade="all, delete-orphan")
    tables: Mapped[list[RawTable]] = relationship(cascade="all, delete-orphan")


class ActionRow(Base):
    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    section: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str | None] = mapped_column(Text)
    objective: Mapped[str | None] = mapped_column(Text)
    ref: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str | None] = mapped_column(Text)
    lead: Mapped[str | None] = mapped_column(Text)
    timescale: Mapped[str | None] = mapped_column(Text)
    start: Mapped[str | None] = mapped_column(String(7))
    end: Mapped[str | None] = mapped_column(String(7))
    progress: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="unknown")
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    page: Mapped[int | None] = mapped_column(Integer)

    document: Mapped[DocumentRow] = relationship(back_populates="actions")


class PriorityRow(Base):
    __tablename__ = "priorities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)


class IndicatorRow(Base):
    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    group: Mapped[str | None] = mapped_column("group_name", Text)
    ref: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(Text)


class RawTable(Base):
    __tablename__ = "raw_tables"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    page: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    header: Mapped[list[str]] = mapped_column(JSON)
    rows: Mapped[list[list[str]]] = mapped_column(JSON)


class ImportErrorRow(Base):
    """A file that could not be imported, with the stage that failed and why."""

    __tablename__ = "import_errors"
    __table_args__ = (UniqueConstraint("source_path", "sha256", "message"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
