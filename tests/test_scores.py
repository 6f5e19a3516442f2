"""Every fixture, DOCX and PDF, against its hand-written expected records with shared/tools/score.py."""

from __future__ import annotations

import re

import pytest
from conftest import FORMATS, PLANS, expected, extracted, scorer


@pytest.mark.parametrize("ext", FORMATS)
@pytest.mark.parametrize("name", PLANS)
def test_fixture_scores(name, ext):
    res = scorer().score(expected(name), [extracted(name, ext)])
    assert res["recall"] >= 0.95
    assert res["score"] >= 0.97, {k: v for k, v in res.items() if k != "_misses"}
    assert res.get("board", 1.0) == 1.0


@pytest.mark.parametrize("name", PLANS)
def test_docx_and_pdf_agree(name):
    """Both renderings of one plan give the same actions (same refs and action words, in order;
    'multi- agency' typed in the DOCX reads 'multi-agency' once the PDF wraps it)."""
    docx, pdf = extracted(name, "docx"), extracted(name, "pdf")
    key = lambda a: (a["ref"], re.sub(r"[^0-9a-z]+", " ", (a["action"] or "").lower()).split())  # noqa: E731
    assert [key(a) for a in docx["actions"]] == [key(a) for a in pdf["actions"]]
