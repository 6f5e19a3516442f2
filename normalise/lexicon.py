"""Loading the domain data files (column synonyms, themes, status cues, heading roles).

Domain knowledge lives in ``data/*.toml`` so a new board layout is a data
change.  Files are read once per process; a user file can override the
built-in column lexicon.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@cache
def load(name: str) -> dict[str, Any]:
    """Parsed ``data/<name>.toml``."""
    with open(DATA_DIR / f"{name}.toml", "rb") as fh:
        return tomllib.load(fh)


def load_file(path: str | Path) -> dict[str, Any]:
    with open(path, "rb") as fh:
        return tomllib.load(fh)
