"""Table-structure metrics: the ICDAR 2013 cell-adjacency measure and GriTS-Con.

Both compare a predicted table with a ground-truth table as grids of cells
(``GridCell``: row, col, rowspan, colspan, text), so every tool's output is
first turned into that shape by the benchmark.

*Adjacency* (Göbel et al., ICDAR 2013 table competition): every non-empty
cell is related to its nearest non-empty neighbour to the right (in each row
it occupies) and below (in each column it occupies); empty cells are skipped.
A relation is (text, neighbour text, direction).  Predicted and true relations
are compared as multisets, so precision and recall count relations, and
micro-averaging over a data set is summing the three counts.  Texts are
compared after NFKC normalisation with all whitespace removed, so a line
break inside a cell, or a hyphenated word joined across it, is no error.

*GriTS-Con* (Smock, Pesala, Abraham 2023): the two grids of cell texts (a
spanning cell's text in every position it covers) are aligned by their most
similar substructure (rows and columns chosen in order, factored into a
row alignment and a column alignment), and
``2 * sum(similarity of aligned positions) / (|true grid| + |pred grid|)``
where the similarity of two texts is their longest-common-subsequence share.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import NamedTuple

_WS = re.compile(r"\s+")


class GridCell(NamedTuple):
    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


class Counts(NamedTuple):
    """Relation counts of one comparison; sum them over tables to micro-average."""

    correct: int
    predicted: int
    truth: int


def norm(text: str) -> str:
    """Cell text as the adjacency measure compares it: NFKC, no whitespace at all."""
    return _WS.sub("", unicodedata.normalize("NFKC", text or ""))


def _occupancy(cells: Sequence[GridCell]) -> dict[tuple[int, int], int]:
    occ: dict[tuple[int, int], int] = {}
    for i, c in enumerate(cells):
        for r in range(c.row, c.row + max(c.rowspan, 1)):
            for k in range(c.col, c.col + max(c.colspan, 1)):
                occ.setdefault((r, k), i)
    return occ


def adjacency_relations(cells: Sequence[GridCell]) -> Counter[tuple[str, str, str]]:
    """The multiset of (text, neighbour text, 'H' | 'V') relations of one table."""
    occ = _occupancy(cells)
    if not occ:
        return Counter()
    max_row = max(r for r, _ in occ)
    max_col = max(c for _, c in occ)
    texts = [norm(c.text) for c in cells]
    pairs: set[tuple[int, int, str]] = set()
    for i, c in enumerate(cells):
        if not texts[i]:
            continue
        for r in range(c.row, c.row + max(c.rowspan, 1)):
            for k in range(c.col + max(c.colspan, 1), max_col + 1):
                j = occ.get((r, k))
                if j is not None and j != i and texts[j]:
                    pairs.add((i, j, "H"))
                    break
        for k in range(c.col, c.col + max(c.colspan, 1)):
            for r in range(c.row + max(c.rowspan, 1), max_row + 1):
                j = occ.get((r, k))
                if j is not None and j != i and texts[j]:
                    pairs.add((i, j, "V"))
                    break
    return Counter((texts[i], texts[j], d) for i, j, d in pairs)


def adjacency_counts(truth: Sequence[GridCell], predicted: Iterable[Sequence[GridCell]]) -> Counts:
    """Counts for one true table against the table(s) a tool gave for it (relations pooled)."""
    true_rel = adjacency_relations(truth)
    pred_rel: Counter[tuple[str, str, str]] = Counter()
    for table in predicted:
        pred_rel += adjacency_relations(table)
    correct = sum((true_rel & pred_rel).values())
    return Counts(correct, sum(pred_rel.values()), sum(true_rel.values()))


def prf(counts: Iterable[Counts]) -> tuple[float, float, float]:
    """Micro-averaged precision, recall and F1 over many comparisons."""
    correct = predicted = truth = 0
    for c in counts:
        correct, predicted, truth = correct + c.correct, predicted + c.predicted, truth + c.truth
    p = correct / predicted if predicted else 0.0
    r = correct / truth if truth else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


# ---------------------------------------------------------------- GriTS-Con

def text_grid(cells: Sequence[GridCell]) -> list[list[str]]:
    """Dense grid of texts; a spanning cell's text fills every position it covers."""
    occ = _occupancy(cells)
    if not occ:
        return []
    n_rows = max(r for r, _ in occ) + 1
    n_cols = max(c for _, c in occ) + 1
    grid = [[""] * n_cols for _ in range(n_rows)]
    for (r, c), i in occ.items():
        grid[r][c] = norm(cells[i].text)
    return grid


def _lcs_share(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    try:
        from rapidfuzz.distance import LCSseq
        lcs = LCSseq.similarity(a, b)
    except ImportError:  # pragma: no cover - rapidfuzz is a dependency; keep the metric usable without it
        from difflib import SequenceMatcher
        lcs = sum(block.size for block in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return 2 * lcs / (len(a) + len(b))


def _align(scores: Sequence[Sequence[float]]) -> tuple[float, list[tuple[int, int]]]:
    """Best order-preserving alignment of two sequences given pairwise scores (DP, like LCS)."""
    n = len(scores)
    m = len(scores[0]) if n else 0
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best[i][j] = max(best[i - 1][j], best[i][j - 1], best[i - 1][j - 1] + scores[i - 1][j - 1])
    pairs: list[tuple[int, int]] = []
    i, j = n, m
    while i > 0 and j > 0:
        if best[i][j] == best[i - 1][j - 1] + scores[i - 1][j - 1] and scores[i - 1][j - 1] > 0:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif best[i][j] == best[i - 1][j]:
            i -= 1
        else:
            j -= 1
    return best[n][m], pairs[::-1]


def grits_con(truth: Sequence[GridCell], predicted: Sequence[GridCell]) -> tuple[float, float, float]:
    """GriTS-Con (precision, recall, F-score) of one predicted grid against the true one."""
    a, b = text_grid(truth), text_grid(predicted)
    if not a or not b:
        return 0.0, 0.0, 0.0
    cache: dict[tuple[str, str], float] = {}

    def sim(x: str, y: str) -> float:
        key = (x, y)
        if key not in cache:
            cache[key] = _lcs_share(x, y)
        return cache[key]

    ra, ca, rb, cb = len(a), len(a[0]), len(b), len(b[0])
    # rows: score of a row pair = best column alignment within it; columns likewise
    row_scores = [[_align([[sim(a[i][j], b[k][m]) for m in range(cb)] for j in range(ca)])[0]
                   for k in range(rb)] for i in range(ra)]
    col_scores = [[_align([[sim(a[i][j], b[k][m]) for k in range(rb)] for i in range(ra)])[0]
                   for m in range(cb)] for j in range(ca)]
    _, rows = _align(row_scores)
    _, cols = _align(col_scores)
    total = sum(sim(a[i][j], b[k][m]) for i, k in rows for j, m in cols)
    precision = total / (rb * cb)
    recall = total / (ra * ca)
    f = 2 * total / (ra * ca + rb * cb)
    return precision, recall, f
