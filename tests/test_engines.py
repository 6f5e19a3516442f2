"""PDF engines (pdfium the default, pdfplumber, camelot) and the benchmark's table-structure metrics."""

from __future__ import annotations

import re
from functools import cache

import pytest
from conftest import FIXTURES, SHARED, expected, extracted, scorer

from bench.metrics import Counts, GridCell, adjacency_counts, adjacency_relations, grits_con, prf
from extract import ENGINES, read
from models.errors import ExtractError, MissingDependency

# ---------------------------------------------------------------- adjacency metric


def _grid(rows: list[list[str]]) -> list[GridCell]:
    return [GridCell(r, c, 1, 1, t) for r, row in enumerate(rows) for c, t in enumerate(row)]


def test_adjacency_relations_skip_empty_cells():
    rel = adjacency_relations(_grid([["A", "B", "C"], ["D", "", "F"]]))
    assert rel == {("A", "B", "H"): 1, ("B", "C", "H"): 1, ("D", "F", "H"): 1,
                   ("A", "D", "V"): 1, ("C", "F", "V"): 1}


def test_adjacency_scores_of_a_hand_made_grid():
    """Truth has 5 relations; the prediction merges B and C and loses the empty middle column:
    4 relations, of which D-F (H) and A-D (V) are right.  P = 2/4, R = 2/5, F1 = 4/9."""
    truth = _grid([["A", "B", "C"], ["D", "", "F"]])
    pred = _grid([["A", "B C"], ["D", "F"]])
    counts = adjacency_counts(truth, [pred])
    assert counts == Counts(correct=2, predicted=4, truth=5)
    p, r, f = prf([counts])
    assert (p, r) == (0.5, 0.4)
    assert f == pytest.approx(4 / 9)


def test_adjacency_spanning_cell_relates_to_each_cell_it_covers():
    truth = [GridCell(0, 0, 1, 2, "2005"), GridCell(1, 0, 1, 1, "n"), GridCell(1, 1, 1, 1, "%")]
    assert adjacency_relations(truth) == {("2005", "n", "V"): 1, ("2005", "%", "V"): 1, ("n", "%", "H"): 1}


def test_adjacency_micro_average_and_whitespace():
    """Texts compare without whitespace (a wrapped line is no error); counts add over tables."""
    a = adjacency_counts(_grid([["to air\nkg/year", "x"]]), [_grid([["to air kg/year", "x"]])])
    b = adjacency_counts(_grid([["p", "q"], ["r", "s"]]), [])
    assert a == Counts(1, 1, 1) and b == Counts(0, 0, 4)
    assert prf([a, b]) == (1.0, 0.2, pytest.approx(2 * 0.2 / 1.2))


def test_grits_con_identity_and_loss():
    truth = _grid([["A", "B"], ["C", "D"]])
    assert grits_con(truth, truth) == (1.0, 1.0, 1.0)
    p, r, f = grits_con(truth, _grid([["A", "B"]]))
    assert (p, r) == (1.0, 0.5) and f == pytest.approx(2 / 3)


# ---------------------------------------------------------------- engines


def test_engines_listed_and_unknown_engine_named():
    assert ENGINES[:2] == ("pdfplumber", "camelot")
    with pytest.raises(ExtractError, match="unknown PDF engine 'tabula'.*pdfplumber, camelot"):
        read(FIXTURES / "surrey-2012-15.pdf", engine="tabula")


def test_camelot_missing_is_a_clear_error(monkeypatch):
    import extract.camelot as engine

    real = engine.importlib.import_module

    def no_camelot(name, *args):
        if name == "camelot":
            raise ImportError("No module named 'camelot'")
        return real(name, *args)

    monkeypatch.setattr(engine.importlib, "import_module", no_camelot)
    with pytest.raises(MissingDependency, match="camelot-py"):
        read(FIXTURES / "surrey-2012-15.pdf", engine="camelot")


@cache
def camelot_extracted(name: str) -> dict:
    from pipeline import extract_file

    plan = extract_file(FIXTURES / f"{name}.pdf", engine="camelot")
    assert plan.error is None, plan.error
    return plan.to_dict()


@pytest.mark.parametrize("name", ["surrey-2012-15", "sunderland-2018-19"])
def test_camelot_engine_scores(name):
    res = scorer().score(expected(name), [camelot_extracted(name)])
    assert res["score"] >= 0.9, {k: v for k, v in res.items() if k != "_misses"}


def test_camelot_engine_agrees_with_default():
    """Same refs and action words, in order: camelot finds the grid, text is read the same way."""
    key = lambda a: (a["ref"], re.sub(r"[^0-9a-z]+", " ", (a["action"] or "").lower()).split())  # noqa: E731
    default, camelot = extracted("surrey-2012-15", "pdf"), camelot_extracted("surrey-2012-15")
    assert [key(a) for a in camelot["actions"]] == [key(a) for a in default["actions"]]


# ---------------------------------------------------------------- benchmark harness


def test_icdar_benchmark_runs(capsys):
    data = SHARED / "benchmarks" / "icdar2013"
    if not data.is_dir():
        pytest.skip("no ICDAR 2013 data beside the repository")
    from bench.icdar2013 import main

    assert main(["--only", "eu-001", "--tools", "ours,pdfplumber", "--mode", "regions", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| ours"))
    f1 = float(row.split("|")[4])
    assert f1 >= 0.8, out
