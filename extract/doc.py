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
        raise MissingDependency(".doc needs LibreOffice to convert it (apt-get install libreoffice-writer)",
                                file=str(path))
    profile = Path(outdir) / "profile"
    cmd = [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target,
           "--outdir", str(outdir), str(path)]
    try:
        subprocess.run(cmd, check=False, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise ExtractError(f"LibreOffice conversion timed out after {TIMEOUT}s", file=str(path)) from exc
    out = Path(outdir) / f"{path.stem}.{target.split(':')[0]}"
    if not out.exists():
        raise ExtractError("LibreOffice could not convert this file (corrupt or not a Word document)",
                           file=str(path))
    return out


def read_doc(path: Path) -> Document:
    from extract.docx import read_docx

    with tempfile.TemporaryDirectory(prefix="boardplans-doc-") as tmp:
        converted = convert(path, "docx", Path(tmp))
        doc = read_docx(converted)
    doc.format = "doc"
    doc.source = str(path)
    return doc
