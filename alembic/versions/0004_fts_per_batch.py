"""SQLite's full-text index is written once per batch of actions, not row by row.

The FTS5 insert trigger on ``actions`` tokenised and inserted each action in its own
trigger program; the import's bulk writer (``load/bulk.py``) now inserts a batch's
actions and then indexes all of them with one ``INSERT INTO actions_fts ... SELECT``,
about three times less CPU for the same index (docs/profiling.md, "The full-text index
per batch").  To let it, the insert trigger fires only while the one-row table
``actions_fts_deferred`` is empty: the bulk writer fills it, inserts, indexes and empties
it again, all inside the batch's transaction, so no committed state ever has an action
missing from the index, and every other writer (a hand-made row, another tool) is
indexed by the trigger as before.  PostgreSQL is unchanged: its ``tsvector`` is a
generated column and its GIN index collects new entries in a pending list (``fastupdate``)
that is merged in bulk.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_COLUMNS = "action, progress, outcome, priority"
_VALUES = "new.id, new.action, new.progress, new.outcome, new.priority"


def _trigger(when: str) -> str:
    return (f"CREATE TRIGGER actions_fts_insert AFTER INSERT ON actions {when}BEGIN "
            f"INSERT INTO actions_fts(rowid, {_COLUMNS}) VALUES ({_VALUES}); END")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TABLE actions_fts_deferred (one INTEGER PRIMARY KEY CHECK (one = 1))")
    op.execute("DROP TRIGGER actions_fts_insert")
    op.execute(_trigger("WHEN NOT EXISTS (SELECT 1 FROM actions_fts_deferred) "))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER actions_fts_insert")
    op.execute(_trigger(""))
    op.execute("DROP TABLE actions_fts_deferred")
