"""Running extraction over many files: isolated worker processes, time and memory limits, Dask.

Extraction is the slow, fragile part of an import (parsers meet hostile files),
so it runs away from the process that writes to the database: a crash, hang or
memory blow-up costs one file, never the batch.
"""

from batch.workers import Executor, LocalExecutor, Outcome, SerialExecutor, make_executor

__all__ = ["Executor", "LocalExecutor", "Outcome", "SerialExecutor", "make_executor"]
