"""The compiled per-character calls (extract/_pdfium_chars.c) give what the Python calls give.

``extract.pdfium_native`` makes a page's per-character PDFium calls (origins,
the text-object search, generated flags), per-text-object calls (matrix, font
size, font) and per-path-segment calls (point, kind, close flag) in C, one
ctypes call each per page; where the library was not built
``extract.pdfium_text`` and ``extract.pdfium`` make them from Python.  Every
PDF at hand is read both ways here and must give the same raw call results,
the same ``Chars`` arrays (values and dtypes), words, shapes (lines, rects,
curves, images) and Document.

Without the built library these tests skip, unless ``BOARDPLANS_REQUIRE_NATIVE=1``
(set by ``.ci/run``, which installs a C compiler): then they fail, so a CI
build that silently lost the extension shows.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, ROOT

import extract.pdfium as pdfium_reader
import extract.pdfium_text as pdfium_text
from extract import pdfium_native, read

PDFS = sorted([*FIXTURES.glob("*.pdf"), *(ROOT / "tests" / "data").rglob("*.pdf"),
               *(ROOT / "tests" / "renamed").glob("*.pdf")])


@pytest.fixture
def native_lib():
    """The loaded library; a skip (a failure under ``BOARDPLANS_REQUIRE_NATIVE=1``) where it was not built."""
    if pdfium_native.LIB is None:
        why = (f"the compiled per-character calls are not built ({pdfium_native.NAME}.* not next to "
               f"extract/pdfium_native.py; python setup.py build_ext --inplace)")
        if os.environ.get("BOARDPLANS_REQUIRE_NATIVE") == "1":
            pytest.fail(why)
        pytest.skip(why)
    return pdfium_native.LIB


def _arrays(*arrays: np.ndarray) -> list[tuple[str, tuple, bytes]]:
    return [(str(a.dtype), a.shape, a.tobytes()) for a in arrays]


def _relabelled(objs: np.ndarray) -> np.ndarray:
    """Text objects (addresses, which differ between two reads of a file) as numbers in order of first
    appearance, 0 kept for none: equal for two reads that found the same objects at the same characters."""
    first: dict[int, int] = {0: 0}
    return np.array([first.setdefault(o, len(first)) for o in objs.tolist()], dtype=np.int64)


def _read_recorded(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list, list, list, list, bytes | str]:
    """``read(path)`` with each page's raw call results, ``Chars``, words and shapes recorded."""
    calls, chars, words, shapes = [], [], [], []
    char_calls, page_chars, chars_to_words = (pdfium_text._char_calls, pdfium_reader.page_chars,
                                              pdfium_reader.chars_to_words)
    run = pdfium_reader._Walk.run

    def record_calls(tp, n, codes):
        got = ox, oy, objs, real = char_calls(tp, n, codes)
        calls.append(_arrays(ox, oy, _relabelled(objs), real))
        return got

    def record_chars(*args, **kwargs):
        ch = page_chars(*args, **kwargs)
        chars.append(_arrays(*(getattr(ch, f) for f in ch.__dataclass_fields__)))
        return ch

    def record_words(ch):
        got = chars_to_words(ch)
        words.append(pickle.dumps(got))
        return got

    def record_shapes(walk, page):
        done = run(walk, page)
        shapes.append(pickle.dumps((walk.lines, walk.rects, walk.curves, walk.images)))
        return done

    with monkeypatch.context() as m:
        m.setattr(pdfium_reader._Walk, "run", record_shapes)
        m.setattr(pdfium_text, "_char_calls", record_calls)
        m.setattr(pdfium_reader, "page_chars", record_chars)
        m.setattr(pdfium_reader, "chars_to_words", record_words)
        try:
            doc: bytes | str = pickle.dumps(read(path))
        except Exception as e:  # a bad file: the same error both ways
            doc = f"{type(e).__name__}: {e}"
    return calls, chars, words, shapes, doc


@pytest.mark.parametrize("path", PDFS, ids=[str(p.relative_to(ROOT)) for p in PDFS])
def test_native_calls_give_the_python_characters(path, native_lib, monkeypatch):
    compiled = _read_recorded(path, monkeypatch)
    monkeypatch.setattr(pdfium_native, "LIB", None)
    plain = _read_recorded(path, monkeypatch)
    for what, a, b in zip(("raw calls", "Chars", "words", "shapes", "Document"), compiled, plain, strict=True):
        assert a == b, f"{path.name}: {what} differ with the compiled calls"
    if isinstance(compiled[-1], bytes):  # read (not refused: encrypted, not a PDF)
        assert compiled[0], f"{path.name}: no page read"


def test_native_calls_are_used(native_lib, monkeypatch):
    """The reader really takes the compiled path (once per page), not its fallback."""
    used = []

    def counted(name, compiled):
        def call(*args):
            got = compiled(*args)
            if got is not None:
                used.append(name)
            return got
        return call

    for name in ("page_chars", "object_facts", "path_segments", "words", "widths"):
        monkeypatch.setattr(pdfium_native, name, counted(name, getattr(pdfium_native, name)))
    doc = read(FIXTURES / "surrey-2012-15.pdf")
    assert doc.pages == 8
    assert used.count("page_chars") == used.count("object_facts") == used.count("words") == 8
    assert used.count("path_segments") == 7  # one page draws no path
    assert 1 <= used.count("widths") <= 8  # pages with a width not asked before


def test_native_off_by_environment():
    """``BOARDPLANS_NATIVE=0`` keeps the library unloaded (the Python path), built or not."""
    done = subprocess.run([sys.executable, "-c", "from extract import pdfium_native; print(pdfium_native.LIB)"],
                          cwd=ROOT, env={**os.environ, "BOARDPLANS_NATIVE": "0"}, capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "None"


def _random_chars(rng: np.random.Generator, n: int) -> pdfium_text.Chars:
    """Characters built to hit the grouping's corners: tied tops and starts (values on a coarse
    grid), rotated runs, spaces, runs of one character, tops a tolerance apart."""
    codes = rng.choice(np.array([0x20, 0x41, 0x62, 0x2E, 0xA0, 0xFB01], dtype=np.uint32), n)
    x0 = np.round(rng.uniform(0, 60, n), 0) * 1.5
    top = np.round(rng.uniform(0, 40, n), 0) * 1.5
    key = np.cumsum(rng.random(n) < 0.2).astype(np.int64)
    upright = (key % 5) != 3
    size = np.full(n, 9.0)
    return pdfium_text.Chars(codes, x0, x0 + rng.choice([0.0, 2.0, 3.0, 4.5], n), top, top + 9.0, key, upright,
                             size, rng.random(n) < 0.3)


def test_native_words_match_numpy_on_awkward_pages(native_lib, monkeypatch):
    """``bp_words`` against the numpy grouping on generated pages full of ties, rotated runs and
    gaps exactly at the tolerances; a NaN in a box declines to the numpy path."""
    rng = np.random.default_rng(16)
    for n in [1, 2, 3, 17, 64, 300, 2000]:
        for _ in range(20):
            ch = _random_chars(rng, n)
            compiled = pdfium_text.chars_to_words(ch)
            with monkeypatch.context() as m:
                m.setattr(pdfium_native, "LIB", None)
                plain = pdfium_text.chars_to_words(ch)
            assert pickle.dumps(compiled) == pickle.dumps(plain)
    ch = _random_chars(rng, 50)
    ch.x1[7] = np.nan
    assert pdfium_native.words(ch.key, ch.upright, ch.x0, ch.x1, ch.top, ch.bottom,
                               np.zeros(50, bool), 3.0, 3.0) is None
