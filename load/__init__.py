"""Loading contract records into a SQL database (SQLite by default, any SQLAlchemy URL)."""

from load.db import DEFAULT_URL, connect
from load.loader import LoadResult, load_document, record_error, summary

__all__ = ["DEFAULT_URL", "LoadResult", "connect", "load_document", "record_error", "summary"]
