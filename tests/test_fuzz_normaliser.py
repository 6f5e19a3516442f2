"""Property tests: the normaliser never raises and never drops a non-empty cell.

Arbitrary header and cell strings, ragged grids, spans and page splits: every
cell's text must end up in an action field, ``extra``, a priority, an indicator
or the raw table kept in ``tables``.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.layouts import text_leaves
from models.document import Cell, Document, Heading, Paragraph, Table
from normalise import normalise

HEADERS = ["Action", "Lead", "Timescale", "Progress", "Outcome Measure", "Priority area*", "", "Ref",
           "Core Aim", "Budget", "RAG", "Start", "End", "Project", "Owner"]
words = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                min_size=0, max_size=30)
cell_text = st.one_of(st.sampled_from(HEADERS + ["1.1", "TP 2", "• bullet", "Apr 2011", "Business Fundamentals",
                                                 "completed", "not yet in place", "CSE and neglect"]), words)


@st.composite
def tables(draw) -> Table:
    n_rows = draw(st.integers(1, 7))
    n_cols = draw(st.integers(1, 6))
    taken: set[tuple[int, int]] = set()
    cells = []
    for r in range(n_rows):
        for c in range(n_cols):
            if (r, c) in taken:
                continue
            if draw(st.integers(0, 5)) == 0:
                continue  # ragged: a missing cell
            rs = draw(st.integers(1, max(1, min(3, n_rows - r))))
            cs = draw(st.integers(1, max(1, min(3, n_cols - c))))
            span = {(rr, cc) for rr in range(r, r + rs) for cc in range(c, c + cs)}
            if span & taken:
                rs, cs, span = 1, 1, {(r, c)}
            taken |= span
            text = draw(cell_text) if r else draw(st.sampled_from(HEADERS))
            cells.append(Cell(r, c, text, rs, cs, bold=r == 0))
    page = draw(st.sampled_from([None, 1, 2]))
    return Table(n_rows, n_cols, cells, page=page, header_rows=draw(st.integers(0, 2)),
                 col_edges=tuple(float(i * 50) for i in range(n_cols + 1)) if page else None,
                 row_pages=[page] * n_rows if page else None)


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.lower())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks=st.lists(st.one_of(tables(), words.map(lambda t: Paragraph(t or "x")),
                                 words.map(lambda t: Heading(t or "h"))), min_size=1, max_size=5))
def test_normaliser_never_raises_or_drops_cells(blocks):
    pages = iter(range(1, 100))
    for b in blocks:  # pages increase through the document, as readers emit them
        if isinstance(b, Table) and b.page is not None:
            b.page = next(pages)
            b.row_pages = [b.page] * b.n_rows
    doc = Document(source="fuzz.pdf", format="pdf", blocks=blocks)
    out = normalise(doc).to_dict()
    everything = _norm(" ".join(text_leaves(out)))
    for b in blocks:
        if isinstance(b, Table):
            for cell in b.cells:
                text = _norm(cell.text)
                if text:
                    assert text in everything, cell
