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
