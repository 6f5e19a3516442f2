"""Loading contract records into a SQL database (SQLite by default, any SQLAlchemy URL).

The names below are loaded on first use (PEP 562), not when the package is imported: the command
line imports ``load.output`` for its ``--format`` choices, and ``pipeline.py --help`` should not pay
for SQLAlchemy and the schema to print them.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_HOME = {
    "DEFAULT_URL": "load.db", "DatabaseError": "load.db", "connect": "load.db", "upgrade": "load.db",
    "LoadResult": "load.loader", "finish_run": "load.loader", "known_hashes": "load.loader",
    "load_document": "load.loader", "load_documents": "load.loader", "record_error": "load.loader",
    "start_run": "load.loader",
    "summary": "load.loader",
}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'load' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))
