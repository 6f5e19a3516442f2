"""The DOCX reader's own package reading (``extract.docx_package``) gives what python-docx gives.

The reader opens a package once and parses only the parts it uses, with
plain lxml; python-docx, which it used before, stays the reader of every
package the fast path does not vouch for.  Each test here reads real files
(the fixtures, the test data, the bad inputs, and fixtures altered part by
part) both ways and wants the same ``Document`` or the same one-line error.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from extract import docx_package
from extract.docx import _read_with_python_docx, check_package, read_docx, read_docx_dated
from extract.filedates import file_dates
from models.errors import ExtractError

DOCX = sorted(FIXTURES.glob("*.docx")) + sorted((ROOT / "tests" / "data").glob("*.docx")) + sorted(
    (ROOT / "tests" / "bad").glob("*.docx"))


def _outcome(read, path: Path) -> str:
    try:
        return repr(read(path))
    except ExtractError as exc:
        return f"Error: {exc}"


def _plain(path: Path) -> str:
    """What the reader gave before: the package checked, then read by python-docx."""
    try:
        check_package(path)
    except ExtractError as exc:
        return f"Error: {exc}"
    return _outcome(_read_with_python_docx, path)


@pytest.mark.parametrize("path", DOCX, ids=lambda p: p.name)
def test_every_docx_at_hand_reads_as_python_docx_reads_it(path):
    assert _outcome(read_docx, path) == _plain(path)
    assert _outcome(read_docx, path) == _outcome(read_docx, path)  # a second read (styles known) is the same


def test_the_fast_path_is_taken_for_real_plans():
    for path in sorted(FIXTURES.glob("*.docx")):
        with zipfile.ZipFile(path) as z:
            package = docx_package.open_package(z, {})
        assert package.body.tag.endswith("}body") and package.styles_root is not None


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.docx")), ids=lambda p: p.name)
def test_dates_read_with_the_package_are_the_files(path):
    assert read_docx_dated(path).dates == file_dates(path, "docx")
    assert file_dates(path, "docx")  # the fixtures carry dates: the comparison means something
    assert read_docx(path).dates == {}  # a .doc converted to DOCX keeps its own file's dates (extract.read)


def test_python_docx_names_are_the_packages():
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.part import PartFactory

    assert set(PartFactory.part_type_for) == docx_package.XML_PART_TYPES
    assert (CT.WML_DOCUMENT_MAIN, CT.OPC_CORE_PROPERTIES) == (docx_package.CT_DOCUMENT, docx_package.CT_CORE)
    assert (RT.OFFICE_DOCUMENT, RT.IMAGE, RT.STYLES, RT.NUMBERING, RT.CORE_PROPERTIES) == (
        docx_package.RT_OFFICE_DOCUMENT, docx_package.RT_IMAGE, docx_package.RT_STYLES,
        docx_package.RT_NUMBERING, docx_package.RT_CORE)


def _rewrite(src: Path, dst: Path, part: str, edit) -> Path:
    with zipfile.ZipFile(src) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    new = edit(parts.get(part))
    assert new != parts.get(part), part
    if new is None:
        del parts[part]
    else:
        parts[part] = new
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in parts.items():
            z.writestr(name, blob)
    return dst


def _drop_rel(kind: str):
    return lambda xml: re.sub(rb'<Relationship [^>]*/' + kind.encode() + rb'"[^>]*/>', b"", xml)


#: (name, part, edit, what python-docx makes of it: "error" or a title it reads)
ALTERED = [
    ("styles-not-xml", "word/styles.xml", lambda x: x.replace(b"</w:styles>", b""), "error"),
    ("settings-not-xml", "word/settings.xml", lambda x: x.replace(b"</w:settings>", b""), "error"),
    ("core-not-xml", "docProps/core.xml", lambda x: x.replace(b"</cp:coreProperties>", b""), "error"),
    ("no-core", "_rels/.rels", _drop_rel("core-properties"), "Word Document"),  # python-docx's default
    ("no-styles", "word/_rels/document.xml.rels", _drop_rel("styles"), "read"),
    ("no-numbering", "word/_rels/document.xml.rels", _drop_rel("numbering"), "read"),
    ("no-theme", "word/_rels/document.xml.rels", _drop_rel("theme"), "read"),
    ("numbering-of-another-type", "[Content_Types].xml",
     lambda x: x.replace(b"numbering+xml", b"numberingX+xml"), "error"),
    ("no-content-type", "[Content_Types].xml", lambda x: x.replace(b'Extension="xml"', b'Extension="xmq"'),
     "error"),
    ("part-missing", "word/fontTable.xml", lambda x: None, "error"),
    ("no-body", "word/document.xml", lambda x: x.replace(b"<w:body>", b"<w:bodx>").replace(
        b"</w:body>", b"</w:bodx>"), "error"),
    ("duplicate-id", "word/_rels/document.xml.rels", lambda x: x.replace(b'Id="rId1"', b'Id="rId2"'), "read"),
    ("template", "[Content_Types].xml", lambda x: x.replace(b"document.main+xml", b"template.main+xml"),
     "error"),
]


@pytest.mark.parametrize("name,part,edit,want", ALTERED, ids=[a[0] for a in ALTERED])
def test_altered_packages_read_or_fail_as_with_python_docx(tmp_path, name, part, edit, want):
    path = _rewrite(FIXTURES / "surrey-2012-15.docx", tmp_path / f"{name}.docx", part, edit)
    got = _outcome(read_docx, path)
    assert got == _plain(path)
    if want == "error":
        assert got.startswith(f"Error: {path}: not a readable DOCX (")
    else:
        assert got.startswith("Document(")
        if want != "read":
            assert f"title={want!r}" in got


def test_a_corrupt_part_the_reader_does_not_use_still_refuses_the_file(tmp_path):
    src = FIXTURES / "surrey-2012-15.docx"
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as z:
        info = z.getinfo("word/fontTable.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size - 3] ^= 0xFF
    path = tmp_path / "corrupt.docx"
    path.write_bytes(bytes(data))
    got = _outcome(read_docx, path)
    assert got == _plain(path) and got.startswith(f"Error: {path}: not a readable DOCX (")


def test_child_lookups_are_lxmls_find():
    """The reader's child loops answer as ``find`` does, on every element of the fixtures' documents and
    on odd ones (comments, a property element twice, the element not first)."""
    from lxml import etree

    from extract.docx import _B, _NUMPR, _PPR, _PSTYLE, _RPR, W, _child, _grandchild

    w = W[1:-1]
    odd = etree.fromstring(
        f'<w:p xmlns:w="{w}"><!-- c --><w:r><w:t>x</w:t></w:r><w:pPr/><w:pPr><w:numPr/><w:pStyle w:val="a"/>'
        f'<w:pStyle w:val="b"/></w:pPr><w:r><w:rPr/><w:rPr><w:b/></w:rPr></w:r></w:p>'.encode())
    roots = [odd]
    for path in sorted(FIXTURES.glob("*.docx")):
        with zipfile.ZipFile(path) as z:
            roots.append(etree.fromstring(z.read("word/document.xml"), docx_package.PARSER))
    checked = 0
    for root in roots:
        for el in root.iter():
            for tag in (_PPR, _PSTYLE, _NUMPR, _RPR, _B, W + "t"):
                assert _child(el, tag) is el.find(tag)
            for tag, sub in ((_PPR, _NUMPR), (_PPR, _PSTYLE), (_RPR, _B)):
                assert _grandchild(el, tag, sub) is el.find(f"{tag}/{sub}")
            checked += 1
    assert checked > 10000
    assert _child(None, _PPR) is None


def test_read_part_is_zips_read_and_remembers_shared_parts():
    """``read_part`` gives ``ZipFile.read``'s bytes for every member of every DOCX at hand, read fresh
    or from its memo (the very object for a large part read before, by its compressed bytes)."""
    docx_package._PARTS.clear()
    remembered = 0
    for _ in range(2):
        for path in DOCX:
            try:
                z = zipfile.ZipFile(path)
            except zipfile.BadZipFile:
                continue
            with z:
                for info in z.infolist():
                    if info.file_size > 64 << 20:  # tests/bad/zip-bomb.docx's 1 GB part: refused by the
                        continue                    # package check before any read (test_bad_inputs)
                    try:
                        want = z.read(info)
                    except Exception as exc:  # noqa: BLE001 - the same error both ways
                        with pytest.raises(type(exc)):
                            docx_package.read_part(z, info.filename)
                        continue
                    got = docx_package.read_part(z, info.filename)
                    assert got == want, (path, info.filename)
                    if got is docx_package.read_part(z, info.filename):
                        remembered += 1
                        assert info.file_size >= docx_package.PART_MEMO_MIN
    assert remembered >= 4  # the fixtures' shared styles parts come from the memo


def test_a_corrupt_copy_of_a_remembered_part_still_refuses_the_file(tmp_path):
    """A styles part with the directory entry of one the memo holds but other compressed bytes is read
    (and refused) as python-docx reads it, not answered from the memo."""
    src = FIXTURES / "surrey-2012-15.docx"
    assert _outcome(read_docx, src).startswith("Document(")  # its styles parts are now remembered
    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as z:
        info = z.getinfo("word/styles.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    path = tmp_path / "corrupt-styles.docx"
    path.write_bytes(bytes(data))
    got = _outcome(read_docx, path)
    assert got == _plain(path) and got.startswith(f"Error: {path}: not a readable DOCX (")


def test_parts_the_check_read_whole_are_zips_read(tmp_path):
    """The small parts ``_check`` read to their end (for its DTD test) are what ``z.read`` gives, for
    every DOCX at hand and for a name written twice (``z.read`` reads the last entry)."""
    import warnings

    from extract.docx import _checked_zip

    src = FIXTURES / "surrey-2012-15.docx"
    twice = tmp_path / "twice.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(twice, "w", zipfile.ZIP_DEFLATED) as zout:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # 'Duplicate name'
            for info in zin.infolist():
                zout.writestr(info.filename, zin.read(info.filename))
            zout.writestr("word/settings.xml", zin.read("word/settings.xml") + b"<!--" + b"x" * 5000 + b"-->")
    kept = 0
    for path in [*DOCX, twice]:
        whole: dict[str, bytes] = {}
        try:
            z = _checked_zip(path, whole=whole)
        except ExtractError:
            continue
        with z:
            for name, data in whole.items():
                assert data == z.read(name), (path, name)
        kept += len(whole)
        if path == twice:
            assert "word/settings.xml" not in whole and "word/_rels/document.xml.rels" in whole
    assert kept > 50
    assert _outcome(read_docx, twice) == _plain(twice)
