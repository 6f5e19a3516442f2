"""A DOCX package opened the way python-docx opens it, without python-docx's object layer.

``docx.Document(path)`` walks the package's relationship graph, reads every
part it reaches and parses each Word XML part (document, styles, numbering,
settings, headers, footers, comments, core properties) into its own element
classes; reading one plan spent about half of its time there, and more in
walking the styles through those classes.  The DOCX reader needs four parts:
the main document, its styles, its numbering and its theme, and the core
properties' title.

:func:`open_package` does python-docx's walk with the same rules (part names
resolved from relationship targets, content types by override then by
extension, every reachable part read, the same XML parser settings:
``remove_blank_text``, no entity resolution) on a zip already opened for
:func:`extract.docx.check_package`, so the file is opened once.  It parses with
plain lxml elements, which give the same tree.  Whenever a package is not one
whose reading it can vouch for (anything python-docx would refuse, or would
answer from its built-in defaults: no styles part, no core properties, a
relationship twice, a part with an unexpected root), it raises
:class:`Unusual` and the reader falls back to python-docx itself, so odd and
broken packages keep python-docx's answer and its error
(``tests/test_fast_paths.py`` holds the two to each other).
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
from dataclasses import dataclass

from lxml import etree

# python-docx's content types and relationship types (``docx.opc.constants``), as OOXML spells them
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
CT_DOCUMENT = _WML + "document.main+xml"
#: the content types python-docx parses into XML parts (``PartFactory.part_type_for``)
XML_PART_TYPES = frozenset([CT_CORE, CT_DOCUMENT] + [_WML + k + "+xml" for k in (
    "comments", "footer", "header", "numbering", "settings", "styles")])
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RT_OFFICE_DOCUMENT = _RT + "officeDocument"
RT_IMAGE = _RT + "image"
RT_STYLES = _RT + "styles"
RT_NUMBERING = _RT + "numbering"
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"

_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_PR_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"

#: python-docx's parser settings (``docx.oxml.parser.oxml_parser``) with lxml's own element classes
PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)


#: parts at least this large (unpacked) are read through :func:`read_part`'s memo
PART_MEMO_MIN = 32 << 10
#: the memo keeps at most this many parts, each of at most PART_MEMO_MAX bytes unpacked (with their
#: compressed bytes as keys: ~64 MB at worst, a few MB for plans from a few templates)
PART_MEMO_SIZE = 16
PART_MEMO_MAX = 2 << 20
_PARTS: dict[tuple, bytes] = {}
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader
_READABLE = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _raw(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple | None:
    """Everything ``z.read(info)`` reads and decides by: the member's directory entry, its local
    header and its compressed bytes as they are in the file (``None``: not a plain member --
    encrypted, another compression, a short file -- read the ordinary way)."""
    if info.compress_type not in _READABLE or info.flag_bits & 0x1 or z.fp is None:
        return None
    fp = z.fp
    fp.seek(info.header_offset)
    head = fp.read(_LOCAL_HEADER.size)
    if len(head) != _LOCAL_HEADER.size or head[:4] != b"PK\x03\x04":
        return None
    fields = _LOCAL_HEADER.unpack(head)
    rest = fp.read(fields[10] + fields[11])  # the name and the extra field
    data = fp.read(info.compress_size)
    if len(rest) != fields[10] + fields[11] or len(data) != info.compress_size:
        return None
    return (info.orig_filename, info.filename, info.compress_type, info.flag_bits, info.CRC,
            info.file_size, info.compress_size, head + rest, data)


def read_part(z: zipfile.ZipFile, name: str, remember: bool = True) -> bytes:
    """``z.read(name)``, with large parts remembered by their compressed bytes.

    Plans written from one template carry the same styles parts (a 350 KB
    ``styles.xml`` and a 440 KB ``stylesWithEffects.xml`` in the layout
    benchmark's), and inflating and checking them was a third of reading
    such a plan.  ``z.read`` is a function of the member's directory entry,
    its local header and its compressed bytes: where all of them are the same
    as a part read before without error, the same bytes come back (the very
    object, so a memo keyed by it hashes it once); anything else -- another
    part, a corrupt one, an encrypted one -- is read by ``z.read`` with its
    own errors (``tests/test_docx_package.py``).  ``remember=False`` for a part no other file
    shares (the main document), which would only push the shared ones out.
    """
    info = z.getinfo(name)
    if not remember or info.file_size < PART_MEMO_MIN or info.file_size > PART_MEMO_MAX:
        return z.read(info)
    try:
        key = _raw(z, info)
    except (OSError, ValueError, struct.error):
        key = None
    if key is None:
        return z.read(info)
    found = _PARTS.get(key)
    if found is None:
        found = z.read(info)
        if len(_PARTS) >= PART_MEMO_SIZE:
            _PARTS.clear()
        _PARTS[key] = found
    return found


class Unusual(Exception):
    """A package this module does not read the way python-docx would: python-docx reads it instead."""


@dataclass
class Package:
    """The parts the DOCX reader uses, parsed as python-docx parses them."""

    body: etree._Element
    styles: bytes
    styles_root: etree._Element | None  # None when the caller already knew these styles
    numbering: etree._Element | None
    theme: bytes | None
    title: str


@dataclass
class _Rel:
    reltype: str
    target: str | None  # the part name, None for an external target


def _rels(z: zipfile.ZipFile, partname: str, whole: dict[str, bytes]) -> dict[str, _Rel]:
    """A part's relationships by id, in file order (python-docx keeps a later duplicate id's
    relationship in the first one's place)."""
    base, name = posixpath.split(partname)
    info = z.NameToInfo.get(posixpath.join(base, "_rels", name + ".rels")[1:])
    if info is None:  # (what z.read's KeyError said, without raising it for most parts)
        return {}
    xml = whole.get(info.filename)
    if xml is None:
        xml = z.read(info)
    root = etree.fromstring(xml, PARSER)
    if root.tag != f"{_PR_NS}Relationships":
        raise Unusual("relationships root")
    out: dict[str, _Rel] = {}
    for rel in root.findall(f"{_PR_NS}Relationship"):
        rid, reltype, ref = rel.get("Id"), rel.get("Type"), rel.get("Target")
        if rid is None or reltype is None or ref is None or rid in out:
            raise Unusual("relationship attributes")
        if rel.get("TargetMode", "Internal") == "External":
            out[rid] = _Rel(reltype, None)
            continue
        target = posixpath.abspath(posixpath.join(base, ref))
        if not target.startswith("/"):
            raise Unusual("part name")
        out[rid] = _Rel(reltype, target)
    return out


def _content_types(z: zipfile.ZipFile, whole: dict[str, bytes]) -> tuple[dict[str, str], dict[str, str]]:
    xml = whole.get("[Content_Types].xml")
    root = etree.fromstring(xml if xml is not None else z.read("[Content_Types].xml"), PARSER)
    if root.tag != f"{_CT_NS}Types":
        raise Unusual("content types root")
    overrides, defaults = {}, {}
    for o in root.findall(f"{_CT_NS}Override"):
        name, ct = o.get("PartName"), o.get("ContentType")
        if name is None or ct is None:
            raise Unusual("override attributes")
        overrides[name.lower()] = ct
    for d in root.findall(f"{_CT_NS}Default"):
        ext, ct = d.get("Extension"), d.get("ContentType")
        if ext is None or ct is None:
            raise Unusual("default attributes")
        defaults[ext.lower()] = ct
    return overrides, defaults


def _only(rels: dict[str, _Rel], reltype: str) -> str | None:
    """The part the one relationship of ``reltype`` points at (``None``: no such relationship)."""
    matching = [r for r in rels.values() if r.reltype == reltype]
    if len(matching) > 1 or (matching and matching[0].target is None):
        raise Unusual(f"{reltype} twice or external")
    return matching[0].target if matching else None


def open_package(z: zipfile.ZipFile, styles_known: dict[bytes, object],
                 whole: dict[str, bytes] | None = None) -> Package:
    """Walk and read the package in ``z`` as ``docx.Document`` does; raise :class:`Unusual` for one
    it would read differently or refuse.  ``styles_known``: styles parts already parsed without
    error (their bytes), which need not be parsed again; ``whole``: parts already read whole by
    name, as ``z.read`` reads them (``extract.docx._check``'s)."""
    whole = whole if whole is not None else {}
    overrides, defaults = _content_types(z, whole)
    package_rels = _rels(z, "/", whole)
    rels_of: dict[str, dict[str, _Rel]] = {}
    types: dict[str, str] = {}
    blobs: dict[str, bytes] = {}

    def walk(rels: dict[str, _Rel]) -> None:  # python-docx's depth-first walk, each part once
        for rel in rels.values():
            name = rel.target
            if name is None or name in rels_of:
                continue
            rels_of[name] = part_rels = _rels(z, name, whole)
            ext = posixpath.splitext(name)[1]
            ext = (ext[1:] if ext.startswith(".") else ext).lower()
            if name.lower() in overrides:
                ct = overrides[name.lower()]
            elif ext in defaults:
                ct = defaults[ext]
            else:
                raise Unusual("no content type")
            # (any failure here sends the package to python-docx: which comes first does not matter)
            blob = whole.get(name[1:])
            if blob is None:
                blob = read_part(z, name[1:], remember=ct != CT_DOCUMENT)
            types[name] = ct
            if ct in XML_PART_TYPES and rel.reltype != RT_IMAGE:
                blobs[name] = blob
            walk(part_rels)

    walk(package_rels)
    main = _only(package_rels, RT_OFFICE_DOCUMENT)
    core = _only(package_rels, RT_CORE)
    if main is None or core is None or types[main] != CT_DOCUMENT or types[core] != CT_CORE:
        raise Unusual("main document or core properties")
    doc_rels = rels_of[main]
    styles, numbering = _only(doc_rels, RT_STYLES), _only(doc_rels, RT_NUMBERING)
    if styles is None or styles not in blobs or (numbering is not None and numbering not in blobs):
        raise Unusual("styles or numbering part")

    roots = {}
    for name, blob in blobs.items():  # python-docx parses every Word XML part: a broken one refuses the file
        if name == styles and blob in styles_known:
            continue
        roots[name] = etree.fromstring(blob, PARSER)
    body = roots[main].find(f"{_W}body") if roots[main].tag == f"{_W}document" else None
    if body is None or roots[core].tag != f"{_CP}coreProperties":
        raise Unusual("document or core properties root")
    title_el = roots[core].find(_DC_TITLE)
    theme = None
    for rel in doc_rels.values():  # the first theme relationship, as extract.docx._theme_xml finds it
        if rel.reltype.endswith("/theme") and rel.target is not None:
            if types[rel.target] in XML_PART_TYPES:
                raise Unusual("theme parsed as a Word part")
            theme = read_part(z, rel.target[1:])
            break
    return Package(body=body, styles=blobs[styles], styles_root=roots.get(styles),
                   numbering=roots[numbering] if numbering else None, theme=theme,
                   title=(title_el.text or "") if title_el is not None else "")
