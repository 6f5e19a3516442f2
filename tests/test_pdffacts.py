"""The pdfium reader's per-file shortcuts give what the plain code gives.

- ``extract.pdffacts.lean_facts`` (font descents and names, page boxes read
  from the file's bytes) against pdfminer's reading of the same objects
  (``extract.pdfium.pdfminer_facts_plain``), on every PDF at hand and on
  randomly damaged copies: it must give pdfminer's facts or decline (None);
- the metadata dates the reader takes while the file is open against
  ``extract.filedates.pdf_dates``, which opens it again.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT

from extract import read
from extract.filedates import pdf_dates
from extract.pdffacts import lean_facts
from extract.pdfium import pdfminer_facts, pdfminer_facts_plain

PDFS = sorted(FIXTURES.glob("*.pdf")) + sorted((ROOT / "tests" / "data").rglob("*.pdf"))
BAD = sorted((ROOT / "tests" / "bad").glob("*.pdf"))


def _plain(path: Path) -> tuple:
    facts = pdfminer_facts_plain(path, None)
    return facts.fonts, facts.boxes, facts.shared_names


def _same(lean: tuple, plain: tuple) -> bool:
    """Equal, the fonts in the same order too."""
    return lean == plain and list(lean[0].items()) == list(plain[0].items())


@pytest.mark.parametrize("path", PDFS, ids=lambda p: str(p.relative_to(ROOT)))
def test_lean_facts_are_pdfminers(path):
    lean = lean_facts(path)
    if path.name.startswith(("scanned", "encrypted")):
        return  # an OCR layer's producer, an encrypted file: whichever reads it, pdfminer_facts is pdfminer's
    assert lean is not None, "the lean reader should read the project's own PDFs"
    assert lean[1], "pages"
    assert _same(lean, _plain(path))


@pytest.mark.parametrize("path", BAD, ids=lambda p: str(p.relative_to(ROOT)))
def test_bad_files_are_left_to_pdfminer(path):
    lean = lean_facts(path)
    if lean is not None:
        assert _same(lean, _plain(path))
    if path.name in ("encrypted.pdf", "zero-byte.pdf", "truncated.pdf", "really-html.pdf"):
        assert lean is None
        facts = pdfminer_facts(path, None)
        assert (facts.fonts, facts.boxes, facts.shared_names) == _plain(path)


@pytest.mark.parametrize("seed", range(6))
def test_damaged_files_give_pdfminers_facts_or_none(seed, tmp_path):
    rng = random.Random(seed)
    sources = [p.read_bytes() for p in PDFS[:3]]
    out = tmp_path / "damaged.pdf"
    read_n = declined = 0
    for _ in range(40):
        data = bytearray(rng.choice(sources))
        for _ in range(rng.randint(1, 3)):
            k = rng.randrange(len(data))
            op = rng.random()
            if op < 0.4:
                data[k] = rng.choice(b"0123456789 /<>[]()R\n\rx#%.-+")
            elif op < 0.6:
                del data[k:k + rng.randint(1, 20)]
            elif op < 0.8:
                data[k:k] = rng.choice([b" ", b"1 0 R", b"null", b"/Foo", b"(a)", b"<<", b"]", b"\n"])
            else:
                data[k] = rng.randrange(256)
        out.write_bytes(bytes(data))
        lean = lean_facts(out)
        if lean is None:
            declined += 1
        else:
            read_n += 1
            assert _same(lean, _plain(out))
    assert read_n and declined  # both branches were exercised


def test_dates_read_with_the_page_are_the_files():
    for path in PDFS:
        if path.name.startswith(("scanned", "encrypted")):
            continue
        assert read(path).dates == pdf_dates(path), path.name


def test_pages_through_pdfium_handles_are_pypdfium2s():
    """``extract.pdfium.pages`` loads pages with PDFium's own calls; pypdfium2's page objects
    (``read_page``) give the same words, rulings and boxes."""
    import pypdfium2 as pdfium

    from extract.pdfium import FontCache, pages, read_page

    path = FIXTURES / "surrey-2012-15.pdf"
    facts = pdfminer_facts(path, None)
    doc = pdfium.PdfDocument(str(path))
    try:
        fast = list(pages(doc, facts))
        fonts = FontCache(facts.fonts, facts.shared_names)
        for i, got in enumerate(fast):
            page = doc[i]
            try:
                plain = read_page(page, i + 1, fonts, facts.boxes[i])
            finally:
                page.close()
            assert (got.words, got.lines, got.rects, got.curves, got.images, got.bbox) == \
                (plain.words, plain.lines, plain.rects, plain.curves, plain.images, plain.bbox)
    finally:
        doc.close()
    assert len(fast) > 1
