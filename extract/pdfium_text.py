"""Characters and words of a PDF page straight from PDFium, as pdfplumber would give them.

The ``pdfium`` engine must hand :mod:`extract.pdf`'s table, cell and prose
functions the very same :class:`extract.layout.Word` list that
``extract.pdf.page_words`` builds from pdfplumber, or cell text, paragraph
breaks and furniture would drift.  So this module reproduces pdfminer's
character boxes and pdfplumber's word grouping rather than PDFium's own
(PDFium inserts spaces where a gap looks like one, and its "loose" boxes are
glyph outlines, not advance widths):

- a character's box is pdfminer's: from its origin, the font's advance width
  (the PDF ``/Widths``), the font descent and size, through the character
  matrix; PDFium's generated spaces and line breaks are dropped;
- words follow pdfplumber's ``WordExtractor`` with ``extra_attrs=["fontname",
  "size"]``: consecutive characters of one font and size form a run, each run
  is cut into lines by ``top`` (3 pt), each line sorted by ``x0`` and split at
  whitespace and at gaps over 3 pt.

Speed is the point of the engine, and a ctypes call costs about a
microsecond, so calls per character are kept to one (its origin, through
``map`` over addresses in a numpy buffer) plus a bulk ``FPDFText_GetText``;
the text object (font, size, matrix) is asked a few times per line of text
(see :func:`_objects`), fonts once per document.  Where the optional C
library was built (:mod:`extract.pdfium_native`), the per-character and
per-object calls are made from C in one ctypes call per page, with the same
results.  Everything after the calls is numpy on whole-page arrays.
"""

from __future__ import annotations

import bisect
import ctypes
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
import pypdfium2.raw as pdfium_c

from extract import pdfium_native as native
from extract.layout import Word

#: pdfplumber's default word tolerances (``x_tolerance``, ``y_tolerance``).
X_TOLERANCE = 3.0
Y_TOLERANCE = 3.0

#: pdfplumber expands these ligature glyphs in word text.
LIGATURES = {"ﬀ": "ff", "ﬃ": "ffi", "ﬄ": "ffl", "ﬁ": "fi", "ﬂ": "fl", "ﬆ": "st", "ﬅ": "st"}
_LIGATURE_TABLE = str.maketrans(LIGATURES)

#: Unmapped codes ride in a private-use plane until word text is made ("(cid:N)" as pdfminer has it).
_CID_BASE = 0xF0000
_CID_TABLE = {_CID_BASE + n: f"(cid:{n})" for n in range(0x20)}

#: Code points for which ``str.isspace()`` holds (pdfplumber splits words there), and a lookup
#: table over them (codes past its end are clipped onto a False sentinel).
_SPACES = np.array([c for c in range(0x3001) if chr(c).isspace()], dtype=np.uint32)
_IS_SPACE = np.zeros(0x3002, dtype=bool)
_IS_SPACE[_SPACES] = True
#: What PDFium may generate (spaces, line breaks, a hyphen): only these are asked about.
_MAYBE_GENERATED = _IS_SPACE.copy()
_MAYBE_GENERATED[[0x2D, 0xAD, 0x2010, 0x2011]] = True


def _fast(name: str, restype: Any, *argtypes: Any) -> Callable[..., Any]:
    """A PDFium function with plain ``void *`` handles.

    pypdfium2's bindings type every handle, so each call converts its
    arguments; with integer addresses a call is about 25 % cheaper, which
    matters for the one call made per character.
    """
    address = ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


_P, _I = ctypes.c_void_p, ctypes.c_int
_count_chars = _fast("FPDFText_CountChars", _I, _P)
_get_text = _fast("FPDFText_GetText", _I, _P, _I, _I, _P)
_get_unicode = _fast("FPDFText_GetUnicode", ctypes.c_uint, _P, _I)
_char_origin = _fast("FPDFText_GetCharOrigin", _I, _P, _I, _P, _P)
_text_object = _fast("FPDFText_GetTextObject", _P, _P, _I)
_is_generated = _fast("FPDFText_IsGenerated", _I, _P, _I)
_is_hyphen = _fast("FPDFText_IsHyphen", _I, _P, _I)
_unicode_error = _fast("FPDFText_HasUnicodeMapError", _I, _P, _I)
_count_rects = _fast("FPDFText_CountRects", _I, _P, _I, _I)
_char_matrix = _fast("FPDFText_GetMatrix", _I, _P, _I, _P)
_loose_box = _fast("FPDFText_GetLooseCharBox", _I, _P, _I, _P)
_char_box = _fast("FPDFText_GetCharBox", _I, _P, _I, _P, _P, _P, _P)
_obj_font = _fast("FPDFTextObj_GetFont", _P, _P)
_obj_font_size = _fast("FPDFTextObj_GetFontSize", _I, _P, _P)
_font_name = _fast("FPDFFont_GetBaseFontName", ctypes.c_ulong, _P, _P, ctypes.c_ulong)
_font_descent = _fast("FPDFFont_GetDescent", _I, _P, ctypes.c_float, _P)
_glyph_width = _fast("FPDFFont_GetGlyphWidth", _I, _P, ctypes.c_uint, ctypes.c_float, _P)
_font_data = _fast("FPDFFont_GetFontData", _I, _P, _P, ctypes.c_size_t, _P)


@dataclass
class _Font:
    name: str
    bold: bool
    descent: float          # per 1000 units of font size, as pdfminer reads it (<= 0)
    number: int             # a small number, the font's part of the width keys and run keys
    widths: dict[int, float]  # code point -> advance width per 1000 units


class FontCache:
    """Font facts for one document: name, boldness, descent, advance widths.

    A PDFium font handle is valid only while a page using the font is open
    (the document frees a font with its last page, and may put another font
    at the same address), so handles are looked up per page
    (:meth:`begin_page`) and the facts are kept by the font's name and the
    size of its embedded program (two subsets of one font share a base name,
    not a program), which a plan shares across its pages: names, descents and
    widths are asked once each.  A name that several font dictionaries carry
    (``shared_names``) is not enough: two dictionaries may share a name and an
    embedded program and differ in their widths (one covering the letters,
    one a few symbols), and which handle came first would then decide every
    page's widths.  Such a font's key also holds its widths of the printable
    ASCII codes (:func:`_width_print`), which tells those dictionaries apart
    and still lets copies of one dictionary share their facts.
    """

    def __init__(self, known: dict[str, tuple[float, str]] | None = None,
                 shared_names: set[str] | None = None) -> None:
        self.by_name: dict[tuple, _Font] = {}
        self.page: dict[int, _Font] = {}
        #: advance width by (font number << 21 | code) for the whole document
        self.pairs: dict[int, float] = {}
        self.count = 0
        #: pdfminer's (descent, font name) by base font name, where known (``extract.pdfium._pdfminer_facts``)
        self.known: dict[str, tuple[float, str]] = known or {}
        #: base names of several font dictionaries: not a key for the document
        self.shared_names: set[str] = shared_names or set()

    def begin_page(self) -> None:
        """Forget the previous page's handles (they may dangle or be reused)."""
        self.page = {}

    def font(self, handle: int) -> _Font:
        """The font behind a handle from the current page."""
        found = self.page.get(handle)
        if found is None:
            # one name buffer and size slot for every look-up (PDFium writes a name only where it
            # fits, and a longer one gets a fresh, zeroed buffer as each look-up once had)
            buf, size = _NAME_BUF, _DATA_SIZE
            n = _font_name(handle, _NAME_AT, 256)
            if n > 256:
                buf = ctypes.create_string_buffer(256)
            name = buf.raw[:max(n - 1, 0)].decode("utf-8", "replace")
            size.value = 0
            _font_data(handle, None, 0, _DATA_SIZE_AT)
            key: tuple = (name, size.value)
            if name in self.shared_names:
                key += (_width_print(handle),)
            found = self.by_name.get(key) if name else None
            if found is None:
                descent, fontname = self.known.get(name, (None, name))
                if descent is None:
                    d = ctypes.c_float()
                    descent = d.value if _font_descent(handle, 1000.0, ctypes.addressof(d)) else 0.0
                lower = fontname.lower()  # pdfminer's name is the descriptor's /FontName
                self.count += 1
                found = _Font(name, "bold" in lower or "black" in lower, -abs(descent), self.count, {})
                if name:  # a nameless font (a Type3 without one) is not shared between pages
                    self.by_name[key] = found
            self.page[handle] = found
        return found

    def width(self, handle: int, code: int, tp: int, index: int, origin_x: float, scale: float) -> float:
        """Advance width (per 1000 units of font size) of ``code`` in this font, as pdfminer reads ``/Widths``.

        PDFium gives widths by Unicode (``FPDFFont_GetGlyphWidth`` maps back to
        a character code), which goes wrong where the font's Unicode map does
        not invert (a ligature glyph read as 'i', an unmapped code).  So the
        first character with this code (``index``, at ``origin_x``, ``scale``
        points per unit) is checked against its own boxes: PDFium's loose box
        ends at the true advance when it differs from the glyph's tight box.
        """
        font = self.font(handle)
        w = font.widths.get(code)
        if w is None:
            out = ctypes.c_float()
            w = out.value if _glyph_width(handle, code, 1000.0, ctypes.addressof(out)) else -1.0
            if scale > 0:
                w = _checked_width(tp, index, origin_x, scale, w)
            font.widths[code] = w
        return w


_NAME_BUF = ctypes.create_string_buffer(256)
_NAME_AT = ctypes.addressof(_NAME_BUF)
_DATA_SIZE = ctypes.c_size_t()
_DATA_SIZE_AT = ctypes.addressof(_DATA_SIZE)
_PRINTABLE = list(range(0x20, 0x7F))


def _width_print(handle: int) -> tuple[float, ...]:
    """PDFium's advance widths of the printable ASCII codes in a font: what tells apart two
    font dictionaries with one name (95 calls, made only for such names, on every page: in one
    compiled call where the library was built)."""
    m = len(_PRINTABLE)
    done = native.widths(0, [handle] * m, _PRINTABLE, [0] * m, [0.0] * m, [0.0] * m)
    if done is not None:  # no check asked (scale 0): PDFium's widths, -1 where it gives none
        return tuple(done[0])
    out = ctypes.c_float()
    at = ctypes.addressof(out)
    return tuple(out.value if _glyph_width(handle, code, 1000.0, at) else -1.0 for code in range(0x20, 0x7F))


def _checked_width(tp: int, index: int, origin_x: float, scale: float, guess: float) -> float:
    loose, tight = (ctypes.c_float * 4)(), (ctypes.c_double * 4)()
    if not _loose_box(tp, index, ctypes.addressof(loose)):
        return guess
    t = ctypes.addressof(tight)
    _char_box(tp, index, t, t + 8, t + 16, t + 24)  # left, right, bottom, top
    right, tight_right = loose[2], tight[1]
    if abs(loose[0] - tight[0]) < 1e-3 and abs(right - tight_right) < 1e-3:
        # PDFium fell back to the glyph box (no usable ascent/descent): nothing to check against
        return guess if guess >= 0 else max(tight_right - origin_x, 0.0) / scale
    seen = (right - origin_x) / scale   # >= the advance (the box is the union of advance and glyph)
    tol = max(1.0, 0.02 / scale)
    if guess < 0 or seen < guess - tol:
        return round(seen, 1)
    if seen > guess + tol and right > tight_right + 1e-3:  # the box ends at the advance, not the glyph
        return round(seen, 1)
    return guess


@dataclass
class Chars:
    """A page's real characters in content order (pdfplumber's ``page.chars``), as arrays."""

    codes: np.ndarray      # uint32 code points
    x0: np.ndarray
    x1: np.ndarray
    top: np.ndarray
    bottom: np.ndarray
    key: np.ndarray        # run number: consecutive characters of one font, size and uprightness
    upright: np.ndarray    # bool
    size: np.ndarray       # pdfminer's char size (box height)
    bold: np.ndarray       # bool

    def __len__(self) -> int:
        return len(self.codes)


def _text_codes(tp: int, n: int) -> np.ndarray:
    """All code points of the page in one call; per character where the bulk text is not 1:1."""
    buf = (ctypes.c_uint16 * (n + 1))()
    got = _get_text(tp, 0, n, ctypes.addressof(buf))
    codes = np.frombuffer(buf, dtype=np.uint16, count=n).astype(np.uint32)
    if got == n + 1 and not ((codes >= 0xD800) & (codes <= 0xDFFF)).any():
        for i in np.flatnonzero(codes >= 0xFFFE).tolist():  # not in the page text: ask the character
            codes[i] = _get_unicode(tp, i)
    else:
        codes = np.fromiter(map(_get_unicode, repeat(tp, n), range(n)), dtype=np.uint32, count=n)
    # a hyphen ending a line is marked 0x2 by PDFium (a break it may join); pdfminer reads '-'.
    # A code the font cannot map to Unicode PDFium passes through as itself; pdfminer writes
    # "(cid:N)", which words carry as a private-use stand-in until their text is made
    for i in np.flatnonzero((codes < 0x20) & (codes != 9) & (codes != 10) & (codes != 13)).tolist():
        if codes[i] == 0x2 and _is_hyphen(tp, i) == 1:
            codes[i] = 0x2D
        elif _unicode_error(tp, i) == 1:
            codes[i] = _CID_BASE + codes[i]
    return codes


def _objects(tp: int, n: int, oy: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """The text object (address) of every character; 0 for characters PDFium generated.

    A text object is one text-showing operator, so it never spans two
    baselines: the object is asked once per baseline run.  A run holding
    several objects (a bold label, then plain text) is halved until
    :c:func:`FPDFText_CountRects` (which counts object changes in C) finds one
    object per part: a few calls per object instead of one per character.
    CountRects does not see spaces (their boxes have no height), so a part's
    object is asked at its first and last non-space characters, and a part
    where they differ is asked character by character.
    """
    objs = np.zeros(n, dtype=np.uint64)
    ink = np.flatnonzero(~_IS_SPACE[np.minimum(codes, len(_IS_SPACE) - 1)])
    starts = np.flatnonzero(np.r_[True, oy[1:] != oy[:-1]])
    ends = np.r_[starts[1:], n]
    lo_ink = np.searchsorted(ink, starts).tolist()  # each run's first and last ink characters
    hi_ink = (np.searchsorted(ink, ends) - 1).tolist()
    ink_at = ink.tolist()
    todo = [(s, e, lo, hi) for s, e, lo, hi in zip(starts.tolist(), ends.tolist(), lo_ink, hi_ink, strict=True)]
    while todo:
        s, e, lo, hi = todo.pop()
        if lo > hi:  # only spaces (generated line breaks, most often): ask each
            objs[s:e] = [o or 0 for o in map(_text_object, repeat(tp, e - s), range(s, e))]
            continue
        first = _text_object(tp, ink_at[lo]) or 0
        if lo == hi or (e - s > 2 and _count_rects(tp, s, e - s) == 1
                        and (_text_object(tp, ink_at[hi]) or 0) == first):
            objs[s:e] = first
        elif e - s <= 8:
            objs[s:e] = [o or 0 for o in map(_text_object, repeat(tp, e - s), range(s, e))]
        else:
            mid = (s + e) // 2
            k = bisect.bisect_left(ink_at, mid, lo, hi + 1)
            todo += [(s, mid, lo, k - 1), (mid, e, k, hi)]
    return objs


def _char_calls(tp: int, n: int, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each character's origin (x, y) and text object (:func:`_objects`), and which are real:
    those with an object that PDFium did not generate.

    The compiled calls (:mod:`extract.pdfium_native`) where they were built, one ctypes call
    for the page; else the same calls from Python, one per character for its origin.
    """
    if native.LIB is not None and n > 0:
        clipped = np.minimum(codes, len(_IS_SPACE) - 1)
        got = native.page_chars(tp, n, _IS_SPACE[clipped], _MAYBE_GENERATED[clipped])
        if got is not None:
            ox, oy, objs, generated = got
            return ox, oy, objs, (objs != 0) & ~generated
    ox, oy = np.empty(max(n, 0)), np.empty(max(n, 0))
    bx, by = ox.ctypes.data, oy.ctypes.data
    list(map(_char_origin, repeat(tp, n), range(n), range(bx, bx + 8 * n, 8), range(by, by + 8 * n, 8)))
    objs = _objects(tp, n, oy, codes) if n > 0 else np.zeros(0, np.uint64)
    real = objs != 0
    # generated spaces inside a text object carry the object: ask only about what PDFium generates
    maybe = np.flatnonzero(real & _MAYBE_GENERATED[np.minimum(codes, len(_MAYBE_GENERATED) - 1)])
    if len(maybe):
        gen = np.fromiter(map(_is_generated, repeat(tp, len(maybe)), maybe.tolist()), dtype=np.int32,
                          count=len(maybe))
        real[maybe[gen == 1]] = False
    return ox, oy, objs, real


def page_chars(tp: int, space: Any, fonts: FontCache, walk: Any = None) -> Chars:
    """The page's characters with pdfminer's boxes in pdfplumber's coordinates.

    ``space`` maps PDF user space to pdfplumber's (``extract.pdfium.PageSpace``).
    ``walk`` (``extract.pdfium._Walk``) knows the page's text objects in
    content-stream order: PDFium's text page sorts a line's objects by x, and
    pdfplumber's runs follow the content, so characters are put back in
    content order; and PDFium drops a text object with no width (a lone space
    shown by itself), which pdfminer keeps and which splits words, so each
    dropped object comes back as one space.
    """
    n = _count_chars(tp)
    order: dict[int, int] = walk.text_order if walk is not None else {}
    codes = _text_codes(tp, n) if n > 0 else np.zeros(0, np.uint32)
    ox, oy, objs, real = _char_calls(tp, n, codes)
    idx = np.flatnonzero(real)
    extra: dict[int, tuple[float, ...]] = {}
    if walk is not None:
        real_objs = objs[idx]  # an object's characters come in runs: their first ones name them all
        heads = real_objs[np.r_[True, real_objs[1:] != real_objs[:-1]]] if len(real_objs) else real_objs
        missing = set(order) - set(heads.tolist())
        extra = {o: m for o in missing if (m := walk.dropped_space(o)) is not None}
    if extra:
        add = np.array(sorted(extra, key=order.__getitem__), dtype=np.uint64)
        codes = np.r_[codes[idx], np.full(len(add), 0x20, np.uint32)]
        ox = np.r_[ox[idx], [extra[o][4] for o in add.tolist()]]
        oy = np.r_[oy[idx], [extra[o][5] for o in add.tolist()]]
        objs = np.r_[objs[idx], add]
        idx = np.r_[idx, np.full(len(add), -1)]
    else:
        codes, ox, oy, objs = codes[idx], ox[idx], oy[idx], objs[idx]
    if len(idx) == 0:
        empty = np.zeros(0)
        return Chars(np.zeros(0, np.uint32), empty, empty, empty, empty, np.zeros(0, np.int64),
                     np.zeros(0, bool), empty, np.zeros(0, bool))
    grouped = None
    if order:
        uniq_o, inv_o, perm = _content_order(objs, order)
        if perm is not None:
            codes, ox, oy, objs, idx = codes[perm], ox[perm], oy[perm], objs[perm], idx[perm]
            inv_p = inv_o[perm]
        else:
            inv_p = inv_o
        # each object's rank is its own, so its characters now stand together: its first one starts
        # its group (what np.unique's return_index gives, without sorting the objects again)
        group_at = np.flatnonzero(np.r_[True, inv_p[1:] != inv_p[:-1]])
        first_p = np.empty(len(uniq_o), dtype=np.intp)
        first_p[inv_p[group_at]] = group_at
        grouped = uniq_o, first_p, inv_p
    # PDFium keeps positions as 32-bit floats; the file wrote a few decimals, which rounding
    # recovers, so the arithmetic below runs on pdfminer's operands
    ox, oy = np.round(ox, 3), np.round(oy, 3)
    user_x = ox
    # device space (pdfminer's page CTM: rotation, MediaBox origin), as pdfminer multiplies
    ca, cb, cc, cd, ce, cf = space.ctm
    ox, oy = ca * ox + cc * oy + ce, cb * ox + cd * oy + cf

    # per text object: font, size and matrix, asked at its first character
    uniq, first, inverse = grouped if grouped is not None else np.unique(objs, return_index=True, return_inverse=True)
    table, handles = _object_facts(tp, uniq.tolist(), idx[first].tolist(), extra, fonts)
    inverse = inverse.reshape(-1)
    ma, mb, mc, md, fs, desc = (table[inverse, k] for k in range(6))
    # pdfminer's matrix: the character's, then the page CTM (mult_matrix)
    a, b = ma * ca + mb * cc, ma * cb + mb * cd
    c, d = mc * ca + md * cc, mc * cb + md * cd
    bold = table[inverse, 6].astype(bool)
    font_idx = table[inverse, 7].astype(np.int64)
    adv = _advances(tp, idx, codes, font_idx, handles, fs, fonts, user_x, ma, mb, mc)
    _ligatures(tp, idx, objs, user_x, oy, ma, adv)
    # pdfminer's LTChar: corners (0, descent) and (adv, descent + size) through the matrix, with
    # its operations in its order (the box height is the char's "size", which pdfplumber's
    # word grouping compares exactly: 9.0 and 8.999999999999943 are two sizes to it)
    lo_y = (desc * 0.001) * fs
    hi_y = lo_y + fs
    x_a, y_a = (a * 0 + c * lo_y) + ox, (b * 0 + d * lo_y) + oy
    x_b, y_b = (a * adv + c * hi_y) + ox, (b * adv + d * hi_y) + oy
    x0, x1 = np.minimum(x_a, x_b), np.maximum(x_a, x_b)
    y0, y1 = np.minimum(y_a, y_b), np.maximum(y_a, y_b)
    upright = (a * d > 0) & (b * c <= 0)
    size = y1 - y0
    # pdfplumber groups consecutive characters by (upright, fontname, size): number the runs
    changed = (font_idx[1:] != font_idx[:-1]) | (size[1:] != size[:-1]) | (upright[1:] != upright[:-1])
    run_key = np.r_[0, np.cumsum(changed)]
    top, bottom = (space.height - y1) + space.top_shift, (space.height - y0) + space.top_shift
    if space.x_shift:
        x0, x1 = x0 + space.x_shift, x1 + space.x_shift
    return Chars(codes, x0, x1, top, bottom, run_key, upright, size, bold)


def _content_order(objs: np.ndarray, order: dict[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The page's text objects sorted (``np.unique``), each character's index among them, and the
    permutation putting the characters in content order: by their object's rank in ``order``
    (objects it lacks after it, in address order), stably; ``None`` where they stand so already.

    :func:`_content_order_plain` is the same on every character; a page's characters come in runs
    of one object (a few hundred runs for thousands of characters), so this works on the runs:
    the objects and ranks of the runs, the runs sorted stably by rank, laid out again.
    """
    n = len(objs)
    run_at = np.flatnonzero(np.r_[True, objs[1:] != objs[:-1]])
    run_len = np.diff(np.r_[run_at, n])
    heads = objs[run_at].tolist()
    uniq = sorted(set(heads))  # np.unique's values and inverse, for a few hundred runs
    at = {o: k for k, o in enumerate(uniq)}
    uniq_o = np.array(uniq, dtype=objs.dtype)
    run_inv = np.array([at[o] for o in heads], dtype=np.intp)
    inv_o = np.repeat(run_inv, run_len)
    rank = np.array([order.get(o, len(order) + k) for k, o in enumerate(uniq)])[run_inv]
    if len(rank) < 2 or (rank[1:] >= rank[:-1]).all():
        return uniq_o, inv_o, None  # the stable sort would leave every character where it is
    run_perm = np.argsort(rank, kind="stable")
    lens = run_len[run_perm]
    new_at = np.cumsum(lens) - lens  # where each sorted run starts in the new order
    perm = np.arange(n) + np.repeat(run_at[run_perm] - new_at, lens)
    return uniq_o, inv_o, perm


def _content_order_plain(objs: np.ndarray, order: dict[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_content_order` character by character: the plain path (``tests/test_pdfium_fast.py``
    holds the two equal)."""
    uniq_o, inv_o = np.unique(objs, return_inverse=True)
    rank = np.array([order.get(o, len(order) + k) for k, o in enumerate(uniq_o.tolist())])[inv_o.reshape(-1)]
    return uniq_o, inv_o.reshape(-1), np.argsort(rank, kind="stable")


def _object_facts(tp: int, objs: list[int], at: list[int], extra: dict[int, tuple[float, ...]],
                  fonts: FontCache) -> tuple[np.ndarray, dict[int, int]]:
    """Per text object: its first character's matrix (a, b, c, d), font size, font descent,
    boldness and font number, as rows of a float table rounded to 6 decimals; and each font
    number's handle on this page.

    A page may hold hundreds of text objects (a word each, in some producers), so the three
    calls per object are issued with ``map`` into numpy buffers; a restored space (``at`` < 0)
    takes its matrix from ``extra``.
    """
    n = len(objs)
    mats = np.zeros((n, 6), dtype=np.float32)  # FS_MATRIX: six floats a row
    sizes = np.zeros(n, dtype=np.float32)
    done = native.object_facts(tp, objs, at, mats, sizes)  # the calls below, compiled (or None)
    if done is not None:
        got, hs = done
    else:
        real = [k for k, i in enumerate(at) if i >= 0]
        base = mats.ctypes.data
        list(map(_char_matrix, repeat(tp, len(real)), [at[k] for k in real], [base + 24 * k for k in real]))
        sbase = sizes.ctypes.data
        got = np.fromiter(map(_obj_font_size, objs, range(sbase, sbase + 4 * n, 4)), dtype=np.int32, count=n)
        hs = [h or 0 for h in map(_obj_font, objs)]
    for k in (k for k, i in enumerate(at) if i < 0):
        mats[k, :4] = extra[objs[k]][:4]
    # each handle's font once, in the order the objects first show it (fonts are numbered so)
    nofont = _Font("", False, 0.0, 0, {})
    of = {h: fonts.font(h) if h else nofont for h in dict.fromkeys(hs)}
    handles = {of[h].number: h for h in hs}  # font number -> this page's handle (the last object's)
    table = np.empty((n, 8), dtype=np.float64)
    table[:, :4] = mats[:, :4]
    table[:, 4] = np.where(got != 0, sizes.astype(np.float64), 1.0)
    table[:, 5:] = np.array([(f.descent, f.bold, f.number) for f in map(of.__getitem__, hs)],
                            dtype=np.float64).reshape(-1, 3)
    return np.round(table, 6), handles


def _advances(tp: int, idx: np.ndarray, codes: np.ndarray, font_no: np.ndarray, handles: dict[int, int],
              fs: np.ndarray, fonts: FontCache, user_x: np.ndarray, ma: np.ndarray, mb: np.ndarray,
              mc: np.ndarray) -> np.ndarray:
    """Advance width of each character in text space (``/Widths`` units times font size).

    Widths are asked once per font and code for the document; the first
    character with a code is the one its width is checked against, where it
    is set straight (no rotation or skew) and real (not a restored space).
    """
    pair = font_no * (1 << 21) + codes.astype(np.int64)
    uniq, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
    known = fonts.pairs
    widths = [known.get(p) for p in uniq.tolist()]
    if None in widths and native.LIB is not None:
        _first_widths(tp, uniq, first, widths, idx, handles, fs, fonts, user_x, ma, mb, mc)
    if None in widths:
        for k in [k for k, w in enumerate(widths) if w is None]:
            p, i = int(uniq[k]), int(first[k])
            plain = mb[i] == 0 and mc[i] == 0 and ma[i] > 0 and idx[i] >= 0
            handle = handles.get(p >> 21, 0)
            w = fonts.width(handle, p & ((1 << 21) - 1), tp, int(idx[i]), float(user_x[i]),
                            float(ma[i] * fs[i] / 1000.0) if plain else 0.0) if handle else 0.0
            known[p] = widths[k] = w
    return (np.maximum(np.array(widths)[inverse.reshape(-1)], 0.0) * 0.001) * fs


def _first_widths(tp: int, uniq: np.ndarray, first: np.ndarray, widths: list[float | None], idx: np.ndarray,
                  handles: dict[int, int], fs: np.ndarray, fonts: FontCache, user_x: np.ndarray, ma: np.ndarray,
                  mb: np.ndarray, mc: np.ndarray) -> None:
    """:func:`_advances`' first look-ups (``FontCache.width`` pair by pair) in one compiled call for
    the page (:func:`extract.pdfium_native.widths`), filling ``widths`` and the caches in place.

    A document's first pages ask tens of widths each, at several ctypes calls and two ctypes
    arrays apiece from Python; the same calls and check in C return the same doubles, and the
    widths a check replaced by the loose box's end are rounded here, by Python's ``round``."""
    todo, hs, codes, at, xs, scales, found = [], [], [], [], [], [], []
    known = fonts.pairs
    miss = [k for k, w in enumerate(widths) if w is None]
    i = first[miss]  # each pair's first character; its facts for all pairs at once
    plain = (mb[i] == 0) & (mc[i] == 0) & (ma[i] > 0) & (idx[i] >= 0)
    with np.errstate(all="ignore"):
        scale_of = np.where(plain, ma[i] * fs[i] / 1000.0, 0.0).tolist()
    for k, p, i_at, x, scale in zip(miss, uniq[miss].tolist(), idx[i].tolist(), user_x[i].tolist(), scale_of,
                                    strict=True):
        handle = handles.get(p >> 21, 0)
        if not handle:
            known[p] = widths[k] = 0.0
            continue
        font = fonts.font(handle)
        code = p & ((1 << 21) - 1)
        w = font.widths.get(code)
        if w is not None:
            known[p] = widths[k] = w
            continue
        todo.append(k)
        found.append((p, font, code))
        hs.append(handle)
        codes.append(code)
        at.append(i_at)
        xs.append(x)
        scales.append(scale)
    if not todo:
        return
    done = native.widths(tp, hs, codes, at, xs, scales)
    if done is None:
        return
    for k, (p, font, code), w, rounded in zip(todo, found, *done, strict=True):
        if rounded:
            w = round(w, 1)
        font.widths[code] = w
        known[p] = widths[k] = w


def _ligatures(tp: int, idx: np.ndarray, objs: np.ndarray, x: np.ndarray, y: np.ndarray, ma: np.ndarray,
               adv: np.ndarray) -> None:
    """Give the pieces of a ligature glyph the glyph's advance (in place).

    PDFium splits a glyph whose Unicode is several letters ('ﬁ' -> 'f', 'i')
    into characters at one origin; pdfminer keeps one character as wide as
    the glyph.  Each piece's width by its own letter would open a gap after
    the ligature ('fi nancial'), so every piece gets the glyph's advance,
    read from PDFium's loose box (which spans it).
    """
    same = np.flatnonzero((objs[1:] == objs[:-1]) & (x[1:] == x[:-1]) & (y[1:] == y[:-1]) & (idx[1:] >= 0))
    if not len(same):
        return
    box = (ctypes.c_float * 4)()
    for k in same.tolist():
        if _loose_box(tp, int(idx[k]), ctypes.addressof(box)) and ma[k] > 0:
            full = (box[2] - x[k]) / ma[k]
            if full > adv[k]:
                adv[k] = adv[k + 1] = full


def chars_to_words(ch: Chars) -> list[Word]:
    """pdfplumber's ``extract_words(extra_attrs=["fontname", "size"])``, on whole arrays.

    Steps as in ``pdfplumber.utils.text.WordExtractor``: runs of one font and
    size in content order; each run's characters clustered into lines by
    ``top`` (upright text; ``x0`` for rotated), chaining values within 3 pt;
    each line sorted by ``x0`` (``top``); a word ends at whitespace, at a
    gap over 3 pt, when the next character starts left of the last one, or
    moves more than 3 pt across the line.
    """
    n = len(ch)
    if n == 0:
        return []
    grouped = native.words(ch.key, ch.upright, ch.x0, ch.x1, ch.top, ch.bottom,
                           _IS_SPACE[np.minimum(ch.codes, len(_IS_SPACE) - 1)], X_TOLERANCE, Y_TOLERANCE)
    if grouped is not None:  # _group's steps, compiled (extract.pdfium_native)
        sel, bounds, wx0, wx1, wtop, wbottom, wseq = grouped
        if not len(sel):
            return []
        starts, ends = bounds[:-1], bounds[1:]
        x0, x1, top, bottom, seq = wx0.tolist(), wx1.tolist(), wtop.tolist(), wbottom.tolist(), wseq.tolist()
    else:
        grouped_words = _group(ch)
        if grouped_words is None:
            return []
        sel, starts, ends, x0, x1, top, bottom, seq = grouped_words
    firsts = sel[starts]
    bold = ch.bold[firsts].tolist()
    sizes = ch.size[firsts].tolist()
    rounded = {v: round(v, 1) for v in set(sizes)}  # Python's rounding, as page_words has it
    size = [rounded[v] for v in sizes]
    text = ch.codes[sel].astype("<u4").tobytes().decode("utf-32-le")
    texts = [text[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
    if any(lig in text for lig in LIGATURES):
        texts = [t.translate(_LIGATURE_TABLE) for t in texts]
    if (ch.codes >= _CID_BASE).any():
        texts = [t.translate(_CID_TABLE) for t in texts]
    return _make_words(texts, x0, top, x1, bottom, bold, size, seq)


def _group(ch: Chars) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[float], list[float], list[float],
                               list[float], list[int]] | None:
    """:func:`chars_to_words`' grouping in numpy (the compiled ``bp_words`` does the same steps):
    the kept characters word after word, each word's start and end in them, its box and the
    lowest index of its characters (the first drawn); ``None`` for a page of whitespace only."""
    n = len(ch)
    run = np.r_[0, np.cumsum(ch.key[1:] != ch.key[:-1])]
    up = ch.upright
    # line key and along-line coordinates (swapped for rotated text, as pdfplumber does)
    line_v = np.where(up, ch.top, ch.x0)
    along0 = np.where(up, ch.x0, ch.top)
    along1 = np.where(up, ch.x1, ch.bottom)
    order = np.lexsort((line_v, run))
    lv = line_v[order]
    new_line = np.r_[True, (run[order][1:] != run[order][:-1]) | (lv[1:] > lv[:-1] + Y_TOLERANCE)]
    line = np.empty(n, dtype=np.int64)
    line[order] = np.cumsum(new_line)
    # within a line: by along-line start, ties in content order (a stable sort)
    order = np.lexsort((along0, line))  # a stable sort: ties stay in content order
    a0, a1, lv = along0[order], along1[order], line_v[order]
    space = _IS_SPACE[np.minimum(ch.codes[order], len(_IS_SPACE) - 1)]
    breaks = np.r_[True, (line[order][1:] != line[order][:-1]) | space[:-1]
                   | (a0[1:] < a0[:-1]) | (a0[1:] > a1[:-1] + X_TOLERANCE)
                   | (np.abs(lv[1:] - lv[:-1]) > Y_TOLERANCE)]
    keep = ~space
    if not keep.any():
        return None
    word_id = np.cumsum(breaks)[keep]
    sel = order[keep]
    starts = np.flatnonzero(np.r_[True, word_id[1:] != word_id[:-1]])
    ends = np.r_[starts[1:], len(sel)]
    x0 = np.minimum.reduceat(ch.x0[sel], starts).tolist()
    x1 = np.maximum.reduceat(ch.x1[sel], starts).tolist()
    top = np.minimum.reduceat(ch.top[sel], starts).tolist()
    bottom = np.maximum.reduceat(ch.bottom[sel], starts).tolist()
    return sel, starts, ends, x0, x1, top, bottom, np.minimum.reduceat(sel, starts).tolist()


def _plain_dataclass(cls: type) -> bool:
    fields = getattr(cls, "__dataclass_fields__", None)
    return bool(fields) and not hasattr(cls, "__slots__") and not hasattr(cls, "__post_init__") \
        and list(fields) == ["text", "x0", "top", "x1", "bottom", "bold", "size", "seq"]


def _make_words(texts: list[str], x0: list[float], top: list[float], x1: list[float], bottom: list[float],
                bold: list[bool], size: list[float], seq: list[int]) -> list[Word]:
    """Word objects, several hundred a page.

    A frozen dataclass's ``__init__`` sets each field through
    ``object.__setattr__``, a third of this module's time per page; when
    :class:`Word` is still a plain frozen dataclass (no slots, no
    ``__post_init__``, these fields) its instance dict is set in one step,
    which gives equal, equally hashable objects.
    """
    if not _FAST_WORDS:
        return [Word(*v) for v in zip(texts, x0, top, x1, bottom, bold, size, seq, strict=True)]
    new, put = object.__new__, object.__setattr__
    out = []
    for t, a, b, c, d, e, f, g in zip(texts, x0, top, x1, bottom, bold, size, seq, strict=True):
        w = new(Word)
        put(w, "__dict__", {"text": t, "x0": a, "top": b, "x1": c, "bottom": d, "bold": e, "size": f, "seq": g})
        out.append(w)
    return out


_FAST_WORDS = _plain_dataclass(Word)
