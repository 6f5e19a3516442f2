"""A lean reader of what :func:`extract.pdfium.pdfminer_facts` asks of pdfminer, for well-formed files.

The pdfium engine takes font descents and names and page boxes as pdfminer
reads them (see :func:`extract.pdfium.pdfminer_facts`).  pdfminer gets them by
tokenizing, in Python, the cross-reference table, the page tree and every
font dictionary, ``/Widths`` arrays included: ~2 ms of a plan of two pages,
as much as reading a page.  This module reads the same objects from the
file's bytes with a few regular expressions: the classic ``xref`` table(s),
the trailer, the catalog, the page tree with its inherited attributes, each
page's resources, boxes, rotation and contents, the font dictionaries and
descriptors.

It gives pdfminer's facts or nothing: it follows pdfminer's rules step by
step (its tokens, its page-tree walk, its resolution of references, even its
quirks: a null value leaves a dictionary, a Type3 font is not skipped) and
gives up, returning None, on anything it does not read exactly as pdfminer
does -- an xref stream or object stream, encryption, page labels, a missing
or mis-numbered object, a malformed token, a stream whose ``/Length`` does
not end at ``endstream``, a value of an unexpected type.  The caller then
asks pdfminer itself, so a file this reader declines costs what it cost
before, and a malformed file fails or falls back as it did.
``tests/test_pdffacts.py`` holds the two to the same facts.
"""

from __future__ import annotations

import mmap
import re
from pathlib import Path
from typing import Any

#: pdfminer's whitespace (``\\s`` of a bytes pattern) and comments between tokens
_SKIP = re.compile(rb"(?:[ \t\n\r\f\v]+|%[^\r\n]*)*")
_DELIM = b"/%[]()<>{} \t\n\r\f\v"  # what ends a number or a keyword (pdfminer's END_KEYWORD, minus '#')
_NUMBER = re.compile(rb"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_REF_TAIL = re.compile(rb"[ \t\n\r\f\v]+(\d+)[ \t\n\r\f\v]+R(?=[/%\[\]()<>{} \t\n\r\f\v#]|$)")
_NAME = re.compile(rb"[^#/%\[\]()<>{} \t\n\r\f\v]*")
_HEX1 = re.compile(rb"[0-9a-fA-F]{1,2}")
_KEYWORD = re.compile(rb"[A-Za-z][^#/%\[\]()<>{} \t\n\r\f\v]*")
_HEXSTR = re.compile(rb"<([0-9a-fA-F \t\n\r\f\v]*)>")
_STRING_STOP = re.compile(rb"[()\\]")
_OBJ_HEAD = re.compile(rb"[ \t\n\r\f\v]*(\d+)[ \t\n\r\f\v]+(\d+)[ \t\n\r\f\v]+obj(?=[/%\[\]()<>{} \t\n\r\f\v#])")
_ENDOBJ = re.compile(rb"endobj(?=[/%\[\]()<>{} \t\n\r\f\v#]|$)")
_STREAM_LINE = re.compile(rb"stream[^\r\n]*(?:\r\n|\r|\n)")
_ENDSTREAM = re.compile(rb"endstream[ \t\n\r\f\v]+endobj(?=[/%\[\]()<>{} \t\n\r\f\v#]|$)")
_XREF_HEAD = re.compile(rb"[ \t\n\r\f\v]*xref(?=[/%\[\]()<>{} \t\n\r\f\v#])[^\r\n]*(?:\r\n|\r|\n)")
_STREAM_KEYWORD = re.compile(rb"stream(?=[/%\[\]()<>{} \t\n\r\f\v#])")
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)")
_TRAILER = re.compile(rb"trailer(?=[/%\[\]()<>{} \t\n\r\f\v#])")
_STARTXREF = re.compile(rb"startxref(?=[/%\[\]()<>{} \t\n\r\f\v#]|$)")
#: a run of plain numbers, each ended by whitespace or ']' (a ``/Widths`` array), read in one match
_NUMBERS = re.compile(rb"(?:[ \t\n\r\f\v]+|[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?=[ \t\n\r\f\v\]]))*")
#: xref entries written as the standard asks: 20 bytes each
_ENTRIES = re.compile(rb"(?:\d{10} \d{5} [nf](?: \r| \n|\r\n))*")
#: a dictionary entry whose value is a name, a reference or a number (most are), read in one match;
#: anything else (a '#' escape, an array, a string, null) goes the long way (names are possessive:
#: a name is never cut short to let the pattern match)
_ENTRY = re.compile(
    rb"[ \t\n\r\f\v]*/([^#/%\[\]()<>{} \t\n\r\f\v]*+)[ \t\n\r\f\v]*"
    rb"(?:/([^#/%\[\]()<>{} \t\n\r\f\v]*+)(?!#)"
    rb"|(\d+)[ \t\n\r\f\v]+\d+[ \t\n\r\f\v]+R(?=[/%\[\]()<>{} \t\n\r\f\v#]|$)"
    rb"|([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?=[/%\[\]()<>{} \t\n\r\f\v]|$))")
_SUBSET = re.compile(r"^[A-Z]{6}\+")
_INHERITED = ("Resources", "MediaBox", "CropBox", "Rotate")


class GiveUp(Exception):
    """Something this reader does not read exactly as pdfminer does: ask pdfminer."""


class Name:
    """A PDF name as pdfminer keeps it (``PSLiteral.name``: str when UTF-8, else bytes)."""

    __slots__ = ("name",)

    def __init__(self, name: str | bytes) -> None:
        self.name = name


def _name(raw: bytes) -> Name:
    try:
        return Name(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return Name(raw)


class Ref:
    """An indirect reference (``n g R``)."""

    __slots__ = ("objid",)

    def __init__(self, objid: int) -> None:
        self.objid = objid


class Stream:
    """A stream object: its dictionary (its data is never needed)."""

    __slots__ = ("attrs",)

    def __init__(self, attrs: dict) -> None:
        self.attrs = attrs


class _Opaque:
    """A string, boolean or keyword value: read past, never looked into."""

    __slots__ = ()


_OPAQUE = _Opaque()
_NULL = object()


class _File:
    """The objects of one file, parsed on demand and kept (as pdfminer caches them)."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self.offsets: dict[int, int] = {}
        self.cache: dict[int, Any] = {}

    # ---- tokens and values ------------------------------------------------------------------

    def skip(self, i: int) -> int:
        return _SKIP.match(self.data, i).end()  # type: ignore[union-attr]

    def value(self, i: int) -> tuple[Any, int]:
        """The value starting at ``i`` (whitespace skipped) and where it ends."""
        data = self.data
        i = self.skip(i)
        c = data[i:i + 1]
        if c == b"/":
            return self.name(i + 1)
        if c == b"<":
            if data[i + 1:i + 2] == b"<":
                return self.dictionary(i + 2)
            m = _HEXSTR.match(data, i)
            if not m or data[m.end():m.end() + 1] == b">":
                raise GiveUp("hex string")
            return _OPAQUE, m.end()
        if c == b"[":
            m = _NUMBERS.match(data, i + 1)
            if data[m.end():m.end() + 1] == b"]":  # type: ignore[union-attr]
                return [float(t) if b"." in t else int(t) for t in m.group().split()], m.end() + 1  # type: ignore[union-attr]
            out: list[Any] = []
            i += 1
            while True:
                i = self.skip(i)
                if data[i:i + 1] == b"]":
                    return out, i + 1
                v, i = self.value(i)
                if v is not _NULL:
                    out.append(v)
                else:
                    out.append(None)
        if c == b"(":
            return _OPAQUE, self.string(i + 1)
        if c and (c in b"+-." or c.isdigit()):
            m = _NUMBER.match(data, i)
            if not m:
                raise GiveUp("number")
            j = m.end()
            if data[j:j + 1] and data[j:j + 1] not in _DELIM:
                raise GiveUp("number")
            text = m.group()
            if b"." not in text:
                if text.isdigit():
                    r = _REF_TAIL.match(data, j)
                    if r:
                        return Ref(int(text)), r.end()
                return int(text), j
            return float(text), j
        m = _KEYWORD.match(data, i)
        if m:
            word = m.group()
            if word == b"null":
                return _NULL, m.end()
            if word in (b"true", b"false"):
                return _OPAQUE, m.end()
        raise GiveUp(f"token at {i}")

    def name(self, i: int) -> tuple[Name, int]:
        data = self.data
        raw = b""
        while True:
            m = _NAME.match(data, i)
            raw += m.group()  # type: ignore[union-attr]
            i = m.end()  # type: ignore[union-attr]
            if data[i:i + 1] != b"#":
                break
            h = _HEX1.match(data, i + 1)
            if h:
                raw += bytes((int(h.group(), 16),))
                i = h.end()
            else:
                i += 1
        try:
            return Name(raw.decode("utf-8")), i
        except UnicodeDecodeError:
            return Name(raw), i

    def string(self, i: int) -> int:
        """The end of a literal string whose body starts at ``i`` (nested parentheses, escapes)."""
        data = self.data
        depth = 1
        while True:
            m = _STRING_STOP.search(data, i)
            if not m:
                raise GiveUp("unterminated string")
            c, i = m.group(), m.end()
            if c == b"\\":
                octal = re.match(rb"[0-7]{1,3}", data[i:i + 3])
                if octal:
                    if int(octal.group(), 8) >= 256:  # pdfminer asserts on it
                        raise GiveUp("octal escape")
                    i += octal.end()
                else:
                    i += 1
            elif c == b"(":
                depth += 1
            else:
                depth -= 1
                if not depth:
                    return i

    def dictionary(self, i: int) -> tuple[dict, int]:
        data = self.data
        out: dict[str, Any] = {}
        entry = _ENTRY.match
        while True:
            m = entry(data, i)
            if m:
                key, name, ref, number = m.groups()
                if name is not None:
                    v: Any = _name(name)
                elif ref is not None:
                    v = Ref(int(ref))
                else:
                    v = float(number) if b"." in number else int(number)
                out[key.decode("utf-8")] = v  # a key not in UTF-8: UnicodeDecodeError, pdfminer decides
                i = m.end()
                continue
            i = self.skip(i)
            if data[i:i + 2] == b">>":
                return out, i + 2
            if data[i:i + 1] != b"/":
                raise GiveUp("dictionary key")
            key, i = self.name(i + 1)
            if not isinstance(key.name, str):
                raise GiveUp("key")
            i = self.skip(i)
            if data[i:i + 2] == b">>":
                raise GiveUp("odd dictionary")
            v, i = self.value(i)
            if v is _NULL:  # pdfminer leaves null values out of a dictionary
                continue
            out[key.name] = v

    # ---- objects ----------------------------------------------------------------------------

    def get(self, objid: int) -> Any:
        """Object ``objid`` as pdfminer's ``getobj`` parses it (a stream checked as pdfminer reads it)."""
        if objid in self.cache:
            return self.cache[objid]
        pos = self.offsets.get(objid)
        if pos is None:
            raise GiveUp(f"object {objid} not in xref")
        data = self.data
        m = _OBJ_HEAD.match(data, pos)
        if not m or int(m.group(1)) != objid:
            raise GiveUp(f"object {objid} header")
        v, i = self.value(m.end())
        if v is _NULL:
            v = None
        i = self.skip(i)
        if isinstance(v, dict) and _STREAM_KEYWORD.match(data, i):
            line = _STREAM_LINE.match(data, i)
            length = v.get("Length")
            if isinstance(length, Ref):
                length = self.get(length.objid)
            if not line or type(length) is not int or length < 0:
                raise GiveUp("stream")
            start = line.end()
            if start + length > len(data):
                raise GiveUp("stream length")
            k = data.find(b"endstream", start + length)
            if k < 0 or not _ENDSTREAM.match(data, k):
                raise GiveUp("endstream")
            v = Stream(v)
        elif not _ENDOBJ.match(data, i):
            raise GiveUp("endobj")
        self.cache[objid] = v
        return v

    def resolve(self, v: Any) -> Any:
        while isinstance(v, Ref):
            v = self.get(v.objid)
        return v

    # ---- cross-reference table ---------------------------------------------------------------

    def xref(self) -> list[dict]:
        """The trailers, newest first, with every table's offsets merged as pdfminer looks them up."""
        data = self.data
        tail_at = max(0, len(data) - 4096)
        pieces = re.split(rb"[\r\n]", data[tail_at:])
        if tail_at:
            pieces = pieces[1:]  # a partial line
        prev = b""
        start = None
        for line in reversed(pieces):
            line = line.strip()
            if line == b"startxref":
                if not prev.isdigit():
                    raise GiveUp("startxref")
                start = int(prev)
                break
            if line:
                prev = line
        if start is None or start >= 2**31:
            raise GiveUp("no startxref")
        trailers: list[dict] = []
        tables: list[dict[int, int]] = []
        seen: set[int] = set()
        while True:
            if start in seen:
                raise GiveUp("xref loop")
            seen.add(start)
            table, trailer = self._table(start)
            tables.append(table)
            trailers.append(trailer)
            if "XRefStm" in trailer:
                raise GiveUp("hybrid xref")
            if "Prev" not in trailer:
                break
            start = trailer["Prev"]
            if type(start) is not int:
                raise GiveUp("Prev")
        for table in reversed(tables):  # the newest section's entry wins
            self.offsets.update(table)
        return trailers

    def _table(self, start: int) -> tuple[dict[int, int], dict]:
        data = self.data
        m = _XREF_HEAD.match(data, start)
        if not m:
            raise GiveUp("not an xref table")
        i = m.end()
        offsets: dict[int, int] = {}
        while True:
            m = _LINE.match(data, i)
            if not m or m.end() == i:
                raise GiveUp("xref EOF")
            line = m.group().strip()
            if not line:
                i = m.end()
                continue
            if line.startswith(b"trailer"):
                break
            i = m.end()
            f = line.split(b" ")
            if len(f) != 2:
                raise GiveUp("xref subsection")
            try:
                first, count = int(f[0]), int(f[1])
            except ValueError as exc:
                raise GiveUp("xref subsection") from exc
            block = _ENTRIES.match(data, i, i + 20 * count)
            if count > 0 and block.end() == i + 20 * count:  # type: ignore[union-attr]
                for k in range(count):
                    at = i + 20 * k
                    if data[at + 17:at + 18] == b"n":
                        offsets[first + k] = int(data[at:at + 10])
                i += 20 * count
                continue
            for objid in range(first, first + count):
                m = _LINE.match(data, i)
                if not m or m.end() == i:
                    raise GiveUp("xref EOF")
                i = m.end()
                f = m.group().strip().split(b" ")
                if len(f) != 3:
                    raise GiveUp("xref entry")
                if f[2] != b"n":
                    continue
                try:
                    offsets[objid] = int(f[0])
                    int(f[1])
                except ValueError as exc:
                    raise GiveUp("xref entry") from exc
        j = self.skip(i)
        t = _TRAILER.match(data, j)
        if not t:
            raise GiveUp("trailer")
        trailer, k = self.value(t.end())
        if not isinstance(trailer, dict) or not _STARTXREF.match(data, self.skip(k)):
            raise GiveUp("trailer")
        return offsets, trailer


def _name_of(f: _File, value: Any) -> str:
    """pdfminer_facts' ``name_of``: a name without its subset tag."""
    value = f.resolve(value)
    if isinstance(value, Name):
        value = value.name
    elif value is not None and not isinstance(value, str):
        raise GiveUp("font name")
    value = value.decode("latin-1") if isinstance(value, bytes) else str(value or "")
    return value.split("+", 1)[1] if _SUBSET.match(value) else value


def _number(f: _File, v: Any) -> float:
    v = f.resolve(v)
    if type(v) not in (int, float):
        raise GiveUp("number")
    return float(v)


def _box(f: _File, value: Any) -> tuple[float, float, float, float]:
    items = f.resolve(value)
    if not isinstance(items, list) or len(items) != 4:
        raise GiveUp("box")
    x0, y0, x1, y1 = (_number(f, v) for v in items)
    return (x0, y0, x1, y1)


def _pages(f: _File, catalog: dict) -> list[dict]:
    """pdfminer's ``create_pages``: the page dictionaries, attributes inherited, in tree order."""
    root = catalog.get("Pages")
    if not isinstance(root, Ref) or "PageLabels" in catalog:
        raise GiveUp("page tree")
    out: list[dict] = []
    visited: set[int] = set()

    def walk(ref: Any, parent: dict, depth: int) -> None:
        if not isinstance(ref, Ref) or depth > 64:
            raise GiveUp("page tree node")
        node = f.get(ref.objid)
        if not isinstance(node, dict):
            raise GiveUp("page tree node")
        props = node.copy()
        if ref.objid in visited:
            return
        visited.add(ref.objid)
        for k, v in parent.items():
            if k in _INHERITED and k not in props:
                props[k] = v
        kind = props.get("Type")
        if kind is None:
            kind = props.get("type")
        if not isinstance(kind, Name):
            raise GiveUp("page tree type")
        if kind.name == "Pages" and "Kids" in props:
            kids = f.resolve(props["Kids"])
            if not isinstance(kids, list):
                raise GiveUp("Kids")
            for kid in kids:
                walk(kid, props, depth + 1)
        elif kind.name == "Page":
            out.append(props)
        else:
            raise GiveUp("page tree type")

    walk(root, catalog, 0)
    if not out:
        raise GiveUp("no pages")
    return out


class FontTally:
    """Each base font name's facts as both readers keep them (this one and pdfminer's).

    A name's (descent, descriptor font name) counts only where every font
    dictionary carrying that name agrees; the names that several dictionaries
    carry (object number, or ``id`` of a direct dictionary) are listed apart,
    since such a name does not identify the font's widths.
    """

    def __init__(self) -> None:
        self.found: dict[str, set[tuple[float, str]]] = {}
        self.dicts: dict[str, set[int]] = {}

    def add(self, names: set[str], descent: float, fontname: str, ident: int) -> None:
        for name in names:
            self.found.setdefault(name, set()).add((descent, fontname))
            self.dicts.setdefault(name, set()).add(ident)

    def fonts(self) -> dict[str, tuple[float, str]]:
        return {k: next(iter(v)) for k, v in self.found.items() if len(v) == 1}

    def shared_names(self) -> set[str]:
        return {k for k, v in self.dicts.items() if len(v) > 1}


def lean_facts(path: Path) -> tuple[dict[str, tuple[float, str]], list, set[str]] | None:
    """``(fonts, boxes, shared_names)`` as :func:`extract.pdfium.pdfminer_facts` finds them, or None
    where this reader does not read the file exactly as pdfminer does."""
    try:
        with open(path, "rb") as fh:
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return _facts(_File(data))
    except Exception:  # GiveUp, or anything unforeseen: pdfminer itself decides
        return None


def _facts(f: _File) -> tuple[dict[str, tuple[float, str]], list, set[str]]:
    trailers = f.xref()
    catalog: dict | None = None
    for trailer in trailers:
        if "Encrypt" in trailer:
            raise GiveUp("encrypted")
        if "Info" in trailer:
            f.resolve(trailer["Info"])
        if "Root" in trailer:
            catalog = f.resolve(trailer["Root"])
            break
    if not isinstance(catalog, dict):
        raise GiveUp("catalog")
    tally = FontTally()
    boxes: list = []
    keep: list[Any] = []  # direct dictionaries, so that their ids stay theirs
    seen: set[int] = set()
    for attrs in _pages(f, catalog):
        # PDFPage.__init__: what it resolves must resolve
        if isinstance(attrs.get("LastModified"), Ref):
            f.resolve(attrs["LastModified"])
        resources = f.resolve(attrs.get("Resources", {}))
        if "MediaBox" not in attrs:
            raise GiveUp("no MediaBox")
        box = _box(f, attrs["MediaBox"])
        if "CropBox" in attrs:
            _box(f, attrs["CropBox"])
        if "Contents" in attrs:
            f.resolve(attrs["Contents"])
        rotate = f.resolve(attrs.get("Rotate", 0))
        if type(rotate) is not int:
            raise GiveUp("Rotate")
        boxes.append((box, ((rotate + 360) % 360) % 360))
        resources = resources or {}
        if not isinstance(resources, dict):
            raise GiveUp("Resources")
        fonts = f.resolve(resources.get("Font")) or {}
        if not isinstance(fonts, dict):
            raise GiveUp("Font")
        for ref in fonts.values():
            if isinstance(ref, Ref):
                if ref.objid in seen:
                    continue
                seen.add(ref.objid)
            spec = f.resolve(ref)
            if not isinstance(spec, dict):  # resolved, and skipped as pdfminer skips it
                continue
            f.resolve(spec.get("Subtype"))  # pdfminer resolves it (and skips nothing: see the module doc)
            names = {_name_of(f, spec.get("BaseFont"))}
            target = spec
            kids = f.resolve(spec.get("DescendantFonts"))
            if isinstance(kids, list) and kids:
                target = f.resolve(kids[0]) or spec
                if not isinstance(target, dict):
                    raise GiveUp("descendant font")
                names.add(_name_of(f, target.get("BaseFont")))
            desc = f.resolve(target.get("FontDescriptor"))
            if not isinstance(desc, dict):
                from pdfminer.fontmetrics import FONT_METRICS

                metrics = FONT_METRICS.get(_name_of(f, spec.get("BaseFont")))
                desc = metrics[0] if metrics else {}
            descent = f.resolve(desc.get("Descent", 0))
            if descent is not None and type(descent) not in (int, float):
                raise GiveUp("Descent")
            value = -abs(float(descent or 0))
            fontname = _name_of(f, desc.get("FontName", "unknown"))
            ident = ref.objid if isinstance(ref, Ref) else id(spec)
            if not isinstance(ref, Ref):
                keep.append(spec)
            tally.add(names, value, fontname, ident)
    return tally.fonts(), boxes, tally.shared_names()


__all__ = ["FontTally", "lean_facts"]
