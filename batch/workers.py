"""Executors that turn file paths into extraction outcomes, in completion order.

- ``SerialExecutor``: in this process (tests, debugging, one file).
- ``LocalExecutor``: N long-lived worker processes; each file gets a time
  limit (the worker is killed and replaced when it overruns) and each worker an
  address-space limit (a file that needs more memory fails alone).
- ``DaskExecutor`` (batch/dask.py): the same interface on a Dask cluster.

Workers return plain dicts (the contract document), so results cross process
and machine boundaries without sharing objects, and the parent streams each
one into the database as it arrives: nothing waits for the whole batch.

A worker dies with its parent, however the parent ends (``kill -9`` included):
it holds no end of any pipe but its own (so the parent's death is an EOF), it
asks Linux for a parent-death signal (elsewhere a watchdog thread polls
``os.getppid``), and it holds no database connection of the parent's (the
connection pools are emptied before every fork, see ``load/db.py``), so a
killed import leaves no orphan holding locks for the next one to wait on.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Protocol

from models.errors import BoardplansError

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
    """``run`` yields each file's outcome as it finishes (and ``None`` for a tick, if it has them)."""

    def run(self, job: Job, paths: Iterable[str], options: dict) -> Iterator[Outcome | None]: ...

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


class MemoryLimitTooLow(BoardplansError):
    """``--memory`` is below what a worker needs just to load the parsers: every file would fail."""


#: A picklable function run once in each worker, under its memory limit, before its first file: it
#: loads what jobs need, so a limit too low to start is one clear error instead of one per file.
WarmUp = Callable[[], None]

#: Result key a worker uses to say it could not start (see ``MemoryLimitTooLow``).
FATAL = "__worker_fatal__"

_PR_SET_PDEATHSIG = 1


def _vm_mb() -> int:
    """This process's address space (what RLIMIT_AS counts), MB; 0 where /proc is missing."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def _limit_memory(megabytes: int | None) -> None:
    if not megabytes:
        return
    import resource

    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _die_with_parent(parent_pid: int) -> None:
    """Make this worker end when the process that started it ends, even by ``kill -9``.

    Linux delivers SIGKILL on the parent's death (prctl PR_SET_PDEATHSIG); elsewhere a
    daemon thread polls ``os.getppid()`` once a second.  Checking the parent after asking
    closes the race of a parent that died between fork and prctl.
    """
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if os.getppid() != parent_pid:
        os._exit(1)
    if not armed:
        def watch() -> None:
            while os.getppid() == parent_pid:
                time.sleep(1.0)
            os._exit(1)

        threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _worker(conn: Connection, job: Job, memory_mb: int | None, parent_pid: int = 0,
            inherited: tuple[Connection, ...] = (), warm_up: WarmUp | None = None, needs_mb: int = 0) -> None:
    """Worker loop: receive a path, send back its document; exit on ``None`` or when the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for other in inherited:  # the parent's ends of this and the other workers' pipes (fork copies them)
        other.close()
    if parent_pid:
        _die_with_parent(parent_pid)
    _limit_memory(memory_mb)
    warmed = warm_up is None
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            os._exit(0)
        if task is None:
            return
        path, options = task
        try:
            if not warmed:
                warm_up()
                warmed = True
            result = job(path, options)
        except (MemoryError, ImportError, OSError) as exc:
            if not warmed and memory_mb:
                result = {"source": path, FATAL: f"memory limit {memory_mb} MB too low to start a worker "
                                                 f"(needs ~{needs_mb} MB; {exc.__class__.__name__})"}
            elif isinstance(exc, MemoryError):
                result = {"source": path, "error": f"out of memory (over the {memory_mb} MB limit)"}
            else:
                result = {"source": path, "error": f"internal error ({exc.__class__.__name__}: {exc})"}
        except BaseException as exc:  # the job reports input errors itself; this is a bug
            result = {"source": path, "error": f"internal error ({exc.__class__.__name__}: {exc})"}
        try:
            conn.send(result)
        except (OSError, EOFError):  # the parent is gone
            os._exit(0)


@dataclass
class _Slot:
    process: mp.Process
    conn: Connection
    path: str | None = None
    started: float = 0.0


class LocalExecutor:
    """A pool of worker processes with a per-file time limit and a per-worker memory limit."""

    #: Address space a worker needs beyond its parent's to load the parsers and read a small file
    #: (spaCy, NumPy, PDFium, python-docx: measured ~270 MB on Linux x86-64, plus headroom).
    WARM_MB = 300

    def __init__(self, workers: int | None = None, timeout: float = 120.0, memory_mb: int | None = 4096,
                 warm_up: WarmUp | None = None, preload: WarmUp | None = None, tick: float | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.warm_up = warm_up
        self.fork = "fork" in mp.get_all_start_methods()
        self.ctx = mp.get_context("fork" if self.fork else "spawn")
        self.slots: list[_Slot] = []
        #: run once in this process before the first fork, so workers start warm (fork only)
        self.preload = preload if self.fork else None
        #: when set, ``run`` yields ``None`` after this many seconds with no result (the caller may
        #: commit what it holds while a long file is read)
        self.tick = tick

    def _preload(self) -> None:
        """The warm pool: what every worker would import and build, done once here and shared by fork.

        A failure here (a memory limit, a missing package) is left for the workers to meet and
        report under their own limit, as they would without it.
        """
        preload, self.preload = self.preload, None
        if preload is not None:
            try:
                preload()
            except (Exception, MemoryError):
                pass

    def _start(self, job: Job) -> _Slot:
        parent, child = self.ctx.Pipe()
        # a forked child inherits the parent's end of its own pipe and of every other worker's: it
        # closes them first, or it would never see EOF when the parent dies (spawn inherits nothing)
        inherited = tuple([parent] + [s.conn for s in self.slots if not s.conn.closed]) if self.fork else ()
        needs = _vm_mb() + self.WARM_MB
        proc = self.ctx.Process(target=_worker, args=(child, job, self.memory_mb, os.getpid(), inherited,
                                                      self.warm_up, needs), daemon=True)
        proc.start()
        child.close()
        return _Slot(proc, parent)

    def _kill(self, slot: _Slot) -> None:
        if slot.process.is_alive():
            slot.process.kill()
        slot.process.join(5)
        slot.conn.close()

    def run(self, job: Job, paths: Iterable[str], options: dict) -> Iterator[Outcome | None]:
        pending = list(paths)[::-1]
        if pending:
            self._preload()
        self.slots = [self._start(job) for _ in range(min(self.workers, max(len(pending), 1)))]
        try:
            while pending or any(s.path for s in self.slots):
                for slot in self.slots:
                    if slot.path is None and pending:
                        slot.path, slot.started = pending.pop(), time.monotonic()
                        slot.conn.send((slot.path, options))
                busy = [s for s in self.slots if s.path]
                deadline = min(s.started + self.timeout for s in busy)
                wait_for = max(0.0, deadline - time.monotonic())
                ready = wait([s.conn for s in busy], timeout=min(wait_for, self.tick) if self.tick else wait_for)
                if not ready and self.tick and time.monotonic() < deadline:
                    yield None  # a tick: nothing finished yet
                    continue
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
                        if FATAL in doc:
                            raise MemoryLimitTooLow(doc[FATAL])
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
                  memory_mb: int | None = 4096, scheduler: str | None = None,
                  warm_up: WarmUp | None = None, preload: WarmUp | None = None,
                  tick: float | None = None) -> Executor:
    """The executor for ``--executor``: ``serial``, ``local`` (default) or ``dask``.

    ``preload`` (local, fork only) runs once in this process before the workers are forked;
    ``tick`` (local) makes ``run`` yield ``None`` when nothing finished for that many seconds.
    """
    if kind == "serial":
        return SerialExecutor()
    if kind == "local":
        return LocalExecutor(workers, timeout, memory_mb, warm_up, preload, tick)
    if kind == "dask":
        from batch.dask import DaskExecutor

        return DaskExecutor(scheduler, workers=workers, timeout=timeout)
    raise ValueError(f"unknown executor '{kind}' (choose serial, local or dask)")
