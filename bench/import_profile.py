"""Where the whole import's time goes, stage by stage, in CPU seconds (the machine may be shared).

Run on the corpus ``bench/import_speed.py`` makes (``--docs N``): each stage timed alone with
``time.process_time`` (no profiler overhead), in the order an import meets them:

- process start: ``python pipeline.py --help`` and ``python -c "import batch.importer, load.loader"``
  (fresh processes, wall);
- worker start-up: ``batch.importer.preload`` (what each worker paid before the warm pool);
- per file: hashing (parent), ``extract.read``, ``normalise`` (and, by cProfile on a sample,
  spaCy's share of it), the contract dict and its trip through a pipe (``to_dict``, pickle,
  ``from_dict``);
- the database, in a fresh process per variant (``--code DIR`` runs another tree's loader, e.g.
  the one-document-per-transaction ORM loader of an older commit): ``connect`` (the Alembic
  check), ``start_run``, the documents written (batches of ``--batch``, or one per transaction),
  the same with the full-text index removed (its share), ``finish_run``.

Usage::

    .venv/bin/python -m bench.import_profile --docs 500 [--url postgresql+psycopg://...] [--before DIR]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pickle
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path and "--db-phase" not in sys.argv:  # (a db phase runs the tree it is given)
    sys.path.insert(0, str(ROOT))


def _wall(cmd: list[str], cwd: Path, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, capture_output=True, check=True)
        best = min(best, time.perf_counter() - t)
    return best


def extraction(files: list[Path]) -> tuple[dict[str, float], list]:
    """CPU seconds per stage over ``files`` (in this process, after ``preload``), and the plans."""
    from batch.importer import preload
    from extract import read, sha256_of
    from models.records import PlanDocument
    from normalise import normalise

    out = {}
    t = time.process_time()
    preload()
    out["worker start-up (preload: imports, spaCy, tables)"] = time.process_time() - t
    stages = {"hash (parent)": 0.0, "read PDF (extract/)": 0.0, "read DOCX (extract/)": 0.0,
              "normalise (normalise/)": 0.0,
              "contract dict + pipe (to_dict, pickle, from_dict)": 0.0}
    plans = []
    for f in files:
        t0 = time.process_time()
        digest = sha256_of(f)
        t1 = time.process_time()
        doc = read(f)
        t2 = time.process_time()
        plan = normalise(doc, sha256=digest)
        plan.source = str(f)
        t3 = time.process_time()
        back = PlanDocument.from_dict(pickle.loads(pickle.dumps(plan.to_dict())))
        t4 = time.process_time()
        stages["hash (parent)"] += t1 - t0
        stages[f"read {'PDF' if f.suffix == '.pdf' else 'DOCX'} (extract/)"] += t2 - t1
        stages["normalise (normalise/)"] += t3 - t2
        stages["contract dict + pipe (to_dict, pickle, from_dict)"] += t4 - t3
        plans.append(back)
    out.update(stages)
    return out, plans


def spacy_share(files: list[Path]) -> float:
    """Share of ``normalise`` time spent inside spaCy (cProfile, a sample of files)."""
    from extract import read
    from normalise import normalise
    from normalise.text import forget_texts

    docs = [read(f) for f in files]
    forget_texts()  # (the texts were normalised once already: spaCy would not be called again)
    prof = cProfile.Profile()
    prof.enable()
    for d in docs:
        normalise(d, sha256="0" * 64)
    prof.disable()
    stats = pstats.Stats(prof)
    total = sum(v[2] for v in stats.stats.values())
    inside = sum(v[2] for k, v in stats.stats.items() if "/spacy/" in k[0] or "thinc" in k[0] or
                 k[0].startswith("spacy"))
    return inside / total if total else 0.0


def db_phase(plans_file: Path, url: str, batch: int, fts: bool) -> dict[str, float]:
    """In a fresh process (this tree or ``--code``'s): the database stages, CPU and wall seconds."""
    import load
    from load.db import connect, engine_for

    plans = pickle.loads(plans_file.read_bytes())
    out = {}
    t, w = time.process_time(), time.perf_counter()
    factory = connect(url)
    out["connect + Alembic check"] = (time.process_time() - t, time.perf_counter() - w)
    if not fts:
        with engine_for(url).begin() as conn:
            if conn.dialect.name == "sqlite":
                for trig in ("insert", "delete", "update"):
                    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS actions_fts_{trig}")
                # a tree that indexes a batch with its own INSERT ... SELECT (migration 0004) copies
                # into a plain table instead: what is left is the index's own cost
                conn.exec_driver_sql("DROP TABLE IF EXISTS actions_fts")
                conn.exec_driver_sql("CREATE TABLE actions_fts (action, progress, outcome, priority)")
            else:
                conn.exec_driver_sql("DROP INDEX IF EXISTS ix_actions_search")
                conn.exec_driver_sql("ALTER TABLE actions DROP COLUMN IF EXISTS search_vector")
    from load.runs import finish_run, start_run

    t, w = time.process_time(), time.perf_counter()
    run = start_run(factory, ["corpus"])
    out["start_run"] = (time.process_time() - t, time.perf_counter() - w)
    t, w = time.process_time(), time.perf_counter()
    if hasattr(load, "load_documents") and batch > 1:
        from load.versions import VersionCache

        cache = VersionCache()
        for i in range(0, len(plans), batch):
            load.load_documents(factory, plans[i:i + batch], run_id=run, cache=cache)
    else:
        for p in plans:
            load.load_document(factory, p, run_id=run)
    out["documents written"] = (time.process_time() - t, time.perf_counter() - w)
    t, w = time.process_time(), time.perf_counter()
    finish_run(factory, run, files=len(plans), loaded=len(plans))
    out["finish_run"] = (time.process_time() - t, time.perf_counter() - w)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--url", default=None, help="PostgreSQL URL to profile the writes on too (CREATE DATABASE)")
    ap.add_argument("--before", type=Path, help="another tree whose loader is profiled beside this one")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--db-phase", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.db_phase:
        plans_file, url, batch, fts = args.db_phase
        print(json.dumps(db_phase(Path(plans_file), url, int(batch), fts == "1")))
        return 0

    from bench.import_speed import _pg_create, _pg_size_and_drop, make_corpus

    py = sys.executable
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    print(f"process start: `pipeline.py --help` {_wall([py, 'pipeline.py', '--help'], ROOT):.2f} s wall; "
          f"import batch.importer + load.loader {_wall([py, '-c', 'import batch.importer, load.loader'], ROOT):.2f} s")
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        counts = make_corpus(args.docs, tmp / "corpus")
        files = sorted((tmp / "corpus").iterdir())
        stages, plans = extraction(files)
        share = spacy_share(files[: min(60, len(files))])
        total = sum(stages.values())
        print(f"corpus: {counts}")
        print("| stage (one process, CPU s) | s | ms/doc | share |\n| --- | --- | --- | --- |")
        for k, v in stages.items():
            print(f"| {k} | {v:.2f} | {1000 * v / len(files):.1f} | {100 * v / total:.0f}% |")
        print(f"spaCy's share of normalise (cProfile, {min(60, len(files))} files): {100 * share:.0f}%")
        plans_file = tmp / "plans.pkl"
        plans_file.write_bytes(pickle.dumps(plans))
        print("\n| database | code | FTS | connect | start_run | documents written | ms/doc | finish_run |\n"
              "| --- | --- | --- | --- | --- | --- | --- | --- |")
        codes = [("this tree", ROOT)] + ([("before", args.before)] if args.before else [])
        for backend in ["sqlite"] + (["postgresql"] if args.url else []):
            for label, code in codes:
                for fts in (True, False):
                    url = str(tmp / f"p-{label[:4]}-{int(fts)}.db") if backend == "sqlite" else _pg_create(args.url)
                    env = dict(os.environ, PYTHONPATH=str(code))
                    res = subprocess.run([py, str(Path(__file__).resolve()), "--db-phase", str(plans_file), url,
                                          str(args.batch), "1" if fts else "0"], cwd=code, env=env,
                                         capture_output=True, text=True)
                    if backend == "postgresql":
                        _pg_size_and_drop(url)
                    if res.returncode:
                        print(f"| {backend} | {label} | failed: {res.stderr.strip().splitlines()[-1]} |")
                        continue
                    r = json.loads(res.stdout.strip().splitlines()[-1])
                    cells = [f"{r[k][0]:.2f} CPU / {r[k][1]:.2f} wall" for k in
                             ("connect + Alembic check", "start_run", "documents written")]
                    per = 1000 * r["documents written"][0] / len(plans)
                    print(f"| {backend} | {label} | {'on' if fts else 'off'} | {' | '.join(cells)} | {per:.1f} | "
                          f"{r['finish_run'][0]:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
