"""DOCX reader on python-docx: body order, headings, list paragraphs and merged cells.

python-docx's high-level ``table.cell()`` API repeats a merged cell at every
grid position and hides ``vMerge``, so tables are read from the XML rows
directly: ``gridBefore``/``gridSpan`` give column positions and spans,
``vMerge`` continuations extend the row span of the cell above, and
``tblHeader`` marks the header rows Word repeats on each page.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import replace
from pathlib import Path

from extract.colour import theme_scheme, visible_fill, word_theme_fill
from models.document import BULLET, Cell, Document, Heading, Paragraph, Table
from models.errors import ExtractError

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING = re.compile(r"^(?:heading|überschrift|titre)\s*(\d)", re.I)


class _Numbering:
    """Resolves a paragraph's list marker: bullet, or its running number."""

    def __init__(self, document) -> None:
        self.formats: dict[tuple[str, str], str] = {}
        self.counters: dict[tuple[str, str], int] = {}
        try:
            part = document.part.numbering_part
        except (KeyError, NotImplementedError, AttributeError):
            return
        root = part.element
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

    def __init__(self, document) -> None:
        self.names: dict[str, str] = {}
        self.num: dict[str, tuple[str, str]] = {}
        for style in document.styles.element.findall(f"{W}style"):
            sid = style.get(f"{W}styleId")
            name = style.find(f"{W}name")
            self.names[sid] = name.get(f"{W}val") if name is not None else sid
            num_pr = style.find(f"{W}pPr/{W}numPr")
            if num_pr is not None and num_pr.find(f"{W}numId") is not None:
                ilvl = num_pr.find(f"{W}ilvl")
                self.num[sid] = (num_pr.find(f"{W}numId").get(f"{W}val"),
                                 ilvl.get(f"{W}val") if ilvl is not None else "0")


def _para_text(p) -> str:
    parts = []
    for node in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}sym"):
        tag = node.tag
        if tag == f"{W}t":
            parts.append(node.text or "")
        elif tag == f"{W}tab":
            parts.append("\t")
        elif tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
        else:
            parts.append("•" if node.get(f"{W}char", "").upper() in ("F0B7", "B7") else "")
    return re.sub(r"[ \t\u00a0]+", " ", "".join(parts)).strip()


def _is_bold(p) -> bool:
    runs = [r for r in p.findall(f"{W}r") if "".join(t.text or "" for t in r.findall(f"{W}t")).strip()]
    if not runs:
        return False
    for r in runs:
        b = r.find(f"{W}rPr/{W}b")
        if b is None or b.get(f"{W}val") in ("0", "false"):
            return False
    return True


def _theme_xml(document) -> bytes | None:
    """The document's theme part (theme colours are resolved against it), if it has one."""
    try:
        for rel in document.part.rels.values():
            if rel.reltype.endswith("/theme") and not rel.is_external:
                return rel.target_part.blob
    except (AttributeError, KeyError, ValueError):
        return None
    return None


class _Reader:
    def __init__(self, document) -> None:
        self.numbering = _Numbering(document)
        self.styles = _StyleInfo(document)
        self.scheme = theme_scheme(_theme_xml(document))

    def paragraph(self, p) -> tuple[str, str, bool]:
        """Return (style name, text with list marker, bold)."""
        ppr = p.find(f"{W}pPr")
        style_id = None
        num = None
        if ppr is not None:
            ps = ppr.find(f"{W}pStyle")
            style_id = ps.get(f"{W}val") if ps is not None else None
            num_pr = ppr.find(f"{W}numPr")
            if num_pr is not None and num_pr.find(f"{W}numId") is not None:
                ilvl = num_pr.find(f"{W}ilvl")
                num = (num_pr.find(f"{W}numId").get(f"{W}val"),
                       ilvl.get(f"{W}val") if ilvl is not None else "0")
        if num is None and style_id in self.styles.num:
            num = self.styles.num[style_id]
        name = self.styles.names.get(style_id or "", style_id or "Normal")
        text = _para_text(p)
        if text and num is not None and num[0] != "0":
            marker = self.numbering.marker(*num)
            if not text.startswith(("•", "\uf0b7")):
                text = marker + text
        elif "bullet" in name.lower() and text:
            text = BULLET + text
        text = re.sub(r"^[•\uf0b7\u25aa\u25cf]\s*", BULLET, text)
        return name, text, _is_bold(p)

    def list_level(self, p) -> int:
        """A list paragraph's nesting: its numbering level, or the level a style names ('List Bullet 2')."""
        num_pr = p.find(f"{W}pPr/{W}numPr")
        ilvl = num_pr.find(f"{W}ilvl") if num_pr is not None else None
        if ilvl is not None and (ilvl.get(f"{W}val") or "0").isdigit():
            return int(ilvl.get(f"{W}val") or "0")
        ps = p.find(f"{W}pPr/{W}pStyle")
        name = self.styles.names.get(ps.get(f"{W}val"), "") if ps is not None else ""
        m = re.match(r"^list(?: bullet| number| continue)?\s+(\d)$", name.lower())
        return int(m.group(1)) - 1 if m else 0

    @staticmethod
    def bold_lead(p) -> str:
        """The paragraph's opening bold runs when plain text follows them (a label), else ''."""
        lead, rest = [], []
        for r in p.iter(f"{W}r"):
            text = "".join(t.text or "" for t in r.findall(f"{W}t"))
            b = r.find(f"{W}rPr/{W}b")
            if not rest and b is not None and b.get(f"{W}val") not in ("0", "false"):
                lead.append(text)
            elif text.strip() or rest:
                rest.append(text)
        label = re.sub(r"\s+", " ", "".join(lead)).strip()
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
        for p in tc.iter(f"{W}p"):
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
        rows = tbl.findall(f"{W}tr")
        for r, tr in enumerate(rows):
            trpr = tr.find(f"{W}trPr")
            is_header = trpr is not None and trpr.find(f"{W}tblHeader") is not None and \
                trpr.find(f"{W}tblHeader").get(f"{W}val") not in ("0", "false")
            if counting_header and is_header:
                header_rows += 1
            else:
                counting_header = False
            col = 0
            if trpr is not None and trpr.find(f"{W}gridBefore") is not None:
                col = int(trpr.find(f"{W}gridBefore").get(f"{W}val", "0"))
            for tc in tr.findall(f"{W}tc"):
                tcpr = tc.find(f"{W}tcPr")
                span = 1
                vmerge = None
                shaded = False
                fill = None
                if tcpr is not None:
                    gs = tcpr.find(f"{W}gridSpan")
                    span = int(gs.get(f"{W}val", "1")) if gs is not None else 1
                    vm = tcpr.find(f"{W}vMerge")
                    vmerge = (vm.get(f"{W}val") or "continue") if vm is not None else None
                    shd = tcpr.find(f"{W}shd")
                    shaded = shd is not None and (shd.get(f"{W}fill") or "auto").lower() not in (
                        "auto", "ffffff", "none")
                    fill = self.fill(shd) if shd is not None else None
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
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError,
            RuntimeError) as exc:  # what a corrupt or exotic zip raises (fuzzed)
        raise ExtractError(f"not a readable {kind} (bad zip: {exc.__class__.__name__}: {exc})",
                           file=str(path)) from exc
    except zlib.error as exc:
        raise ExtractError(f"not a readable {kind} (corrupt compressed part: {exc})", file=str(path)) from exc


def read_docx(path: Path) -> Document:
    """Read a .docx into blocks: headings, paragraphs and tables in body order."""
    try:
        import docx  # python-docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as exc:  # pragma: no cover - core dependency
        raise ExtractError("python-docx is not installed (pip install python-docx)") from exc
    check_package(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise ExtractError(f"not a readable DOCX ({exc.__class__.__name__}: {exc})",
                           file=str(path)) from exc
    except Exception as exc:  # zipfile.BadZipFile, lxml errors
        raise ExtractError(f"not a readable DOCX ({exc})", file=str(path)) from exc
    try:
        return _read_body(document, path)
    except ExtractError:
        raise
    except Exception as exc:  # a package python-docx opened but whose parts are malformed
        raise ExtractError(f"not a readable DOCX ({exc.__class__.__name__}: {exc})", file=str(path)) from exc


def _read_body(document, path: Path) -> Document:
    reader = _Reader(document)
    blocks = []
    for el in document.element.body.iterchildren():
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
    title = document.core_properties.title or None
    return Document(source=str(path), format="docx", blocks=blocks, title=title)
