"""OCR for scanned plans: a PDF with no text layer gets one from OCRmyPDF (Tesseract), then is read.

Optional: it needs the ``ocrmypdf`` package and the ``tesseract`` program
(``pip install -e '.[ocr]'``, ``apt-get install tesseract-ocr``).  Where they are
missing, a scan is reported as 'no text layer (scanned?)' as before.  OCR is
slow (seconds a page), so ``BOARDPLANS_OCR=0`` turns it off for a batch.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from models.document import Document
from models.errors import NoTextLayer

TIMEOUT = 600


def available() -> bool:
    """OCR is on when OCRmyPDF and Tesseract are installed, unless BOARDPLANS_OCR=0."""
    if os.environ.get("BOARDPLANS_OCR", "").strip().lower() in ("0", "false", "no", "off"):
        return False
    return shutil.which("tesseract") is not None and _ocrmypdf() is not None


def camelot_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("camelot") is not None


def _ocrmypdf() -> list[str] | None:
    exe = shutil.which("ocrmypdf") or str(Path(sys.executable).with_name("ocrmypdf"))
    return [exe] if Path(exe).exists() else None


def read_with_ocr(path: Path, read: Callable[[Path], Document]) -> Document:
    """Add a text layer to ``path`` with OCRmyPDF and read the result with ``read``."""
    cmd = _ocrmypdf()
    if cmd is None:
        raise NoTextLayer("no text layer (scanned?)", file=str(path))
    with tempfile.TemporaryDirectory(prefix="boardplans-ocr-") as tmp:
        out = Path(tmp) / "ocr.pdf"
        try:
            res = subprocess.run([*cmd, "--quiet", "--skip-text", "--output-type", "pdf", "-l", "eng",
                                  str(path), str(out)], capture_output=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise NoTextLayer(f"no text layer (scanned?); OCR timed out after {TIMEOUT}s", file=str(path)) from exc
        if res.returncode != 0 or not out.exists():
            raise NoTextLayer("no text layer (scanned?); OCR failed", file=str(path))
        try:
            doc = read(out)
        except NoTextLayer as exc:
            raise NoTextLayer("no text layer (scanned?)", file=str(path)) from exc
    doc.warnings.append("no text layer: text read by OCR (tesseract)")
    return doc
