"""ICDAR 2013 table competition benchmark: our PDF reader against pdfplumber and camelot.

For every ground-truth table (one unit per table and page) each tool's table
grid is scored with the competition's cell-adjacency measure (micro-averaged
precision/recall/F1 over all units, see ``bench.metrics``), and optionally
GriTS-Con (mean over units).  Two modes:

- ``regions``: structure only.  Each tool is given the true table region
  (padded by ``--pad`` points, since ruling lines sit just outside the text):
  ``ours`` = :func:`extract.pdf.tables_in_bbox` (ruled grid, else borderless),
  ``pdfplumber`` = ``page.crop(bbox).extract_tables()`` with its defaults,
  ``camelot-lattice`` / ``camelot-stream`` = ``camelot.read_pdf`` with
  ``table_areas`` set to the regions of the page.  True regions hug the text,
  so a padded region can still cut a table's frame, and then the line-based
  tools find nothing; for them (pdfplumber, lattice) a region left empty gets
  the tables the tool finds on the whole page that overlap it.
- ``pages``: detection included.  Each tool reads whole pages (ours: the
  full reader, :func:`extract.pdf.read_pdf`); each true table is matched to
  the detected table on its page that covers most of it.  ``extra`` counts
  detected tables that overlap no true table.

Only the ``a`` ground-truth variant of a document is used where the set has
two (``-a``/``-b`` readings of one PDF).

Usage (from the repository root)::

    .venv/bin/python -m bench.icdar2013 [--mode regions|pages|both] [--limit N]
        [--tools ours,pdfplumber,camelot-lattice,camelot-stream] [--grits] [--data DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.metrics import Counts, GridCell, adjacency_counts, grits_con, prf  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "icdar2013"
TOOLS = ("ours", "pdfplumber", "camelot-lattice", "camelot-stream")
#: Also selectable, not run by default: camelot 2's text-alignment flavor that the camelot engine uses.
EXTRA_TOOLS = ("camelot-network",)
BoxTL = tuple[float, float, float, float]  # x0, top, x1, bottom (pdfplumber space)
Grid = list[GridCell]


@dataclass
class Unit:
    """One true table on one page: its region and its cells."""

    doc: str
    table: str
    page: int                      # 1-based
    bbox: tuple[float, float, float, float]  # PDF points, origin bottom-left: x1, y1, x2, y2
    cells: Grid

    def bbox_tl(self, height: float, pad: float = 0.0) -> BoxTL:
        x1, y1, x2, y2 = self.bbox
        return (x1 - pad, height - y2 - pad, x2 + pad, height - y1 + pad)


@dataclass
class Doc:
    name: str
    pdf: Path
    units: list[Unit]
    pages: int = 0


@dataclass
class Tally:
    """What one tool scored in one mode."""

    counts: list[Counts] = field(default_factory=list)
    grits: list[float] = field(default_factory=list)
    found: int = 0
    extra: int = 0
    errors: int = 0
    seconds: float = 0.0
    pages: int = 0


# ---------------------------------------------------------------- ground truth

def _bbox(el: ET.Element) -> tuple[float, float, float, float]:
    b = el.find("bounding-box")
    assert b is not None
    return tuple(float(b.get(k)) for k in ("x1", "y1", "x2", "y2"))  # type: ignore[return-value]


def load_doc(pdf: Path) -> Doc:
    """A document's true tables: reg.xml regions, str.xml cells (region increments applied)."""
    stem = pdf.stem
    reg = ET.parse(pdf.with_name(f"{stem}-reg.xml")).getroot()
    struct = ET.parse(pdf.with_name(f"{stem}-str.xml")).getroot()
    boxes: dict[tuple[str, int], list[tuple[float, float, float, float]]] = {}
    for t in reg.findall("table"):
        for region in t.findall("region"):
            boxes.setdefault((t.get("id", ""), int(region.get("page", "1"))), []).append(_bbox(region))
    cells: dict[tuple[str, int], Grid] = {}
    for t in struct.findall("table"):
        for region in t.findall("region"):
            key = (t.get("id", ""), int(region.get("page", "1")))
            dr, dc = int(region.get("row-increment", "0")), int(region.get("col-increment", "0"))
            for c in region.findall("cell"):
                r0, c0 = int(c.get("start-row")), int(c.get("start-col"))
                r1, c1 = int(c.get("end-row", r0)), int(c.get("end-col", c0))
                text = (c.findtext("content") or "").strip()
                cells.setdefault(key, []).append(GridCell(r0 + dr, c0 + dc, r1 - r0 + 1, c1 - c0 + 1, text))
    for key, grid in cells.items():  # some files count rows and columns from 1: start every grid at 0
        r0, c0 = min(c.row for c in grid), min(c.col for c in grid)
        cells[key] = [c._replace(row=c.row - r0, col=c.col - c0) for c in grid]
    units = []
    for (tid, page), bs in sorted(boxes.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        box = (min(b[0] for b in bs), min(b[1] for b in bs), max(b[2] for b in bs), max(b[3] for b in bs))
        units.append(Unit(stem, tid, page, box, cells.get((tid, page), [])))
    return Doc(stem, pdf, units)


def load_set(data: Path, limit: int | None = None) -> list[Doc]:
    pdfs = sorted(data.glob("*/*.pdf"))
    return [load_doc(p) for p in pdfs[:limit] if p.with_name(f"{p.stem}-str.xml").exists()]


# ---------------------------------------------------------------- conversions

def from_table(table) -> Grid:
    """Our :class:`models.document.Table`."""
    return [GridCell(c.row, c.col, c.rowspan, c.colspan, c.text) for c in table.cells]


def from_rows(rows: Iterable[Iterable[str | None]]) -> Grid:
    """A list of rows of strings (pdfplumber's None = a position a merged cell covers)."""
    return [GridCell(r, c, 1, 1, text) for r, row in enumerate(rows) for c, text in enumerate(row)
            if text is not None]


def from_camelot(table) -> Grid:
    return from_rows(table.df.values.tolist())


def camelot_bbox_tl(table, height: float) -> BoxTL:
    x1, y1, x2, y2 = table._bbox
    return (x1, height - y2, x2, height - y1)


def _overlap(a: BoxTL, b: BoxTL) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0.0) * max(h, 0.0)


def _area(a: BoxTL) -> float:
    return max(a[2] - a[0], 0.0) * max(a[3] - a[1], 0.0)


# ---------------------------------------------------------------- tools, regions mode

RegionTool = Callable[[Doc, float], dict[int, list[Grid]]]  # unit index -> grids


def regions_ours(doc: Doc, pad: float) -> dict[int, list[Grid]]:
    import pdfplumber

    from extract.pdf import page_words, tables_in_bbox
    out: dict[int, list[Grid]] = {}
    with pdfplumber.open(str(doc.pdf)) as pdf:
        words_cache: dict[int, list] = {}
        for i, u in enumerate(doc.units):
            page = pdf.pages[u.page - 1]
            if u.page not in words_cache:
                words_cache[u.page] = page_words(page)
            tables = tables_in_bbox(page, u.bbox_tl(float(page.height), pad), page_no=u.page,
                                    words=words_cache[u.page])
            out[i] = [from_table(t) for t in tables]
    return out


def regions_pdfplumber(doc: Doc, pad: float) -> dict[int, list[Grid]]:
    import pdfplumber
    out: dict[int, list[Grid]] = {}
    with pdfplumber.open(str(doc.pdf)) as pdf:
        for i, u in enumerate(doc.units):
            page = pdf.pages[u.page - 1]
            box = u.bbox_tl(float(page.height), pad)
            box = (max(box[0], page.bbox[0]), max(box[1], page.bbox[1]),
                   min(box[2], page.bbox[2]), min(box[3], page.bbox[3]))
            out[i] = [from_rows(rows) for rows in page.crop(box).extract_tables()]
            if not out[i]:  # the crop cut the frame's rules: the page's grids over the region
                gt = u.bbox_tl(float(page.height))
                out[i] = [from_rows(t.extract()) for t in page.find_tables() if _overlap(gt, tuple(t.bbox)) > 0]
    return out


def _camelot_regions(flavor: str) -> RegionTool:
    def run(doc: Doc, pad: float) -> dict[int, list[Grid]]:
        import camelot
        out: dict[int, list[Grid]] = {i: [] for i in range(len(doc.units))}
        by_page: dict[int, list[int]] = {}
        for i, u in enumerate(doc.units):
            by_page.setdefault(u.page, []).append(i)
        for page_no, idx in by_page.items():
            areas = []
            for i in idx:
                x1, y1, x2, y2 = doc.units[i].bbox
                areas.append(f"{x1 - pad},{y2 + pad},{x2 + pad},{y1 - pad}")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tables = camelot.read_pdf(str(doc.pdf), pages=str(page_no), flavor=flavor,
                                          table_areas=areas, suppress_stdout=True)
            for t in tables:  # each table to the region it overlaps most
                tb = t._bbox
                best = max(idx, key=lambda i: _overlap(_pdf_to_tl(doc.units[i].bbox), _pdf_to_tl(tb)))
                out[best].append(from_camelot(t))
            missing = [i for i in idx if not out[i]]
            if flavor == "lattice" and missing:
                # an area that cuts the frame's rules (true regions hug the text) finds nothing:
                # take the ruled tables lattice finds on the whole page over the region instead
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    whole = camelot.read_pdf(str(doc.pdf), pages=str(page_no), flavor=flavor, suppress_stdout=True)
                for i in missing:
                    gt = _pdf_to_tl(doc.units[i].bbox)
                    out[i] = [from_camelot(t) for t in whole if _overlap(gt, _pdf_to_tl(t._bbox)) > 0]
        return out
    return run


def _pdf_to_tl(b: tuple[float, float, float, float]) -> BoxTL:
    """Bottom-left boxes compared among themselves: flip y with any constant."""
    return (b[0], -b[3], b[2], -b[1])


REGION_TOOLS: dict[str, RegionTool] = {
    "ours": regions_ours,
    "pdfplumber": regions_pdfplumber,
    "camelot-lattice": _camelot_regions("lattice"),
    "camelot-stream": _camelot_regions("stream"),
    "camelot-network": _camelot_regions("network"),
}


# ---------------------------------------------------------------- tools, pages mode

PageTool = Callable[[Doc], dict[int, list[tuple[BoxTL, Grid]]]]  # page -> (bbox, grid)


def pages_ours(doc: Doc) -> dict[int, list[tuple[BoxTL, Grid]]]:
    from extract.pdf import read_pdf
    out: dict[int, list[tuple[BoxTL, Grid]]] = {}
    for t in read_pdf(doc.pdf).tables:
        if t.page is not None and t.bbox is not None:
            out.setdefault(t.page, []).append((t.bbox, from_table(t)))
    return out


def pages_pdfplumber(doc: Doc) -> dict[int, list[tuple[BoxTL, Grid]]]:
    import pdfplumber
    out: dict[int, list[tuple[BoxTL, Grid]]] = {}
    with pdfplumber.open(str(doc.pdf)) as pdf:
        for page in pdf.pages:
            for t in page.find_tables():
                out.setdefault(page.page_number, []).append((tuple(t.bbox), from_rows(t.extract())))
    return out


def _camelot_pages(flavor: str) -> PageTool:
    def run(doc: Doc) -> dict[int, list[tuple[BoxTL, Grid]]]:
        import camelot
        import pdfplumber
        with pdfplumber.open(str(doc.pdf)) as pdf:
            heights = {p.page_number: float(p.height) for p in pdf.pages}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tables = camelot.read_pdf(str(doc.pdf), pages="all", flavor=flavor, suppress_stdout=True)
        out: dict[int, list[tuple[BoxTL, Grid]]] = {}
        for t in tables:
            page = int(t.page)
            out.setdefault(page, []).append((camelot_bbox_tl(t, heights[page]), from_camelot(t)))
        return out
    return run


PAGE_TOOLS: dict[str, PageTool] = {
    "ours": pages_ours,
    "pdfplumber": pages_pdfplumber,
    "camelot-lattice": _camelot_pages("lattice"),
    "camelot-stream": _camelot_pages("stream"),
    "camelot-network": _camelot_pages("network"),
}


# ---------------------------------------------------------------- runs

def _page_heights(doc: Doc) -> dict[int, float]:
    import pdfplumber
    with pdfplumber.open(str(doc.pdf)) as pdf:
        doc.pages = len(pdf.pages)
        return {p.page_number: float(p.height) for p in pdf.pages}


def run_regions(docs: list[Doc], tools: list[str], pad: float, grits: bool,
                log: Callable[[str], None], verbose: bool = False) -> dict[str, Tally]:
    tallies = {t: Tally() for t in tools}
    for doc in docs:
        pages = len({u.page for u in doc.units})
        for tool in tools:
            tally = tallies[tool]
            start = time.perf_counter()
            try:
                result = REGION_TOOLS[tool](doc, pad)
            except Exception as exc:  # a tool failing on a document scores nothing for it
                log(f"{tool}: {doc.name}: {exc.__class__.__name__}: {exc}")
                tally.errors += 1
                result = {}
            tally.seconds += time.perf_counter() - start
            tally.pages += pages
            for i, u in enumerate(doc.units):
                grids = [g for g in result.get(i, []) if g]
                tally.found += bool(grids)
                tally.counts.append(adjacency_counts(u.cells, grids))
                if verbose:
                    c = tally.counts[-1]
                    log(f"{tool}\t{u.doc}\t{u.table}\t{u.page}\t{c.correct}\t{c.predicted}\t{c.truth}")
                if grits:
                    tally.grits.append(max((grits_con(u.cells, g)[2] for g in grids), default=0.0))
    return tallies


def run_pages(docs: list[Doc], tools: list[str], grits: bool, log: Callable[[str], None],
              verbose: bool = False) -> dict[str, Tally]:
    tallies = {t: Tally() for t in tools}
    for doc in docs:
        heights = _page_heights(doc)
        for tool in tools:
            tally = tallies[tool]
            start = time.perf_counter()
            try:
                found = PAGE_TOOLS[tool](doc)
            except Exception as exc:
                log(f"{tool}: {doc.name}: {exc.__class__.__name__}: {exc}")
                tally.errors += 1
                found = {}
            tally.seconds += time.perf_counter() - start
            tally.pages += doc.pages
            matched: set[tuple[int, int]] = set()
            for u in doc.units:
                gt = u.bbox_tl(heights[u.page])
                cands = [(i, _overlap(gt, box) / max(_area(gt), 1.0)) for i, (box, _) in
                         enumerate(found.get(u.page, []))]
                best = max(cands, key=lambda c: c[1], default=None)
                if best is None or best[1] < 0.1:
                    tally.counts.append(adjacency_counts(u.cells, []))
                    if verbose:
                        log(f"{tool}\t{u.doc}\t{u.table}\t{u.page}\t0\t0\t{tally.counts[-1].truth}")
                    tally.grits.append(0.0) if grits else None
                    continue
                grid = found[u.page][best[0]][1]
                matched.add((u.page, best[0]))
                tally.found += 1
                tally.counts.append(adjacency_counts(u.cells, [grid]))
                if verbose:
                    c = tally.counts[-1]
                    log(f"{tool}\t{u.doc}\t{u.table}\t{u.page}\t{c.correct}\t{c.predicted}\t{c.truth}")
                if grits:
                    tally.grits.append(grits_con(u.cells, grid)[2])
            for page, dets in found.items():
                units = [u.bbox_tl(heights[page]) for u in doc.units if u.page == page]
                for i, (box, _) in enumerate(dets):
                    if (page, i) not in matched and not any(_overlap(box, g) > 0.1 * max(_area(box), 1.0)
                                                            for g in units):
                        tally.extra += 1
                        if verbose:
                            log(f"{tool}\t{doc.name}\textra\t{page}\t{[round(x) for x in box]}")
    return tallies


def report(title: str, tallies: dict[str, Tally], n_tables: int, grits: bool, extra: bool) -> str:
    """A Markdown table of one mode's results."""
    head = ["tool", "precision", "recall", "F1"] + (["GriTS-Con"] if grits else []) + \
        ["tables found"] + (["extra tables"] if extra else []) + ["s/page", "errors"]
    lines = [f"**{title}** ({n_tables} tables)", "", "| " + " | ".join(head) + " |",
             "| " + " | ".join("---" for _ in head) + " |"]
    for tool, t in tallies.items():
        p, r, f = prf(t.counts)
        row = [tool, f"{p:.3f}", f"{r:.3f}", f"{f:.3f}"]
        if grits:
            row.append(f"{sum(t.grits) / len(t.grits):.3f}" if t.grits else "-")
        row.append(f"{t.found}/{n_tables}")
        if extra:
            row.append(str(t.extra))
        row += [f"{t.seconds / max(t.pages, 1):.3f}", str(t.errors)]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA, help="folder of the ICDAR 2013 set (default: %(default)s)")
    ap.add_argument("--mode", choices=("regions", "pages", "both"), default="both")
    ap.add_argument("--limit", type=int, default=None, help="first N documents only")
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma-separated: " + ", ".join(TOOLS + EXTRA_TOOLS))
    ap.add_argument("--pad", type=float, default=5.0, help="points added around each true region")
    ap.add_argument("--grits", action="store_true", help="also compute GriTS-Con (slower)")
    ap.add_argument("--verbose", action="store_true", help="per-table counts (tool, doc, table, page, "
                    "correct, predicted, true) on stderr")
    ap.add_argument("--only", default=None, help="comma-separated document names (e.g. eu-001,us-034)")
    args = ap.parse_args(argv)
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = [t for t in tools if t not in TOOLS + EXTRA_TOOLS]
    if unknown:
        ap.error(f"unknown tool(s): {', '.join(unknown)}")
    if not args.data.is_dir():
        ap.error(f"no data folder {args.data}")
    docs = load_set(args.data, args.limit)
    if args.only:
        names = set(args.only.split(","))
        docs = [d for d in docs if d.name in names]
    n_tables = sum(len(d.units) for d in docs)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr)

    print(f"ICDAR 2013: {len(docs)} documents, {n_tables} true tables (table x page)\n")
    if args.mode in ("regions", "both"):
        tallies = run_regions(docs, tools, args.pad, args.grits, log, args.verbose)
        print(report("Given regions (structure only)", tallies, n_tables, args.grits, extra=False))
        print()
    if args.mode in ("pages", "both"):
        tallies = run_pages(docs, tools, args.grits, log, args.verbose)
        print(report("Whole pages (detection + structure)", tallies, n_tables, args.grits, extra=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
