"""The layout benchmark (bench/layouts.py): its generator's expectations are coherent and it runs end to end.

These tests do not judge the normaliser on unseen wording (that is the benchmark's figure, not a
test); they check that the yardstick is straight: the wording bank is split as documented, every
expected record says what its document shows and nothing more, the scoring counts only the fields a
layout shows, and a layout headed with the lexicon's own words reads back to its expected records.
DOCX only (fast); the PDF path is exercised with BOARDPLANS_BENCH_PDF=1.
"""

from __future__ import annotations

import json
import os
import random
import shutil

import pytest
from conftest import ROOT  # noqa: F401  (puts the repository on sys.path)

from bench import layout_gen, layouts
from bench.layout_gen import COLUMN_FIELDS, TEXT_FIELDS, draw_table, generate, render_table, wordings
from normalise.columns import header_key


def _cell_texts(layout) -> list[str]:
    """Every text written into the layout's document (cells, headings, paragraphs)."""
    out = []
    for block in layout.blocks:
        if "table" in block:
            for row in block["table"]["rows"]:
                out += [c["text"] if isinstance(c, dict) else c for c in row]
        else:
            out += [v for k, v in block.items() if k in ("heading", "para")]
            out += [v for k, vs in block.items() if k in ("bullets", "numbered") for v in vs]
    return [t for t in out if t not in ("^", "<")]


def test_wording_bank_halves():
    bank = wordings()
    for half in ("seen", "held_out"):
        for fld in COLUMN_FIELDS:
            assert len(bank[half][fld]) >= 8, (half, fld)
    seen = {header_key(w) for ws in bank["seen"].values() for w in ws}
    held = {header_key(w) for ws in bank["held_out"].values() for w in ws}
    assert not seen & held, seen & held
    found, _ = layouts.held_out_check()
    assert found == [], f"held-out wordings in data/columns.toml: {found}"


def test_held_out_check_finds_a_leak(tmp_path):
    """The check is not vacuous: a lexicon holding a held-out wording (any case/punctuation) is caught."""
    leaked = wordings()["held_out"]["lead"][0]
    src = (layouts.ROOT / "data" / "columns.toml").read_text(encoding="utf-8")
    path = tmp_path / "columns.toml"
    path.write_text(src.replace('exact = ["lead",', f'exact = ["{leaked.upper()}", "lead",', 1), encoding="utf-8")
    found, _ = layouts.held_out_check(path)
    assert found == [f"lead: {leaked!r}"]


def test_generator_expectations_coherent():
    lays = generate(80, seed=7)
    assert len(lays) >= 80
    assert len({lay.id for lay in lays}) == len(lays)
    assert [lay.key() for lay in generate(80, seed=7)] == [lay.key() for lay in lays]  # deterministic
    kinds = {t for lay in lays for t in lay.tags}
    for tag in ("header:seen", "header:held_out", "header:blind", "structure:matrix", "group:heading",
                "group:title_row", "group:column", "order:shuffled", "borders:rule", "borders:none",
                "status_column:colour", "status_column:words", "two_level:timescale"):
        assert tag in kinds, tag
    for lay in lays:
        texts = " ".join(_cell_texts(lay))
        assert lay.expected, lay.id
        assert "action" in lay.shown
        for exp in lay.expected:
            assert exp["action"] and exp["action"] in texts, lay.id
            for fld in TEXT_FIELDS:
                if fld not in lay.shown:
                    assert exp[fld] is None, (lay.id, fld, exp[fld])
            for fld in ("ref", "lead", "progress", "outcome"):
                if exp[fld]:
                    assert exp[fld] in texts, (lay.id, fld)
            if exp["timescale"] and "two_level:timescale" not in lay.tags:
                assert exp["timescale"] in texts, lay.id
        for p in lay.priorities:
            assert p["text"] in texts, lay.id
        assert bool(lay.priorities) == any(t.startswith("priorities_list:") and t != "priorities_list:none"
                                          for t in lay.tags), lay.id
        if "header:blind" in lay.tags:  # nothing of the bank's wording: neutral labels only
            bank = {header_key(w) for half in ("seen", "held_out") for ws in wordings()[half].values() for w in ws}
            assert not {header_key(h) for h in lay.headers.values()} & bank, lay.id


def test_pairs_share_structure():
    """A seen layout and its held-out twin differ in header wording only."""
    lays = {lay.id: lay for lay in generate(40, seed=3)}
    pairs = [(lid, next(x for x in lays if x.startswith(f"L{int(lid[1:4]) - 1:03d}-seen-")))
             for lid in lays if "-held_out-" in lid]
    assert pairs
    for held, seen in pairs:
        a, b = lays[held], lays[seen]
        assert a.expected == b.expected and a.shown == b.shown
        assert a.headers.keys() == b.headers.keys() and a.headers != b.headers


def test_score_counts_only_fields_shown():
    lay = next(x for x in generate(40, seed=3) if "missing:lead" in x.tags and "lead" not in x.shown)
    perfect = {"actions": [dict(e) for e in lay.expected]}
    assert layouts.score_layout(lay, perfect)["score"] == pytest.approx(1.0)
    invented = {"actions": [dict(e, lead="Budget holder") for e in lay.expected]}
    res = layouts.score_layout(lay, invented)
    assert res["score"] == pytest.approx(1.0) and res["invented"] == {"lead": len(lay.expected)}
    assert "lead invented" in layouts.reason(lay, res)
    first = next(f for f in ("progress", "timescale", "ref") if f in lay.shown and lay.expected[0].get(f))
    lost = {"actions": [dict(e, **{first: None}) for e in lay.expected]}
    assert layouts.score_layout(lay, lost)["score"] < 0.9


#: draws covering: a plain table (11); a priority column, Start/End under Timescale, a colour status column
#: (17); a heading per table, Start/End, no borders (22); a parent over Lead and Timescale (23); a rule under
#: the header only, colour status (24); title rows, no borders (29); a bulleted priority list before (37)
@pytest.mark.parametrize("seed", [11, 17, 22, 23, 24, 29, 37])
def test_lexicon_headers_read_back(seed, tmp_path):
    """A drawn layout headed with the fields' own names (exact lexicon synonyms) reads back to its
    expected records: if the generator's expectations were wrong, this could not score 1."""
    rng = random.Random(seed)
    plan = list(layout_gen.plans())[seed % 5]
    draw = draw_table(rng, plan)
    lay = render_table(draw, "canonical", rng, f"C{seed}")
    path = tmp_path / "c.docx"
    layouts.write_docx(lay, path)
    res = layouts.score_layout(lay, layouts.run_pipeline(path))
    assert res["recall"] == 1.0 and res["precision"] == 1.0, layouts.reason(lay, res)
    assert res["score"] == pytest.approx(1.0), (lay.tags, layouts.reason(lay, res))
    if draw.group == "column":
        assert res["structure"] == {draw.group_field: 1.0}


@pytest.mark.parametrize("plan", ["shropshire-2016-18", "staffordshire-2011-12"])
def test_matrix_with_lexicon_corner_reads_back(plan, tmp_path):
    """A groups-by-rows matrix whose corner the lexicon knows reads back as its expected records
    (lead = the row's group, priority = the column header)."""
    drawn = (layout_gen.render_matrix(random.Random(seed), plan, "M", plan) for seed in range(100))
    lay = next(x for x in drawn if "matrix:groups_by_rows" in x.tags and "matrix_focus_row:no" in x.tags)
    lay.blocks[1]["table"]["rows"][0][0] = "Priority area"
    path = tmp_path / "m.docx"
    layouts.write_docx(lay, path)
    res = layouts.score_layout(lay, layouts.run_pipeline(path))
    assert res["score"] == pytest.approx(1.0), layouts.reason(lay, res)
    assert res["structure"] == {"priority": 1.0}


def test_bench_runs_end_to_end(tmp_path, capsys):
    out = tmp_path / "r.json"
    code = layouts.main(["--n", "8", "--seed", "2", "--formats", "docx", "--cache", str(tmp_path / "cache"),
                         "--json", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    for part in ("mean score", "header-blind mean", "held-out-wording mean", "Worst 5", "Per axis"):
        assert part in text
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["summary"]["layouts"] >= 8 and len(data["results"]) == data["summary"]["layouts"]
    assert all(0.0 <= r["score"] <= 1.0 for r in data["results"])
    assert len(list((tmp_path / "cache").glob("*.docx"))) == data["summary"]["layouts"]


@pytest.mark.skipif(not os.environ.get("BOARDPLANS_BENCH_PDF") or not shutil.which("soffice"),
                    reason="PDF conversion is slow: set BOARDPLANS_BENCH_PDF=1 (needs LibreOffice)")
def test_bench_pdf(tmp_path):
    code = layouts.main(["--n", "2", "--formats", "pdf", "--cache", str(tmp_path), "--json", str(tmp_path / "r.json")])
    assert code == 0
    assert len(list(tmp_path.glob("*.pdf"))) == 2


def test_pattern_coverage_counts_each_half(tmp_path):
    """The information line on general header patterns counts matches per half, field by field."""
    path = tmp_path / "roles.toml"
    path.write_text("[header.fields]\nlead = ['^who\\b']\n", encoding="utf-8")
    bank = wordings()
    expect = {half: (sum(header_key(w).startswith("who ") or header_key(w) == "who" for w in bank[half]["lead"]),
                     sum(len(ws) for ws in bank[half].values())) for half in ("seen", "held_out")}
    assert layouts.pattern_coverage(path) == expect
    assert expect["seen"][0] >= 2 and expect["held_out"][0] >= 2
    assert layouts.pattern_coverage(tmp_path / "absent.toml") is None
