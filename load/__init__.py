"""Loading contract records into a SQL database (SQLite by default, any SQLAlchemy URL)."""

from load.db import DEFAULT_URL, DatabaseError, connect, upgrade
from load.loader import LoadResult, finish_run, known_hashes, load_document, record_error, start_run, summary

__all__ = ["DEFAULT_URL", "DatabaseError", "LoadResult", "connect", "finish_run", "known_hashes", "load_document",
           "record_error",
           "start_run", "summary", "upgrade"]
