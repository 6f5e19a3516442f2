"""Import faults: runs know their status and where they ran; a failure is recorded once even without a hash.

``import_runs.status`` is ``running``, ``finished``, ``interrupted`` (Ctrl-C,
SIGTERM, or found dead by a later import, which fills in its real counts) or
``aborted`` (the database failed); ``host`` and ``pid`` let a later import on
the same machine tell that a run's process is gone.  Runs made before this
revision are marked ``finished`` or, if they never finished, ``interrupted``.

``import_errors`` gains a unique index on ``(source_path, coalesce(sha256, ''),
message)``: the old unique constraint let two concurrent imports each record a
file with no hash (unreadable, skipped by the walk), since NULLs never collide.

Revision ID: 0003
Revises: 0001 (the lead re-chains it after 0002 on merge)
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("import_runs") as batch:
        batch.add_column(sa.Column("status", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("host", sa.Text(), nullable=True))
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
    op.execute("UPDATE import_runs SET status = CASE WHEN finished_at IS NULL THEN 'interrupted' "
               "ELSE 'finished' END")
    # keep one row of any failure recorded twice with no hash, then make that impossible
    op.execute("DELETE FROM import_errors WHERE sha256 IS NULL AND id NOT IN (SELECT min(id) FROM import_errors "
               "WHERE sha256 IS NULL GROUP BY source_path, message)")
    op.create_index("uq_import_errors_failure", "import_errors",
                    ["source_path", sa.text("coalesce(sha256, '')"), "message"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_import_errors_failure", table_name="import_errors")
    with op.batch_alter_table("import_runs") as batch:
        batch.drop_column("pid")
        batch.drop_column("host")
        batch.drop_column("status")
