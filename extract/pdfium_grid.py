"""pdfplumber's ruled-table finder (``strategy="lines"``), rewritten for speed, same results.

``pdfplumber.table.TableFinder`` builds a dict per edge at every step and
tests every pair of intersections for shared edges with freshly built sets;
on a page of a ruled plan that is a third of the table time once text comes
from PDFium.  This module keeps its algorithm and its arithmetic, step for
step, on tuples, with each intersection's edge sets built once:

1. edges at least ``min_length_prefilter`` long, by orientation;
2. snap: edges whose position is within ``snap`` of a chained cluster move
   to the cluster mean (``x + (mean - x)``, as pdfplumber computes it);
3. join: collinear edges less than ``join`` apart become one;
4. edges shorter than ``min_length`` go;
5. intersections of vertical and horizontal edges within ``tolerance``;
6. each intersection's smallest cell whose four sides are drawn;
7. cells sharing a corner form a table (``pdfplumber.table.cells_to_tables``).

``tests/test_pdfium.py`` checks it against ``TableFinder`` on every page of
the fixtures.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from itertools import groupby
from operator import itemgetter
from typing import Any

Box = tuple[float, float, float, float]
# an edge: x0, top, x1, bottom, length (pdfplumber's width for horizontal, height for vertical)
Edge = tuple[float, float, float, float, float]
#: a page edge as ``extract.pdfium.PdfiumPage.edge_split`` gives it: x0, top, x1, bottom, width, height
EdgeBox = tuple[float, float, float, float, float, float]


def _cluster_ids(values: Iterable[float], tolerance: float) -> dict[float, int]:
    """pdfplumber's ``make_cluster_dict``: sorted distinct values, chained within ``tolerance``."""
    out: dict[float, int] = {}
    last: float | None = None
    group = -1
    for v in sorted(set(values)):
        if last is None or v > last + tolerance:
            group += 1
        out[v] = group
        last = v
    return out


def _snap(edges: list[Edge], axis: int, tolerance: float) -> list[Edge]:
    """pdfplumber's ``snap_objects`` on ``x0`` (axis 0, vertical edges) or ``top`` (axis 1).

    Members are gathered cluster by cluster in their order (what a stable sort by cluster gives).
    """
    if not edges:
        return []
    ids = _cluster_ids((e[axis] for e in edges), tolerance)
    groups: list[list[Edge]] = [[] for _ in range(max(ids.values()) + 1)]
    for e in edges:
        groups[ids[e[axis]]].append(e)
    out: list[Edge] = []
    for group in groups:
        if not group:
            continue
        avg = sum(e[axis] for e in group) / len(group)
        if axis == 0:
            for x0, top, x1, bottom, length in group:
                d = avg - x0
                out.append((x0 + d, top, x1 + d, bottom, length))
        else:
            for x0, top, x1, bottom, length in group:
                d = avg - top
                out.append((x0, top + d, x1, bottom + d, length))
    return out


def _join(group: list[Edge], horizontal: bool, tolerance: float) -> list[Edge]:
    """pdfplumber's ``join_edge_group``: sorted along the line, overlapping or near ones merged."""
    lo, hi = (0, 2) if horizontal else (1, 3)
    ordered = sorted(group, key=itemgetter(lo))
    joined = [ordered[0]]
    for e in ordered[1:]:
        last = joined[-1]
        if e[lo] <= last[hi] + tolerance:
            if e[hi] > last[hi]:
                x0, top, x1, bottom, length = last
                if horizontal:  # resize_object(last, "x1", ...): width = new x1 - x0
                    joined[-1] = (x0, top, e[2], bottom, e[2] - x0)
                else:  # resize_object(last, "bottom", ...): height grows by the difference
                    joined[-1] = (x0, top, x1, e[3], length + (e[3] - bottom))
        else:
            joined.append(e)
    return joined


def merged_edges(edges: list[dict], snap: float = 3, join: float = 3, min_length: float = 3,
                 min_length_prefilter: float = 1) -> tuple[list[Edge], list[Edge]]:
    """Steps 1-4: the vertical and the horizontal edges the finder works with."""
    v = [(e["x0"], e["top"], e["x1"], e["bottom"], e["height"]) for e in edges
         if e["orientation"] == "v" and e["height"] >= min_length_prefilter]
    h = [(e["x0"], e["top"], e["x1"], e["bottom"], e["width"]) for e in edges
         if e["orientation"] == "h" and e["width"] >= min_length_prefilter]
    return _merged(v, h, snap, join, min_length)


def merged_edge_boxes(v_edges: list[EdgeBox], h_edges: list[EdgeBox], snap: float = 3, join: float = 3,
                      min_length: float = 3, min_length_prefilter: float = 1) -> tuple[list[Edge], list[Edge]]:
    """:func:`merged_edges` of the page's vertical and horizontal edges given apart as
    (x0, top, x1, bottom, width, height) tuples (``extract.pdfium.PdfiumPage.edge_split``)."""
    v = [(x0, top, x1, bottom, height) for x0, top, x1, bottom, _, height in v_edges
         if height >= min_length_prefilter]
    h = [(x0, top, x1, bottom, width) for x0, top, x1, bottom, width, _ in h_edges
         if width >= min_length_prefilter]
    return _merged(v, h, snap, join, min_length)


def _merged(v: list[Edge], h: list[Edge], snap: float, join: float,
            min_length: float) -> tuple[list[Edge], list[Edge]]:
    """Steps 2-4 on the prefiltered edges."""
    v, h = _snap(v, 0, snap), _snap(h, 1, snap)
    out_v: list[Edge] = []
    out_h: list[Edge] = []
    top_of, x_of = itemgetter(1), itemgetter(0)
    for _, group in groupby(sorted(h, key=top_of), key=top_of):
        out_h += _join(list(group), True, join)
    for _, group in groupby(sorted(v, key=x_of), key=x_of):
        out_v += _join(list(group), False, join)
    return ([e for e in out_v if e[4] >= min_length], [e for e in out_h if e[4] >= min_length])


def intersections(v_edges: list[Edge], h_edges: list[Edge], x_tol: float = 3,
                  y_tol: float = 3) -> dict[tuple[float, float], tuple[set[Box], set[Box]]]:
    """Step 5: each crossing point with the vertical and horizontal edges through it (by bbox)."""
    out: dict[tuple[float, float], tuple[set[Box], set[Box]]] = {}
    hs = sorted(h_edges, key=lambda e: (e[1], e[0]))
    tops = [h[1] for h in hs]
    # only the horizontal edges whose top is near a vertical edge's span can cross it: those are
    # looked up by bisection, with a margin (the exact test below decides); a page with a
    # NaN among the tops (never from PDFium) scans them all
    ranged = all(t == t for t in tops)
    for v in sorted(v_edges, key=lambda e: (e[0], e[1])):
        vx, vtop, vbottom = v[0], v[1], v[3]
        margin = 1.0 + 1e-6 * (abs(vtop) + abs(vbottom))  # beyond any rounding of the test's sums
        near = hs[bisect_left(tops, vtop - y_tol - margin):bisect_right(tops, vbottom + y_tol + margin)] \
            if ranged else hs
        for h in near:
            htop = h[1]
            if vtop <= htop + y_tol and vbottom >= htop - y_tol and vx >= h[0] - x_tol and vx <= h[2] + x_tol:
                vs, hs_ = out.setdefault((vx, htop), (set(), set()))
                vs.add(v[:4])
                hs_.add(h[:4])
    return out


def cells(points: dict[tuple[float, float], tuple[set[Box], set[Box]]]) -> list[Box]:
    """Step 6, pdfplumber's ``intersections_to_cells``: per point, the smallest closed cell."""
    ordered = sorted(points)
    below: dict[float, list[tuple[float, float]]] = {}
    right: dict[float, list[tuple[float, float]]] = {}
    for p in ordered:
        below.setdefault(p[0], []).append(p)
        right.setdefault(p[1], []).append(p)

    def v_link(a: tuple[float, float], b: tuple[float, float]) -> bool:
        return not points[a][0].isdisjoint(points[b][0])

    def h_link(a: tuple[float, float], b: tuple[float, float]) -> bool:
        return not points[a][1].isdisjoint(points[b][1])

    out: list[Box] = []
    for pt in ordered[:-1]:
        col = [p for p in below[pt[0]] if p > pt]
        row = [p for p in right[pt[1]] if p > pt]
        found = None
        for b in col:
            if not v_link(pt, b):
                continue
            for r in row:
                if not h_link(pt, r):
                    continue
                corner = (r[0], b[1])
                if corner in points and v_link(corner, r) and h_link(corner, b):
                    found = (pt[0], pt[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            out.append(found)
    return out


def _settings(settings: dict | None) -> Any:
    from pdfplumber.table import TableSettings

    s = TableSettings.resolve(settings)
    if s.snap_x_tolerance != s.snap_y_tolerance or s.join_x_tolerance != s.join_y_tolerance:
        raise ValueError("different x and y tolerances are not supported by the fast finder")
    return s


def find_grids(edges: list[dict], settings: dict | None = None) -> list[list[Box]]:
    """pdfplumber's ``TableFinder(page, settings).tables`` cells for the lines strategies.

    ``settings`` as for pdfplumber (``snap_tolerance``, ``join_tolerance``,
    ``edge_min_length``, ``intersection_tolerance`` and their x/y variants).
    """
    s = _settings(settings)
    v, h = merged_edges(edges, s.snap_x_tolerance, s.join_x_tolerance, s.edge_min_length,
                        s.edge_min_length_prefilter)
    return _grids(v, h, s)


def find_grids_split(v_edges: list[EdgeBox], h_edges: list[EdgeBox], settings: dict | None = None
                     ) -> list[list[Box]]:
    """:func:`find_grids` of edges given as (x0, top, x1, bottom, width, height) tuples, vertical
    and horizontal apart (``extract.pdfium.PdfiumPage.edge_split``): no dict per edge."""
    s = _settings(settings)
    v, h = merged_edge_boxes(v_edges, h_edges, s.snap_x_tolerance, s.join_x_tolerance, s.edge_min_length,
                             s.edge_min_length_prefilter)
    return _grids(v, h, s)


def cells_to_tables(cells: list[Box]) -> list[list[Box]]:
    """Step 7, pdfplumber's ``cells_to_tables``, pass for pass: a table starts with the first cell
    left and takes, pass after pass over the cells left (in their order), each cell sharing a
    corner with it, until a pass takes none; tables sorted by their top-left cell, one-cell
    tables dropped.

    pdfplumber removes each cell taken from the list by value (a scan of the list) and counts
    shared corners with a new set per cell, quadratic in a large grid's cells; here each pass
    keeps what it did not take.  That is the same where no two cells are equal (each cell of
    :func:`cells` has a corner point of its own); a list with equal cells goes to pdfplumber's.
    """
    if len(set(cells)) != len(cells):
        from pdfplumber.table import cells_to_tables as plain

        return plain(cells)
    remaining = list(cells)
    corners: set[tuple[float, float]] = set()
    current: list[Box] = []
    tables: list[list[Box]] = []
    while remaining:
        before = len(current)
        left: list[Box] = []
        for cell in remaining:
            x0, top, x1, bottom = cell
            own = ((x0, top), (x0, bottom), (x1, top), (x1, bottom))
            if not current or own[0] in corners or own[1] in corners or own[2] in corners or own[3] in corners:
                corners.update(own)
                current.append(cell)
            else:
                left.append(cell)
        remaining = left
        if len(current) == before:
            tables.append(current)
            corners = set()
            current = []
    if current:
        tables.append(current)
    ordered = sorted(tables, key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in ordered if len(t) > 1]


def _grids(v: list[Edge], h: list[Edge], s: Any) -> list[list[Box]]:
    """Steps 5-7 on the merged edges."""
    if not v or not h:
        return []
    points = intersections(v, h, s.intersection_x_tolerance, s.intersection_y_tolerance)
    return cells_to_tables(cells(points))
