"""Initial schema: boards and aliases, import runs, documents with versions, their records,
themes as rows, raw tables with their cells, and the full-text index for each dialect.

The tables are those of ``models/schema.py`` (``tests/test_db_schema.py`` checks
the two agree).  The full-text objects cannot be models, so they are made here:
SQLite gets an FTS5 external-content table over ``actions`` kept in step by
triggers; PostgreSQL a generated ``tsvector`` column with a GIN index.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_FTS_COLUMNS = "action, progress, outcome, priority"
_SQLITE_FTS = [
    f"CREATE VIRTUAL TABLE actions_fts USING fts5({_FTS_COLUMNS}, content='actions', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER actions_fts_insert AFTER INSERT ON actions BEGIN "
    f"INSERT INTO actions_fts(rowid, {_FTS_COLUMNS}) "
    f"VALUES (new.id, new.action, new.progress, new.outcome, new.priority); END",
    f"CREATE TRIGGER actions_fts_delete AFTER DELETE ON actions BEGIN "
    f"INSERT INTO actions_fts(actions_fts, rowid, {_FTS_COLUMNS}) "
    f"VALUES ('delete', old.id, old.action, old.progress, old.outcome, old.priority); END",
    f"CREATE TRIGGER actions_fts_update AFTER UPDATE ON actions BEGIN "
    f"INSERT INTO actions_fts(actions_fts, rowid, {_FTS_COLUMNS}) "
    f"VALUES ('delete', old.id, old.action, old.progress, old.outcome, old.priority); "
    f"INSERT INTO actions_fts(rowid, {_FTS_COLUMNS}) "
    f"VALUES (new.id, new.action, new.progress, new.outcome, new.priority); END",
]
_SQLITE_FTS_DROP = ["DROP TRIGGER IF EXISTS actions_fts_update", "DROP TRIGGER IF EXISTS actions_fts_delete",
                    "DROP TRIGGER IF EXISTS actions_fts_insert", "DROP TABLE IF EXISTS actions_fts"]
# The action text weighs most (A), then the priority it serves (B), then outcome and progress (C).
_PG_FTS = [
    "ALTER TABLE actions ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english'::regconfig, coalesce(action, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(priority, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(outcome, '')), 'C') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(progress, '')), 'C')) STORED",
    "CREATE INDEX ix_actions_search ON actions USING GIN (search_vector)",
]
_PG_FTS_DROP = ["DROP INDEX IF EXISTS ix_actions_search", "ALTER TABLE actions DROP COLUMN IF EXISTS search_vector"]


def _fulltext(sqlite: list[str], postgresql: list[str]) -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": sqlite, "postgresql": postgresql}.get(dialect, []):
        op.execute(statement)


def upgrade() -> None:
    op.create_table('boards',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('short_name', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
        sa.UniqueConstraint('name')
    )
    op.create_table('import_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('paths', sa.JSON(), nullable=False),
        sa.Column('files', sa.Integer(), nullable=False),
        sa.Column('loaded', sa.Integer(), nullable=False),
        sa.Column('replaced', sa.Integer(), nullable=False),
        sa.Column('unchanged', sa.Integer(), nullable=False),
        sa.Column('failed', sa.Integer(), nullable=False),
        sa.Column('actions', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_table('board_aliases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('board_id', sa.Integer(), nullable=False),
        sa.Column('alias', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['board_id'], ['boards.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('board_id', 'alias')
    )
    op.create_index('ix_board_aliases_alias', 'board_aliases', ['alias'])
    op.create_index('ix_board_aliases_board_id', 'board_aliases', ['board_id'])

    op.create_table('documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('board_id', sa.Integer(), nullable=True),
        sa.Column('run_id', sa.Integer(), nullable=True),
        sa.Column('board_as_written', sa.Text(), nullable=True),
        sa.Column('source_path', sa.Text(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('format', sa.String(length=10), nullable=False),
        sa.Column('title', sa.Text(), nullable=True),
        sa.Column('period_start', sa.String(length=7), nullable=True),
        sa.Column('period_end', sa.String(length=7), nullable=True),
        sa.Column('pages', sa.Integer(), nullable=True),
        sa.Column('current', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('warnings', sa.JSON(), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['board_id'], ['boards.id']),
        sa.ForeignKeyConstraint(['run_id'], ['import_runs.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('sha256')
    )
    op.create_index('ix_documents_board_id', 'documents', ['board_id'])
    op.create_index('ix_documents_plan', 'documents', ['board_id', 'period_start', 'period_end'])
    op.create_index('ix_documents_source_path', 'documents', ['source_path'])

    op.create_table('import_errors',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=True),
        sa.Column('source_path', sa.Text(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('stage', sa.String(length=20), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['run_id'], ['import_runs.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('source_path', 'sha256', 'message')
    )
    op.create_index('ix_import_errors_run_id', 'import_errors', ['run_id'])

    op.create_table('indicators',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('group_name', sa.Text(), nullable=True),
        sa.Column('ref', sa.Text(), nullable=True),
        sa.Column('name', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_indicators_document_id', 'indicators', ['document_id'])

    op.create_table('priorities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('label', sa.Text(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('themes', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_priorities_document_id', 'priorities', ['document_id'])

    op.create_table('raw_tables',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('page', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('header', sa.JSON(), nullable=False),
        sa.Column('rows', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_raw_tables_document_id', 'raw_tables', ['document_id'])

    op.create_table('sections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('document_id', 'seq')
    )
    op.create_index('ix_sections_document_id', 'sections', ['document_id'])

    op.create_table('actions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('section_id', sa.Integer(), nullable=True),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('section', sa.Text(), nullable=True),
        sa.Column('priority', sa.Text(), nullable=True),
        sa.Column('objective', sa.Text(), nullable=True),
        sa.Column('ref', sa.Text(), nullable=True),
        sa.Column('action', sa.Text(), nullable=True),
        sa.Column('lead', sa.Text(), nullable=True),
        sa.Column('timescale', sa.Text(), nullable=True),
        sa.Column('start', sa.String(length=7), nullable=True),
        sa.Column('end', sa.String(length=7), nullable=True),
        sa.Column('progress', sa.Text(), nullable=True),
        sa.Column('outcome', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('themes', sa.JSON(), nullable=False),
        sa.Column('extra', sa.JSON(), nullable=False),
        sa.Column('page', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['section_id'], ['sections.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_actions_document_id', 'actions', ['document_id'])
    op.create_index('ix_actions_section_id', 'actions', ['section_id'])
    op.create_index('ix_actions_status', 'actions', ['status'])

    op.create_table('priority_themes',
        sa.Column('priority_id', sa.Integer(), nullable=False),
        sa.Column('theme', sa.String(length=40), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['priority_id'], ['priorities.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('priority_id', 'theme')
    )
    op.create_index('ix_priority_themes_theme', 'priority_themes', ['theme'])

    op.create_table('raw_cells',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('table_id', sa.Integer(), nullable=False),
        sa.Column('row', sa.Integer(), nullable=False),
        sa.Column('col', sa.Integer(), nullable=False),
        sa.Column('header', sa.Boolean(), nullable=False),
        sa.Column('page', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['table_id'], ['raw_tables.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_raw_cells_table_id', 'raw_cells', ['table_id'])

    op.create_table('action_themes',
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('theme', sa.String(length=40), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['actions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('action_id', 'theme')
    )
    op.create_index('ix_action_themes_theme', 'action_themes', ['theme'])

    _fulltext(_SQLITE_FTS, _PG_FTS)


def downgrade() -> None:
    _fulltext(_SQLITE_FTS_DROP, _PG_FTS_DROP)
    op.drop_table('action_themes')
    op.drop_table('raw_cells')
    op.drop_table('priority_themes')
    op.drop_table('actions')
    op.drop_table('sections')
    op.drop_table('raw_tables')
    op.drop_table('priorities')
    op.drop_table('indicators')
    op.drop_table('import_errors')
    op.drop_table('documents')
    op.drop_table('board_aliases')
    op.drop_table('import_runs')
    op.drop_table('boards')
