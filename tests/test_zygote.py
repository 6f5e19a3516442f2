"""The warm pool started first (``batch.zygote.EarlyPool``): the local pool's guarantees, kept in a zygote
that preloads while the parent sets up, and its own failures: the zygote killed midway, a preload that
fails, the pool closed midway, the parent killed while the zygote is still preloading."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from test_batch import GOOD, job
from test_faults import MARK, carrying

from batch import LocalExecutor, make_executor
from batch.importer import preload, warm_up
from batch.workers import _vm_mb
from batch.zygote import EarlyPool

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the zygote is forked")


def _failing_preload() -> None:
    raise RuntimeError("preload broke")


@pytest.fixture
def marked(monkeypatch) -> str:
    """A marker every process the test starts from now on inherits (see ``test_faults.carrying``)."""
    mark = uuid.uuid4().hex
    monkeypatch.setenv(MARK, mark)
    return mark


def left_over(mark: str, within: float = 10.0) -> list[int]:
    """Wait up to ``within`` seconds for every process but this one carrying ``mark`` to end; those left
    (killed, so a failure leaves nothing running)."""
    deadline = time.monotonic() + within
    while True:
        left = [pid for pid in carrying(mark) if pid != os.getpid()]
        if not left or time.monotonic() >= deadline:
            break
        time.sleep(0.1)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return left


def test_make_executor_starts_the_zygote_only_for_a_preloaded_local_pool():
    pool = make_executor("local", 1, preload=preload, warm_up=warm_up)
    try:
        assert isinstance(pool, EarlyPool) and pool.alive()
    finally:
        pool.close()
    assert pool.pid is None  # reaped
    assert isinstance(make_executor("local", 1), LocalExecutor)


def test_the_zygote_keeps_the_local_pools_limits_and_documents(marked):
    paths = ["x-hang", GOOD[0], "x-crash", "x-memory", GOOD[1]]
    # a limit the workers start under, whatever this test process holds already, that 2 GB more exceeds
    limit = max(1024, _vm_mb() + 1024)
    pool = EarlyPool(workers=2, timeout=3, memory_mb=limit, warm_up=warm_up, preload=preload)
    try:
        out = {o.path: o for o in pool.run(job, paths, {}) if o is not None}
    finally:
        pool.close()
    assert sorted(out) == sorted(paths)
    assert out["x-hang"].error == "timed out after 3 s"
    assert out["x-crash"].error == "worker crashed (exit code 3)"
    assert out["x-memory"].error == f"out of memory (over the {limit} MB limit)"
    local = {o.path: o.document for o in LocalExecutor(workers=1).run(job, GOOD, {})}
    assert {p: out[p].document for p in GOOD} == local
    assert [len(local[p]["actions"]) for p in GOOD] == [12, 25]
    assert left_over(marked) == []


def test_a_zygote_killed_midway_leaves_the_rest_to_the_parent(marked):
    paths = ["1-slow", "2-slow", "3-slow", GOOD[0], GOOD[1]]
    pool = EarlyPool(workers=1, timeout=30, warm_up=warm_up, preload=preload)
    zygote = pool.pid
    out = []
    try:
        for outcome in pool.run(job, paths, {}):
            if outcome is None:
                continue
            out.append(outcome)
            if len(out) == 1:
                os.kill(zygote, signal.SIGKILL)  # its worker (reading 2-slow) dies with it
    finally:
        pool.close()
    assert sorted(o.path for o in out) == sorted(paths)  # each path once, none lost
    assert all(o.error is None for o in out), [(o.path, o.error) for o in out]
    by = {o.path: o.document for o in out}
    assert [len(by[p]["actions"]) for p in GOOD] == [12, 25]
    assert pool.fallback is not None and pool.pid is None
    assert left_over(marked) == []


def test_a_preload_that_fails_is_left_to_the_workers(marked):
    pool = EarlyPool(workers=2, timeout=60, warm_up=warm_up, preload=_failing_preload)
    try:
        out = {o.path: o for o in pool.run(job, GOOD, {}) if o is not None}
    finally:
        pool.close()
    assert [(out[p].error, len(out[p].document["actions"])) for p in GOOD] == [(None, 12), (None, 25)]


def test_a_pool_closed_midway_stops_the_zygote_and_its_workers(marked):
    pool = EarlyPool(workers=2, timeout=60, warm_up=warm_up, preload=preload)
    try:
        for outcome in pool.run(job, [GOOD[0], "x-hang", "y-hang", "z-hang"], {}):
            if outcome is not None:
                break
    finally:
        started = time.monotonic()
        pool.close()
    assert time.monotonic() - started < 5  # the hanging files are not waited for
    assert pool.pid is None
    assert left_over(marked) == []


_PARENT = """
import sys, time
sys.path.insert(0, {root!r})
from batch.zygote import EarlyPool

def slow_preload():
    time.sleep(60)

pool = EarlyPool(workers=2, preload=slow_preload)
print(pool.pid, flush=True)
time.sleep(60)
"""


def test_a_parent_killed_while_the_zygote_preloads_leaves_no_process(marked, tmp_path):
    from conftest import ROOT

    proc = subprocess.Popen([sys.executable, "-c", _PARENT.format(root=str(ROOT))], stdout=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        zygote = int(proc.stdout.readline())
        assert zygote in carrying(marked)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    assert left_over(marked) == [], "the zygote outlived its killed parent"


def test_ctrl_c_to_the_whole_group_stops_the_import_cleanly(tmp_path):
    # a terminal's Ctrl-C reaches the parent, the zygote and the workers at once: only the parent acts
    # on it (the others ignore SIGINT), stops them and closes the run; nothing is left running
    from test_faults import MIDWAY, corpus, import_cmd, loaded, marked_env, no_orphans, query, wait_for_documents

    folder = tmp_path / "plans"
    want = corpus(folder, MIDWAY)
    url = f"sqlite:///{tmp_path / 'plans.db'}"
    mark = uuid.uuid4().hex
    proc = subprocess.Popen(import_cmd(folder, url), env=marked_env(mark), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        wait_for_documents(url, proc, 2)
        assert len(carrying(mark)) == 4  # the parent, the zygote, two workers
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        orphans = no_orphans(mark)
    assert orphans == []
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert err.strip().splitlines()[-1] == ("Error: interrupted: every document loaded so far is complete; "
                                            "run the same import again to resume")
    assert 0 < len(loaded(url)) < len(want)
    assert query(url, "SELECT status FROM import_runs") == [("interrupted",)]
