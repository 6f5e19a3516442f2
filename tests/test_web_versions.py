"""The web page of progress between versions (`/-/versions-compare`), on SQLite and PostgreSQL (served from
a SQLite snapshot): its JSON is the library's `compare_versions`, and a person reads it in headless
Chromium (Playwright), as tests/test_web.py does for the other pages.
"""

from __future__ import annotations

import asyncio
import urllib.request

import pytest
from conftest import FIXTURES
from db_fixtures import BACKENDS, _drop_database, _new_database
from plan_reviews import REVIEWS, write_reviews
from test_web import CHROMIUM, _browser
from web_server import serving

from load.query import compare_versions
from load.web import make_datasette
from pipeline import import_paths


@pytest.fixture(scope="module", params=BACKENDS)
def reviews_db(request, tmp_path_factory):
    """A database holding the two made-up Surrey reviews (newer imported first) and Shropshire's plan."""
    folder = tmp_path_factory.mktemp(f"web-versions-{request.param}")
    reviews = write_reviews(folder)
    url = _new_database(request.param, folder)
    report = import_paths([reviews["newer"], reviews["older"], FIXTURES / "shropshire-2016-18.docx"], db=url)
    assert report.loaded == 3 and not report.failed
    yield url
    _drop_database(request.param, url)


def _get(ds, path: str):
    async def go():
        return await ds.client.get(path)

    return asyncio.run(go())


def test_versions_page_json_is_the_library_comparison(reviews_db, tmp_path):
    ds = make_datasette(reviews_db, workdir=tmp_path)
    page = _get(ds, "/-/versions-compare.json?board=surrey").json()
    lib = compare_versions(reviews_db, "Surrey")
    assert page["board"] == "Surrey"
    assert (page["earlier"]["version"], page["later"]["version"]) == (1, 2)
    assert (page["earlier"]["plan_date"], page["later"]["plan_date"], page["later"]["current"]) == (
        "2013-05", "2014-05", True)
    keys = ["ref", "match", "earlier_ref", "earlier_status", "later_status", "earlier_progress", "later_progress",
            "change"]
    assert [[a[k] for k in keys] for a in page["actions"]] == lib[keys].values.tolist()
    assert page["counts"] == {"changed": 2, "unchanged": 1, "new": 1, "dropped": 1}
    # a board with one version, an unknown board and hostile text: a clear refusal, never SQL
    for board, message in (("Shropshire", "has 1 version"), ("Nowhere", "no board 'Nowhere'"),
                           ("x' or 1=1 --", "no board")):
        res = _get(ds, "/-/versions-compare.json?board=" + urllib.request.quote(board))
        assert res.status_code == 400 and message in res.json()["error"]
    html = _get(ds, "/-/versions-compare?board=%3Cscript%3Ealert(1)%3C/script%3E")
    assert html.status_code == 404 and "<script>alert" not in html.text
    assert _get(ds, "/-/versions").status_code == 404  # Datasette's own page: hidden unless serve --debug-pages



@pytest.fixture(scope="module")
def server(reviews_db, tmp_path_factory):
    """`pipeline.py serve` over the reviews database on a free local port, stopped after the module."""
    log = tmp_path_factory.mktemp("serve-versions") / "serve.log"
    with serving(reviews_db, log) as base:
        yield base


def test_a_person_reads_progress_between_two_reviews_in_a_browser(server, tmp_path):
    sync_playwright = _browser()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(server + "/-/versions-compare")
            # only boards with two versions are offered
            assert page.locator("select[name=board] option").all_inner_texts() == ["Surrey (2 versions)"]
            page.get_by_role("button", name="Compare versions").click()
            page.wait_for_load_state()
            assert "board=Surrey" in page.url
            assert "Progress between versions: Surrey" in page.locator("h1").inner_text()
            rows = page.locator("table.versions tbody tr")
            assert [r.get_attribute("data-ref") for r in rows.all()] == ["1.1", "1.2", "2.1", "2.2", "1.4"]
            first = page.locator("table.versions tr[data-ref='1.1']")
            assert first.locator("td.earlier-status").inner_text() == "in progress"
            assert first.locator("td.later-status").inner_text() == "completed"
            assert first.locator("td.later-progress").inner_text() == REVIEWS["May 2014"][0][3]
            assert first.locator("td.earlier-progress").inner_text() == REVIEWS["May 2013"][0][3]
            assert "status in_progress → completed" in first.locator("td.change").inner_text()
            renumbered = page.locator("table.versions tr[data-ref='2.1']")
            assert "was 1.3" in renumbered.locator("td.ref").inner_text()
            assert page.locator("table.versions tr.new td.change").inner_text() == "new action"
            assert page.locator("table.versions tr.dropped td.change").inner_text() == "dropped action"
            assert "2 changed · 1 unchanged · 1 new · 1 dropped" in page.locator(".vc-summary").inner_text()
            page.screenshot(path=str(tmp_path / "versions-compare.png"), full_page=True)
            # the page is in Datasette's menu too
            page.goto(server + "/")
            assert page.locator("a[href='/-/versions-compare']").count() >= 1
        finally:
            browser.close()
