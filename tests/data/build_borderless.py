"""Build ``borderless_surrey.docx``/``.pdf``: Surrey's 1.1-1.3 tables without cell borders.

Plans exported from tools other than Word often draw tables with no borders
at all, or with only a rule under the header row.  The PDF reader must find
those tables from text alignment alone, so this test document renders three
of the Surrey fixture's tables (same text, widths and fonts as
``fixtures/src/surrey-2012-15.yaml``) that way, after the same prose and
bulleted list as the original, which must stay prose:

- 1.1: no borders and no shading at all;
- 1.2: only a rule under the header rows (it breaks across a page, so the
  repeated header rows and the split row are on the next page too);
- 1.3: only a rule under the header rows.

``build_all`` renders EVERY fixture (``fixtures/src/*.yaml``) the same way,
twice: ``tests/data/borderless/NAME.pdf``, the whole plan, prose and tables,
with no cell borders or shading at all, and ``NAME-rule.pdf`` with a rule
under each table's header rows (tables without header rows get none).  These
are the borderless benchmark (``tests/test_borderless_fixtures.py``): each
must score as the bordered fixture does against ``fixtures/expected``.

``build_rows`` writes ``tests/data/borderless/unpadded-rows.pdf``: two small
tables whose rows have no space between them, where only the columns' text
tells one row from the next (``tests/test_borderless.py``):

- no borders: a one-line owner cell as wide as its column's widest text, over
  the next row's owner, in a column whose text never wraps;
- header-blind (``A`` .. ``D``) with a rule under the header: a web address
  (lower case) wrapped over two lines, then the next row's address, beside a
  new action and a column whose next cell starts after a blank.

Usage (from the repository root; needs LibreOffice)::

    .venv/bin/python tests/data/build_borderless.py          # all three
    .venv/bin/python tests/data/build_borderless.py --all    # the fixture renderings only
    .venv/bin/python tests/data/build_borderless.py --surrey # borderless_surrey only
    .venv/bin/python tests/data/build_borderless.py --rows   # unpadded-rows only
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NAME = "borderless_surrey"
OUT_ALL = HERE / "borderless"
#: file-name suffix of each rendering, and whether it has a rule under the header rows
VARIANTS = {"": False, "-rule": True}
#: tables of the source taken over (by their first cell), and which get a rule under the header
TABLES = {"1.1": False, "1.2": True, "1.3": True}


def _build_module() -> Any:
    spec = importlib.util.spec_from_file_location("fixture_build", ROOT / "fixtures" / "build.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def source_spec() -> dict[str, Any]:
    """The Surrey source cut down to its opening prose and the chosen tables."""
    src = yaml.safe_load((ROOT / "fixtures" / "src" / "surrey-2012-15.yaml").read_text(encoding="utf-8"))
    blocks: list[dict[str, Any]] = []
    seen_table = False
    for block in src["blocks"]:
        if "table" in block:
            seen_table = True
            first = str(block["table"]["rows"][0][0])
            if first in TABLES:
                blocks.append(block)
                blocks.append({"para": f"Notes on section {first} follow the table."})
        elif not seen_table:
            blocks.append(block)
    return {"title": src["title"], "font_size": src.get("font_size", 11), "blocks": blocks}


def _no_borders(tbl: Any, keep_fills: Iterable[str] = ()) -> None:
    """Table borders off (they override the Table Grid style) and cell shading removed, but for
    fills in ``keep_fills`` (the layout benchmark keeps its RAG status colours)."""
    keep = set(keep_fills)
    tbl_pr = tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblBorders")):
        borders = OxmlElement("w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:val"), "nil")
            borders.append(el)
        old.addprevious(borders)
        tbl_pr.remove(old)
    for shd in list(tbl.iter(qn("w:shd"))):
        if shd.get(qn("w:fill")) not in keep:
            shd.getparent().remove(shd)


def _rule_under(tbl: Any, row_index: int) -> None:
    """A single rule under one row: a bottom border on each of its cells."""
    tr = tbl.findall(qn("w:tr"))[row_index]
    for tc in tr.findall(qn("w:tc")):
        tc_pr = tc.get_or_add_tcPr()
        borders = OxmlElement("w:tcBorders")
        bottom = OxmlElement("w:bottom")
        for key, val in (("val", "single"), ("sz", "8"), ("space", "0"), ("color", "auto")):
            bottom.set(qn(f"w:{key}"), val)
        borders.append(bottom)
        # schema order in tcPr: tcW, gridSpan, vMerge, tcBorders, shd, ...
        anchors = [el for tag in ("w:vMerge", "w:gridSpan", "w:tcW") if (el := tc_pr.find(qn(tag))) is not None]
        if anchors:
            anchors[0].addnext(borders)
        else:
            tc_pr.insert(0, borders)


def build(pdf: bool = True) -> Path:
    """Write the DOCX (and PDF) beside this script; return the DOCX path."""
    build = _build_module()
    out = HERE / f"{NAME}.docx"
    build.build_docx(source_spec(), out)
    doc = Document(str(out))
    for table in doc.tables:
        first = table.rows[0].cells[0].text.strip()
        _no_borders(table._tbl)
        if TABLES.get(first):
            _rule_under(table._tbl, 1)
    doc.save(str(out))
    build._normalise_zip(out)
    if pdf:
        build.convert_pdf(out, HERE)
    return out


def build_fixture(name: str, rule: bool = False) -> Path:
    """``tests/data/borderless/NAME.pdf`` (``NAME-rule.pdf`` with ``rule``): one whole fixture
    without borders."""
    build = _build_module()
    src = yaml.safe_load((ROOT / "fixtures" / "src" / f"{name}.yaml").read_text(encoding="utf-8"))
    header_rows = [int(b["table"].get("header_rows", 0)) for b in src["blocks"] if "table" in b]
    OUT_ALL.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="borderless-"))
    try:
        docx = tmp / f"{name}.docx"
        build.build_docx(src, docx)
        doc = Document(str(docx))
        assert len(doc.tables) == len(header_rows)
        for table, heads in zip(doc.tables, header_rows, strict=True):
            _no_borders(table._tbl)
            if rule and heads:
                _rule_under(table._tbl, heads - 1)
        doc.save(str(docx))
        build._normalise_zip(docx)
        pdf = build.convert_pdf(docx, tmp)
        out = OUT_ALL / f"{name}{'-rule' if rule else ''}.pdf"
        shutil.move(str(pdf), out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


#: ``unpadded-rows.pdf``: (table, rule under its header row?)
ROWS_TABLES: list[tuple[dict[str, Any], bool]] = [
    ({"widths": [5.0, 3.0], "header_rows": 1, "font_size": 9, "rows": [
        ["Planned work", "Owner"],
        ["Publish the neglect toolkit and add it to the multi-agency training offer", "Learning sub group"],
        ["Review the exploitation screening tool with schools, health visitors and the police, and agree "
         "one referral pathway for every partner in the county", "Learning sub group"],
        ["Run a workshop on domestic abuse and its impact on children", "Learning sub group"],
        ["Confirm that the missing children protocol is in place and used by every agency", "Exploitation group"],
        ["Audit twenty cases of neglect each quarter and report what was learnt", "Audit group"],
    ]}, False),
    ({"widths": [4.0, 2.0, 2.0, 2.5], "header_rows": 1, "font_size": 9, "rows": [
        ["A", "B", "C", "D"],
        ["Oversee and monitor the serious case review process and the child death review process",
         "www.countyscb.org.uk/procedures", "Agenda item for Q2", "Review group chair"],
        ["Ensure that learning from reviews is shared with the whole workforce",
         "www.countyscb.org.uk/procedures", "", "Business manager, review group chair and area group chairs"],
        ["Monitor how the learning changes practice through the quality assurance audits", "Learning plan 2014",
         "Papers on the shared drive", "Quality assurance group"],
    ]}, True),
]


def build_rows() -> Path:
    """``tests/data/borderless/unpadded-rows.pdf``: the tables of ``ROWS_TABLES`` without borders."""
    build = _build_module()
    spec: dict[str, Any] = {"title": "Business plan rows without padding", "font_size": 10,
                            "orientation": "landscape", "blocks": []}
    for n, (table, _) in enumerate(ROWS_TABLES, start=1):
        spec["blocks"] += [{"heading": f"Priority {n}: actions", "level": 2},
                           {"para": "The groups named below own these actions and report on each of them to the "
                                    "board every quarter, with the evidence of what has changed for children."},
                           {"table": table}]
    OUT_ALL.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="borderless-"))
    try:
        docx = tmp / "unpadded-rows.docx"
        build.build_docx(spec, docx)
        doc = Document(str(docx))
        for table, (_, rule) in zip(doc.tables, ROWS_TABLES, strict=True):
            _no_borders(table._tbl)
            if rule:
                _rule_under(table._tbl, 0)
        doc.save(str(docx))
        build._normalise_zip(docx)
        pdf = build.convert_pdf(docx, tmp)
        out = OUT_ALL / "unpadded-rows.pdf"
        shutil.move(str(pdf), out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def build_all() -> list[Path]:
    return [build_fixture(p.stem, rule) for p in sorted((ROOT / "fixtures" / "src").glob("*.yaml"))
            for rule in VARIANTS.values()]


if __name__ == "__main__":
    only = {"--all", "--surrey", "--rows"} & set(sys.argv)
    if not only or "--surrey" in only:
        print(build(pdf="--no-pdf" not in sys.argv))
    if not only or "--all" in only:
        for path in build_all():
            print(path)
    if not only or "--rows" in only:
        print(build_rows())
