"""Legacy Word ``.doc``: converted to DOCX by LibreOffice headless, then read as DOCX.

LibreOffice is a system package, not a Python one, so its absence is reported
as a clear error naming the file rather than failing at import time.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from models.document import Document
from models.errors import ExtractError, MissingDependency

TIMEOUT = 120


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(path: Path, target: str, outdir: Path) -> Path:
    """Convert ``path`` with LibreOffice into ``outdir``; return the new file."""
    exe = soffice()
    if exe is None:
        package = "libreoffice-calc" if path.suffix.lower() in (".xls", ".ods") else "libreoffice-writer"
        raise MissingDependency(f"{path.suffix.lower() or path.name} needs LibreOffice to convert it "
                                f"(apt-get install {package})", file=str(path))
    profile = Path(outdir) / "profile"
    cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target,
           "--outdir", str(outdir), str(path)]
    try:
        subprocess.run(cmd, check=False, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise ExtractError(f"LibreOffice conversion timed out after {TIMEOUT}s", file=str(path)) from exc
    out = Path(outdir) / f"{path.stem}.{target.split(':')[0]}"
    if not out.exists():
        kind = "spreadsheet" if target == "xlsx" else "Word document"
        raise ExtractError(f"LibreOffice could not convert this file (corrupt or not a {kind})",
                           file=str(path))
    return out


OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_word_binary(path: Path) -> None:
    """A file in Word's binary (OLE2) container must hold a WordDocument stream.

    LibreOffice 'opens' a damaged container as plain text and returns noise, so
    a broken .doc is caught here with a reason.  Legacy .doc files that are
    really RTF or HTML are left to LibreOffice, which reads them well.
    """
    with open(path, "rb") as fh:
        if fh.read(8) != OLE_SIGNATURE:
            return
    try:
        import olefile
    except ImportError:  # optional: LibreOffice alone still converts good files
        return
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if not ole.exists("WordDocument"):
                raise ExtractError("not a Word document (OLE file without a WordDocument stream)",
                                   file=str(path))
    except OSError as exc:
        raise ExtractError(f"corrupt Word .doc file ({exc})", file=str(path)) from exc


def read_as_docx(path: Path, fmt: str) -> Document:
    """A word-processor file LibreOffice can open (.doc, .odt), converted to DOCX and read as DOCX;
    the document keeps its own format and path."""
    from extract.docx import read_docx

    with tempfile.TemporaryDirectory(prefix=f"boardplans-{fmt}-") as tmp:
        converted = convert(path, "docx", Path(tmp))
        doc = read_docx(converted)
    doc.format = fmt
    doc.source = str(path)
    return doc


def read_doc(path: Path) -> Document:
    check_word_binary(path)
    return read_as_docx(path, "doc")
