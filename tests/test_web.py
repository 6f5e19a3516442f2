"""The read-only web page (`pipeline.py serve`, Datasette): canned queries on SQLite and PostgreSQL
(served from a SQLite snapshot), and a person's use of it in headless Chromium (Playwright).

The browser is Debian's chromium (`apt-get install chromium`); without it (or Playwright) the
browser test is skipped on a developer's machine and fails in CI, where .ci/run installs it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import PLANS, ROOT, expected
from db_fixtures import in_ci

from load.query import compare
from load.search import search
from load.web import QUERIES, make_datasette
from load.web.plugin import fts_query

CHROMIUM = os.environ.get("BOARDPLANS_CHROMIUM", "/usr/bin/chromium")


def _get(ds, path: str):
    async def go():
        return await ds.client.get(path)

    return asyncio.run(go())


@pytest.fixture(scope="module")
def site(fixtures_db, tmp_path_factory):
    ds = make_datasette(fixtures_db, workdir=tmp_path_factory.mktemp("web"))
    name = next(iter(ds.databases.keys() - {"_internal", "_memory"}))
    return ds, name


def test_fts_query_function_quotes_user_text():
    assert fts_query("audit") == '"audit"'
    assert fts_query("'; DROP TABLE actions; --") == '"DROP" "TABLE" "actions"'
    assert fts_query(None) == '""' and fts_query("!!") == '""'


def test_home_page_links_every_question(site):
    ds, name = site
    res = _get(ds, "/")
    assert res.status_code == 200
    for query in QUERIES.values():
        assert query["title"] in res.text


def test_canned_queries_answer_as_the_library_does(site, fixtures_db):
    ds, name = site
    boards = _get(ds, f"/{name}/boards.json?_shape=array").json()
    assert {b["board"]: b["actions"] for b in boards} == {expected(p)["board_short"]: len(expected(p)["actions"])
                                                          for p in PLANS}
    hits = _get(ds, f"/{name}/search.json?q=audit&board=&theme=&status=&_shape=array").json()
    assert len(hits) == len(search(fixtures_db, "audit"))
    surrey = _get(ds, f"/{name}/search.json?q=audit&board=surrey&theme=&status=completed&_shape=array").json()
    assert surrey and {h["board"] for h in surrey} == {"Surrey"} and {h["status"] for h in surrey} == {"completed"}
    attack = _get(ds, f"/{name}/search.json?q=audit%27%3B+DROP+TABLE+actions%3B+--&board=&theme=&status="
                      "&_shape=array")
    assert attack.status_code == 200 and attack.json() == []
    cse = _get(ds, f"/{name}/compare.json?theme=cse&_shape=array").json()
    assert len(cse) == len(compare(fixtures_db, "cse").actions)
    shared = {r["theme"]: r["boards"] for r in _get(ds, f"/{name}/shared_priorities.json?_shape=array").json()}
    assert shared["neglect"] >= 2 and shared["cse"] >= 2
    counts = _get(ds, f"/{name}/status_by_theme.json?theme=cse&_shape=array").json()
    assert sum(r["total"] for r in counts) == len(cse)


def test_the_page_is_read_only(site):
    ds, name = site
    res = _get(ds, f"/{name}.json?sql=delete+from+actions")
    assert res.status_code == 400 or "error" in res.text.lower()
    assert _get(ds, f"/{name}/actions.json?_size=1").status_code == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _browser():
    try:
        from playwright.sync_api import sync_playwright
    except ModuleNotFoundError:
        sync_playwright = None
    if sync_playwright is None or not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = f"browser test needs playwright and chromium at {CHROMIUM} (apt-get install chromium)"
        if in_ci():
            pytest.fail(f"CI: {message}")
        pytest.skip(message)
    return sync_playwright


@pytest.fixture(scope="module")
def server(fixtures_db, tmp_path_factory):
    """`pipeline.py serve` on a free local port, stopped after the module."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), "serve", "--db", fixtures_db,
                                 "--port", str(port)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(base + "/-/versions.json", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"serve exited: {log.read_text()}")
                time.sleep(0.5)
        else:
            pytest.fail(f"serve did not start: {log.read_text()}")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_a_person_searches_and_compares_in_a_browser(server, fixtures_db, tmp_path):
    sync_playwright = _browser()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(server + "/")
            assert "boardplans" in page.title()
            page.get_by_role("link", name="Search actions").first.click()
            page.fill("input[name=q]", "audit")
            page.get_by_role("button", name="Run SQL").click()
            page.wait_for_load_state()
            rows = page.locator("table.rows-and-columns tbody tr")
            assert rows.count() == len(search(fixtures_db, "audit"))
            page.screenshot(path=str(tmp_path / "search.png"))

            page.fill("input[name=q]", "audit'; DROP TABLE actions; --")
            page.get_by_role("button", name="Run SQL").click()
            page.wait_for_load_state()
            assert page.locator("table.rows-and-columns tbody tr").count() == 0
            assert "error" not in page.locator("body").inner_text().lower()

            page.goto(server + "/")
            page.get_by_role("link", name="Compare boards on a theme").first.click()
            page.fill("input[name=theme]", "cse")
            page.get_by_role("button", name="Run SQL").click()
            page.wait_for_load_state()
            text = page.locator("table.rows-and-columns").inner_text()
            for board in set(compare(fixtures_db, "cse").actions["board"]):
                assert board in text
            assert "Development of multi-agency CSE Strategy" in text

            page.goto(server + "/")
            page.get_by_role("link", name="Compare boards on a theme").first.click()
            page.fill("input[name=theme]", "neglect")
            page.get_by_role("button", name="Run SQL").click()
            page.wait_for_load_state()
            text = page.locator("table.rows-and-columns").inner_text()
            for board in set(compare(fixtures_db, "neglect").actions["board"]):
                assert board in text
            assert "Understanding and responding to neglect is included in staff training" in text
            shots = os.environ.get("BOARDPLANS_SCREENSHOTS")  # set to refresh docs/compare-neglect.png
            page.screenshot(path=str(Path(shots) / "compare-neglect.png" if shots else tmp_path / "compare.png"),
                            full_page=False)
        finally:
            browser.close()
