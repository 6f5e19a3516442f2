"""DOCX reader on python-docx: body order, headings, list paragraphs and merged cells.

python-docx's high-level ``table.cell()`` API repeats a merged cell at every
grid position and hides ``vMerge``, so tables are read from the XML rows
directly: ``gridBefore``/``gridSpan`` give column positions and spans,
``vMerge`` continuations extend the row span of the cell above, and
``tblHeader`` marks the header rows Word repeats on each page.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from extract.colour import theme_scheme, visible_fill, word_theme_fill
from extract.docx_package import open_package
from extract.filedates import zip_dates
from models.document import BULLET, Cell, Document, Heading, Paragraph, Table
from models.errors import ExtractError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING = re.compile(r"^(?:heading|überschrift|titre)\s*(\d)", re.I)
_SPACES = re.compile(r"[ \t\u00a0]+")
_LEAD_BULLET = re.compile(r"^[•\uf0b7\u25aa\u25cf]\s*")
_LIST_STYLE = re.compile(r"^list(?: bullet| number| continue)?\s+(\d)$")
_WHITE = re.compile(r"\s+")
# the tags and attributes read per paragraph and cell, spelled once
_P, _R, _T, _TAB, _BR, _CR, _SYM = (W + k for k in ("p", "r", "t", "tab", "br", "cr", "sym"))
_PPR, _PSTYLE, _NUMPR, _NUMID, _ILVL, _RPR, _B = (W + k for k in ("pPr", "pStyle", "numPr", "numId", "ilvl",
                                                                    "rPr", "b"))
_TR, _TC, _TRPR, _TCPR, _TBLHEADER, _GRIDBEFORE, _GRIDSPAN, _VMERGE, _SHD = (W + k for k in (
    "tr", "tc", "trPr", "tcPr", "tblHeader", "gridBefore", "gridSpan", "vMerge", "shd"))
_VAL, _CHAR, _FILL, _NAME = W + "val", W + "char", W + "fill", W + "name"
_OFF = ("0", "false")


class _Numbering:
    """Resolves a paragraph's list marker: bullet, or its running number."""

    def __init__(self, root) -> None:
        self.formats: dict[tuple[str, str], str] = {}
        self.counters: dict[tuple[str, str], int] = {}
        if root is None:
            return
        abstract = {}
        for an in root.findall(f"{W}abstractNum"):
            lvls = {lvl.get(f"{W}ilvl"): (lvl.find(f"{W}numFmt").get(f"{W}val")
                                          if lvl.find(f"{W}numFmt") is not None else "bullet")
                    for lvl in an.findall(f"{W}lvl")}
            abstract[an.get(f"{W}abstractNumId")] = lvls
        for num in root.findall(f"{W}num"):
            aid = num.find(f"{W}abstractNumId")
            if aid is None:
                continue
            for ilvl, fmt in abstract.get(aid.get(f"{W}val"), {}).items():
                self.formats[(num.get(f"{W}numId"), ilvl)] = fmt

    def marker(self, num_id: str, ilvl: str) -> str:
        fmt = self.formats.get((num_id, ilvl), "bullet")
        if fmt in ("bullet", "none"):
            return BULLET
        key = (num_id, ilvl)
        self.counters[key] = self.counters.get(key, 0) + 1
        n = self.counters[key]
        if fmt in ("lowerLetter", "upperLetter"):
            letter = chr(ord("a") + (n - 1) % 26)
            return f"{letter.upper() if fmt == 'upperLetter' else letter}) "
        if fmt in ("lowerRoman", "upperRoman"):
            return f"({_roman(n).lower() if fmt == 'lowerRoman' else _roman(n)}) "
        return f"{n}. "


def _roman(n: int) -> str:
    out, vals = "", [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    for v, s in vals:
        while n >= v:
            out, n = out + s, n - v
    return out.upper()


class _StyleInfo:
    """Style id -> (name, numbering of the style) lookups, computed once per document."""

    def __init__(self, root) -> None:
        self.names: dict[str, str] = {}
        self.num: dict[str, tuple[str, str]] = {}
        for style in root.iterchildren(W + "style"):
            sid = style.get(f"{W}styleId")
            name = _child(style, _NAME)
            self.names[sid] = name.get(_VAL) if name is not None else sid
            num_pr = _grandchild(style, _PPR, _NUMPR)
            num_id = _child(num_pr, _NUMID)
            if num_id is not None:
                ilvl = _child(num_pr, _ILVL)
                self.num[sid] = (num_id.get(_VAL), ilvl.get(_VAL) if ilvl is not None else "0")


def _child(el, tag: str):
    """``el.find(tag)`` for a plain tag (``None`` for ``el`` None): the first child with that tag.

    lxml's ``find`` compiles and walks an ElementPath each call; the children of
    a paragraph's or a cell's properties are few, so a loop over them is
    several times cheaper, with the same answer.
    """
    if el is not None:
        for c in el:
            if c.tag == tag:
                return c
    return None


def _grandchild(el, tag: str, sub: str):
    """``el.find(f"{tag}/{sub}")``: the first ``sub`` child of the ``tag`` children, in document order."""
    for c in el:
        if c.tag == tag:
            for d in c:
                if d.tag == sub:
                    return d
    return None


def _para_text(p) -> str:
    parts = []
    for node in p.iter(_T, _TAB, _BR, _CR, _SYM):
        tag = node.tag
        if tag == _T:
            parts.append(node.text or "")
        elif tag == _TAB:
            parts.append("\t")
        elif tag == _BR or tag == _CR:
            parts.append("\n")
        else:
            parts.append("•" if node.get(_CHAR, "").upper() in ("F0B7", "B7") else "")
    return _SPACES.sub(" ", "".join(parts)).strip()


def _is_bold(p) -> bool:
    """Every run of the paragraph with text (its own runs, not a hyperlink's) is bold, and there is one."""
    found = False
    for r in p.iterchildren(_R):
        if not any((t.text or "").strip() for t in r.iterchildren(_T)):
            continue  # a run's text is blank when each of its pieces is
        b = _grandchild(r, _RPR, _B)
        if b is None or b.get(_VAL) in _OFF:
            return False
        found = True
    return found


def _theme_xml(document) -> bytes | None:
    """The document's theme part (theme colours are resolved against it), if it has one."""
    try:
        for rel in document.part.rels.values():
            if rel.reltype.endswith("/theme") and not rel.is_external:
                return rel.target_part.blob
    except (AttributeError, KeyError, ValueError):
        return None
    return None


def _numbering_root(document):
    """python-docx's numbering part's root (an empty one when the document has none), or None."""
    try:
        part = document.part.numbering_part
    except (KeyError, NotImplementedError, AttributeError):
        return None
    return part.element  # a numbering relationship to a part of another type: python-docx's AttributeError


class _Reader:
    def __init__(self, numbering_root, styles: _StyleInfo, theme: bytes | None) -> None:
        self.numbering = _Numbering(numbering_root)
        self.styles = styles
        self.scheme = _scheme(theme)

    def paragraph(self, p) -> tuple[str, str, bool]:
        """Return (style name, text with list marker, bold); bold is False when there is no text."""
        ppr = _child(p, _PPR)
        style_id = None
        num = None
        if ppr is not None:
            ps = _child(ppr, _PSTYLE)
            style_id = ps.get(_VAL) if ps is not None else None
            num_pr = _child(ppr, _NUMPR)
            if num_pr is not None:
                num_id = _child(num_pr, _NUMID)
                if num_id is not None:
                    ilvl = _child(num_pr, _ILVL)
                    num = (num_id.get(_VAL), ilvl.get(_VAL) if ilvl is not None else "0")
        styles = self.styles
        if num is None and style_id in styles.num:
            num = styles.num[style_id]
        name = styles.names.get(style_id or "", style_id or "Normal")
        text = _para_text(p)
        if not text:
            return name, text, False
        if num is not None and num[0] != "0":
            marker = self.numbering.marker(*num)
            if not text.startswith(("•", "\uf0b7")):
                text = marker + text
        elif "bullet" in name.lower():
            text = BULLET + text
        if text[0] in "•\uf0b7\u25aa\u25cf":
            text = _LEAD_BULLET.sub(BULLET, text, count=1)
        return name, text, _is_bold(p)

    def list_level(self, p) -> int:
        """A list paragraph's nesting: its numbering level, or the level a style names ('List Bullet 2')."""
        num_pr = _grandchild(p, _PPR, _NUMPR)
        ilvl = _child(num_pr, _ILVL)
        if ilvl is not None and (ilvl.get(_VAL) or "0").isdigit():
            return int(ilvl.get(_VAL) or "0")
        ps = _grandchild(p, _PPR, _PSTYLE)
        name = self.styles.names.get(ps.get(_VAL), "") if ps is not None else ""
        m = _LIST_STYLE.match(name.lower())
        return int(m.group(1)) - 1 if m else 0

    @staticmethod
    def bold_lead(p) -> str:
        """The paragraph's opening bold runs when plain text follows them (a label), else ''."""
        lead, rest = [], []
        for r in p.iter(_R):
            text = "".join([t.text or "" for t in r.iterchildren(_T)])
            b = _grandchild(r, _RPR, _B)
            if not rest and b is not None and b.get(_VAL) not in _OFF:
                lead.append(text)
            elif text.strip() or rest:
                rest.append(text)
        label = _WHITE.sub(" ", "".join(lead)).strip()
        return label if label and "".join(rest).strip() else ""

    def fill(self, shd) -> str | None:
        """A cell's ``w:shd`` background as ``#RRGGBB``: a theme fill (with its tint or shade) wins
        over the literal ``w:fill``, which Word writes beside it only as a fallback; a solid pattern
        (``w:val="solid"``) shows the pattern colour instead."""
        if (shd.get(f"{W}val") or "") == "solid":
            return visible_fill(shd.get(f"{W}color"))
        themed = word_theme_fill(self.scheme, shd.get(f"{W}themeFill"), shd.get(f"{W}themeFillTint"),
                                 shd.get(f"{W}themeFillShade"))
        return visible_fill(themed or shd.get(f"{W}fill"))

    def cell_text(self, tc) -> tuple[str, bool]:
        """The cell's paragraphs joined by newlines, and whether all of them are bold."""
        lines, bold = [], True
        for p in tc.iter(_P):
            _, text, is_bold = self.paragraph(p)
            if text:
                lines.append(text)
                bold = bold and is_bold
        return "\n".join(lines), bold and bool(lines)

    def table(self, tbl) -> Table:
        cells: list[Cell] = []
        open_cells: dict[int, int] = {}  # grid column -> index in cells of the cell a vMerge extends
        header_rows = 0
        counting_header = True
        n_cols = len(tbl.findall(f"{W}tblGrid/{W}gridCol"))
        rows = tbl.findall(_TR)
        for r, tr in enumerate(rows):
            trpr = _child(tr, _TRPR)
            col = 0
            is_header = False
            if trpr is not None:
                th = _child(trpr, _TBLHEADER)
                is_header = th is not None and th.get(_VAL) not in _OFF
                gb = _child(trpr, _GRIDBEFORE)
                if gb is not None:
                    col = int(gb.get(_VAL, "0"))
            if counting_header and is_header:
                header_rows += 1
            else:
                counting_header = False
            for tc in tr.iterchildren(_TC):
                tcpr = _child(tc, _TCPR)
                span = 1
                vmerge = None
                shaded = False
                fill = None
                if tcpr is not None:
                    gs = _child(tcpr, _GRIDSPAN)
                    span = int(gs.get(_VAL, "1")) if gs is not None else 1
                    vm = _child(tcpr, _VMERGE)
                    vmerge = (vm.get(_VAL) or "continue") if vm is not None else None
                    shd = _child(tcpr, _SHD)
                    if shd is not None:
                        shaded = (shd.get(_FILL) or "auto").lower() not in ("auto", "ffffff", "none")
                        fill = self.fill(shd)
                if vmerge == "continue" and col in open_cells:
                    i = open_cells[col]
                    cells[i] = replace(cells[i], rowspan=cells[i].rowspan + 1)
                else:
                    text, bold = self.cell_text(tc)
                    cell = Cell(r, col, text, 1, span, bold, shaded, fill=fill)
                    cells.append(cell)
                    for c in range(col, col + span):
                        open_cells.pop(c, None)
                    if vmerge == "restart":
                        open_cells[col] = len(cells) - 1
                col += span
            n_cols = max(n_cols, col)
        return Table(n_rows=len(rows), n_cols=n_cols, cells=cells, header_rows=header_rows)


MAX_UNPACKED = 256 * 1024 * 1024   # a real plan's parts unpack to a few MB
MAX_RATIO = 200                    # deflate rarely beats 20:1 on Word XML


def check_package(path: Path, kind: str = "DOCX") -> None:
    """Refuse hostile packages before any XML parser sees them.

    A zip bomb (a small file unpacking to gigabytes) would exhaust memory, and a
    DTD in a part can declare entities (external files, billion laughs); Word
    never writes either, so both are refused with the reason.
    """
    _checked_zip(path, kind).close()


def _checked_zip(path: Path, kind: str = "DOCX", whole: dict[str, bytes] | None = None) -> zipfile.ZipFile:
    """The package opened and checked (:func:`check_package`), left open for reading its parts
    (``whole``: filled with the parts the check read whole, see :func:`_check`)."""
    try:
        z = zipfile.ZipFile(path)
        try:
            _check(z, path, kind, whole)
        except BaseException:
            z.close()
            raise
        return z
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError) as exc:  # what a corrupt or exotic zip raises (fuzzed)
        raise ExtractError(f"not a readable {kind} (bad zip: {exc.__class__.__name__}: {exc})",
                           file=str(path)) from exc
    except zlib.error as exc:
        raise ExtractError(f"not a readable {kind} (corrupt compressed part: {exc})", file=str(path)) from exc


def _check(z: zipfile.ZipFile, path: Path, kind: str, whole: dict[str, bytes] | None = None) -> None:
    """The zip bomb and DTD checks; a part shorter than the 4 KB read for the DTD test is read whole
    (to its end, where its CRC is checked, as ``z.read`` reads it): kept in ``whole`` by name, so the
    package walk does not open and inflate it again."""
    infos = z.infolist()
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED:
        raise ExtractError(f"{kind} unpacks to {total / 2**20:.0f} MB, over the "
                           f"{MAX_UNPACKED // 2**20} MB limit (zip bomb?)", file=str(path))
    for info in infos:
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > 1 << 20 and ratio > MAX_RATIO:
            raise ExtractError(f"{kind} part {info.filename} is compressed {ratio}:1 (zip bomb?)",
                               file=str(path))
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            with z.open(info) as fh:
                head = fh.read(4096)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise ExtractError(f"{kind} part {info.filename} declares a DTD or entities "
                                   "(refused: external entities)", file=str(path))
            if (whole is not None and info.file_size < 4096 and len(head) == info.file_size
                    and z.NameToInfo.get(info.filename) is info):  # (a name twice: z.read reads the last)
                whole[info.filename] = head


#: styles parts already read (bytes -> their style names and numbering), and theme colour schemes:
#: plans written from one template share them byte for byte; emptied past _MEMO entries, and a part
#: over _MEMO_BYTES is not kept (so the memo stays under ~_MEMO * _MEMO_BYTES whatever the files)
_STYLES: dict[bytes, _StyleInfo] = {}
_SCHEMES: dict[bytes, dict] = {}
_MEMO = 16
_MEMO_BYTES = 2 << 20


def _scheme(theme: bytes | None):
    if theme is None:
        return theme_scheme(None)
    found = _SCHEMES.get(theme)
    if found is None:
        found = theme_scheme(theme)
        if len(theme) <= _MEMO_BYTES:
            if len(_SCHEMES) >= _MEMO:
                _SCHEMES.clear()
            _SCHEMES[theme] = found
    return found


def read_docx_dated(path: Path) -> Document:
    """:func:`read_docx` with the file's own metadata dates (``extract.filedates``) read from the
    package while it is open: ``extract.read``'s DOCX reader.  (A .doc converted to DOCX must not
    take the converted file's dates, so :func:`read_docx` leaves them to the caller.)"""
    return read_docx(path, dates=True)


def read_docx(path: Path, *, dates: bool = False) -> Document:
    """Read a .docx into blocks: headings, paragraphs and tables in body order.

    The package is opened once, checked (:func:`check_package`) and read by
    :mod:`extract.docx_package`; a package that module does not vouch for is
    read by python-docx, as before (its dates, if asked for, are then left to
    ``extract.read``).
    """
    whole: dict[str, bytes] = {}
    z = _checked_zip(path, whole=whole)
    try:
        try:
            package = open_package(z, _STYLES, whole)
        except Exception:  # Unusual, or anything python-docx may refuse: its own answer and error
            return _read_with_python_docx(path)
        found: dict[str, str] = {}
        if dates:
            try:
                found = zip_dates(z)
            except Exception:  # as extract.filedates.file_dates: odd metadata means no dates
                found = {}
    finally:
        z.close()
    styles = _STYLES.get(package.styles)
    try:
        if styles is None:
            styles = _StyleInfo(package.styles_root)
            if len(package.styles) <= _MEMO_BYTES:
                if len(_STYLES) >= _MEMO:
                    _STYLES.clear()
                _STYLES[package.styles] = styles
        reader = _Reader(package.numbering, styles, package.theme)
        document = _read_body(reader, package.body, lambda: package.title, path)
    except ExtractError:
        raise
    except Exception as exc:  # a package whose parts are malformed
        raise ExtractError(f"not a readable DOCX ({exc.__class__.__name__}: {exc})", file=str(path)) from exc
    document.dates = found  # what extract.read would read from the file again (extract.filedates)
    return document


def _read_with_python_docx(path: Path) -> Document:
    try:
        import docx  # python-docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as exc:  # pragma: no cover - core dependency
        raise ExtractError("python-docx is not installed (pip install python-docx)") from exc
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise ExtractError(f"not a readable DOCX ({exc.__class__.__name__}: {exc})",
                           file=str(path)) from exc
    except Exception as exc:  # zipfile.BadZipFile, lxml errors
        raise ExtractError(f"not a readable DOCX ({exc})", file=str(path)) from exc
    try:
        reader = _Reader(_numbering_root(document), _StyleInfo(document.styles.element), _theme_xml(document))
        return _read_body(reader, document.element.body, lambda: document.core_properties.title, path)
    except ExtractError:
        raise
    except Exception as exc:  # a package python-docx opened but whose parts are malformed
        raise ExtractError(f"not a readable DOCX ({exc.__class__.__name__}: {exc})", file=str(path)) from exc


def _read_body(reader: _Reader, body, title: Callable[[], str], path: Path) -> Document:
    """The body's blocks; ``title()`` is asked last (python-docx's core properties may fail: after the body)."""
    blocks = []
    for el in body.iterchildren():
        if el.tag == f"{W}p":
            name, text, bold = reader.paragraph(el)
            if not text:
                continue
            m = _HEADING.match(name)
            if name.lower() == "title":
                blocks.append(Heading(text, level=0))
            elif m:
                blocks.append(Heading(text, level=int(m.group(1))))
            else:
                blocks.append(Paragraph(text, bold=bold, level=reader.list_level(el), bold_lead=reader.bold_lead(el)))
        elif el.tag == f"{W}tbl":
            blocks.append(reader.table(el))
    return Document(source=str(path), format="docx", blocks=blocks, title=title() or None)
