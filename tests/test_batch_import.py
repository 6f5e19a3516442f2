"""Batch imports that never lose data: 200 documents with 2 workers, a killed run resumed, Dask parity,
and two imports of overlapping folders at once on one PostgreSQL."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, expected
from db_fixtures import create_pg_database, drop_pg_database
from sqlalchemy import create_engine, select, text

from pipeline import import_paths

BAD = ROOT / "tests" / "bad"
BAD_FILES = {"zero-byte.pdf": "empty file (0 bytes)", "really-html.pdf": "not a PDF (no %PDF header)",
             "scanned.pdf": "no text layer (scanned?)", "xxe.docx":
             "DOCX part word/document.xml declares a DTD or entities (refused: external entities)",
             "zip-bomb.docx": "DOCX unpacks to 1025 MB, over the 256 MB limit (zip bomb?)",
             "encrypted.pdf": "encrypted PDF (password required)"}
DOCX_PLANS = ["shropshire-2016-18", "surrey-2012-15", "solihull-2012-13", "sunderland-2018-19"]


def _vary_docx(src: Path, dst: Path, n: int) -> None:
    """A copy with its own content hash: the core properties name the copy, the tables are the plan's."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = data.replace(b"</cp:coreProperties>",
                                    f"<dc:description>copy {n}</dc:description></cp:coreProperties>".encode())
            zout.writestr(item, data)


def _vary_pdf(src: Path, dst: Path, n: int) -> None:
    dst.write_bytes(src.read_bytes() + f"\n% copy {n}\n".encode())


def build_corpus(folder: Path) -> dict[str, int]:
    """194 varied copies of the fixtures plus 6 bad files (200); returns the expected actions per good file."""
    folder.mkdir(parents=True, exist_ok=True)
    want: dict[str, int] = {}
    for n in range(184):
        plan = DOCX_PLANS[n % len(DOCX_PLANS)]
        dst = folder / f"{plan}-copy{n:03d}.docx"
        _vary_docx(FIXTURES / f"{plan}.docx", dst, n)
        want[dst.name] = len(expected(plan)["actions"])
    for n in range(10):
        plan = ["shropshire-2016-18", "surrey-2012-15"][n % 2]
        dst = folder / f"{plan}-copy{n:03d}.pdf"
        _vary_pdf(FIXTURES / f"{plan}.pdf", dst, n)
        want[dst.name] = len(expected(plan)["actions"])
    for name in BAD_FILES:
        shutil.copy(BAD / name, folder / name)
    return want


def snapshot(url: str) -> dict:
    """The database's content without ids, times or run numbers: what two imports must agree on."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            docs = conn.execute(text("SELECT d.source_path, d.sha256, count(a.id) FROM documents d "
                                     "LEFT JOIN actions a ON a.document_id = d.id GROUP BY d.id, d.source_path, "
                                     "d.sha256 ORDER BY d.source_path")).all()
            actions = conn.execute(text(
                "SELECT d.source_path, a.seq, a.ref, a.action, a.lead, a.timescale, a.progress, a.status "
                "FROM actions a JOIN documents d ON d.id = a.document_id ORDER BY d.source_path, a.seq")).all()
            errors = conn.execute(text("SELECT source_path, message FROM import_errors ORDER BY source_path")).all()
            boards = conn.execute(text("SELECT name FROM boards ORDER BY name")).all()
    finally:
        engine.dispose()
    return {"docs": [tuple(r) for r in docs], "actions": [tuple(r) for r in actions],
            "errors": [tuple(r) for r in errors], "boards": [tuple(r) for r in boards]}


def _names(rows) -> list[str]:
    return [Path(r[0]).name for r in rows]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("corpus") / "plans"
    return folder, build_corpus(folder)


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> tuple[str, dict]:
    """One uninterrupted import of the corpus with 2 worker processes."""
    folder, _ = corpus
    url = f"sqlite:///{tmp_path_factory.mktemp('ref') / 'ref.db'}"
    report = import_paths([folder], db=url, executor="local", workers=2, timeout=120)
    assert not report.interrupted
    return url, snapshot(url)


def test_two_hundred_documents_load_exactly(corpus, reference):
    folder, want = corpus
    _, snap = reference
    assert len(list(folder.iterdir())) == 200
    assert {Path(src).name: n for src, _, n in snap["docs"]} == want  # every good file, its exact action count
    assert sorted((Path(src).name, msg) for src, msg in snap["errors"]) == sorted(BAD_FILES.items())
    keys = [(src, seq) for src, seq, *_ in snap["actions"]]
    assert len(keys) == len(set(keys)) == sum(want.values())  # no duplicate rows
    assert len({sha for _, sha, _ in snap["docs"]}) == len(want)


def test_killed_import_resumes_to_the_same_database(corpus, reference, tmp_path):
    folder, want = corpus
    url = f"sqlite:///{tmp_path / 'killed.db'}"
    cmd = [sys.executable, str(ROOT / "pipeline.py"), "import", str(folder), "--db", url, "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:  # kill it once some documents are in
        time.sleep(0.5)
        try:
            if len(snapshot(url)["docs"]) >= 20:
                break
        except Exception:  # the database is still being created
            continue
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)
    partial = snapshot(url)
    assert 0 < len(partial["docs"]) < len(want), "the run should have been killed midway"
    for src, _, n in partial["docs"]:  # no half-written document
        assert n == want[Path(src).name]
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 1  # the bad files still fail
    assert f"{len(partial['docs'])} unchanged" in rerun.stderr
    final, ref = snapshot(url), reference[1]
    for part in ("docs", "actions", "errors", "boards"):  # the same database as the uninterrupted run
        assert final[part] == ref[part], part


def test_dask_local_cluster_gives_the_same_database(tmp_path):
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    folder = tmp_path / "few"
    folder.mkdir()
    for plan in ("shropshire-2016-18", "surrey-2012-15"):
        shutil.copy(FIXTURES / f"{plan}.docx", folder)
        shutil.copy(FIXTURES / f"{plan}.pdf", folder)
    shutil.copy(BAD / "really-html.pdf", folder)
    local, dask = f"sqlite:///{tmp_path / 'local.db'}", f"sqlite:///{tmp_path / 'dask.db'}"
    import_paths([folder], db=local, executor="local", workers=2)
    report = import_paths([folder], db=dask, executor="dask", workers=2)
    assert report.loaded == 4 and len(report.failed) == 1
    assert snapshot(dask) == snapshot(local)


def test_two_imports_at_once_on_postgresql_load_each_document_once(tmp_path):
    url = create_pg_database()
    try:
        a, b = tmp_path / "a", tmp_path / "b"
        a.mkdir()
        b.mkdir()
        plans = ["shropshire-2016-18", "surrey-2012-15", "solihull-2012-13", "sunderland-2018-19"]
        for plan in plans:  # overlapping folders: the same files (same content) in both
            shutil.copy(FIXTURES / f"{plan}.docx", a)
            shutil.copy(FIXTURES / f"{plan}.docx", b)
        cmds = [[sys.executable, str(ROOT / "pipeline.py"), "import", str(d), "--db", url, "--workers", "2"]
                for d in (a, b)]
        from load import connect

        connect(url)  # migrate once, so both runs start from the same schema
        procs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for c in cmds]
        results = [p.communicate(timeout=600) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], results
        snap = snapshot(url)
        assert len(snap["docs"]) == len(plans)  # same content: one document each, whichever run won
        assert sorted(n for *_, n in snap["docs"]) == sorted(len(expected(p)["actions"]) for p in plans)
        assert len(snap["boards"]) == len(plans)
    finally:
        drop_pg_database(url)


def test_a_document_that_fails_in_its_batch_fails_alone_and_the_batch_is_kept(db_url, tmp_path, monkeypatch):
    """Documents are written a batch per transaction (1, then 2, 4, ...); a batch that fails is written
    again one document per transaction: the bad one is recorded, the others loaded, each reported once."""
    import batch.importer as importer
    import load.bulk as bulk
    from load import connect
    from models.schema import DocumentRow, ImportErrorRow

    folder = tmp_path / "plans"
    folder.mkdir()
    for n, plan in enumerate(["shropshire-2016-18", "surrey-2012-15", "solihull-2012-13", "sunderland-2018-19"]):
        shutil.copy(FIXTURES / f"{plan}.docx", folder / f"{n}-{plan}.docx")
    real, sizes = bulk._children, []

    def picky(session, plans, doc_ids):
        sizes.append(len(plans))
        if any("surrey" in p.source for p in plans):
            raise ValueError("refused in test")
        return real(session, plans, doc_ids)

    monkeypatch.setattr(bulk, "_children", picky)
    monkeypatch.setattr(importer, "BATCH_SECONDS", 1e9)  # batches by count only, however slow the machine
    seen: list[tuple[str, str]] = []
    report = import_paths([folder], db=db_url, executor="serial",
                          on_file=lambda plan, outcome: seen.append((Path(plan.source).name, outcome)))
    bad = str(folder / "1-surrey-2012-15.docx")
    assert sizes == [1, 2, 1, 1, 1]  # shropshire; surrey + solihull (failed); each alone again; sunderland
    assert report.loaded == 3 and report.failed == [(bad, "database error (ValueError: refused in test)")]
    assert sorted(seen) == [("0-shropshire-2016-18.docx", "loaded"), ("1-surrey-2012-15.docx", "failed"),
                            ("2-solihull-2012-13.docx", "loaded"), ("3-sunderland-2018-19.docx", "loaded")]
    with connect(db_url)() as s:
        assert sorted(Path(p).name for p in s.scalars(select(DocumentRow.source_path))) == \
            ["0-shropshire-2016-18.docx", "2-solihull-2012-13.docx", "3-sunderland-2018-19.docx"]
        assert [(e.source_path, e.stage) for e in s.scalars(select(ImportErrorRow))] == [(bad, "load")]
