"""The compiled per-character calls (``extract/_pdfium_chars.c``), when they were built.

:mod:`extract.pdfium_text` makes one ctypes call per character (its origin)
and several per baseline run (its text objects); at about a microsecond a
call they were the largest part of reading a page's characters.  The C file
makes the same PDFium calls in a loop, one ctypes call per page.  It is a
plain shared library, not a Python module: it is built at install time as an
optional setuptools extension (``setup.py``; without a C compiler the install
goes on without it), found next to this module under any of the interpreter's
extension suffixes, loaded with ctypes, and handed PDFium's functions as
addresses taken from pypdfium2's library, so it links against neither.

Where the library is missing (no compiler at install, or a source tree never
built: ``python setup.py build_ext --inplace``) or ``BOARDPLANS_NATIVE=0`` is
set, :data:`LIB` is ``None`` and :mod:`extract.pdfium_text` takes its Python
path, which gives the same characters (``tests/test_pdfium_native.py``).
"""

from __future__ import annotations

import ctypes
import importlib.machinery
import os
from pathlib import Path

import numpy as np
import pypdfium2.raw as pdfium_c

#: The library's interface version (``bp_abi`` in the C file); a stale build is not used.
ABI = 5

#: PDFium's functions, in the order the C file indexes them.
FUNCTIONS = ("FPDFText_GetCharOrigin", "FPDFText_GetTextObject", "FPDFText_CountRects", "FPDFText_IsGenerated",
             "FPDFText_GetMatrix", "FPDFTextObj_GetFontSize", "FPDFTextObj_GetFont",
             "FPDFPath_CountSegments", "FPDFPath_GetPathSegment", "FPDFPathSegment_GetPoint",
             "FPDFPathSegment_GetType", "FPDFPathSegment_GetClose", "FPDFFont_GetGlyphWidth",
             "FPDFText_GetLooseCharBox", "FPDFText_GetCharBox")

NAME = "_pdfium_chars"


def library_path() -> Path | None:
    """The built library next to this module, under the first of the interpreter's suffixes it has."""
    here = Path(__file__).resolve().parent
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = here / f"{NAME}{suffix}"
        if path.is_file():
            return path
    return None


def _load() -> ctypes.CDLL | None:
    if os.environ.get("BOARDPLANS_NATIVE", "1") == "0":
        return None
    path = library_path()
    if path is None:
        return None
    try:
        lib = ctypes.CDLL(str(path))
        if lib.bp_abi() != ABI:
            return None
    except (OSError, AttributeError):  # a library built for another platform, or an older build
        return None
    P = ctypes.c_void_p
    lib.bp_page_chars.restype = ctypes.c_int
    lib.bp_page_chars.argtypes = [P, P, ctypes.c_int, P, P, P, P, P, P]
    lib.bp_object_facts.restype = None
    lib.bp_object_facts.argtypes = [P, P, ctypes.c_int, P, P, P, P, P, P]
    lib.bp_path_counts.restype = lib.bp_path_segments.restype = None
    lib.bp_path_counts.argtypes = [P, ctypes.c_int, P, P]
    lib.bp_path_segments.argtypes = [P, ctypes.c_int, P, P, P, P, P]
    lib.bp_words.restype = ctypes.c_int
    lib.bp_words.argtypes = [ctypes.c_int, P, P, P, P, P, P, P, ctypes.c_double, ctypes.c_double, P, P, P, P, P, P,
                             P]
    lib.bp_widths.restype = None
    lib.bp_widths.argtypes = [P, P, ctypes.c_int, P, P, P, P, P, P, P]
    return lib


#: The loaded library, or ``None`` (then the Python path runs).
LIB = _load()

_FNS = (ctypes.c_void_p * len(FUNCTIONS))(*(ctypes.cast(getattr(pdfium_c, f), ctypes.c_void_p).value
                                            for f in FUNCTIONS))
_FNS_AT = ctypes.addressof(_FNS)


def page_chars(tp: int, n: int, space: np.ndarray, maybe: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """Origins (x, y), text objects and PDFium's generated flags of a page's ``n`` characters.

    ``space`` marks the characters that are whitespace (the text-object search
    asks at the others), ``maybe`` those whose code PDFium may generate (only
    they are asked whether it did).  ``None`` where the library is not loaded
    or failed (no memory): the caller takes the Python path.
    """
    if LIB is None:
        return None
    space = np.ascontiguousarray(space, dtype=np.uint8)
    maybe = np.ascontiguousarray(maybe, dtype=np.uint8)
    ox, oy = np.empty(n), np.empty(n)
    objs = np.zeros(n, dtype=np.uint64)
    generated = np.zeros(n, dtype=np.uint8)
    if LIB.bp_page_chars(_FNS_AT, tp, n, space.ctypes.data, maybe.ctypes.data, ox.ctypes.data, oy.ctypes.data,
                         objs.ctypes.data, generated.ctypes.data) != 0:
        return None
    return ox, oy, objs, generated.view(bool)


def object_facts(tp: int, objs: list[int], at: list[int], mats: np.ndarray, sizes: np.ndarray
                 ) -> tuple[np.ndarray, list[int]] | None:
    """For each text object: its character ``at``'s matrix (into ``mats``, skipped where ``at`` < 0),
    its font size (into ``sizes``; the calls' results returned) and its font handle (returned)."""
    if LIB is None:
        return None
    n = len(objs)
    obj_arr = np.array(objs, dtype=np.uint64)
    at_arr = np.array(at, dtype=np.int64)
    got = np.zeros(n, dtype=np.int32)
    fonts = np.zeros(n, dtype=np.uint64)
    LIB.bp_object_facts(_FNS_AT, tp, n, obj_arr.ctypes.data, at_arr.ctypes.data, mats.ctypes.data,
                        sizes.ctypes.data, got.ctypes.data, fonts.ctypes.data)
    return got, fonts.tolist()


def widths(tp: int, fonts: list[int], codes: list[int], index: list[int], origin_x: list[float],
           scale: list[float]) -> tuple[list[float], list[bool]] | None:
    """``extract.pdfium_text.FontCache.width``'s PDFium calls and check for several (font handle,
    code) pairs of one page: each advance width, and whether it is the loose box's end, which the
    caller rounds (``round(w, 1)``, Python's rounding).  ``None`` where the library is not loaded."""
    if LIB is None:
        return None
    m = len(fonts)
    handles = np.array(fonts, dtype=np.uint64)
    code_arr, at = np.array(codes, dtype=np.uint32), np.array(index, dtype=np.int32)
    xs, scales = np.array(origin_x, dtype=np.float64), np.array(scale, dtype=np.float64)
    out, rounded = np.empty(m), np.zeros(m, dtype=np.uint8)
    LIB.bp_widths(_FNS_AT, tp, m, handles.ctypes.data, code_arr.ctypes.data, at.ctypes.data, xs.ctypes.data,
                  scales.ctypes.data, out.ctypes.data, rounded.ctypes.data)
    return out.tolist(), rounded.view(bool).tolist()


def path_segments(paths: list[int]) -> tuple[list[int], np.ndarray, list[int], list[int]] | None:
    """Each path's segment count, and the segments of those with any, path after path: their
    points (float32 x, y pairs), kinds and close flags."""
    if LIB is None:
        return None
    n = len(paths)
    objs = np.array(paths, dtype=np.uint64)
    counts = np.zeros(n, dtype=np.int32)
    LIB.bp_path_counts(_FNS_AT, n, objs.ctypes.data, counts.ctypes.data)
    total = int(counts[counts > 0].sum())
    xy = np.zeros(2 * total, dtype=np.float32)
    kinds, closes = np.zeros(total, dtype=np.int32), np.zeros(total, dtype=np.int32)
    LIB.bp_path_segments(_FNS_AT, n, objs.ctypes.data, counts.ctypes.data, xy.ctypes.data, kinds.ctypes.data,
                         closes.ctypes.data)
    return counts.tolist(), xy, kinds.tolist(), closes.tolist()


def words(key: np.ndarray, upright: np.ndarray, x0: np.ndarray, x1: np.ndarray, top: np.ndarray,
          bottom: np.ndarray, space: np.ndarray, x_tolerance: float, y_tolerance: float
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """``extract.pdfium_text.chars_to_words``' grouping of a page's characters into words, in C.

    Returns the kept characters word after word (``sel``), each word's first position in ``sel``
    and then ``len(sel)`` (``starts``, one longer than the words), and per word its box (least
    ``x0``, ``top``, greatest ``x1``, ``bottom``) and lowest character index; ``None`` where the
    library is not loaded or declined (a NaN in a box, no memory): the caller then takes its
    numpy path (``_group``), which gives the same words (``tests/test_pdfium_native.py``).
    """
    if LIB is None:
        return None
    n = len(key)
    key = np.ascontiguousarray(key, dtype=np.int64)
    up = np.ascontiguousarray(upright, dtype=np.uint8)
    x0, x1, top, bottom = (np.ascontiguousarray(a, dtype=np.float64) for a in (x0, x1, top, bottom))
    space = np.ascontiguousarray(space, dtype=np.uint8)
    sel, starts, seq = np.empty(n, np.int32), np.empty(n + 1, np.int32), np.empty(n, np.int32)
    box = np.empty((4, n))
    got = LIB.bp_words(n, key.ctypes.data, up.ctypes.data, x0.ctypes.data, x1.ctypes.data, top.ctypes.data,
                       bottom.ctypes.data, space.ctypes.data, x_tolerance, y_tolerance, sel.ctypes.data,
                       starts.ctypes.data, box[0].ctypes.data, box[1].ctypes.data, box[2].ctypes.data,
                       box[3].ctypes.data, seq.ctypes.data)
    if got < 0:
        return None
    return sel[:starts[got]], starts[:got + 1], box[0, :got], box[1, :got], box[2, :got], box[3, :got], seq[:got]
