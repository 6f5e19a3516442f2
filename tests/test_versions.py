"""Renditions and versions of a plan, on SQLite and PostgreSQL, from real files.

- the fixture DOCX and PDF of one plan are renditions: imported in either order (and by two
  loads at once), the same document is current (the DOCX: read as well, preferred on a tie);
- two made-up reviews of one plan (DOCX built by tests/plan_reviews.py with fixtures/build.py,
  'Review May 2013' and 'Review May 2014', progress moved on, one action renumbered and
  reworded, one dropped, one new): the later review is current whichever is imported last;
- `compare --versions` pairs the two reviews' actions in table, CSV and JSON.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from plan_reviews import REVIEWS, write_reviews
from sqlalchemy import select

from extract.filedates import pdf_date
from load import connect, load_document
from load.query import QueryError, boards, compare_versions, plan_versions
from load.versions import Candidate, group_versions, order_reason, quality_reason, similarity
from models.records import Action
from models.schema import DocumentRow
from normalise.dates import version_date
from pipeline import extract_file, import_paths

SURREY = ["surrey-2012-15.docx", "surrey-2012-15.pdf"]


@pytest.fixture(scope="module")
def reviews(tmp_path_factory) -> dict[str, Path]:
    return write_reviews(tmp_path_factory.mktemp("reviews"))


def _current(url: str) -> list[str]:
    with connect(url)() as s:
        return sorted(Path(p).name for p in s.scalars(select(DocumentRow.source_path)
                                                      .where(DocumentRow.current.is_(True))))


def test_the_plan_gives_its_own_date():
    words = ["review", "updated"]
    assert version_date("2012- 2015 SSCB Business Plan Review May 2014", [], words) == "2014-05"
    # a period in the title is not the version's date; a review word in the prose gives it
    assert version_date("Business Plan April 2018 – March 2019", ["Adopted on 23rd April 2018",
                                                                  "Plans reviewed and updated in March 2018 to set"],
                        words) == "2018-03"
    assert version_date("Plan 2012-15", ["with annual review (i.e. April 2012 to March 2015)"], words) is None
    assert pdf_date("D:20140601100000+01'00'") == "2014-06-01T09:00:00Z"
    assert pdf_date("D:2014") == "2014-01-01T00:00:00Z" and pdf_date("") is None and pdf_date("D:00000101") is None


def test_readers_give_the_files_dates_and_the_plan_its_review_date():
    docx = extract_file(FIXTURES / "surrey-2012-15.docx")
    pdf = extract_file(FIXTURES / "surrey-2012-15.pdf")
    assert docx.dates == {"plan": "2014-05", "created": "2014-06-01T09:00:00Z", "modified": "2014-06-01T09:00:00Z"}
    assert pdf.dates["plan"] == "2014-05" and pdf.dates["created"].startswith("20")
    assert list(docx.to_dict())[-1] == "dates"  # an extra key after the contract's own


def _candidate(i: int, plan, fmt: str, **kw) -> Candidate:
    acts = plan.actions
    filled = sum(bool(getattr(a, f)) for a in acts for f in ("lead", "timescale", "progress")) / (3 * len(acts))
    base = dict(id=i, sha256=f"{i:064d}", format=fmt, period=(plan.period["start"], plan.period["end"]),
                plan_date=plan.dates.get("plan"), file_date=None, imported_at=None, warnings=len(plan.warnings),
                actions=len(acts), filled=filled,
                raw=(tuple(a.action or "" for a in acts), tuple(a.progress or "" for a in acts)))
    return Candidate(**{**base, **kw})


def test_a_rendition_read_in_fragments_is_still_a_rendition_and_the_clean_one_is_shown():
    """The issue's case: a borderless PDF read with rows cut in two and header rows as actions (25 actions
    become 44) is the same plan as its DOCX, and the DOCX (more fields filled) is shown."""
    docx = extract_file(FIXTURES / "surrey-2012-15.docx")
    header = Action(ref="Ref", action="Action", lead="Lead Group / Officer", progress="Progress to 31 May 2014")
    fragments: list[Action] = [header]
    for k, a in enumerate(docx.actions):
        if k % 2 == 0:  # cut where a bullet starts in one column while another carries on
            h, g = len(a.action) // 2, len(a.progress or "") // 2
            fragments += [Action(ref=a.ref, action=a.action[:h], lead=a.lead, progress=(a.progress or "")[:g]),
                          Action(action=a.action[h:], progress=(a.progress or "")[g:])]
        else:
            fragments.append(a)
        if k % 5 == 4:
            fragments.append(header)
    pdf = extract_file(FIXTURES / "surrey-2012-15.pdf")
    pdf.actions = fragments
    a, b = _candidate(2, docx, "docx"), _candidate(1, pdf, "pdf")
    assert (len(docx.actions), len(fragments)) == (25, 44)
    assert similarity(a, b) >= 98
    for order in ([a, b], [b, a]):
        (version,) = group_versions(order)
        assert [d.format for d in version.docs] == ["docx", "pdf"]
    assert quality_reason(a, b) == "more fields filled (lead, timescale, progress: 67% against 57%)"


def test_versions_without_a_plan_date_are_ordered_by_file_dates_then_import_time():
    from datetime import UTC, datetime

    older, newer = (extract_file(FIXTURES / "shropshire-2016-18.docx") for _ in range(2))
    newer.actions[0].progress = "Training delivered to every school in 2017."
    assert "plan" not in older.dates  # 'Business Plan 2016-18': no month, no review word
    early = datetime(2017, 1, 1, tzinfo=UTC)
    late = datetime(2017, 6, 1, tzinfo=UTC)
    by_file = [_candidate(1, older, "docx", file_date="2016-05-01T00:00:00Z", imported_at=late),
               _candidate(2, newer, "docx", file_date="2017-05-01T00:00:00Z", imported_at=early)]
    for order in (by_file, by_file[::-1]):
        versions = group_versions(order)
        assert [v.chosen.id for v in versions] == [1, 2]
    assert order_reason(*group_versions(by_file)[::-1]).startswith("file dated 2017-05-01T00:00:00Z after 2016-05")
    by_import = [_candidate(1, older, "docx", imported_at=early), _candidate(2, newer, "docx", imported_at=late)]
    assert [v.chosen.id for v in group_versions(by_import[::-1])] == [1, 2]
    assert order_reason(*group_versions(by_import)[::-1]) == "imported later (nothing in the plans tells them apart)"


@pytest.mark.parametrize("order", [SURREY, SURREY[::-1]], ids=["docx-first", "pdf-first"])
def test_docx_and_pdf_of_a_plan_in_either_order_give_the_same_current_document(db_url, order):
    report = import_paths([FIXTURES / name for name in order], db=db_url)
    assert report.loaded == 2 and not report.failed
    assert _current(db_url) == ["surrey-2012-15.docx"]
    docs = plan_versions(db_url, "Surrey").set_index("file")
    docx, pdf = (docs.loc[str(FIXTURES / name)] for name in SURREY)
    assert (docx["version"], pdf["version"]) == (1, 1)  # one version, two renditions
    assert pdf["rendition_of"] == docx["document_id"] and docx["rendition_of"] is None
    assert docx["reason"] == ("current: the only version of the board's plan; the best of 2 renditions "
                              "(read as well; DOCX is preferred to PDF)")
    assert pdf["reason"].startswith(f"not current: a rendition of document {docx['document_id']} (100% alike")
    row = boards(db_url).set_index("board").loc["Surrey"]
    assert (row["documents"], row["versions"], row["renditions"], row["current"]) == (2, 1, 2, 1)
    assert row["files"].endswith("surrey-2012-15.docx") and row["reason"] == docx["reason"]


def test_two_loads_at_once_agree_on_the_current_document(db_url):
    plans = [extract_file(FIXTURES / name) for name in SURREY]
    factory = connect(db_url)
    errors: list[BaseException] = []
    start = threading.Barrier(len(plans))

    def load(plan) -> None:
        try:
            start.wait()
            load_document(factory, plan)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=load, args=(p,)) for p in plans]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _current(db_url) == ["surrey-2012-15.docx"]


@pytest.mark.parametrize("order", [("newer", "older"), ("older", "newer")])
def test_an_older_review_imported_later_does_not_become_current(db_url, reviews, order):
    for key in order:
        assert import_paths([reviews[key]], db=db_url).loaded == 1
    assert _current(db_url) == ["surrey-review-2014.docx"]
    docs = plan_versions(db_url).set_index("plan_date")
    assert list(docs.index) == ["2013-05", "2014-05"] and list(docs["version"]) == [1, 2]
    assert docs.loc["2014-05", "reason"] == ("current: the latest of 2 versions (plan date 2014-05 after 2013-05); "
                                             "its only rendition")
    assert docs.loc["2013-05", "reason"].startswith("not current: version 1 of 2, superseded by version 2")
    assert boards(db_url).set_index("board").loc["Surrey", ["versions", "renditions"]].tolist() == [2, 1]


EXPECTED_PAIRS = [  # ref, match, earlier status, later status, change
    ("1.1", "ref", "in_progress", "completed", "status in_progress → completed; progress changed"),
    ("1.2", "ref", "not_started", "not_started", "unchanged"),
    ("2.1", "text", "in_progress", "completed", "status in_progress → completed; progress changed; action reworded"),
    ("2.2", "new", None, "in_progress", "new action"),
    ("1.4", "dropped", "completed", None, "dropped action"),
]


def test_compare_versions_pairs_each_action_with_its_counterpart(db_url, reviews):
    import_paths([reviews["newer"], reviews["older"]], db=db_url)
    df = compare_versions(db_url, "Surrey SCB")
    got = [(r.ref, r.match, r.earlier_status, r.later_status, r.change) for r in df.itertuples()]
    assert got == EXPECTED_PAIRS
    renumbered = df.set_index("ref").loc["2.1"]
    assert renumbered["earlier_ref"] == "1.3" and renumbered["similarity"] >= 80
    assert renumbered["earlier_progress"] == REVIEWS["May 2013"][2][3]
    assert renumbered["later_progress"] == REVIEWS["May 2014"][2][3]
    assert set(df["earlier_version"]) == {1} and set(df["later_version"]) == {2}
    with pytest.raises(QueryError, match="1 version of its plan"):
        import_paths([FIXTURES / "shropshire-2016-18.docx"], db=db_url)
        compare_versions(db_url, "Shropshire")
    with pytest.raises(QueryError, match="no board 'Nowhere'"):
        compare_versions(db_url, "Nowhere")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "pipeline.py"), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, env={**__import__("os").environ, "COLUMNS": "200"})


def test_compare_versions_command_in_table_csv_and_json(tmp_path, reviews):
    db = str(tmp_path / "plans.db")
    assert _cli("import", str(reviews["newer"]), str(reviews["older"]), "--db", db).returncode == 0
    as_json = _cli("compare", "--versions", "Surrey", "--db", db, "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    rows = json.loads(as_json.stdout)
    assert [(r["ref"], r["match"], r["earlier_status"], r["later_status"], r["change"]) for r in rows] == EXPECTED_PAIRS
    as_csv = _cli("compare", "--versions", "Surrey", "--db", db, "--format", "csv")
    records = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [r["ref"] for r in records] == [p[0] for p in EXPECTED_PAIRS]
    assert records[0]["later_progress"] == REVIEWS["May 2014"][0][3]
    table = _cli("compare", "--versions", "Surrey", "--db", db)
    assert table.returncode == 0, table.stderr
    assert "Surrey: version 1 → 2 (changed: 4 of 5)" in table.stdout
    assert "dropped action" in table.stdout and "new action" in table.stdout
    bad = _cli("compare", "--db", db)
    assert bad.returncode == 2 and "Error: give either --theme THEME or --versions BOARD" in bad.stderr
    docs = _cli("boards", "--documents", "--db", db, "--format", "json")
    assert [(d["version"], d["plan_date"], d["current"]) for d in json.loads(docs.stdout)] == [
        (1, "2013-05", False), (2, "2014-05", True)]
    backwards = _cli("compare", "--versions", "Surrey", "--earlier", "2", "--later", "1", "--db", db,
                     "--format", "json")
    assert [r["change"] for r in json.loads(backwards.stdout)][:2] == [
        "status completed → in_progress; progress changed", "unchanged"]
    missing = _cli("compare", "--versions", "Surrey", "--later", "3", "--db", db)
    assert missing.returncode == 2 and "Error: Surrey has no version 3; its versions are 1, 2" in missing.stderr


def test_versions_settled_from_the_import_cache_are_the_ones_settled_afresh(db_url, reviews):
    """An import settles each board once per batch from candidates it cached in earlier batches; what it
    leaves is exactly what settling from the stored documents alone gives."""
    from load import load_documents
    from load.versions import VersionCache, settle

    plans = [extract_file(FIXTURES / name) for name in SURREY] + [extract_file(p) for p in reviews.values()]
    factory = connect(db_url)
    cache = VersionCache()
    for batch in ([plans[0]], plans[1:3], plans[3:]):  # later batches reuse the first ones' candidates
        load_documents(factory, batch, cache=cache)
    assert len(cache.candidates) == len(plans) and cache.pairs

    def state() -> list[tuple]:
        with factory() as s:
            return [(d.id, d.current, d.version, d.rendition_of, d.current_reason)
                    for d in s.scalars(select(DocumentRow).order_by(DocumentRow.id))]

    cached = state()
    with factory.begin() as s:
        for board_id in {d.board_id for d in s.scalars(select(DocumentRow))}:
            settle(s, board_id)
    assert state() == cached
    assert sum(current for _, current, *_ in cached) == 1 and {v for *_, v, _, _ in cached} == {1, 2, 3}
