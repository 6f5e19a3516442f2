"""Hard cases built by ``tests/data/build_cases.py``: rows split at every page break, a header that
does not repeat, a scanned PDF, an encrypted PDF, and a legacy Word .doc.

Expected records are hand-written in ``tests/data/<name>.json``; each case is scored with
``shared/tools/score.py`` and its key records are compared field by field.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, fold, scorer

DATA = ROOT / "tests" / "data"
KEY_FIELDS = ("section", "ref", "action", "lead", "timescale", "start", "end", "progress")



@cache
def _extracted(path: Path) -> dict:
    from pipeline import extract_file

    return extract_file(path).to_dict()


def _expected(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "pipeline.py"), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, env=env)


SPLIT_CASES = [("long-split-table", [1, 2, 3]), ("no-repeat-header", [1, 2])]


@pytest.mark.parametrize("ext", ["pdf", "docx"])
@pytest.mark.parametrize(("name", "pages"), SPLIT_CASES)
def test_split_rows_score(name, pages, ext):
    got = _extracted(DATA / f"{name}.{ext}")
    assert got["error"] is None
    res = scorer().score(_expected(name), [got])
    assert res["score"] >= 0.95, {k: v for k, v in res.items() if k != "_misses"}
    assert res["recall"] == 1.0 and res["precision"] == 1.0


@pytest.mark.parametrize("ext", ["pdf", "docx"])
@pytest.mark.parametrize(("name", "pages"), SPLIT_CASES)
def test_split_rows_are_one_action_each(name, pages, ext):
    """Every row cut by a page break is ONE action, its texts joined in order; nothing else is an action."""
    got = _extracted(DATA / f"{name}.{ext}")["actions"]
    want = _expected(name)["actions"]
    assert [a["ref"] for a in got] == [a["ref"] for a in want]
    for g, w in zip(got, want, strict=True):
        assert {f: fold(g[f]) for f in KEY_FIELDS} == {f: fold(w[f]) for f in KEY_FIELDS}
    assert [a["page"] for a in got] == (pages if ext == "pdf" else [None] * len(pages))


def test_no_repeated_header_is_still_one_table():
    """Without tblHeader the next page's part starts with the split row's tail; the stitcher joins it."""
    got = _extracted(DATA / "no-repeat-header.pdf")
    actions_tables = [t for t in got["tables"] if t["kind"] == "actions"]
    assert len(actions_tables) == 1
    assert actions_tables[0]["header"] == ["Ref", "Action", "Lead", "Timescale", "Progress"]


@pytest.mark.parametrize(("name", "reason"), [("scanned", "no text layer (scanned?)"),
                                               ("encrypted", "encrypted PDF (password required)")])
def test_unreadable_pdfs_print_their_document_line_with_the_reason(name, reason):
    path = DATA / f"{name}.pdf"
    res = _cli("extract", str(path))
    assert res.returncode == 1
    (line,) = res.stdout.splitlines()
    doc = json.loads(line)
    assert doc["error"] == reason and doc["source"] == str(path)
    assert doc["actions"] == [] and doc["tables"] == []
    assert res.stderr.strip() == f"Error: {path}: {reason}"


def _action_keys(doc: dict) -> list[tuple]:
    return [tuple(fold(a[f]) for f in ("section", "priority", "ref", "action", "lead", "timescale", "progress"))
            for a in doc["actions"]]


@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice (soffice) is not installed: .doc files cannot be converted")
def test_doc_gives_the_same_actions_as_the_docx():
    doc = _extracted(DATA / "shropshire-2016-18.doc")
    docx = _extracted(FIXTURES / "shropshire-2016-18.docx")
    assert doc["error"] is None and doc["format"] == "doc"
    assert doc["board"] == docx["board"] and doc["title"] == docx["title"]
    assert len(doc["actions"]) == 12
    assert _action_keys(doc) == _action_keys(docx)
    assert [p["label"] for p in doc["priorities"]] == [p["label"] for p in docx["priorities"]]


def test_doc_without_libreoffice_is_one_clear_line(monkeypatch, tmp_path):
    """No soffice on PATH: the library raises a one-line error naming the file, and the CLI prints it."""
    import extract.doc
    from extract import read
    from models.errors import MissingDependency

    path = DATA / "shropshire-2016-18.doc"
    monkeypatch.setattr(extract.doc.shutil, "which", lambda name: None)
    with pytest.raises(MissingDependency) as info:
        read(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and "LibreOffice" in message

    env = {k: v for k, v in os.environ.items() if k != "PATH"} | {"PATH": str(tmp_path)}
    res = _cli("extract", str(path), env=env)
    assert res.returncode == 1
    assert json.loads(res.stdout)["error"] == info.value.reason
    assert re.fullmatch(rf"Error: {re.escape(str(path))}: [^\n]*LibreOffice[^\n]*", res.stderr.strip())
