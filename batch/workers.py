"""Executors that turn file paths into extraction outcomes, in completion order.

- ``SerialExecutor``: in this process (tests, debugging, one file).
- ``LocalExecutor``: N long-lived worker processes; each file gets a time
  limit (the worker is killed and replaced when it overruns) and each worker an
  address-space limit (a file that needs more memory fails alone).
- ``DaskExecutor`` (batch/dask.py): the same interface on a Dask cluster.

Workers return plain dicts (the contract document), so results cross process
and machine boundaries without sharing objects, and the parent streams each
one into the database as it arrives: nothing waits for the whole batch.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Protocol

#: A picklable function ``(path, options) -> contract document dict``.
Job = Callable[[str, dict], dict]


@dataclass
class Outcome:
    """What came back for one file: its document, or why there is none."""

    path: str
    document: dict | None
    error: str | None = None
    stage: str = "extract"
    seconds: float = 0.0
    pages: int = 0
    extra: dict = field(default_factory=dict)


class Executor(Protocol):
    def run(self, job: Job, paths: Iterable[str], options: dict) -> Iterator[Outcome]: ...

    def close(self) -> None: ...


def _outcome(path: str, doc: dict, started: float) -> Outcome:
    return Outcome(path, doc, doc.get("error"), seconds=time.monotonic() - started, pages=doc.get("pages") or 0)


class SerialExecutor:
    """Runs each file in this process, one after another."""

    def run(self, job: Job, paths: Iterable[str], options: dict) -> Iterator[Outcome]:
        for path in paths:
            started = time.monotonic()
            yield _outcome(path, job(path, options), started)

    def close(self) -> None:
        pass


def _limit_memory(megabytes: int | None) -> None:
    if not megabytes:
        return
    import resource

    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _worker(conn: Connection, job: Job, memory_mb: int | None) -> None:
    """Worker loop: receive a path, send back its document; exit on ``None``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _limit_memory(memory_mb)
    while True:
        task = conn.recv()
        if task is None:
            return
        path, options = task
        try:
            conn.send(job(path, options))
        except MemoryError:
            conn.send({"source": path, "error": f"out of memory (over the {memory_mb} MB limit)"})
        except BaseException as exc:  # the job reports input errors itself; this is a bug
            conn.send({"source": path, "error": f"internal error ({exc.__class__.__name__}: {exc})"})


@dataclass
class _Slot:
    process: mp.Process
    conn: Connection
    path: str | None = None
    started: float = 0.0


class LocalExecutor:
    """A pool of worker processes with a per-file time limit and a per-worker memory limit."""

    def __init__(self, workers: int | None = None, timeout: float = 120.0, memory_mb: int | None = 4096) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        self.slots: list[_Slot] = []

    def _start(self, job: Job) -> _Slot:
        parent, child = self.ctx.Pipe()
        proc = self.ctx.Process(target=_worker, args=(child, job, self.memory_mb), daemon=True)
        proc.start()
        child.close()
        return _Slot(proc, parent)

    def _kill(self, slot: _Slot) -> None:
        if slot.process.is_alive():
            slot.process.kill()
        slot.process.join(5)
        slot.conn.close()

    def run(self, job: Job, paths: Iterable[str], options: dict) -> Iterator[Outcome]:
        pending = list(paths)[::-1]
        self.slots = [self._start(job) for _ in range(min(self.workers, max(len(pending), 1)))]
        try:
            while pending or any(s.path for s in self.slots):
                for slot in self.slots:
                    if slot.path is None and pending:
                        slot.path, slot.started = pending.pop(), time.monotonic()
                        slot.conn.send((slot.path, options))
                busy = [s for s in self.slots if s.path]
                deadline = min(s.started + self.timeout for s in busy)
                ready = wait([s.conn for s in busy], timeout=max(0.0, deadline - time.monotonic()))
                for i, slot in enumerate(self.slots):
                    if slot.path is None:
                        continue
                    if slot.conn in ready:
                        try:
                            doc = slot.conn.recv()
                        except (EOFError, OSError):
                            slot.process.join(5)
                            code = slot.process.exitcode
                            self._kill(slot)
                            yield Outcome(slot.path, None, f"worker crashed (exit code {code})",
                                          seconds=time.monotonic() - slot.started)
                            self.slots[i] = self._start(job)
                            continue
                        yield _outcome(slot.path, doc, slot.started)
                        slot.path = None
                    elif time.monotonic() >= slot.started + self.timeout:
                        self._kill(slot)
                        yield Outcome(slot.path, None, f"timed out after {self.timeout:g} s",
                                      seconds=time.monotonic() - slot.started)
                        self.slots[i] = self._start(job)
        finally:
            self.close()

    def close(self) -> None:
        for slot in self.slots:
            try:
                slot.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
            slot.process.join(1)
            self._kill(slot)
        self.slots = []


def make_executor(kind: str = "local", workers: int | None = None, timeout: float = 120.0,
                  memory_mb: int | None = 4096, scheduler: str | None = None) -> Executor:
    """The executor for ``--executor``: ``serial``, ``local`` (default) or ``dask``."""
    if kind == "serial":
        return SerialExecutor()
    if kind == "local":
        return LocalExecutor(workers, timeout, memory_mb)
    if kind == "dask":
        from batch.dask import DaskExecutor

        return DaskExecutor(scheduler, workers=workers, timeout=timeout)
    raise ValueError(f"unknown executor '{kind}' (choose serial, local or dask)")
