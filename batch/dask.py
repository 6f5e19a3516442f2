"""The executor interface on a Dask distributed cluster.

``--executor dask --scheduler tcp://HOST:8786`` sends each file's extraction to
the cluster's workers; results come back as plain dicts and the importing
process loads them into the shared database (PostgreSQL when several machines
import).  Without a scheduler address a ``LocalCluster`` is started, which is
how the tests run it.  The files must be readable at the same path on the
workers (a shared mount), as with any Dask file job.

A local cluster's worker processes end with the importing process however it
ends (Dask's own process wrapper exits when its parent's pipe closes), so a
killed import leaves none behind; ``tests/test_faults.py`` checks it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from batch.walk import printable
from batch.workers import Job, Outcome
from models.errors import MissingDependency


def _client(scheduler: str | None, workers: int | None):
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise MissingDependency("the Dask executor needs dask.distributed: pip install -e '.[dask]'") from exc
    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster), cluster


class DaskExecutor:
    """Extraction on Dask workers, results in completion order.

    The time limit applies to waiting for each result: a file that overruns is
    reported as timed out and its task cancelled.
    """

    def __init__(self, scheduler: str | None = None, workers: int | None = None, timeout: float = 120.0) -> None:
        self.client, self.cluster = _client(scheduler, workers)
        self.timeout = timeout

    def run(self, job: Job, paths: Iterable[str], options: dict) -> Iterator[Outcome]:
        from distributed import as_completed

        paths = list(paths)
        started = time.monotonic()
        futures = {self.client.submit(job, p, options, pure=False, key=f"extract-{i}-{printable(p)}"): p
                   for i, p in enumerate(paths)}
        budget = self.timeout * max(1, len(paths))
        done = set()
        try:
            for future in as_completed(futures, timeout=budget):
                path = futures[future]
                done.add(path)
                try:
                    doc = future.result()
                except Exception as exc:  # a worker died or the job raised: that file fails alone
                    yield Outcome(path, None, f"worker failed ({exc.__class__.__name__}: {exc})",
                                  seconds=time.monotonic() - started)
                    continue
                yield Outcome(path, doc, doc.get("error"), seconds=time.monotonic() - started,
                              pages=doc.get("pages") or 0)
        except TimeoutError:
            for future, path in futures.items():
                if path not in done:
                    future.cancel()
                    yield Outcome(path, None, f"timed out after {self.timeout:g} s")

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
