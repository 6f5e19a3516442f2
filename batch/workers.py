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
import gc
import multiprocessing as mp
import os
import pickle
import signal
import sys
import threading
import time
from collections import deque
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

#: The cyclic garbage collector's first threshold in a worker (Python's default is 700).  A worker
#: allocates a few hundred thousand short-lived containers a document; at 700 it ran ~1.3 young
#: collections a document (plus an old one every ~100, which walked every object the preload made)
#: for ~1 ms of CPU a document; with the preload's objects frozen (``freeze_preloaded``) and this,
#: ~0.15 ms (docs/profiling.md, "A warm pool started first").  Memory: at most this many more
#: young containers alive between two collections.
WORKER_GC_THRESHOLD = 5000


def freeze_preloaded() -> None:
    """Move every object alive now (the preload's: modules, spaCy, tables) out of the collector's reach.

    Called after ``preload`` and before the workers are forked: they never collect (nor, by
    walking them, copy-on-write) those pages; what the preload built lives as long as the worker
    anyway.  The process that froze may ``gc.unfreeze()`` later (``LocalExecutor.close``).
    """
    gc.collect()
    gc.freeze()


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
    """Worker loop: receive a path, send back when it finished and the document; exit on ``None`` or when
    the parent is gone.  Paths queue in the pipe (``LocalExecutor.DEPTH``), so the next is at hand the
    moment one is done."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for other in inherited:  # the parent's ends of this and the other workers' pipes (fork copies them)
        other.close()
    if parent_pid:
        _die_with_parent(parent_pid)
    _limit_memory(memory_mb)
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])
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
        try:  # with the moment it finished: the next path queued here starts now (its time limit's clock)
            # the document pickled apart: a zygote passes it on to its parent as it came (``LocalExecutor.raw``)
            conn.send((time.monotonic(), result.get(FATAL), result.get("error"), result.get("pages") or 0,
                       pickle.dumps(result, pickle.HIGHEST_PROTOCOL)))
        except (OSError, EOFError):  # the parent is gone
            os._exit(0)


@dataclass
class _Slot:
    process: mp.Process
    conn: Connection
    #: paths sent to the worker, oldest first, each with the time it was sent: the first is the one the
    #: worker is reading, the others wait in its pipe (not started: their time limit has not begun)
    queue: deque[tuple[str, float]] = field(default_factory=deque)
    #: when the worker started the first path of ``queue``
    started: float = 0.0


class LocalExecutor:
    """A pool of worker processes with a per-file time limit and a per-worker memory limit.

    Each worker holds up to ``DEPTH`` paths: the one it reads and the next ones, already in its
    pipe, so it goes straight on to the next while the parent writes what came back (a batch commit
    can take as long as a few small files) instead of idling until the parent comes round to send
    it one.  A path's time limit starts when its worker starts it, i.e. when the worker finished the
    path before it (the worker says when); a worker killed on a time limit, or that crashed, takes
    only the path it was reading with it: the paths queued behind it go back to the pending ones,
    to be read by whichever worker is free first.
    """

    #: Address space a worker needs beyond its parent's to load the parsers and read a small file
    #: (spaCy, NumPy, PDFium, python-docx: measured ~270 MB on Linux x86-64, plus headroom).
    WARM_MB = 300
    #: Paths a worker holds at most (the one it reads + those queued in its pipe).  Time workers spent
    #: waiting for their next path, 300 documents, 2 workers, a loaded machine: 4.5 s holding one
    #: path, 1.1 s two, 0.6 s three, 0.5 s four (docs/profiling.md, "The whole import").
    DEPTH = 3

    def __init__(self, workers: int | None = None, timeout: float = 120.0, memory_mb: int | None = 4096,
                 warm_up: WarmUp | None = None, preload: WarmUp | None = None, tick: float | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.warm_up = warm_up
        self.fork = "fork" in mp.get_all_start_methods()
        self.ctx = mp.get_context("fork" if self.fork else "spawn")
        self.slots: list[_Slot] = []
        #: whether ``_preload`` froze this process's objects (undone by ``close``)
        self.frozen = False
        #: documents yielded as the workers pickled them (bytes), for a zygote to pass on unopened
        self.raw = False
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
            freeze_preloaded()
            self.frozen = True

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

    def _feed(self, pending: list[str], options: dict) -> None:
        """Top every worker's queue up: an idle worker first, then one more path each, up to ``DEPTH``,
        while there are more pending paths than workers (at the end of a batch a path waits for the
        first free worker, not behind a long file).  A send that fails (the worker just died) leaves
        the path queued: the dead worker's EOF hands it back to the pending ones."""
        for depth in range(1, self.DEPTH + 1):
            for slot in self.slots:
                if len(slot.queue) >= depth or not pending or (depth > 1 and len(pending) <= len(self.slots)):
                    continue
                path, now = pending.pop(), time.monotonic()
                if not slot.queue:
                    slot.started = now
                slot.queue.append((path, now))
                try:
                    slot.conn.send((path, options))
                except OSError:
                    pass

    def _replace(self, i: int, job: Job, pending: list[str]) -> None:
        """Worker ``i`` is gone (killed or crashed): its unstarted paths back to ``pending``, a new worker."""
        slot = self.slots[i]
        slot.queue.popleft()
        pending.extend(path for path, _ in reversed(slot.queue))  # (pending is popped from its end)
        self.slots[i] = self._start(job)

    def run(self, job: Job, paths: Iterable[str], options: dict) -> Iterator[Outcome | None]:
        pending = list(paths)[::-1]
        if pending:
            self._preload()
        self.slots = [self._start(job) for _ in range(min(self.workers, max(len(pending), 1)))]
        try:
            while pending or any(s.queue for s in self.slots):
                self._feed(pending, options)
                busy = [s for s in self.slots if s.queue]
                deadline = min(s.started + self.timeout for s in busy)
                wait_for = max(0.0, deadline - time.monotonic())
                ready = wait([s.conn for s in busy], timeout=min(wait_for, self.tick) if self.tick else wait_for)
                if not ready and self.tick and time.monotonic() < deadline:
                    yield None  # a tick: nothing finished yet
                    continue
                outcomes = []
                for i, slot in enumerate(self.slots):
                    if not slot.queue:
                        continue
                    path, started = slot.queue[0][0], slot.started
                    if slot.conn in ready:
                        try:
                            finished, fatal, error, pages, blob = slot.conn.recv()
                        except (EOFError, OSError):
                            slot.process.join(5)
                            code = slot.process.exitcode
                            self._kill(slot)
                            outcomes.append(Outcome(path, None, f"worker crashed (exit code {code})",
                                                    seconds=time.monotonic() - started))
                            self._replace(i, job, pending)
                            continue
                        if fatal is not None:
                            yield from outcomes  # (what came before it is kept)
                            raise MemoryLimitTooLow(fatal)
                        now = time.monotonic()
                        outcomes.append(Outcome(path, blob if self.raw else pickle.loads(blob), error,
                                                seconds=min(finished, now) - started, pages=pages))
                        slot.queue.popleft()
                        if slot.queue:  # the worker went straight on to the next (sent before, or since)
                            slot.started = min(now, max(finished, slot.queue[0][1]))
                    elif time.monotonic() >= started + self.timeout:
                        self._kill(slot)
                        outcomes.append(Outcome(path, None, f"timed out after {self.timeout:g} s",
                                                seconds=time.monotonic() - started))
                        self._replace(i, job, pending)
                self._feed(pending, options)  # the next paths out before the caller takes its time
                yield from outcomes
        finally:
            self.close()

    def close(self) -> None:
        for slot in self.slots:
            if slot.queue:  # stopped midway: a path being read is not waited for
                self._kill(slot)
                continue
            try:
                slot.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
            slot.process.join(1)
            self._kill(slot)
        self.slots = []
        if self.frozen:  # (this process may live on: its objects collectable again)
            gc.unfreeze()
            self.frozen = False


def make_executor(kind: str = "local", workers: int | None = None, timeout: float = 120.0,
                  memory_mb: int | None = 4096, scheduler: str | None = None,
                  warm_up: WarmUp | None = None, preload: WarmUp | None = None,
                  tick: float | None = None) -> Executor:
    """The executor for ``--executor``: ``serial``, ``local`` (default) or ``dask``.

    ``preload`` (local, fork only) runs once before the workers are forked: at once, in a zygote that
    then forks them (``batch.zygote.EarlyPool``: build the executor first, before the schema check and
    the hashing, and it preloads meanwhile); ``tick`` (local) makes ``run`` yield ``None`` when nothing
    finished for that many seconds.
    """
    if kind == "serial":
        return SerialExecutor()
    if kind == "local":
        if preload is not None and "fork" in mp.get_all_start_methods():
            from batch.zygote import EarlyPool  # the preload starts now, in a process of its own

            return EarlyPool(workers, timeout, memory_mb, warm_up, preload, tick)
        return LocalExecutor(workers, timeout, memory_mb, warm_up, preload, tick)
    if kind == "dask":
        from batch.dask import DaskExecutor

        return DaskExecutor(scheduler, workers=workers, timeout=timeout)
    raise ValueError(f"unknown executor '{kind}' (choose serial, local or dask)")
