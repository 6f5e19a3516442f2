"""Executors: real worker processes, a per-file time limit, crash and memory isolation, Dask."""

from __future__ import annotations

import os
import time

import pytest
from conftest import FIXTURES

from batch import LocalExecutor, SerialExecutor


def job(path: str, options: dict) -> dict:
    """Real extraction, except for three marker names that misbehave the way hostile files do."""
    if path.endswith("hang"):
        time.sleep(60)
    if path.endswith("crash"):
        os._exit(3)
    if path.endswith("slow"):  # a file that takes a while: when its worker started and ended it
        began = time.monotonic()
        time.sleep(1.5)
        return {"source": path, "error": None, "began": began, "ended": time.monotonic()}
    if path.endswith("memory"):
        blob = bytearray(2 * 1024**3)  # over the worker's limit
        return {"source": path, "error": None, "n": len(blob)}
    from pipeline import extract_file

    return extract_file(path).to_dict()


GOOD = [str(FIXTURES / "shropshire-2016-18.docx"), str(FIXTURES / "surrey-2012-15.docx")]


def test_serial_and_local_give_the_same_documents():
    serial = {o.path: o.document for o in SerialExecutor().run(job, GOOD, {})}
    local = {o.path: o.document for o in LocalExecutor(workers=2).run(job, GOOD, {})}
    assert serial == local
    assert [len(local[p]["actions"]) for p in GOOD] == [12, 25]


def test_hang_crash_and_memory_cost_one_file_each():
    paths = ["x-hang", GOOD[0], "x-crash", "x-memory", GOOD[1]]
    started = time.monotonic()
    out = {o.path: o for o in LocalExecutor(workers=2, timeout=3, memory_mb=1024).run(job, paths, {})}
    assert time.monotonic() - started < 30
    assert out["x-hang"].error == "timed out after 3 s"
    assert out["x-crash"].error == "worker crashed (exit code 3)"
    assert out["x-memory"].error == "out of memory (over the 1024 MB limit)"
    assert out[GOOD[0]].error is None and len(out[GOOD[0]].document["actions"]) == 12
    assert out[GOOD[1]].error is None and len(out[GOOD[1]].document["actions"]) == 25


def test_paths_queued_behind_a_hang_or_a_crash_are_read_not_failed():
    # one worker: each path is queued behind the one before it (the worker holds several), so GOOD[0]
    # waits behind the hang and GOOD[1] behind the crash; killing the worker must not fail them
    paths = ["x-hang", GOOD[0], "x-crash", GOOD[1], "y-crash"]
    out = [o for o in LocalExecutor(workers=1, timeout=3).run(job, paths, {}) if o is not None]
    assert sorted(o.path for o in out) == sorted(paths)
    by = {o.path: o for o in out}
    assert by["x-hang"].error == "timed out after 3 s"
    assert by["x-crash"].error == by["y-crash"].error == "worker crashed (exit code 3)"
    assert [len(by[p].document["actions"]) for p in GOOD] == [12, 25]


def test_a_queued_paths_time_limit_starts_when_its_worker_starts_it():
    # three 1.5 s files on one worker with a 2.5 s limit: the second and third wait in the worker's
    # queue while the one before is read; counted from when they were queued they would time out
    out = list(LocalExecutor(workers=1, timeout=2.5).run(job, ["1-slow", "2-slow", "3-slow"], {}))
    assert [(o.path, o.error) for o in out] == [("1-slow", None), ("2-slow", None), ("3-slow", None)]
    assert all(1.4 < o.seconds < 2.5 for o in out), [o.seconds for o in out]


def test_a_worker_goes_on_to_its_next_path_while_the_caller_is_busy():
    # the caller takes 1 s over each outcome (a slow commit): the worker must not wait for it to
    # come back for the next path, which is already queued in its pipe
    out = []
    for outcome in LocalExecutor(workers=1, timeout=30).run(job, ["1-slow", "2-slow", "3-slow"], {}):
        out.append(outcome)
        time.sleep(1.0)
    gaps = [b.document["began"] - a.document["ended"] for a, b in zip(out[:-1], out[1:], strict=True)]
    assert len(gaps) == 2 and gaps[0] < 0.5, gaps  # (the last path is not queued: it waits for a free worker)


def test_dask_local_cluster_gives_the_same_documents():
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    from batch.dask import DaskExecutor

    executor = DaskExecutor(workers=2)
    try:
        out = {o.path: o.document for o in executor.run(job, GOOD, {})}
    finally:
        executor.close()
    local = {o.path: o.document for o in SerialExecutor().run(job, GOOD, {})}
    assert out == local


def test_an_interrupt_during_a_database_call_is_raised_when_the_call_is_done():
    """SIGTERM (or Ctrl-C) inside ``interrupts_deferred`` waits for the block to finish, then the
    handler the process had raises; a second signal is raised at once."""
    import signal

    from batch.importer import interrupts_deferred

    class Stop(KeyboardInterrupt):
        pass

    def stop(signum, frame):
        raise Stop()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        done = []
        with pytest.raises(Stop):
            with interrupts_deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.05)  # the signal is delivered here, and held
                done.append("committed")
        assert done == ["committed"]
        assert signal.getsignal(signal.SIGTERM) is stop  # the process's handler is back

        done.clear()
        with pytest.raises(Stop):
            with interrupts_deferred():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.05)
                os.kill(os.getpid(), signal.SIGTERM)  # a second one: at once
                time.sleep(0.05)
                done.append("never")
        assert done == []
    finally:
        signal.signal(signal.SIGTERM, previous)
