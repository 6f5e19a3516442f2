"""The fast PDF engine (``--engine pdfium``): pdfplumber's reader, fed from PDFium.

pdfplumber spends nearly all of its time in pdfminer, interpreting content
streams in Python and building an object per character.  PDFium (through
pypdfium2) interprets them in C; what this engine adds is a thin layer that
turns PDFium's characters and paths into exactly what :mod:`extract.pdf`
consumes, so that every later step is *that module's code*, unchanged:

- words: :mod:`extract.pdfium_text` rebuilds pdfminer's character boxes and
  pdfplumber's word grouping (the same :class:`extract.layout.Word` list
  ``extract.pdf.page_words`` gives);
- rulings: page objects are walked once; paths become pdfplumber's ``lines``,
  ``rects`` and ``curves`` (split into subpaths and classified as pdfminer
  does) and their edges, images their boxes;
- :class:`PdfiumPage` offers the few attributes of a pdfplumber page that
  :mod:`extract.pdf` reads (``edges``, ``horizontal_edges``, ``curves``,
  ``images``, ``height``, ``find_tables``), and :func:`read_pdf` hands the
  pages to :func:`extract.pdf.read_pages`, the pdfplumber engine's own page
  loop and assembly: ``page_tables`` (ruled grids, their refinement from
  text alignment), ``horizontal_rules``, ``chart_boxes``, furniture
  removal, borderless tables and prose run as they do for pdfplumber.  ``find_tables`` is pdfplumber's ``TableFinder``
  algorithm step for step (:mod:`extract.pdfium_grid`, 3-4 times faster, the
  same cells), so grids are found as pdfplumber finds them.

A file PDFium cannot open (damaged beyond its repair) is handed to the
pdfplumber engine, so it fails with that engine's one-line reason, or is read
by it when pdfminer copes.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np

from extract import pdfium_native as native
from extract.layout import Word
from extract.pdf import DEFAULT, PdfSettings, read_pages
from extract.pdfium_grid import EdgeBox, find_grids_split
from extract.pdfium_text import FontCache, _fast, chars_to_words, page_chars
from models.document import Document
from models.errors import ExtractError

_P, _I, _F = ctypes.c_void_p, ctypes.c_int, ctypes.c_float
_count_objects = _fast("FPDFPage_CountObjects", _I, _P)
_get_object = _fast("FPDFPage_GetObject", _P, _P, _I)
_form_count = _fast("FPDFFormObj_CountObjects", _I, _P)
_form_object = _fast("FPDFFormObj_GetObject", _P, _P, ctypes.c_ulong)
_obj_type = _fast("FPDFPageObj_GetType", _I, _P)
_obj_matrix = _fast("FPDFPageObj_GetMatrix", _I, _P, _P)
_obj_bounds = _fast("FPDFPageObj_GetBounds", _I, _P, _P, _P, _P, _P)
_seg_count = _fast("FPDFPath_CountSegments", _I, _P)
_segment = _fast("FPDFPath_GetPathSegment", _P, _P, _I)
_seg_point = _fast("FPDFPathSegment_GetPoint", _I, _P, _P, _P)
_seg_type = _fast("FPDFPathSegment_GetType", _I, _P)
_seg_close = _fast("FPDFPathSegment_GetClose", _I, _P)
_draw_mode = _fast("FPDFPath_GetDrawMode", _I, _P, _P, _P)
_fill_colour = _fast("FPDFPageObj_GetFillColor", _I, _P, _P, _P, _P, _P)
_load_text = _fast("FPDFText_LoadPage", _P, _P)
_close_text = _fast("FPDFText_ClosePage", None, _P)
_media_box = _fast("FPDFPage_GetMediaBox", _I, _P, _P, _P, _P, _P)
_page_bbox = _fast("FPDF_GetPageBoundingBox", _I, _P, _P)
_load_page = _fast("FPDF_LoadPage", _P, _P, _I)
_close_page = _fast("FPDF_ClosePage", None, _P)
_page_rotation = _fast("FPDFPage_GetRotation", _I, _P)

_TEXT, _PATH, _IMAGE, _SHADING, _FORM = 1, 2, 3, 4, 5
_LINETO, _BEZIERTO, _MOVETO = 0, 1, 2
_MAX_FORM_DEPTH = 12  # a form drawing itself is cut off by PDFium; this bounds the walk anyway

Affine = tuple[float, float, float, float, float, float]
Point = tuple[float, float]


def _mul(m: Affine, n: Affine) -> Affine:
    """``m`` then ``n`` (PDF row-vector convention: p' = p·m·n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: Affine, x: float, y: float) -> Point:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


class PageSpace:
    """PDF user space to pdfplumber's coordinates (top-left origin, rotation applied).

    pdfminer renders through a page CTM that turns the page upright and moves
    the MediaBox origin to 0; pdfplumber then flips y against its normalised
    MediaBox.  The same steps, in the same order of floating-point operations,
    give the same numbers.
    """

    def __init__(self, media: tuple[float, float, float, float], rotation: int) -> None:
        x0, x1 = sorted((media[0], media[2]))
        y0, y1 = sorted((media[1], media[3]))
        self.ctm: Affine = {90: (0, -1, 1, 0, -y0, x1), 180: (-1, 0, 0, -1, x1, y1),
                            270: (0, 1, -1, 0, y1, -x0)}.get(rotation, (1, 0, 0, 1, -x0, -y0))
        nx0, ny0, nx1, ny1 = (y0, x0, y1, x1) if rotation in (90, 270) else (x0, y0, x1, y1)
        mb_height = ny1 - ny0
        self.bbox = (nx0, mb_height - ny1, nx1, mb_height - ny0)
        self.width = self.bbox[2] - self.bbox[0]
        self.height = self.bbox[3] - self.bbox[1]
        self.x_shift = self.bbox[0]
        self.top_shift = self.bbox[1]
        #: the CTM is the identity (no rotation, MediaBox at the origin): pdfminer's
        #: ``1*x + 0*y + 0`` is ``x`` exactly, so points pass through untouched
        self.upright = self.ctm == (1, 0, 0, 1, 0, 0)

    def point(self, x: float, y: float) -> Point:
        """A path point, as pdfplumber's ``point2coord`` places it."""
        dx, dy = _apply(self.ctm, x, y)
        return (self.x_shift + dx, self.top_shift + self.height - dy)

    def top(self, y: float) -> float:
        """An object's ``top``/``bottom`` from its device y, as pdfplumber's ``process_object``."""
        return (self.height - y) + self.top_shift


def _rotation(page: int) -> int:
    """The page's clockwise rotation in degrees, as pypdfium2's ``PdfPage.get_rotation`` gives it."""
    quarter = _page_rotation(page)
    if quarter == -1:
        from pypdfium2 import PdfiumError

        raise PdfiumError("Failed to get page rotation.")
    return (quarter * 90) % 360


def _mediabox(page: int) -> tuple[float, float, float, float]:
    """PDFium's MediaBox of a page (its page box where it has none), when pdfminer could not say."""
    box = (_F * 4)()
    addr = [ctypes.addressof(box) + 4 * k for k in range(4)]
    if _media_box(page, *addr):
        return tuple(box)  # type: ignore[return-value]
    rect = (_F * 4)()  # FS_RECTF: left, top, right, bottom
    _page_bbox(page, ctypes.addressof(rect))
    return (rect[0], rect[3], rect[2], rect[1])


class _Walk:
    """One pass over a page's objects: text object order, paths as pdfplumber's shapes, images."""

    def __init__(self, space: PageSpace) -> None:
        self.space = space
        self.text_order: dict[int, int] = {}
        self.text_outer: dict[int, Affine] = {}
        self.lines: list[dict] = []
        self.rects: list[dict] = []
        self.curves: list[dict] = []
        self.images: list[dict] = []
        self._paths: list[tuple[int, Affine]] = []  # path objects and their matrices, in content order
        self._m = (_F * 6)()
        self._fill: tuple[float, ...] | None = None  # fill colour of the path being read

    def run(self, page: int) -> _Walk:
        n = _count_objects(page)
        self._objects(list(map(_get_object, repeat(page, n), range(n))), (1, 0, 0, 1, 0, 0), 0)
        self._read_paths()
        return self

    def _matrix(self, obj: int) -> Affine:
        m = self._m
        _obj_matrix(obj, ctypes.addressof(m))
        return (m[0], m[1], m[2], m[3], m[4], m[5])

    def _objects(self, objs: list[int | None], outer: Affine, depth: int) -> None:
        objs = [o for o in objs if o]
        for obj, kind in zip(objs, map(_obj_type, objs), strict=True):  # kinds asked from C in one map
            if kind == _TEXT:
                self.text_order[obj] = len(self.text_order)
                if depth:
                    self.text_outer[obj] = outer
            elif kind == _PATH:  # read with the page's other paths, in this order
                self._paths.append((obj, _mul(self._matrix(obj), outer)))
            elif kind == _IMAGE:
                self._image(obj, outer)
            elif kind == _FORM and depth < _MAX_FORM_DEPTH:
                inner = _mul(self._matrix(obj), outer)
                n = _form_count(obj)
                self._objects(list(map(_form_object, repeat(obj, n), range(n))), inner, depth + 1)

    def dropped_space(self, obj: int) -> Affine | None:
        """The matrix of a text object PDFium's text page left out for having no width, else None.

        A lone space shown by itself has an empty glyph box; pdfminer keeps it
        as a character, and a space splits words.
        """
        box = (_F * 4)()
        a = ctypes.addressof(box)
        if not _obj_bounds(obj, a, a + 4, a + 8, a + 12) or abs(box[2] - box[0]) >= 0.01:
            return None
        return _mul(self._matrix(obj), self.text_outer.get(obj, (1, 0, 0, 1, 0, 0)))

    def _image(self, obj: int, outer: Affine) -> None:
        box = (_F * 4)()
        a = ctypes.addressof(box)
        if not _obj_bounds(obj, a, a + 4, a + 8, a + 12):
            return
        left, bottom, right, top = box
        img = self._obj("image", [_apply(outer, x, y) for x, y in ((left, bottom), (right, top),
                                                                    (left, top), (right, bottom))])
        self.images.append(img)

    def _read_paths(self) -> None:
        """The page's painted paths as pdfminer's shapes: one per subpath, a line, a rect or a curve.

        A page may hold hundreds of paths of a few segments each, so their
        segments are read for the whole page at once: the point, kind and
        close flag of every segment with one ``map`` each (the calls run from
        C, not from a Python loop; from the compiled library's loop in one call
        where it was built, :mod:`extract.pdfium_native`), then the points rounded to the decimals
        the file wrote and put through each path's matrix in numpy (``x * 10**4``
        is exact for PDFium's 32-bit floats, so numpy's rounding is Python's).
        """
        compiled = native.path_segments([o for o, _ in self._paths]) if self._paths else None
        if compiled is not None:  # the calls below, made from C (extract.pdfium_native)
            all_counts, raw, kinds, closes = compiled
            todo = [(obj, m, n) for (obj, m), n in zip(self._paths, all_counts, strict=True) if n > 0]
            if not todo:
                return
            counts = [n for _, _, n in todo]
        else:
            todo = [(obj, m, n) for (obj, m), n in zip(self._paths, map(_seg_count, (o for o, _ in self._paths)),
                                                       strict=True) if n > 0]
            if not todo:
                return
            counts = [n for _, _, n in todo]
            segs = list(map(_segment, chain.from_iterable(repeat(obj, n) for obj, _, n in todo),
                            chain.from_iterable(map(range, counts))))
            total = len(segs)
            raw = (_F * (2 * total))()
            base = ctypes.addressof(raw)
            list(map(_seg_point, segs, range(base, base + 8 * total, 8), range(base + 4, base + 8 * total, 8)))
            kinds = list(map(_seg_type, segs))
            closes = list(map(_seg_close, segs))
        xy = np.round(np.frombuffer(raw, dtype=np.float32).astype(np.float64), 4)
        m = np.repeat(np.array([mat for _, mat, _ in todo], dtype=np.float64), counts, axis=0)
        x, y = xy[0::2], xy[1::2]
        px = (m[:, 0] * x + m[:, 2] * y + m[:, 4]).tolist()  # a * x + c * y + e, in Python's order
        py = (m[:, 1] * x + m[:, 3] * y + m[:, 5]).tolist()
        fills = self._fills_of([obj for obj, _, _ in todo])
        at = 0
        for fill, n in zip(fills, counts, strict=True):
            self._fill = fill
            self._path(list(zip(px[at:at + n], py[at:at + n], strict=True)), kinds[at:at + n], closes[at:at + n])
            at += n
        self._fill = None

    def _fills_of(self, objs: list[int]) -> list[tuple[float, ...] | None]:
        """:meth:`_fill_of` of each path, its calls issued with one ``map`` each into numpy buffers
        (a page may draw hundreds of paths)."""
        n = len(objs)
        modes = np.zeros((n, 2), dtype=np.int32)  # fill mode, stroke flag
        base = modes.ctypes.data
        ok = list(map(_draw_mode, objs, range(base, base + 8 * n, 8), range(base + 4, base + 8 * n, 8)))
        filled = [k for k, (good, mode) in enumerate(zip(ok, modes[:, 0].tolist(), strict=True)) if good and mode]
        out: list[tuple[float, ...] | None] = [None] * n
        if not filled:
            return out
        rgba = np.zeros((len(filled), 4), dtype=np.uint32)
        a = rgba.ctypes.data
        got = list(map(_fill_colour, [objs[k] for k in filled], range(a, a + 16 * len(filled), 16),
                       range(a + 4, a + 16 * len(filled), 16), range(a + 8, a + 16 * len(filled), 16),
                       range(a + 12, a + 16 * len(filled), 16)))
        for k, good, (r, g, b, _) in zip(filled, got, rgba.tolist(), strict=True):
            if good:
                out[k] = (r / 255, g / 255, b / 255)
        return out

    def _fill_of(self, obj: int) -> tuple[float, ...] | None:
        """A filled path's fill colour as pdfplumber's ``non_stroking_color`` gives RGB (0-1), or
        None for a path that is only stroked (cell shading is a filled rectangle behind the cell)."""
        mode, stroke = _I(), _I()
        if not _draw_mode(obj, ctypes.addressof(mode), ctypes.addressof(stroke)) or mode.value == 0:
            return None
        rgba = (ctypes.c_uint * 4)()
        a = ctypes.addressof(rgba)
        if not _fill_colour(obj, a, a + 4, a + 8, a + 12):
            return None
        return (rgba[0] / 255, rgba[1] / 255, rgba[2] / 255)

    def _path(self, pts: list[Point], kinds: list[int], closes: list[int]) -> None:
        """One path's segments (device points, kinds, close flags) as pdfminer's subpaths.

        Each subpath (from a move to the next) is handed to :meth:`_shape` as its operators and
        their points, kept side by side (the points of a closing ``h`` are the subpath's start).
        """
        ops: list[str] = []
        at: list[Point] = []
        start: Point | None = None
        bezier = 0
        for pt, kind, close in zip(pts, kinds, closes, strict=True):
            if kind == _MOVETO:
                if ops:
                    self._shape("".join(ops), at)
                ops, at = ["m"], [pt]
                start, bezier = pt, 0
            elif kind == _BEZIERTO:
                bezier += 1
                if bezier == 3:  # PDFium keeps a curve's two control points as segments too
                    ops.append("c")
                    at.append(pt)
                    bezier = 0
            else:
                ops.append("l")
                at.append(pt)
            if close:
                if ops[-1] == "l" and start is not None and at[-1] == start:
                    ops[-1], at[-1] = "h", start  # PDFium's closing line back to the start is pdfminer's 'h'
                else:
                    ops.append("h")
                    at.append(start or pt)
        if ops:
            self._shape("".join(ops), at)

    def _shape(self, shape: str, pts: list[Point]) -> None:
        """pdfminer's ``paint_path`` for one subpath (its operators and their points), then
        pdfplumber's object dict."""
        if shape[:1] != "m":
            return
        if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
            shape = shape[:-2] + "h"
            pts.pop()
        if shape == "ml" or shape == "mlh":
            self.lines.append(self._obj("line", pts[:2]))
        elif shape == "mlllh" or shape == "mllll":
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
            closed = pts[0] == pts[4]
            square = ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0)
                      or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0))
            if closed and square:
                rect = self._obj("rect", [pts[0], pts[2]])
                rect["fill"], rect["non_stroking_color"] = self._fill is not None, self._fill
                self.rects.append(rect)
            else:
                self.curves.append(self._obj("curve", pts))
        else:
            self.curves.append(self._obj("curve", pts))

    def _obj(self, kind: str, pts: list[Point]) -> dict:
        """pdfplumber's dict for a pdfminer line, rect or curve (device points in)."""
        sp = self.space
        dev = pts if sp.upright else [_apply(sp.ctm, x, y) for x, y in pts]
        if len(dev) == 2:  # a line or a rect: min and max of two, as min() and max() pick them
            (xa, ya), (xb, yb) = dev
            dx0, dx1 = (xb if xb < xa else xa), (xb if xb > xa else xa)
            dy0, dy1 = (yb if yb < ya else ya), (yb if yb > ya else ya)
        else:
            xs, ys = [p[0] for p in dev], [p[1] for p in dev]
            dx0, dx1, dy0, dy1 = min(xs), max(xs), min(ys), max(ys)
        x0, x1 = (dx0 + sp.x_shift, dx1 + sp.x_shift) if sp.x_shift else (dx0, dx1)
        height, shift = sp.height, sp.top_shift
        top, bottom = (height - dy1) + shift, (height - dy0) + shift  # sp.top(), inline
        out = {"object_type": kind, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
               "width": dx1 - dx0, "height": dy1 - dy0}
        if kind == "curve":  # sp.point of each, inline (a chart's curves have thousands of points)
            a, b, c, d, e, f = sp.ctm
            x_shift, top_shift, height = sp.x_shift, sp.top_shift, sp.height
            out["pts"] = [(x_shift + (a * x + c * y + e), top_shift + height - (b * x + d * y + f)) for x, y in pts]
        return out


def _rect_edges(r: dict) -> list[dict]:
    """pdfplumber's ``rect_to_edges``: top, bottom, left, right (the keys :mod:`extract.pdf` and
    :mod:`extract.pdfium_grid` read, with pdfplumber's values)."""
    x0, x1, top, bottom, width, height = r["x0"], r["x1"], r["top"], r["bottom"], r["width"], r["height"]
    kind = "rect_edge"
    return [
        {"object_type": kind, "x0": x0, "x1": x1, "doctop": top, "top": top, "bottom": top, "width": width,
         "height": 0, "orientation": "h"},
        {"object_type": kind, "x0": x0, "x1": x1, "doctop": bottom, "top": bottom, "bottom": bottom,
         "width": width, "height": 0, "orientation": "h"},
        {"object_type": kind, "x0": x0, "x1": x0, "doctop": top, "top": top, "bottom": bottom, "width": 0,
         "height": height, "orientation": "v"},
        {"object_type": kind, "x0": x1, "x1": x1, "doctop": top, "top": top, "bottom": bottom, "width": 0,
         "height": height, "orientation": "v"},
    ]


def _curve_edges(c: dict) -> list[dict]:
    """pdfplumber's ``curve_to_edges``: one edge per segment between consecutive points."""
    out = []
    for (xa, ya), (xb, yb) in zip(c["pts"], c["pts"][1:], strict=False):
        top = yb if yb < ya else ya  # min(ya, yb), max(ya, yb), ...: what the builtins pick, inline
        out.append({"object_type": "curve_edge", "x0": xb if xb < xa else xa, "x1": xb if xb > xa else xa,
                    "top": top, "doctop": top, "bottom": yb if yb > ya else ya, "width": abs(xa - xb),
                    "height": abs(ya - yb), "orientation": "v" if xa == xb else ("h" if ya == yb else None)})
    return out


class _FoundTable:
    """What ``extract.pdf.ruled_tables`` reads of a pdfplumber table: its cells and bbox."""

    def __init__(self, cells: list[tuple[float, float, float, float]]) -> None:
        self.cells = cells
        self.bbox = (min(c[0] for c in cells), min(c[1] for c in cells),
                     max(c[2] for c in cells), max(c[3] for c in cells))


class PdfiumPage:
    """The part of a pdfplumber page that :mod:`extract.pdf` reads, from PDFium.

    Edges and their filtered views are computed once per page and cached:
    ``page_tables`` and ``refine_ruled`` ask for them once per table.
    """

    def __init__(self, page_number: int, space: PageSpace, walk: _Walk, words: list[Word]) -> None:
        self.page_number = page_number
        self.width = space.width
        self.height = space.height
        self.bbox = space.bbox
        self.lines, self.rects, self.curves, self.images = walk.lines, walk.rects, walk.curves, walk.images
        self.words = words

    @cached_property
    def edges(self) -> list[dict]:
        """pdfplumber's ``page.edges``: line edges, then rect edges, then curve edges."""
        lines = [{**ln, "orientation": "h" if ln["top"] == ln["bottom"] else "v"} for ln in self.lines]
        rects = [e for r in self.rects for e in _rect_edges(r)]
        return lines + rects + [e for c in self.curves for e in _curve_edges(c)]

    @cached_property
    def horizontal_edges(self) -> list[dict]:
        return [e for e in self.edges if e["orientation"] == "h"]

    @cached_property
    def vertical_edges(self) -> list[dict]:
        return [e for e in self.edges if e["orientation"] == "v"]

    @cached_property
    def edge_split(self) -> tuple[list[EdgeBox], list[EdgeBox]]:
        """:attr:`vertical_edges` and :attr:`horizontal_edges` as (x0, top, x1, bottom, width, height)
        tuples, in the same order, without a dict per edge (a chart page draws thousands): what the
        grid finder and :func:`extract.pdf.horizontal_rules` read (``tests/test_pdfium_fast.py``
        holds them to the dicts)."""
        v: list[EdgeBox] = []
        h: list[EdgeBox] = []
        for ln in self.lines:
            top, bottom = ln["top"], ln["bottom"]
            (h if top == bottom else v).append((ln["x0"], top, ln["x1"], bottom, ln["width"], ln["height"]))
        for r in self.rects:  # _rect_edges: top, bottom (horizontal), left, right (vertical)
            x0, x1, top, bottom, width, height = r["x0"], r["x1"], r["top"], r["bottom"], r["width"], r["height"]
            h.append((x0, top, x1, top, width, 0))
            h.append((x0, bottom, x1, bottom, width, 0))
            v.append((x0, top, x0, bottom, 0, height))
            v.append((x1, top, x1, bottom, 0, height))
        for c in self.curves:  # _curve_edges: a segment is vertical, horizontal or neither
            pts = c["pts"]
            for (xa, ya), (xb, yb) in zip(pts, pts[1:], strict=False):
                if xa == xb:
                    out = v
                elif ya == yb:
                    out = h
                else:
                    continue
                top = yb if yb < ya else ya
                out.append((xb if xb < xa else xa, top, xb if xb > xa else xa, yb if yb > ya else ya,
                            abs(xa - xb), abs(ya - yb)))
        return v, h

    def find_tables(self, table_settings: dict | None = None) -> list[_FoundTable]:
        """pdfplumber's ``find_tables``: its ``TableFinder`` algorithm (``extract.pdfium_grid``) on these edges
        (:func:`~extract.pdfium_grid.find_grids` on their tuples, :attr:`edge_split`)."""
        v, h = self.edge_split
        if not v or not h:
            return []
        return [_FoundTable(cells) for cells in find_grids_split(v, h, table_settings)]


def _open(path: Path, password: str | None) -> Any:
    """The PDFium document, or the pdfplumber engine's error for a file PDFium cannot open."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path), password=password or None)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == 4 or "password" in str(exc).lower():
            reason = "wrong password for encrypted PDF" if password else "encrypted PDF (password required)"
            raise ExtractError(reason, file=str(path)) from exc
        return None


PageBox = tuple[tuple[float, float, float, float], int]


@dataclass
class PdfminerFacts:
    """What pdfminer reads from a file's page tree and font dictionaries (see :func:`pdfminer_facts`)."""

    #: (descent, descriptor font name) by base font name, where every dictionary of that name agrees
    fonts: dict[str, tuple[float, str]] = field(default_factory=dict)
    #: MediaBox (None where unreadable) and rotation of each page
    boxes: list[PageBox] = field(default_factory=list)
    #: base names that more than one font dictionary carries (so a name does not identify the widths)
    shared_names: set[str] = field(default_factory=set)


def pdfminer_facts(path: Path, password: str | None) -> PdfminerFacts:
    """:func:`pdfminer_facts_plain`, read by :func:`extract.pdffacts.lean_facts` where it can.

    That reader takes the same objects from the file's bytes with a few
    regular expressions (~0.5 ms a plan against pdfminer's ~2.4 ms) and gives
    pdfminer's facts or nothing: a file it does not read exactly as pdfminer
    does (xref streams, encryption, anything malformed) is read by pdfminer.
    """
    from extract.pdffacts import lean_facts

    lean = lean_facts(path)
    if lean is not None:
        return PdfminerFacts(*lean)
    return pdfminer_facts_plain(path, password)


def pdfminer_facts_plain(path: Path, password: str | None) -> PdfminerFacts:
    """What PDFium does not say as pdfminer reads it: font descents and names, page boxes.

    - Each font's ``/Descent`` and ``/FontName``, by base name without the
      subset tag: pdfminer puts a character's bottom at its baseline plus the
      descriptor's descent, while PDFium replaces a descriptor's 0/0
      ascent/descent (as LibreOffice writes them) with glyph metrics, which
      moves every word; and pdfminer's font name (bold or not) is the
      descriptor's, PDFium's the font dictionary's ``/BaseFont``;
    - each page's MediaBox and rotation as written (PDFium keeps 32-bit
      floats: A4's 595.2756 would be 595.27563);
    - the base names that several font dictionaries carry: two dictionaries
      may share a name and even an embedded program while their ``/Widths``
      differ (one covering the letters, one a few symbols), so such fonts
      must not share their advance widths between pages
      (:class:`extract.pdfium_text.FontCache`).

    Only the page tree and font dictionaries are parsed (a few ms per file);
    empty when pdfminer cannot parse the file (PDFium's values are used).
    """
    try:
        from pdfminer.fontmetrics import FONT_METRICS
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfpage import PDFPage
        from pdfminer.pdfparser import PDFParser
        from pdfminer.pdftypes import PDFObjRef, resolve1
        from pdfminer.psparser import PSLiteral
    except ImportError:
        return PdfminerFacts()

    def name_of(value: Any) -> str:
        value = resolve1(value)
        value = value.name if isinstance(value, PSLiteral) else value
        value = value.decode("latin-1") if isinstance(value, bytes) else str(value or "")
        return value.split("+", 1)[1] if re.match(r"^[A-Z]{6}\+", value) else value

    from extract.pdffacts import FontTally

    tally = FontTally()
    boxes: list[PageBox] = []
    direct: list[Any] = []  # keeps direct dictionaries alive, so that their ids stay theirs
    try:
        with open(path, "rb") as fh:
            doc = PDFDocument(PDFParser(fh), password=password or "")
            seen: set[int] = set()
            for page in PDFPage.create_pages(doc):
                box = [float(resolve1(v)) for v in (resolve1(page.mediabox) or [])]
                boxes.append((tuple(box) if len(box) == 4 else None, int(page.rotate or 0) % 360))  # type: ignore[arg-type]
                resources = resolve1(page.resources) or {}
                for ref in (resolve1(resources.get("Font")) or {}).values():
                    if isinstance(ref, PDFObjRef):
                        if ref.objid in seen:
                            continue
                        seen.add(ref.objid)
                    spec = resolve1(ref)
                    if not isinstance(spec, dict) or resolve1(spec.get("Subtype")) == PSLiteral("Type3"):
                        continue
                    names = {name_of(spec.get("BaseFont"))}
                    target = spec
                    kids = resolve1(spec.get("DescendantFonts"))
                    if isinstance(kids, list) and kids:
                        target = resolve1(kids[0]) or spec
                        names.add(name_of(target.get("BaseFont")))
                    desc = resolve1(target.get("FontDescriptor"))
                    if not isinstance(desc, dict):
                        metrics = FONT_METRICS.get(name_of(spec.get("BaseFont")))
                        desc = metrics[0] if metrics else {}
                    value = -abs(float(resolve1(desc.get("Descent", 0)) or 0))
                    fontname = name_of(desc.get("FontName", "unknown"))
                    ident = ref.objid if isinstance(ref, PDFObjRef) else id(spec)
                    if not isinstance(ref, PDFObjRef):
                        direct.append(spec)
                    tally.add(names, value, fontname, ident)
    except Exception:
        return PdfminerFacts()
    return PdfminerFacts(tally.fonts(), boxes, tally.shared_names())


def read_pdf(path: Path, *, engine: str = "pdfium", settings: PdfSettings = DEFAULT,
             password: str | None = None, dates: dict[str, str] | None = None) -> Document:
    """Read a text PDF with PDFium: the same Document the pdfplumber engine gives.

    The pages go through :func:`extract.pdf.read_pages`, the pdfplumber
    engine's own page loop and assembly (``tests/test_pdfium.py`` holds the
    two engines to the same records).  ``dates``, when given, receives the
    file's metadata dates (:func:`extract.filedates.pdf_info_dates`), read
    while the file is open: :func:`extract.read` would otherwise open it again
    for them.
    """
    doc = _open(path, password)
    if doc is None:  # PDFium could not open it: the pdfplumber engine reads it or says why not
        from extract.pdf import read_pdf as read_plumber
        return read_plumber(path, settings=settings, password=password)
    try:
        out = read_pages(path, pages(doc, pdfminer_facts(path, password)), settings, words=_words)
        if dates is not None:
            from extract.filedates import pdf_info_dates

            try:
                dates.update(pdf_info_dates(doc))
            except Exception:  # a hint: extract.read asks extract.filedates as before
                pass
        return out
    finally:
        doc.close()


def _words(page: PdfiumPage) -> list[Word]:
    """A page's words for :func:`extract.pdf.read_pages` (read with the page, by :func:`read_page`)."""
    return page.words


def pages(doc: Any, facts: PdfminerFacts) -> Iterator[PdfiumPage]:
    """Each page of an open PDFium document, read (:func:`read_page`) and closed in turn.

    ``facts`` (:func:`pdfminer_facts` of the same file) gives pdfminer's
    font descents and page boxes; where its page count differs from
    PDFium's, PDFium's boxes are used.
    """
    boxes = facts.boxes if len(facts.boxes) == len(doc) else []
    fonts = FontCache(facts.fonts, facts.shared_names)
    if doc.formenv:  # pypdfium2's page objects tell a form environment about each page
        for i in range(len(doc)):
            page = doc[i]
            try:
                pp = read_page(page, i + 1, fonts, boxes[i] if boxes else None)
            finally:
                page.close()
            yield pp
        return
    # PDFium's own page handles: pypdfium2's page objects (a finaliser and a weak reference to
    # the document each) cost ~0.1 ms a page, and nothing else of them is used
    handle = ctypes.cast(doc.raw, ctypes.c_void_p).value
    for i in range(len(doc)):
        raw = _load_page(handle, i)
        if not raw:
            from pypdfium2 import PdfiumError

            raise PdfiumError("Failed to load page.")  # pypdfium2's reason, as read_pages reports it
        try:
            pp = _read_raw(raw, i + 1, fonts, boxes[i] if boxes else None)
        finally:
            _close_page(raw)
        yield pp


def read_page(page: Any, page_no: int, fonts: FontCache, box: PageBox | None = None) -> PdfiumPage:
    """One page (a pypdfium2 page): its objects walked once, its words built from one text page.

    ``box`` is the page's MediaBox and rotation as pdfminer read them; PDFium's otherwise.
    """
    return _read_raw(ctypes.cast(page.raw, ctypes.c_void_p).value, page_no, fonts, box)


def _read_raw(raw: int, page_no: int, fonts: FontCache, box: PageBox | None = None) -> PdfiumPage:
    """:func:`read_page` of a PDFium page handle."""
    if box is None or box[0] is None:
        box = (_mediabox(raw), _rotation(raw))
    space = PageSpace(*box)
    walk = _Walk(space).run(raw)
    tp = _load_text(raw)
    fonts.begin_page()
    try:
        chars = page_chars(tp, space, fonts, walk)
    finally:
        _close_text(tp)
    return PdfiumPage(page_no, space, walk, chars_to_words(chars))


__all__ = ["PdfiumPage", "PdfminerFacts", "pages", "pdfminer_facts", "pdfminer_facts_plain", "read_page",
           "read_pdf"]
