"""A file's own metadata dates (created, last modified), read cheaply beside the reader.

Two files of one plan can be told apart by the plan's own words (a title's
'Review May 2014'), and failing that by when the file says it was written:
DOCX core properties (``dcterms:created``/``modified``), a PDF's Info
dictionary (``/CreationDate``, ``/ModDate``), a .doc's OLE summary.  These are
hints, not facts (a PDF exported today from an old DOCX is 'created' today),
so the loader uses them only after the plan's own dates.  Nothing here reads
the body: a DOCX is one small zip member, a PDF its trailer, so the cost is a
few milliseconds, and any failure just means no dates.
"""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

_W3CDTF = re.compile(r"<dcterms:(created|modified)\b[^>]*>([^<]+)</dcterms:\1>")
# D:YYYYMMDDHHmmSS with optional parts and a zone (Z, +HH'mm', -HH'mm')
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*([Zz+\-])?(\d{2})?'?(\d{2})?'?")


def _iso(moment: datetime) -> str:
    """UTC ISO 8601 to the second ('2014-06-01T09:00:00Z'): one form for every format, sortable as text."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def _plausible(moment: datetime) -> bool:
    """Files dated before 1990 or after 2100 carry a default, not a date."""
    return 1990 <= moment.year < 2100


def pdf_date(text: str | None) -> str | None:
    """A PDF date string ('D:20140601090000Z', "D:20140601100000+01'00'") as UTC ISO 8601, or None."""
    m = _PDF_DATE.match((text or "").strip())
    if not m:
        return None
    year, month, day, hour, minute, second, sign, tz_h, tz_m = m.groups()
    try:
        moment = datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
                          int(second or 0))
    except ValueError:
        return None
    if sign in ("+", "-") and tz_h:
        from datetime import timedelta

        offset = timedelta(hours=int(tz_h), minutes=int(tz_m or 0))
        moment = moment - offset if sign == "+" else moment + offset
    return _iso(moment) if _plausible(moment) else None


def _w3c(text: str) -> str | None:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return _iso(moment) if _plausible(moment) else None


def docx_dates(path: Path) -> dict[str, str]:
    """``dcterms:created``/``modified`` of an Office Open XML package (DOCX, XLSX) without parsing its body."""
    with zipfile.ZipFile(path) as z:
        return zip_dates(z)


def zip_dates(z: zipfile.ZipFile) -> dict[str, str]:
    """:func:`docx_dates` of a package already open (the DOCX reader's, so the file is opened once)."""
    try:
        core = z.read("docProps/core.xml").decode("utf-8", "replace")
    except KeyError:
        return {}
    found = {name: _w3c(value) for name, value in _W3CDTF.findall(core)}
    return {k: v for k, v in found.items() if v}


def pdf_dates(path: Path, password: str | None = None) -> dict[str, str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path), password=password or None)
    try:
        info = doc.get_metadata_dict()
    finally:
        doc.close()
    found = {"created": pdf_date(info.get("CreationDate")), "modified": pdf_date(info.get("ModDate"))}
    return {k: v for k, v in found.items() if v}


def doc_dates(path: Path) -> dict[str, str]:
    import olefile

    with olefile.OleFileIO(str(path)) as ole:
        meta = ole.get_metadata()
    found = {}
    for name, value in (("created", meta.create_time), ("modified", meta.last_saved_time)):
        if isinstance(value, datetime) and _plausible(value):
            found[name] = _iso(value)
    return found


def file_dates(path: str | Path, fmt: str, password: str | None = None) -> dict[str, str]:
    """``{"created": ISO, "modified": ISO}`` (either may be missing) from the file's metadata; {} when none."""
    p = Path(path)
    readers = {"docx": lambda: docx_dates(p), "xlsx": lambda: docx_dates(p),  # one OOXML core.xml
               "pdf": lambda: pdf_dates(p, password), "doc": lambda: doc_dates(p)}
    reader = readers.get(fmt)
    if reader is None:  # text renderings: a file's mtime is when it was copied, not when the plan was written
        return {}
    try:
        return reader()
    except Exception:  # metadata is a hint: a file the reader could read but whose metadata is odd has none
        return {}
