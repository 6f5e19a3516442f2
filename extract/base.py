"""Reader registry and the one entry point, ``read``.

Each format module registers a function ``path -> Document``.  Dispatch is by
suffix, after a cheap look at the file's first bytes so that a ``.pdf`` that is
really HTML, or an empty file, fails with a clear reason instead of a parser
traceback.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from models.document import Document
from models.errors import ExtractError, NoTextLayer, UnsupportedFormat

Reader = Callable[..., Document]

# pdfminer logs every malformed font or cyclic stream it works around; a user
# needs the one-line reason when a file fails, not the parser's chatter.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

_TEXT_FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html"}

#: PDF engines selectable with ``--engine``. "pdfium" is the default: the PDF reader of
#: ``extract/pdf.py`` (ruled grids, borderless tables from text alignment, prose) fed with words
#: and rulings read by PDFium through pypdfium2 (``extract/pdfium.py``), several times faster
#: than "pdfplumber", the same reader fed by pdfplumber, which gives the same Document on every
#: fixture; "camelot" finds the tables with camelot-py (lattice, then stream) while text and
#: prose stay the pdfplumber reader's.
ENGINES = ("pdfplumber", "camelot", "pdfium")
DEFAULT_ENGINE = "pdfium"


def sha256_of(path: str | Path) -> str:
    """Content hash used to recognise an unchanged file on re-import."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _sniff(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(8)


def _reader_for(path: Path, engine: str) -> tuple[str, Reader]:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        if engine == "pdfium":
            from extract import pdfium
            return "pdf", pdfium.read_pdf
        from extract import pdf
        return "pdf", pdf.read_pdf
    if suffix == ".docx":
        from extract import docx
        return "docx", docx.read_docx_dated
    if suffix == ".doc":
        from extract import doc
        return "doc", doc.read_doc
    if suffix == ".xlsx":
        from extract import xlsx
        return "xlsx", xlsx.read_xlsx
    if suffix in (".xls", ".ods"):
        from extract import xlsx
        return suffix[1:], xlsx.read_converted
    if suffix == ".odt":
        from extract import xlsx
        return "odt", xlsx.read_odt
    if suffix in (".txt", ".md", ".html", ".htm"):
        from extract import text
        return _TEXT_FORMATS[suffix], text.read_text
    raise UnsupportedFormat(f"unsupported format '{suffix or path.name}' "
                            f"(expected one of {', '.join(supported_suffixes())})", file=str(path))


def supported_suffixes() -> tuple[str, ...]:
    return (".pdf", ".docx", ".doc", ".xlsx", ".xls", ".ods", ".odt", ".txt", ".md", ".html")


def read(path: str | Path, *, engine: str = DEFAULT_ENGINE, password: str | None = None,
         ocr: bool | None = None) -> Document:
    """Read one file into the neutral document model.

    Raises a :class:`models.errors.BoardplansError` subclass with a one-line
    reason for every input problem the pipeline knows about.  ``password``
    opens an encrypted PDF; a PDF with no text layer is OCR'd first when
    ``ocr`` is true (default: when OCRmyPDF and Tesseract are installed).
    """
    p = Path(path)
    if not p.is_file():
        raise ExtractError("no such file", file=str(path))
    fmt, reader = _reader_for(p, engine)
    if p.stat().st_size == 0:
        raise ExtractError("empty file (0 bytes)", file=str(path))
    head = _sniff(p)
    if fmt == "pdf" and not head.startswith(b"%PDF"):
        raise ExtractError("not a PDF (no %PDF header)", file=str(path))
    if fmt == "docx" and not head.startswith(b"PK"):
        raise ExtractError("not a DOCX (not a zip package)", file=str(path))
    if fmt in ("xlsx", "ods", "odt") and not head.startswith(b"PK"):
        raise ExtractError(f"not a {fmt.upper()} (not a zip package)", file=str(path))
    if fmt == "pdf" and engine not in ENGINES:
        raise ExtractError(f"unknown PDF engine '{engine}' (choose from {', '.join(ENGINES)})",
                           file=str(path))
    if fmt == "pdf":
        try:
            doc = reader(p, engine=engine, password=password)
        except NoTextLayer:
            from extract import ocr as ocr_mod

            if not (ocr_mod.available() if ocr is None else ocr):
                raise
            # a scan's rulings are pixels: camelot's lattice finds them in the page image
            scan_engine = ("camelot" if engine in ("pdfplumber", "pdfium") and ocr_mod.camelot_available()
                           else engine)
            scan_reader = _reader_for(p, scan_engine)[1]
            doc = ocr_mod.read_with_ocr(p, lambda q: scan_reader(q, engine=scan_engine))
    else:
        doc = reader(p)
    doc.source = str(path)
    if not doc.dates:
        from extract.filedates import file_dates

        doc.dates = file_dates(p, fmt, password)
    if not any(getattr(b, "text", None) or getattr(b, "cells", None) for b in doc.blocks):
        raise ExtractError("no text found (empty document, or not a document LibreOffice could read)",
                           file=str(path))
    return doc
