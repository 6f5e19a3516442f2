"""Fault injection on real processes: imports killed mid-way, run three at once, given names that are not
UTF-8, a database that turns read-only, fills up or drops its connections, folders that cannot be walked,
and a memory limit too low to start.  Each case is bounded (small inputs, timeouts) and runs on SQLite and,
where the fault is PostgreSQL's own, on PostgreSQL (``$BOARDPLANS_TEST_PG``).

Orphans are found by a marker in the environment: every process an import starts inherits it, so after the
import is killed no process may still carry it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, expected
from db_fixtures import create_pg_database, drop_pg_database
from sqlalchemy import create_engine, text
from test_batch_import import BAD, DOCX_PLANS, _vary_docx

MARK = "BOARDPLANS_FAULT_TEST"


# --- helpers ------------------------------------------------------------------------------------------------

#: documents in an import stopped once the first are in: enough that the stop lands midway although
#: the import commits documents in batches and its workers never wait (see ``wait_for_documents``)
MIDWAY = 300


def corpus(folder: Path, n: int, bad: bool = False) -> dict[str, int]:
    """``n`` varied copies of the DOCX fixtures (each its own hash); the expected action count per file."""
    folder.mkdir(parents=True, exist_ok=True)
    want = {}
    for i in range(n):
        plan = DOCX_PLANS[i % len(DOCX_PLANS)]
        dst = folder / f"{plan}-copy{i:03d}.docx"
        _vary_docx(FIXTURES / f"{plan}.docx", dst, i)
        want[dst.name] = len(expected(plan)["actions"])
    if bad:
        shutil.copy(BAD / "really-html.pdf", folder)
    return want


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'plans.db'}"
        return
    pg = create_pg_database()
    yield pg
    drop_pg_database(pg)


def query(url: str, sql: str, **params) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def loaded(url: str) -> dict[str, int]:
    """File name -> actions of every document in the database."""
    rows = query(url, "SELECT d.source_path, count(a.id) FROM documents d LEFT JOIN actions a "
                      "ON a.document_id = d.id GROUP BY d.id, d.source_path")
    return {os.path.basename(src): n for src, n in rows}


def import_cmd(folder: Path | str, url: str, *extra: str) -> list[str]:
    return [sys.executable, str(ROOT / "pipeline.py"), "import", str(folder), "--db", url, "--workers", "2",
            *extra]


def marked_env(mark: str) -> dict[str, str]:
    return dict(os.environ, **{MARK: mark})


def carrying(mark: str) -> list[int]:
    """Live (not zombie) processes whose environment carries ``mark``."""
    needle = f"{MARK}={mark}".encode()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if needle not in fh.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry}/stat") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
        except OSError:
            continue
        pids.append(int(entry))
    return pids


def no_orphans(mark: str, within: float = 10.0) -> list[int]:
    """Wait up to ``within`` seconds for every marked process to end; those still alive (killed for cleanup)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        left = carrying(mark)
        if not left:
            return []
        time.sleep(0.2)
    left = carrying(mark)
    for pid in left:  # do not leave them to the next test
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return left


def wait_for_documents(url: str, proc: subprocess.Popen, count: int, within: float = 60.0) -> None:
    """Return as soon as ``count`` documents are in (one connection, polled every 20 ms).

    The stop a test makes next must land while the import still has most of its files to do:
    after its first batch (one document) the import has ``MIDWAY`` - 1 files left to read and
    commit, ~1.5 s of work for two workers on a fast machine, against a poll of a few
    milliseconds every 20 ms, so the stop cannot miss the middle however fast the import gets
    (a poll of a new engine every 0.2 s could).  The workers read ahead of the parent's commits
    (their zygote feeds them, not the parent: ``batch/zygote.py``), so what is left after the
    first commits may be writes alone (~2-5 ms a document): with 100 files a loaded machine's
    poll once saw them all in.
    """
    deadline = time.monotonic() + within
    engine = create_engine(url)
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with engine.connect() as conn:
                    if conn.execute(text("SELECT count(*) FROM documents")).scalar() >= count:
                        return
            except Exception:  # the schema is still being made
                pass
            time.sleep(0.02)
    finally:
        engine.dispose()
    raise AssertionError(f"import never reached {count} documents (exit {proc.poll()})")


# --- 1 and 6: killed imports leave no worker, resume to the same database, the dead run is closed ---------

@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_killed_import_leaves_no_worker_and_resumes(url, tmp_path, how):
    folder = tmp_path / "plans"
    want = corpus(folder, MIDWAY)
    mark = uuid.uuid4().hex
    log = tmp_path / "stderr.txt"  # a file, not a pipe: orphans holding a pipe would hang the test
    with open(log, "w") as err_file:
        proc = subprocess.Popen(import_cmd(folder, url), env=marked_env(mark), stdout=subprocess.DEVNULL,
                                stderr=err_file, text=True, start_new_session=True)
    try:
        wait_for_documents(url, proc, 2)
        os.kill(proc.pid, how)  # the importing process only: its workers must notice on their own
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
        orphans = no_orphans(mark)  # (and any left are killed, so a failure leaves nothing running)
    err = log.read_text()
    assert orphans == [], "workers outlived the killed import"
    partial = loaded(url)
    assert 0 < len(partial) < len(want), "the import should have been stopped midway"
    assert all(n == want[name] for name, n in partial.items())  # no half-written document
    if how == signal.SIGTERM:
        assert proc.returncode == 143 and "Traceback" not in err
        assert query(url, "SELECT status FROM import_runs") == [("interrupted",)]

    rerun = subprocess.run(import_cmd(folder, url), env=marked_env(mark), capture_output=True, text=True,
                           timeout=120)  # must not hang on anything the killed import held
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(partial)} unchanged" in rerun.stderr
    assert loaded(url) == want  # the same database as one clean import
    runs = query(url, "SELECT status, loaded, failed, finished_at IS NOT NULL FROM import_runs ORDER BY id")
    assert runs == [("interrupted", len(partial), 0, True), ("finished", len(want) - len(partial), 0, True)]
    assert no_orphans(mark) == []


def test_killed_dask_import_leaves_no_worker(tmp_path):
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    folder = tmp_path / "plans"
    corpus(folder, 10)
    url = f"sqlite:///{tmp_path / 'plans.db'}"
    mark = uuid.uuid4().hex
    proc = subprocess.Popen(import_cmd(folder, url, "--executor", "dask"), env=marked_env(mark),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_documents(url, proc, 1, within=90)
        assert len(carrying(mark)) > 1  # the cluster's worker processes are running
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert no_orphans(mark, within=20) == [], "Dask workers outlived the killed import"


# --- 3 and 4: three imports at once into a new empty database --------------------------------------------

def test_three_imports_at_once_into_a_new_database(url, tmp_path):
    folder = tmp_path / "plans"
    want = corpus(folder, 4, bad=True)  # the same failing file in all three: recorded once, no crash
    procs = [subprocess.Popen(import_cmd(folder, url, "--workers", "1"), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    errs = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [1, 1, 1], errs  # 1: the bad file failed, nothing else
    for err in errs:
        assert "Traceback" not in err
        assert [ln for ln in err.splitlines() if ln.startswith("Error:")] == \
            [f"Error: {folder / 'really-html.pdf'}: not a PDF (no %PDF header)"]
    assert loaded(url) == want
    assert query(url, "SELECT count(*) FROM import_errors") == [(1,)]
    assert query(url, "SELECT count(*) FROM boards") == [(4,)]
    assert query(url, "SELECT status, count(*) FROM import_runs GROUP BY status") == [("finished", 3)]


# --- 2: a file name that is not UTF-8 ------------------------------------------------------------------------

def test_file_name_not_utf8_is_loaded_under_a_printable_name(url, tmp_path):
    folder = tmp_path / "plans"
    corpus(folder, 1)
    odd = os.path.join(os.fsencode(folder), b"caf\xe9 plan.docx")
    _vary_docx(FIXTURES / "surrey-2012-15.docx", Path(os.fsdecode(odd)), 99)
    res = subprocess.run(import_cmd(folder, url, "--executor", "serial"), capture_output=True, timeout=120)
    err = res.stderr.decode("utf-8")  # the output itself is valid UTF-8
    assert res.returncode == 0, err
    assert "2 files: 2 loaded" in err
    names = sorted(src for (src,) in query(url, "SELECT source_path FROM documents"))
    assert names == [f"{folder}/caf\\xe9 plan.docx", f"{folder}/shropshire-2016-18-copy000.docx"]
    assert loaded(url)["caf\\xe9 plan.docx"] == len(expected("surrey-2012-15")["actions"])
    again = subprocess.run(import_cmd(folder, url, "--executor", "serial"), capture_output=True, timeout=120)
    assert again.returncode == 0 and b"2 unchanged" in again.stderr


# --- 5: a database that becomes read-only or full -------------------------------------------------------------

@pytest.fixture
def small_disk():
    """A 1 MB tmpfs (mounting needs root; the container tests run as root)."""
    where = Path(tempfile.mkdtemp(prefix="bp-disk-"))
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)], capture_output=True)
    if res.returncode != 0:
        where.rmdir()
        pytest.skip(f"cannot mount a tmpfs here ({res.stderr.decode().strip()}): needs root")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)
    shutil.rmtree(where, ignore_errors=True)


def _one_error(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.startswith("Error:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err, err
    return lines[0]


@pytest.fixture
def immutable_dir(tmp_path):
    """A folder made immutable mid-test with ``chattr +i`` (root ignores permissions, not this flag)."""
    where = tmp_path / "db"
    where.mkdir()
    probe = subprocess.run(["chattr", "+i", str(where)], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"chattr +i does not work here ({probe.stderr.decode().strip()})")
    subprocess.run(["chattr", "-i", str(where)], check=True)
    yield where
    subprocess.run(["chattr", "-i", str(where)], check=False)


def test_database_turning_read_only_stops_the_import_with_exit_3(immutable_dir, tmp_path):
    folder = tmp_path / "plans"
    want = corpus(folder, MIDWAY)
    db = immutable_dir / "plans.db"
    proc = subprocess.Popen(import_cmd(folder, f"sqlite:///{db}"), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        wait_for_documents(f"sqlite:///{db}", proc, 1)
        # the folder turns read-only: SQLite cannot make its journal, so no transaction can commit
        subprocess.run(["chattr", "+i", str(immutable_dir)], check=True)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 3, err
    line = _one_error(err)
    assert line.startswith(f"Error: sqlite:///{db}: database failed: "), line
    # writable again, so SQLite can roll back the journal the failed transaction left, then read
    subprocess.run(["chattr", "-i", str(immutable_dir)], check=True)
    assert 0 < len(loaded(f"sqlite:///{db}")) < len(want)


def test_database_disk_full_stops_the_import_with_exit_3(small_disk, tmp_path):
    folder = tmp_path / "plans"
    corpus(folder, 14)
    db = small_disk / "plans.db"
    res = subprocess.run(import_cmd(folder, f"sqlite:///{db}"), capture_output=True, text=True, timeout=120)
    assert res.returncode == 3, res.stderr
    line = _one_error(res.stderr)
    assert str(db) in line and "disk is full" in line, line
    held = loaded(f"sqlite:///{db}")
    assert len(held) < 14 and all(n > 0 for n in held.values())
    # the run's own row still takes its closing update (a page already held): closed as aborted
    assert query(f"sqlite:///{db}", "SELECT status, loaded, failed FROM import_runs") == [("aborted", len(held), 0)]


# --- 5: PostgreSQL connections terminated ---------------------------------------------------------------------

def _terminate_backends(url: str, stop: threading.Event, every: float, block: bool = False) -> None:
    """From a second connection: end the import's connections (and with ``block``, refuse new ones)."""
    from db_fixtures import pg_base_url
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    admin = create_engine(pg_base_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if block:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            while not stop.is_set():
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
                stop.wait(every)
            if block:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    finally:
        admin.dispose()


@pytest.fixture
def pg_url():
    url = create_pg_database()
    yield url
    drop_pg_database(url)


def test_terminated_postgresql_connections_are_retried(pg_url, tmp_path):
    folder = tmp_path / "plans"
    want = corpus(folder, 8)
    proc = subprocess.Popen(import_cmd(folder, pg_url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    stop = threading.Event()
    killer = threading.Thread(target=_terminate_backends, args=(pg_url, stop, 1.5))
    try:
        wait_for_documents(pg_url, proc, 1)
        killer.start()
        wait_for_documents(pg_url, proc, 4)
        stop.set()
        killer.join(10)
        _, err = proc.communicate(timeout=120)
    finally:
        stop.set()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert loaded(pg_url) == want
    assert query(pg_url, "SELECT status, loaded FROM import_runs") == [("finished", len(want))]


def test_postgresql_lost_for_good_stops_the_import_with_exit_3(pg_url, tmp_path):
    folder = tmp_path / "plans"
    corpus(folder, 10)
    proc = subprocess.Popen(import_cmd(folder, pg_url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    stop = threading.Event()
    killer = threading.Thread(target=_terminate_backends, args=(pg_url, stop, 0.2, True))
    try:
        wait_for_documents(pg_url, proc, 1)
        killer.start()
        _, err = proc.communicate(timeout=90)
    finally:
        stop.set()
        killer.join(10)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 3, err
    line = _one_error(err)
    assert pg_url.split("@")[1] in line and "connection lost" in line, line


# --- 8: paths the walk cannot read are recorded, counted failures ---------------------------------------------

def _walk_as_nobody(folder: Path) -> list:
    """``walk`` in a forked child that has dropped root (root reads everything, so permissions need a user)."""
    import pickle

    from batch.walk import walk
    from pipeline import IMPORT_SUFFIXES

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no exec, so nothing new has to be readable by nobody
        try:
            os.close(read)
            os.setgid(65534)
            os.setuid(65534)
            os.write(write, pickle.dumps(list(walk([folder], IMPORT_SUFFIXES))))
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    return pickle.loads(data)


def test_unreadable_walked_paths_are_recorded_failures(tmp_path):
    from batch.walk import Skipped, walk
    from pipeline import IMPORT_SUFFIXES, import_paths

    base = Path(tempfile.mkdtemp(prefix="bp-walk-"))
    try:
        os.chmod(base, 0o755)
        folder = base / "plans"
        corpus(folder, 1)
        (folder / "dangling.pdf").symlink_to("nowhere.pdf")
        (folder / "loop.docx").symlink_to("loop.docx")
        (folder / "sub").mkdir()
        (folder / "sub" / "back").symlink_to("..")
        (folder / "locked").mkdir()
        shutil.copy(FIXTURES / "surrey-2012-15.docx", folder / "locked" / "inside.docx")
        shutil.copy(FIXTURES / "surrey-2012-15.docx", folder / "secret.docx")
        os.chmod(folder / "locked", 0)
        os.chmod(folder / "secret.docx", 0)
        why = {str(folder / "dangling.pdf"): "dangling symbolic link (its target does not exist)",
               str(folder / "loop.docx"): "symbolic link loop (the link's target cannot be reached)",
               str(folder / "sub" / "back"): "symbolic link loop (leads back into a folder being walked)"}
        entries = list(walk([folder], IMPORT_SUFFIXES))
        if os.geteuid() == 0:  # root reads the locked paths; a user does not
            assert {e.path: e.reason for e in _walk_as_nobody(folder) if isinstance(e, Skipped)} == dict(why, **{
                str(folder / "locked"): "permission denied (the folder cannot be read)",
                str(folder / "secret.docx"): "permission denied (the file cannot be read)"})
            entries = _walk_as_nobody(folder)
        skipped = {e.path: e.reason for e in entries if isinstance(e, Skipped)}
        assert set(why.items()) <= set(skipped.items())
        url = f"sqlite:///{tmp_path / 'plans.db'}"
        report = import_paths(entries, db=url)
        assert report.loaded == 1 and sorted(report.failed) == sorted(skipped.items())
        assert sorted(query(url, "SELECT source_path, stage, message FROM import_errors")) == \
            sorted((p, "walk", r) for p, r in skipped.items())
        assert query(url, "SELECT files, loaded, failed FROM import_runs") == [(1 + len(skipped), 1, len(skipped))]
    finally:
        os.chmod(base / "plans" / "locked", 0o755)
        shutil.rmtree(base, ignore_errors=True)


# --- 9: warnings shown; `boards` counts them ----------------------------------------------------------------

def test_warnings_are_shown_in_output_summary_and_boards(tmp_path):
    folder = tmp_path / "plans"
    corpus(folder, 1)
    shutil.copy(BAD / "looping.pdf", folder / "prose-only.pdf")
    url = f"sqlite:///{tmp_path / 'plans.db'}"
    res = subprocess.run(import_cmd(folder, url, "--executor", "serial"), capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    assert f"Warning: {folder / 'prose-only.pdf'}: no tables found" in res.stderr.splitlines()
    assert "2 files: 2 loaded, 0 replaced, 0 unchanged, 0 failed, 1 with warnings" in res.stderr
    from load.query import boards

    df = boards(url)
    assert dict(zip(df["board"], df["warnings"], strict=True)).get("Shropshire") == 0
    assert df["warnings"].sum() == 1


# --- 7: a memory limit too low to start a worker --------------------------------------------------------------

def test_memory_limit_too_low_is_one_clear_error(tmp_path):
    folder = tmp_path / "plans"
    corpus(folder, 3)
    url = f"sqlite:///{tmp_path / 'plans.db'}"
    res = subprocess.run(import_cmd(folder, url, "--memory", "300"), capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stderr
    line = _one_error(res.stderr)
    assert line.startswith("Error: memory limit 300 MB too low to start a worker (needs ~"), line
    assert query(url, "SELECT status, loaded, failed FROM import_runs") == [("aborted", 0, 0)]


# --- the migration: old runs get a status, failures with no hash are recorded once ------------------------------

def test_migration_0003_closes_old_runs_and_keys_failures_without_a_hash(url):
    from load import record_error
    from load.db import connect, dispose, upgrade

    upgrade(url, "0001")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO import_runs (id, started_at, finished_at, paths, files, loaded, replaced, "
                          "unchanged, failed, actions) VALUES (1, '2026-01-01', NULL, '[]', 0, 0, 0, 0, 0, 0), "
                          "(2, '2026-01-01', '2026-01-01', '[]', 0, 0, 0, 0, 0, 0)"))
        for _ in range(2):  # the duplicate the old unique constraint let through (NULLs never collide)
            conn.execute(text("INSERT INTO import_errors (source_path, sha256, stage, message, created_at) "
                              "VALUES ('a.pdf', NULL, 'extract', 'cannot open file', '2026-01-01')"))
    engine.dispose()
    dispose(url)
    upgrade(url)
    assert query(url, "SELECT id, status FROM import_runs ORDER BY id") == [(1, "interrupted"), (2, "finished")]
    factory = connect(url)
    record_error(factory, "a.pdf", None, "extract", "cannot open file", run_id=2)
    record_error(factory, "a.pdf", None, "extract", "cannot open file", run_id=2)
    assert query(url, "SELECT source_path, run_id FROM import_errors") == [("a.pdf", 2)]
