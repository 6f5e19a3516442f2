"""Cross-board questions on a database loaded from the real fixtures, on SQLite and PostgreSQL.

``fixtures_db`` holds ``import fixtures/``: each plan as DOCX and PDF, two renditions of one version
per board of which the DOCX is current (both read as well; DOCX is preferred on a tie, see
load/versions.py); the questions count each board's current plan once.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pandas as pd
import pytest
from conftest import PLANS, expected, fold
from db_fixtures import plan_from_expected
from sqlalchemy import func, select

from load import connect, load_document
from load.export import export, export_tables
from load.query import QueryError, boards, common_priorities, compare, priorities, priorities_long
from load.search import fts5_query, search
from models.records import STATUSES
from models.schema import ActionRow, DocumentRow

AUDIT = re.compile(r"\baudit(?:s|ed|ing)?\b", re.I)
SEARCHED = ("action", "progress", "outcome", "priority")


def _short(name: str) -> str:
    return expected(name)["board_short"]


def test_boards_exact_counts(fixtures_db):
    df = boards(fixtures_db).set_index("board")
    assert sorted(df.index) == sorted(_short(p) for p in PLANS)
    for plan in PLANS:
        row = df.loc[_short(plan)]
        period = expected(plan)["period"]
        assert (row["documents"], row["current"], row["actions"]) == (2, 1, len(expected(plan)["actions"]))
        want = f"{period['start']} to {period['end']}" if period["start"] else "?"
        assert row["periods"] == want
        assert (row["versions"], row["renditions"]) == (1, 2)
        assert row["files"].endswith(f"{plan}.docx")


def test_search_audit_finds_every_action_mentioning_an_audit(fixtures_db):
    found = search(fixtures_db, "audit")
    want = Counter(_short(p) for p in PLANS for a in expected(p)["actions"]
                   if any(AUDIT.search(a.get(f) or "") for f in SEARCHED))
    assert Counter(found["board"]) == want
    assert all(any(AUDIT.search(r[f] or "") for f in SEARCHED) for _, r in found.iterrows())
    assert list(found["score"]) == sorted(found["score"], reverse=True)
    assert found["file"].str.endswith(".docx").all()  # current: the DOCX renditions (a DOCX has no pages)
    # plural and tense find the same actions (stemming on both databases)
    assert set(search(fixtures_db, "audits")["action_id"]) == set(found["action_id"])


def test_search_filters(fixtures_db):
    surrey = search(fixtures_db, "audit", board="Surrey SCB")
    assert len(surrey) and set(surrey["board"]) == {"Surrey"}
    assert set(search(fixtures_db, "audit", board="surrey")["action_id"]) == set(surrey["action_id"])
    done = search(fixtures_db, "audit", status="completed")
    assert len(done) and set(done["status"]) == {"completed"}
    qa = search(fixtures_db, "audit", theme="quality_assurance")
    assert len(qa) and all("quality_assurance" in t for t in qa["themes"])
    assert search(fixtures_db, "audit", board="Nowhere").empty
    with pytest.raises(QueryError, match="unknown theme"):
        search(fixtures_db, "audit", theme="nope")
    both = search(fixtures_db, '"section 11" OR CSE')
    assert len(both) > len(search(fixtures_db, '"section 11"'))


@pytest.mark.parametrize("attack", [
    "audit'; DROP TABLE actions; --",
    "' OR '1'='1",
    '" OR 1=1 --',
    "audit) UNION SELECT * FROM boards --",
    "NEAR(audit",
    "*",
    "",
])
def test_search_text_is_never_sql(fixtures_db, attack):
    result = search(fixtures_db, attack)
    assert result.empty
    assert list(result.columns)[:3] == ["board", "ref", "action"]
    with connect(fixtures_db)() as s:
        assert s.scalar(select(func.count()).select_from(ActionRow)) == 2 * sum(
            len(expected(p)["actions"]) for p in PLANS)


def test_fts5_query_quotes_every_term():
    assert fts5_query("audit") == '"audit"'
    assert fts5_query('multi-agency "case audit" OR review -training') == \
        '"multi agency" "case audit" OR "review" NOT "training"'  # a hyphenated word is a phrase
    assert fts5_query("the of and") is None and fts5_query("'; --") is None


def test_compare_cse_lists_each_board_with_its_actions_and_progress(fixtures_db):
    result = compare(fixtures_db, "cse")
    with connect(fixtures_db)() as s:
        rows = s.execute(select(ActionRow.id, ActionRow.themes, ActionRow.progress, DocumentRow.source_path)
                         .join(DocumentRow).where(DocumentRow.current.is_(True))).all()
    cse = [r for r in rows if "cse" in r.themes]
    assert len(result.actions) == len(cse)
    boards_with_cse = {_short(p) for p in PLANS if any(p in r.source_path for r in cse)}
    assert set(result.actions["board"]) == boards_with_cse
    # the fixtures' hand-read records agree on which boards have CSE actions
    assert boards_with_cse == {_short(p) for p in PLANS if any("cse" in a["themes"] for a in expected(p)["actions"])}
    assert sorted(fold(p) for p in result.actions["progress"] if p) == sorted(fold(r.progress) for r in cse
                                                                             if r.progress)
    surrey = result.actions[result.actions["board"] == "Surrey"]
    assert surrey["progress"].str.contains("Development of multi-agency CSE Strategy").any()
    assert {"lead", "timescale", "status", "progress", "file", "page"} <= set(result.actions.columns)
    counts = result.status_counts.set_index("board")
    assert list(counts.columns) == [*STATUSES, "total"]
    for board, group in result.actions.groupby("board"):
        assert counts.loc[board, "total"] == len(group)
        assert all(counts.loc[board, s] == (group["status"] == s).sum() for s in STATUSES)


def test_compare_named_boards(fixtures_db):
    result = compare(fixtures_db, "cse", boards=["Surrey", "Sunderland"])
    assert set(result.actions["board"]) <= {"Surrey", "Sunderland"}
    assert list(result.status_counts["board"]) == ["Sunderland", "Surrey"]  # named boards appear, even with 0
    with pytest.raises(QueryError, match="no board 'Atlantis'"):
        compare(fixtures_db, "cse", boards=["Atlantis"])


def _expected_common() -> dict[str, list[str]]:
    declared: dict[str, set[str]] = defaultdict(set)
    for p in PLANS:
        for prio in expected(p)["priorities"]:
            for theme in prio["themes"]:
                declared[theme].add(_short(p))
    return {t: sorted(b) for t, b in declared.items() if len(b) >= 2}


def test_common_priorities_from_the_hand_read_records(db_url):
    """The query itself, on the fixtures' expected records loaded as documents (no normaliser involved)."""
    factory = connect(db_url)
    for p in PLANS:
        load_document(factory, plan_from_expected(p))
    df = common_priorities(factory)
    got = {t: names.split(", ") for t, names in zip(df["theme"], df["board_names"], strict=True)}
    assert got == _expected_common()
    assert got["neglect"] == ["Shropshire", "Solihull", "Sunderland"]
    assert {"cse", "domestic_abuse", "neglect"} <= set(got)
    assert list(df["boards"]) == sorted(df["boards"], reverse=True)
    long = priorities_long(factory)
    assert bool(long[(long.theme == "neglect") & (long.board == "Surrey")]["declared"].iloc[0]) is False
    wide = priorities(factory).set_index("theme")
    assert wide.loc["neglect", "Shropshire"].startswith("★") and not wide.loc["neglect", "Surrey"].startswith("★")
    assert wide.loc["neglect", "boards declaring"] == 3


def test_common_priorities_after_import_match_the_hand_read_records(fixtures_db):
    """After `import fixtures/`: neglect, CSE and domestic abuse are shared, by the boards the records say.

    This rests on the normaliser's declared-priority themes too (the query alone is tested above).
    """
    df = common_priorities(fixtures_db)
    got = {t: names.split(", ") for t, names in zip(df["theme"], df["board_names"], strict=True)}
    want = _expected_common()
    assert {t: got.get(t) for t in ("neglect", "cse", "domestic_abuse")} == \
        {t: want[t] for t in ("neglect", "cse", "domestic_abuse")}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_flat_tables_with_provenance(fixtures_db, tmp_path, fmt):
    written = export(fixtures_db, fmt, tmp_path, theme=None)
    if fmt == "xlsx":
        assert [p.name for p in written] == ["boardplans.xlsx"]
        sheets = pd.read_excel(written[0], sheet_name=None)
    else:
        reader = pd.read_csv if fmt == "csv" else pd.read_parquet
        sheets = {p.stem: reader(p) for p in written}
    assert set(sheets) == {"boards", "documents", "actions", "priorities", "indicators", "cells"}
    actions = sheets["actions"]
    assert len(actions) == sum(len(expected(p)["actions"]) for p in PLANS)
    assert {"board", "file", "page", "action", "lead", "status", "themes"} <= set(actions.columns)
    assert actions["file"].str.endswith(".docx").all()  # each plan's current rendition
    assert len(sheets["documents"]) == 5 and len(sheets["cells"]) > 0
    assert {"file", "page", "row", "col", "text"} <= set(sheets["cells"].columns)


def test_export_one_theme_and_all_versions(fixtures_db):
    cse = export_tables(fixtures_db, theme="cse")
    assert len(cse["actions"]) == len(compare(fixtures_db, "cse").actions)
    assert all("cse" in t for t in cse["actions"]["themes"])
    assert all("cse" in t for t in cse["priorities"]["themes"])
    everything = export_tables(fixtures_db, all_versions=True)
    assert len(everything["documents"]) == 10 and everything["documents"]["current"].sum() == 5
    pdf = everything["actions"][everything["actions"]["file"].str.endswith(".pdf")]
    assert len(pdf) == len(everything["actions"]) // 2 and pdf["page"].notna().all()  # provenance to the page
