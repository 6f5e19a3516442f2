"""Shared test helpers: fixture paths, cached extraction, expected records."""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"
PLANS = ["surrey-2012-15", "shropshire-2016-18", "staffordshire-2011-12", "solihull-2012-13",
         "sunderland-2018-19"]
FORMATS = ["docx", "pdf"]

sys.path.insert(0, str(ROOT))

# OCR (extract/ocr.py) runs on scans where OCRmyPDF and Tesseract are installed; it is slow and
# would turn the 'no text layer' cases into OCR cases on such machines, so tests ask for it
# explicitly (tests/test_ocr.py). Subprocesses inherit this.
os.environ["BOARDPLANS_OCR"] = "0"


@cache
def extracted(name: str, ext: str) -> dict:
    """The contract document the pipeline gives for a fixture (cached per test run)."""
    from pipeline import extract_file

    plan = extract_file(FIXTURES / f"{name}.{ext}")
    assert plan.error is None, plan.error
    return plan.to_dict()


@cache
def scorer():
    """shared/tools/score.py as a module (the scorer the project is measured with)."""
    import importlib.util

    import pytest

    path = SHARED / "tools" / "score.py"
    if not path.exists():
        pytest.fail(f"{path} is missing: the tests need the shared folder beside the repository")
    spec = importlib.util.spec_from_file_location("score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def expected(name: str) -> dict:
    return json.loads((FIXTURES / "expected" / f"{name}.json").read_text(encoding="utf-8"))


def fold(value):
    """Whitespace-insensitive form of a record value (line breaks vs spaces do not matter)."""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return [fold(v) for v in value]
    if isinstance(value, dict):
        return {k: fold(v) for k, v in value.items()}
    return value


def pick(actions: list[dict], **where) -> dict:
    hits = [a for a in actions if all(a.get(k) == v for k, v in where.items())]
    assert len(hits) == 1, f"{len(hits)} actions match {where}"
    return hits[0]


RECORD_FIELDS = ("section", "priority", "objective", "ref", "action", "lead", "timescale", "start", "end",
                 "progress", "outcome")


def record(action: dict, fields=RECORD_FIELDS) -> dict:
    return {f: fold(action.get(f)) for f in fields}


# Database fixtures (SQLite and PostgreSQL): see tests/db_fixtures.py.
from db_fixtures import db_url, fixtures_db  # noqa: E402, F401
