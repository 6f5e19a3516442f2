"""The character layer's fast paths give what their plain paths give, on real fixture pages.

``extract.pdfium_text`` keeps a plain path beside each shortcut it takes on a
page's characters; every PDF at hand is read here with both run side by side
and their results compared exactly (values and dtypes), so a shortcut that
drifts from its plain path fails here, not in a record.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, ROOT

import extract.pdfium_text as pdfium_text
from extract import read

#: the functions themselves (the tests wrap the module's names)
CONTENT_ORDER, CONTENT_ORDER_PLAIN = pdfium_text._content_order, pdfium_text._content_order_plain

PDFS = sorted([*FIXTURES.glob("*.pdf"), *(ROOT / "tests" / "data").rglob("*.pdf")])


def _same(a: np.ndarray | None, b: np.ndarray) -> bool:
    return a is not None and a.dtype == b.dtype and a.shape == b.shape and bool((a == b).all())


def _read_comparing(path: Path, monkeypatch: pytest.MonkeyPatch, fast: str, check) -> int:
    """``read(path)`` with ``pdfium_text.<fast>`` wrapped by ``check(args, result)``; the calls made."""
    calls = []
    original = getattr(pdfium_text, fast)

    def compared(*args):
        got = original(*args)
        check(args, got)
        calls.append(1)
        return got

    with monkeypatch.context() as m:
        m.setattr(pdfium_text, fast, compared)
        try:
            read(path)
        except AssertionError:
            raise
        except Exception:  # a bad file: nothing to compare past its error
            pass
    return len(calls)


@pytest.mark.parametrize("path", PDFS, ids=[str(p.relative_to(ROOT)) for p in PDFS])
def test_content_order_on_runs_is_the_plain_sort(path, monkeypatch):
    """``_content_order`` (on runs of one text object) is ``_content_order_plain`` (a stable sort of
    every character by its object's rank), also on the same page with its runs shuffled."""
    rng = np.random.default_rng(7)

    def check(args, got):
        objs, order = args
        for case in (objs, objs[rng.permutation(len(objs))], objs[::-1].copy()):
            uniq, inv, perm = CONTENT_ORDER(case, order)
            p_uniq, p_inv, p_perm = CONTENT_ORDER_PLAIN(case, order)
            assert _same(uniq, p_uniq) and _same(inv, p_inv)
            assert _same(np.arange(len(case)) if perm is None else perm, p_perm)

    calls = _read_comparing(path, monkeypatch, "_content_order", check)
    assert calls or path.parent != FIXTURES, f"{path.name}: no page compared"
