"""The local pool, warmed from the start: a fork server (zygote) that preloads while the parent sets up.

``LocalExecutor`` forks its workers from the importing process after ``preload`` (the readers,
spaCy, the normaliser's tables: ~1.2 s of one core) and that only once the parent has imported
the loader, checked or migrated the schema and hashed the files: ~1 s more, on one core, while
the other idles.  ``EarlyPool`` forks one process first thing, which preloads *while* the parent
does its part, then runs the same ``LocalExecutor`` (forking its workers warm from itself) on the
paths the parent sends, and passes each ``Outcome`` back.  The time limits, the memory limit, the
worker replaced after a crash or a time limit, the queue of paths per worker: all
``LocalExecutor``'s, unchanged, in the zygote.

Faults, and what holds:

- the parent dies (even ``kill -9``): the zygote dies with it (``PR_SET_PDEATHSIG``, or a watching
  thread off Linux), and its workers die with the zygote the same way;
- Ctrl-C / SIGTERM: the zygote ignores SIGINT (the parent's to handle); ``close`` sends it SIGTERM,
  on which it stops its workers (``LocalExecutor.close``) and exits; SIGKILL after a grace period;
- the zygote dies midway (killed, crashed): the parent reads what it had not been told about yet
  with a ``LocalExecutor`` of its own, forked from itself as before (nothing is lost, nothing read
  twice is loaded twice: a path's outcome is passed on once, whole);
- ``preload`` fails: as in ``LocalExecutor``, the failure is left for the workers to meet under
  their own memory limit (``warm_up``): a limit too low to start is still one clear error
  (``MemoryLimitTooLow``, passed back and raised in the parent).
"""

from __future__ import annotations

import os
import pickle
import signal
import time
from collections import Counter
from collections.abc import Iterable, Iterator

from batch.workers import Job, LocalExecutor, MemoryLimitTooLow, Outcome, WarmUp, _die_with_parent, freeze_preloaded

#: Seconds ``close`` waits for the zygote to stop its workers and exit after SIGTERM, before SIGKILL.
GRACE = 5.0


class _Stop(BaseException):
    """SIGTERM in the zygote: unwind, so ``LocalExecutor.run``'s ``finally`` stops the workers."""


def _on_term(signum, frame) -> None:
    raise _Stop()


def _zygote(conn, parent_pid: int, pool: LocalExecutor, preload: WarmUp | None) -> None:
    """The zygote's life: preload, wait for the paths, run the pool on them, pass each outcome back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, _on_term)
    _die_with_parent(parent_pid)
    try:
        if preload is not None:
            try:
                preload()
            except (Exception, MemoryError):  # left for the workers to meet under their limit, as without us
                pass
            freeze_preloaded()  # the workers forked from here never collect what the preload made
        task = conn.recv()
        if task is None:
            return
        job, paths, options = task
        try:
            for outcome in pool.run(job, paths, options):
                if outcome is not None:
                    conn.send(("outcome", outcome))
        except MemoryLimitTooLow as exc:
            conn.send(("fatal", exc.reason))
            return
        conn.send(("done", None))
    except (_Stop, EOFError, OSError):  # stopped, or the parent is gone
        pass


class EarlyPool:
    """``LocalExecutor``'s pool, run in a zygote forked at construction (fork platforms only).

    Build it as early as possible (before the schema check and the hashing): ``preload`` starts at
    once, beside the parent's own start.  ``run`` may be called once.
    """

    def __init__(self, workers: int | None = None, timeout: float = 120.0, memory_mb: int | None = 4096,
                 warm_up: WarmUp | None = None, preload: WarmUp | None = None, tick: float | None = None) -> None:
        import multiprocessing as mp

        self.args = (workers, timeout, memory_mb, warm_up, preload, tick)
        self.tick = tick
        self.fallback: LocalExecutor | None = None
        self.finished = False
        self.conn, child = mp.get_context("fork").Pipe()
        parent_pid = os.getpid()
        pool = LocalExecutor(workers, timeout, memory_mb, warm_up, preload=None, tick=None)
        pool.raw = True  # documents passed on as the workers pickled them, unpickled once, here
        self.pid = os.fork()
        if self.pid == 0:  # the zygote
            code = 0
            try:
                self.conn.close()
                _zygote(child, parent_pid, pool, preload)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        child.close()

    def alive(self) -> bool:
        """Whether the zygote still runs (reaps it when it ended)."""
        if self.pid is None:
            return False
        try:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            pid = self.pid
        if pid:
            self.pid = None
            return False
        return True

    def run(self, job: Job, paths: Iterable[str], options: dict) -> Iterator[Outcome | None]:
        paths = list(paths)
        left = Counter(paths)
        try:
            self.conn.send((job, paths, options))
            while True:
                if self.tick and not self.conn.poll(self.tick):
                    yield None  # a tick: nothing finished lately
                    continue
                kind, value = self.conn.recv()
                if kind == "outcome":
                    left[value.path] -= 1
                    if isinstance(value.document, bytes):
                        value.document = pickle.loads(value.document)
                    yield value
                elif kind == "fatal":
                    raise MemoryLimitTooLow(value)
                else:  # done
                    self.finished = True
                    return
        except (EOFError, OSError):  # the zygote died midway: the rest is read by a pool of our own
            self._reap()
            rest = []
            for path in paths:
                if left[path] > 0:
                    left[path] -= 1
                    rest.append(path)
            self.fallback = LocalExecutor(*self.args)
            yield from self.fallback.run(job, rest, options)

    def _reap(self, grace: float = 0.0) -> None:
        deadline = time.monotonic() + grace
        while self.alive():
            if time.monotonic() >= deadline:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                os.waitpid(self.pid, 0)
                self.pid = None
                return
            time.sleep(0.01)

    def close(self) -> None:
        """Stop the zygote and its workers (at once when stopped midway); idempotent."""
        if self.fallback is not None:
            self.fallback.close()
        if self.pid is not None:
            if not self.finished:
                try:
                    os.kill(self.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            self._reap(GRACE)
        self.conn.close()
