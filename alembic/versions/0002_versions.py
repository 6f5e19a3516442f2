"""Versions and renditions of a plan: the dates that order them and the reason for ``current``.

``documents`` gains ``plan_date`` (the date a plan gives itself, 'Review May 2014'),
``file_dates`` (the file's metadata created/modified), ``version`` (1 = a board's oldest
version), ``rendition_of`` (the id of the document chosen among renditions of one version) and
``current_reason``.  Rows imported before this revision keep their ``current`` flag (with no
reason) until their board's next import, which settles every document of the board again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_COLUMNS = [("plan_date", sa.String(length=7)), ("file_dates", sa.JSON()), ("version", sa.Integer()),
            ("rendition_of", sa.Integer()), ("current_reason", sa.Text())]


def upgrade() -> None:
    for name, type_ in _COLUMNS:
        op.add_column("documents", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    # plain DROP COLUMN (SQLite >= 3.35 has it): a batch copy of ``documents`` would fire the
    # ON DELETE CASCADE of every table pointing at it
    for name, _ in reversed(_COLUMNS):
        op.drop_column("documents", name)
