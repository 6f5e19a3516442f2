"""Engine and session set-up for a database URL, with the schema migrated to the latest revision.

A bare path is taken as a SQLite file; ``postgresql+psycopg://`` uses psycopg 3.
The schema is owned by the Alembic migrations in ``alembic/`` (not by
``create_all``), because the full-text index is dialect-specific DDL that the
models cannot express; ``connect()`` runs any pending migration so ``import``
works on a fresh database and an older database is brought up to date.

Several imports may start at once on a new database: migrations run under a
lock (a transaction-scoped advisory lock on PostgreSQL, ``BEGIN IMMEDIATE`` on
SQLite), so one creates the schema and the others find it made.  Connection
pools are emptied before every ``fork`` and forgotten in the child, so a worker
process never holds (or closes) one of the parent's connections.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from models.errors import BoardplansError, MissingDependency

DEFAULT_URL = "sqlite:///plans.db"
ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "alembic"

_ENGINES: dict[str, Engine] = {}
_MIGRATED: set[str] = set()
_LOCK = threading.Lock()


#: Key of the PostgreSQL advisory lock migrations hold ('bpmigrate' as a number).
MIGRATION_LOCK = 0x62706D6967726174

#: Seconds a SQLite connection waits for another process's write lock (imports may run at once).
SQLITE_BUSY_SECONDS = 60


class DatabaseError(BoardplansError):
    """The database cannot be reached or is not one this schema can take over."""


class DatabaseFault(DatabaseError):
    """The database failed in a way that is not the document's fault (full, read-only, gone): stop the batch."""


def _sqlstate(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")


def fault_reason(exc: BaseException) -> str | None:
    """Why ``exc`` is the database's fault rather than the document's, in a few words; None if it is not.

    SQLite reports a full disk, a read-only file, an I/O error or a lock held too long as an
    ``OperationalError``; PostgreSQL as SQLSTATE classes 08 (connection), 53 (resources: disk
    full, out of memory), 57 (server shut down, connection terminated), 58 (system I/O), 25006
    (read-only transaction) and 42501 (no write privilege).  Bad data (DataError) and unique-key
    races (IntegrityError) are the document's or are retried elsewhere.
    """
    if not isinstance(exc, DBAPIError):
        return None
    state = _sqlstate(exc)
    fatal = (isinstance(exc, OperationalError) or exc.connection_invalidated
             or state[:2] in ("08", "53", "57", "58") or state in ("25006", "42501"))
    if not fatal:
        return None
    lines = str(exc.orig if exc.orig is not None else exc).strip().splitlines()
    return lines[0] if lines else exc.__class__.__name__


def is_disconnect(exc: BaseException) -> bool:
    """A lost connection (worth a bounded retry on a fresh one), as opposed to a full or read-only database."""
    if not isinstance(exc, DBAPIError):
        return False
    state = _sqlstate(exc)
    # a server that cannot be reached at all gives psycopg's OperationalError with no SQLSTATE
    unreachable = isinstance(exc, OperationalError) and not state and \
        type(exc.orig).__module__.startswith(("psycopg", "pg8000", "asyncpg"))
    return exc.connection_invalidated or unreachable or state[:2] == "08" or state in ("57P01", "57P02", "57P03")


def resolve_url(url: str | None) -> str:
    """The URL to use: the argument, else ``$BOARDPLANS_DB``, else ``plans.db``; a bare path is SQLite."""
    url = url or os.environ.get("BOARDPLANS_DB") or DEFAULT_URL
    if "://" not in url:
        url = f"sqlite:///{url}"
    return url


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def engine_for(url: str | None = None) -> Engine:
    """One engine per URL for the process (so repeated ``connect()`` calls share a connection pool)."""
    url = resolve_url(url)
    with _LOCK:
        engine = _ENGINES.get(url)
        if engine is not None:
            return engine
        sqlite = url.startswith("sqlite")
        try:
            engine = create_engine(url, pool_pre_ping=url.startswith("postgresql"),
                                   connect_args={"timeout": SQLITE_BUSY_SECONDS} if sqlite else {})
        except ModuleNotFoundError as exc:
            raise MissingDependency(f"database driver missing ({exc.name}); for PostgreSQL install "
                                    f"psycopg: pip install 'psycopg[binary]'") from exc
        if engine.dialect.name == "sqlite":
            @event.listens_for(engine, "connect")
            def _fk_on(dbapi_conn, _record) -> None:  # cascades need foreign keys on in SQLite
                dbapi_conn.execute("PRAGMA foreign_keys=ON")
        _ENGINES[url] = engine
        return engine


def dispose(url: str | None = None) -> None:
    """Close the pooled connections of ``url`` (or of every URL): needed before dropping a database."""
    with _LOCK:
        urls = [resolve_url(url)] if url else list(_ENGINES)
        for u in urls:
            engine = _ENGINES.pop(u, None)
            if engine is not None:
                engine.dispose()
            _MIGRATED.discard(u)


def _empty_pools_before_fork() -> None:
    """Close every pooled (idle) connection, so a forked child inherits no database socket or file."""
    if not _LOCK.acquire(blocking=False):
        return
    try:
        for engine in _ENGINES.values():
            engine.pool.dispose()
    finally:
        _LOCK.release()


def _forget_engines_in_child() -> None:
    """In a forked child: drop the parent's engines without touching their connections (they are the parent's)."""
    global _LOCK
    _LOCK = threading.Lock()
    for engine in _ENGINES.values():
        engine.dispose(close=False)
    _ENGINES.clear()
    _MIGRATED.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_empty_pools_before_fork, after_in_child=_forget_engines_in_child)


def alembic_config(url: str | None = None):
    """An Alembic ``Config`` for ``url`` pointing at the project's migrations (no ini file needed)."""
    from alembic.config import Config

    cfg = Config()   # no ini file: env.py then leaves the caller's logging alone
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", resolve_url(url).replace("%", "%%"))
    return cfg


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(url: str | None = None) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine_for(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(url: str | None = None, revision: str = "head") -> str | None:
    """Run the migrations up to ``revision`` in one transaction; the revision the database is then at.

    A database holding the tables of the pre-migration loader (no ``alembic_version``) is refused
    with a clear message rather than half-migrated: re-import the files into a new database.
    """
    return _migrate(url, revision, down=False)


def downgrade(url: str | None = None, revision: str = "base") -> str | None:
    """Undo migrations down to ``revision`` (``base``: drop every table), in one transaction."""
    return _migrate(url, revision, down=True)


def _migrate(url: str | None, revision: str, down: bool) -> str | None:
    from alembic import command

    url = resolve_url(url)
    engine = engine_for(url)
    try:
        with engine.begin() as conn:
            _lock_for_migration(conn)
            tables = set(inspect(conn).get_table_names())
            if "documents" in tables and "alembic_version" not in tables:
                raise DatabaseError(f"{display_url(url)}: the database was made before migrations existed; "
                                    "import the files again into a new database")
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(cfg, revision)
    except OperationalError as exc:
        raise DatabaseError(f"{display_url(url)}: cannot open database "
                            f"({str(exc.orig).strip().splitlines()[0] if exc.orig else exc})") from exc
    with _LOCK:
        _MIGRATED.discard(url)
    return current_revision(url)


def _lock_for_migration(conn) -> None:
    """Take the database-wide migration lock for this transaction (waits for another migrating process)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock now, not at the first CREATE


def connect(url: str | None = None, create: bool = True) -> sessionmaker[Session]:
    """A session factory for ``url``, with the schema migrated to the latest revision.

    ``create=False`` is for the read-only questions: a SQLite file that does not exist is an
    error (a typo in ``--db`` should not answer 'no boards' from a new empty file).
    """
    url = resolve_url(url)
    if not create:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
                and not Path(parsed.database).exists():
            raise DatabaseError(f"no database at {parsed.database}; import plans first "
                                f"(pipeline.py import PATH --db ...)")
    engine = engine_for(url)
    if url not in _MIGRATED:
        try:
            at_head = current_revision(url) == head_revision()
        except OperationalError as exc:
            raise DatabaseError(f"{display_url(url)}: cannot open database "
                                f"({str(exc.orig).strip().splitlines()[0] if exc.orig else exc})") from exc
        if not at_head:
            upgrade(url)
        _MIGRATED.add(url)
    return sessionmaker(engine, expire_on_commit=False)
