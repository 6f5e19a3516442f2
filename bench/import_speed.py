"""The whole import, end to end: ``pipeline.py import`` as an analyst runs it, timed from outside.

Each run is a fresh ``python pipeline.py import FOLDER --db URL --workers W`` process (so
process start, worker start-up and imports, extraction, normalisation, the database writes,
full-text indexing, the schema check and the run bookkeeping are all inside the time), on a
corpus of N documents made from the fixture PDFs and DOCXs and the layout benchmark's plans
(``bench/.cache/layouts``, made by ``bench.layouts``; the fixtures alone where it is empty), cycled and each
copy varied so its content hash is its own (a PDF gets a comment after its end, a DOCX a zip
comment: the documents read the same, the files are new).

Figures per run: wall seconds, PDF pages per second end to end (PDF pages of the corpus over
the wall time; DOCX files ride along, as they would in a real folder), peak RSS of the whole
process tree (parent + workers, sampled every 20 ms) and the database's size afterwards.
SQLite gets a new file per run; PostgreSQL a new database per run (``$BOARDPLANS_TEST_PG`` or
``--pg``: a role that may CREATE DATABASE), dropped afterwards.

``--before DIR`` runs the same corpus with the code in DIR too (e.g. ``git archive 54c01e4``
unpacked there), interleaved run by run with this tree, so both meet the same machine load.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bench.speed import page_count

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
LAYOUTS = [ROOT / "bench" / ".cache" / "layouts"]


def sources() -> list[Path]:
    """The plans copies are made from: fixtures first, then the layout benchmark's PDF/DOCX, sorted."""
    out = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".pdf", ".docx"))
    for folder in LAYOUTS:
        if folder.is_dir():
            out += sorted(p for p in folder.iterdir() if p.suffix in (".pdf", ".docx"))
            break
    return out


def make_corpus(n: int, folder: Path) -> dict:
    """``n`` varied copies of the source plans in ``folder``; counts of files and PDF pages."""
    folder.mkdir(parents=True, exist_ok=True)
    srcs = sources()
    pages: dict[Path, int] = {}
    total = {"files": n, "pdf": 0, "docx": 0, "pdf_pages": 0, "distinct": min(n, len(srcs))}
    for i in range(n):
        src = srcs[i % len(srcs)]
        dest = folder / f"{i:05d}-{src.name}"
        shutil.copy(src, dest)
        if src.suffix == ".pdf":
            with open(dest, "ab") as fh:  # after %%EOF: readers ignore it, the hash changes
                fh.write(f"\n%copy {i}\n".encode())
            if src not in pages:
                pages[src] = page_count(src)
            total["pdf"] += 1
            total["pdf_pages"] += pages[src]
        else:
            with zipfile.ZipFile(dest, "a") as zf:
                zf.comment = f"copy {i}".encode()
            total["docx"] += 1
    return total


def tree_rss_mb(proc) -> float:
    import psutil

    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


@dataclass
class Result:
    code: str
    backend: str
    n: int
    workers: int
    seconds: float
    pdf_pages: int
    peak_mb: float
    db_mb: float
    loaded: int
    failed: int
    summary: str
    cpu: float = 0.0  # CPU seconds of the import and its workers (the machine may be shared)
    parent_cpu: float = 0.0  # CPU seconds of the importing process alone (sampled until it ended)

    @property
    def pages_per_s(self) -> float:
        return self.pdf_pages / self.seconds if self.seconds else 0.0


def _pg_create(base: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"bp_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _pg_size_and_drop(url: str) -> float:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        size = conn.execute(text("SELECT pg_database_size(:n)"), {"n": u.database}).scalar() or 0
        conn.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
    admin.dispose()
    return size / 2**20


def run_import(code: Path, corpus: Path, counts: dict, backend: str, workers: int, pg: str | None,
               tmp: Path, label: str) -> Result:
    """One fresh ``pipeline.py import`` of ``corpus`` with the code in ``code``; its figures."""
    import psutil

    if backend == "sqlite":
        db_file = tmp / f"bench-{uuid.uuid4().hex[:8]}.db"
        url = str(db_file)
    else:
        url = _pg_create(pg)
    cmd = [sys.executable, "pipeline.py", "import", str(corpus), "--db", url, "--workers", str(workers)]
    env = dict(os.environ, COLUMNS="200")
    peak = [0.0]
    parent = [0.0]
    import resource

    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=code, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    ps = psutil.Process(proc.pid)
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.02):
            try:
                peak[0] = max(peak[0], tree_rss_mb(ps))
                times = ps.cpu_times()
                parent[0] = times.user + times.system
            except psutil.Error:
                pass

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # the import and its workers (reaped by it)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    stop.set()
    thread.join()
    line = next((x for x in err.splitlines() if " files: " in x), err.strip().splitlines()[-1] if err.strip() else "")
    loaded = failed = 0
    try:
        loaded = int(line.split(" loaded")[0].split()[-1])
        failed = int(line.split(" failed")[0].split()[-1])
    except (ValueError, IndexError):
        pass
    if backend == "sqlite":
        db_mb = db_file.stat().st_size / 2**20 if db_file.exists() else 0.0
        db_file.unlink(missing_ok=True)
    else:
        db_mb = _pg_size_and_drop(url)
    return Result(label, backend, counts["files"], workers, seconds, counts["pdf_pages"], peak[0], db_mb, loaded,
                  failed, line.strip(), cpu, parent[0])


def table(rows: list[list[str]], head: list[str]) -> str:
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def main(sizes: list[int], backends: list[str], workers: list[int], before: Path | None = None,
         pg: str | None = None, as_json: Path | None = None) -> list[Result]:
    """Every (size, backend, workers) run, this tree and (interleaved) ``before``; prints the table."""
    pg = pg or os.environ.get("BOARDPLANS_TEST_PG")
    if "postgresql" in backends and not pg:
        print("PostgreSQL skipped: no URL (--pg or $BOARDPLANS_TEST_PG)")
        backends = [b for b in backends if b != "postgresql"]
    codes = [("this tree", ROOT)] + ([("before", before)] if before else [])
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bp-import-bench-") as t:
        tmp = Path(t)
        for n in sizes:
            corpus = tmp / f"corpus-{n}"
            counts = make_corpus(n, corpus)
            print(f"corpus {n}: {counts['pdf']} PDF ({counts['pdf_pages']} pages) + {counts['docx']} DOCX, "
                  f"{counts['distinct']} distinct plans; load {os.getloadavg()[0]:.2f}", flush=True)
            for backend in backends:
                for w in workers:
                    for label, code in (codes if (n + w) % 2 == 0 else codes[::-1]):
                        r = run_import(code, corpus, counts, backend, w, pg, tmp, label)
                        results.append(r)
                        print(f"  {label:9} {backend:10} {w} worker(s): {r.seconds:6.1f} s "
                              f"(CPU {r.cpu:5.1f} s, parent {r.parent_cpu:4.1f})  "
                              f"{r.pages_per_s:5.1f} PDF pages/s  peak {r.peak_mb:5.0f} MB  db {r.db_mb:6.1f} MB"
                              f"  [{r.summary}]", flush=True)
            shutil.rmtree(corpus)
    rows = [[r.code, str(r.n), r.backend, str(r.workers), str(r.pdf_pages), f"{r.seconds:.1f}", f"{r.cpu:.1f}",
             f"{r.parent_cpu:.1f}",
             f"{r.pages_per_s:.1f}", f"{r.peak_mb:.0f}", f"{r.db_mb:.1f}", f"{r.loaded}/{r.failed}"]
            for r in results]
    print()
    print(f"Whole import (`pipeline.py import`, fresh process; PDF pages/s end to end; CPU s of parent + workers; "
          f"peak RSS of parent + workers (shared pages counted in each); database size after); {os.cpu_count()} "
          f"CPUs, load {os.getloadavg()[0]:.2f} at the end")
    print(table(rows, ["code", "docs", "database", "workers", "PDF pages", "wall s", "CPU s", "parent CPU s",
                       "PDF pages/s", "peak RSS MB", "db MB", "loaded/failed"]))
    for backend in backends:
        for w in workers:
            mine = [r for r in results if r.code == "this tree" and r.backend == backend and r.workers == w]
            if len(mine) >= 2:
                a, b = mine[0], mine[-1]
                print(f"{backend}, {w} worker(s): peak RSS {b.n} vs {a.n} documents: {b.peak_mb / a.peak_mb:.2f}x")
    if as_json:
        as_json.write_text(json.dumps([r.__dict__ for r in results], indent=1))
    return results
