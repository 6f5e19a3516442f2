"""Bad and hostile inputs (tests/bad/, built by tests/bad/build.py): one clear line each, and the batch goes on."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, ROOT
from sqlalchemy import func, select

from load import connect
from models.schema import ActionRow, DocumentRow
from pipeline import extract_file, import_paths

BAD = ROOT / "tests" / "bad"

CASES = {
    "zero-byte.pdf": "empty file (0 bytes)",
    "truncated.pdf": "not a readable PDF (PdfminerException: Unexpected EOF)",
    "really-html.pdf": "not a PDF (no %PDF header)",
    "encrypted.pdf": "encrypted PDF (password required)",
    "scanned.pdf": "no text layer (scanned?)",
    "zip-bomb.docx": "DOCX unpacks to 1025 MB, over the 256 MB limit (zip bomb?)",
    "xxe.docx": "DOCX part word/document.xml declares a DTD or entities (refused: external entities)",
    "not-word.doc": "corrupt Word .doc file (OLE sector index out of range)",
}


@pytest.mark.parametrize("name,reason", sorted(CASES.items()))
def test_each_bad_input_gives_one_clear_line(name, reason):
    plan = extract_file(BAD / name)
    assert plan.error == reason
    assert plan.actions == [] and plan.tables == []
    res = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "extract", str(BAD / name)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 1
    assert res.stderr.strip() == f"Error: {BAD / name}: {reason}"  # one line, no traceback


def test_encrypted_pdf_opens_with_its_password():
    plan = extract_file(BAD / "encrypted.pdf", password="secret")
    assert plan.error is None and len(plan.actions) == 12
    assert extract_file(BAD / "encrypted.pdf", password="nope").error == "wrong password for encrypted PDF"


def test_hostile_content_stream_is_survived():
    plan = extract_file(BAD / "looping.pdf")  # a form that draws itself, a 5000-deep array
    assert plan.error is None and plan.actions == []
    assert plan.warnings == ["no tables found"]


def test_xxe_never_reads_local_files():
    plan = extract_file(BAD / "xxe.docx")
    assert "root:" not in str(plan.to_dict())


def test_big_table_and_odd_names_load():
    plan = extract_file(BAD / "table-10000-rows.docx")
    assert plan.error is None and len(plan.actions) == 10_000
    assert plan.actions[-1].ref == "100.0" and plan.actions[-1].start == "2015-04"
    odd = extract_file(BAD / "plan with spaces – Ünïcode.docx")
    assert odd.error is None and len(odd.actions) == 12


def test_non_utf8_text_is_read():
    plan = extract_file(BAD / "latin1.txt")
    assert plan.error is None and plan.board == "Café Safeguarding Children Board"


def test_batch_goes_on_and_loses_nothing(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in CASES:
        shutil.copy(BAD / name, folder / name)
    shutil.copy(FIXTURES / "surrey-2012-15.docx", folder / "good.docx")
    report = import_paths([folder], db=str(tmp_path / "b.db"))
    assert report.loaded == 1
    assert sorted(reason for _, reason in report.failed) == sorted(CASES.values())
    with connect(str(tmp_path / "b.db"))() as s:
        assert s.scalar(select(func.count()).select_from(DocumentRow)) == 1
        assert s.scalar(select(func.count()).select_from(ActionRow)) == 25
