"""Scanned plans: OCR'd first where OCRmyPDF and Tesseract are installed (CI installs them)."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import ROOT, expected, scorer

from extract import read
from extract.ocr import available
from models.errors import NoTextLayer
from pipeline import extract_file

SCAN = ROOT / "tests" / "data" / "scanned-shropshire-p2.pdf"  # page 2 of the Shropshire PDF as a 150 dpi image


@pytest.fixture(autouse=True)
def _ocr_on(monkeypatch):
    monkeypatch.setenv("BOARDPLANS_OCR", "1")  # the suite turns OCR off elsewhere (conftest)


def _need_ocr() -> None:
    if not available():
        message = "OCR needs tesseract (apt-get install tesseract-ocr) and ocrmypdf (the test extra)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def test_scan_is_ocrd_and_its_matrix_read():
    _need_ocr()
    plan = extract_file(SCAN).to_dict()
    assert plan["error"] is None
    assert "no text layer: text read by OCR (tesseract)" in plan["warnings"]
    res = scorer().score(expected("shropshire-2016-18"), [plan])
    assert res["recall"] >= 0.9 and res["score"] >= 0.85, res
    assert {a["lead"] for a in plan["actions"]} >= {"Training sub group", "QAP sub group", "P&P"}


def test_ocr_off_reports_the_scan():
    with pytest.raises(NoTextLayer, match=r"no text layer \(scanned\?\)"):
        read(SCAN, ocr=False)


def test_ocr_unavailable_reports_the_scan(monkeypatch):
    monkeypatch.setenv("BOARDPLANS_OCR", "1")
    monkeypatch.setattr(shutil, "which", lambda name: None)  # no tesseract on this machine
    assert available() is False
    with pytest.raises(NoTextLayer, match=r"no text layer \(scanned\?\)"):
        read(SCAN)
