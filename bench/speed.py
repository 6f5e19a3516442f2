"""How fast plans are read, per page, against the floor and other tools; one process, one run.

An analyst importing thousands of plans waits on PDF table extraction, so this
benchmark times, on one corpus and in one process:

- ``floor``: pypdfium2 plain text of every page (nothing is faster);
- ``pdfplumber tables``: ``page.extract_tables()`` with its defaults;
- ``camelot lattice``: ``camelot.read_pdf(flavor="lattice")`` on a sample of
  pages (``--camelot-pages``; it is slow);
- ``ours``: :func:`batch.importer.extract_file` (``extract.read`` then
  ``normalise``, records out) with the default engine and with each engine;
- ``reader``: :func:`extract.read` alone with the default engine (the
  Document, no normalising): the reader's own cost, which issue 16's reader
  targets are about;
- ``ours DOCX``: the same for the DOCX renderings (a DOCX counts the pages of
  its PDF twin, so per-page figures compare).

Corpus: every fixture PDF and DOCX, repeated in rounds until there are at
least ``--min-pages`` pages in all, plus the ICDAR 2013 PDFs (shared among the
rounds).  Within a round the tools take turns document by document (their
order rotating), so a change in the machine's load falls on all of them; the
figure per tool is the median over rounds of its seconds per page.  CPU time
is shown beside wall time, since the machine may be shared.  Before each
timed run the heap is collected and our text caches emptied, untimed
(:func:`fresh_start`), so no run pays for another tool's garbage or reads a
repeated document from memory.

In the same run: the fixtures' scores with ``shared/tools/score.py`` for each
engine timed in full (speed is never bought with accuracy), the peak memory
of reading the fixtures with each engine (Python heap by tracemalloc; peak RSS
of a fresh process), and the whole import (``bench/import_speed.py``): N
documents (``--import-sizes``, 100 and 1,000) imported by a fresh
``pipeline.py import`` into SQLite and PostgreSQL with 1 and 2 workers: PDF
pages/s end to end, wall time, peak RSS of parent + workers, database size.

Usage (from the repository root)::

    .venv/bin/python -m bench.speed [--min-pages 500] [--camelot-pages 20] [--no-icdar]
        [--engines pdfplumber,pdfium] [--import-sizes 100,1000] [--skip-import]
    .venv/bin/python -m bench.speed --import-only [--import-sizes 100,1000] [--import-backends sqlite,postgresql]
        [--import-workers 1,2] [--before DIR]      # the whole import only (DIR: older code, interleaved)
    .venv/bin/python -m bench.speed --import-quick  # 100 documents, SQLite, 2 workers
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import inspect
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"
FIXTURES = ROOT / "fixtures"
ICDAR = SHARED / "benchmarks" / "icdar2013"
#: the small plan copied for the import-memory check (5 pages, 12 actions)
SMALL_DOCX = FIXTURES / "shropshire-2016-18.docx"


@dataclass
class Doc:
    path: Path
    pages: int
    kind: str  # "fixture", "icdar" or "docx"


@dataclass
class Tally:
    """Seconds (wall and CPU) and pages per round for one tool."""

    wall: dict[int, float] = field(default_factory=dict)
    cpu: dict[int, float] = field(default_factory=dict)
    pages: dict[int, int] = field(default_factory=dict)

    def add(self, rnd: int, wall: float, cpu: float, pages: int) -> None:
        self.wall[rnd] = self.wall.get(rnd, 0.0) + wall
        self.cpu[rnd] = self.cpu.get(rnd, 0.0) + cpu
        self.pages[rnd] = self.pages.get(rnd, 0) + pages

    def per_page(self) -> tuple[float, float, int]:
        """Median over rounds of wall and CPU seconds per page, and pages in all."""
        rounds = [r for r in self.pages if self.pages[r]]
        wall = statistics.median(self.wall[r] / self.pages[r] for r in rounds)
        cpu = statistics.median(self.cpu[r] / self.pages[r] for r in rounds)
        return wall, cpu, sum(self.pages.values())


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """Result, wall seconds and CPU seconds of one call."""
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return len(doc)
    finally:
        doc.close()


def corpus(min_pages: int, icdar: bool) -> tuple[list[list[Doc]], list[Doc]]:
    """Rounds of fixture PDFs and DOCXs (repeated to ``min_pages`` in all) with the ICDAR PDFs dealt out."""
    pdfs = [Doc(p, page_count(p), "fixture") for p in sorted(FIXTURES.glob("*.pdf"))]
    docx = [Doc(p.with_suffix(".docx"), d.pages, "docx") for p, d in zip(sorted(FIXTURES.glob("*.pdf")), pdfs,
                                                                           strict=True)]
    per_round = sum(d.pages for d in pdfs) + sum(d.pages for d in docx)
    rounds = max(1, -(-min_pages // per_round))
    extra = [Doc(p, page_count(p), "icdar") for p in sorted(ICDAR.glob("competition-dataset-*/*.pdf"))] if icdar else []
    out = [pdfs + docx + extra[r::rounds] for r in range(rounds)]
    return out, extra


# ---------------------------------------------------------------- the tools


def floor(path: Path) -> None:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        for page in doc:
            page.get_textpage().get_text_range()
    finally:
        doc.close()


def plumber_tables(path: Path) -> None:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            page.extract_tables()


def camelot_lattice(path: Path, page: int) -> None:
    import camelot

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        camelot.read_pdf(str(path), pages=str(page), flavor="lattice", suppress_stdout=True)


def ours(path: Path, engine: str | None) -> Any:
    """The records (a ``PlanDocument``); turning them into JSON is left out of the time."""
    from batch.importer import extract_file

    return extract_file(path) if engine is None else extract_file(path, engine=engine)


def reader(path: Path) -> Any:
    """The default engine's Document alone: ``extract.read`` without the normaliser."""
    import extract

    return extract.read(path)


def fresh_start() -> None:
    """What runs, untimed, before every timed run: no run pays for another's leftovers, nor
    profits from them.

    - The heap is collected: pdfplumber leaves some 35 000 objects in
      reference cycles per document, and collecting them (tens of
      milliseconds) would fall on whichever tool runs next, inside its time.
    - The normaliser's text caches are emptied (``normalise.text.forget_texts``):
      the corpus repeats the fixtures in rounds, and the DOCX twin of a PDF
      holds its texts, which an import of distinct plans would not find in memory.
    """
    from normalise.text import forget_texts

    gc.collect()
    forget_texts()


def default_engine() -> str:
    from batch.importer import extract_file

    return inspect.signature(extract_file).parameters["engine"].default


def scorer() -> ModuleType | None:
    path = SHARED / "tools" / "score.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("score", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


# ---------------------------------------------------------------- memory (fresh processes)


class RssSampler:
    """Peak of the current RSS while a block runs (sampled every 2 ms in a thread).

    The process's own high-water mark (``ru_maxrss``) cannot serve: on Linux
    a child inherits the high-water mark of the process that started it.
    """

    def __enter__(self) -> RssSampler:
        import threading

        import psutil

        self._proc = psutil.Process()
        self.start_mb = self.peak_mb = self._proc.memory_info().rss / 2**20
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.002):
            self.peak_mb = max(self.peak_mb, self._proc.memory_info().rss / 2**20)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self._proc.memory_info().rss / 2**20)
        self.end_mb = self._proc.memory_info().rss / 2**20


def child_rss(engine: str) -> None:
    """In a fresh process: RSS after start-up, and its peak while reading every fixture PDF."""
    from batch.importer import extract_file

    extract_file(SMALL_DOCX)  # loads the NLP pipeline, as any run does
    with RssSampler() as rss:
        for path in sorted(FIXTURES.glob("*.pdf")):
            extract_file(path, engine=engine)
    print(json.dumps({"engine": engine, "before_mb": rss.start_mb, "peak_mb": rss.peak_mb}))


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.speed", *args], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- the run


def whole_import(args: argparse.Namespace) -> None:
    """The whole-import benchmark (``bench/import_speed.py``) with the command line's choices."""
    from bench import import_speed

    import_speed.main([int(x) for x in args.import_sizes.split(",") if x],
                      [b for b in args.import_backends.split(",") if b],
                      [int(x) for x in args.import_workers.split(",") if x], before=args.before, pg=args.pg,
                      as_json=args.json)


def table(rows: list[list[str]], head: list[str]) -> str:
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-pages", type=int, default=500, help="fixture pages (PDF + DOCX) in all, at least")
    ap.add_argument("--camelot-pages", type=int, default=30, help="pages sampled for camelot (0: skip camelot)")
    ap.add_argument("--no-icdar", action="store_true", help="leave the ICDAR 2013 PDFs out")
    ap.add_argument("--engines", default=None, help="engines timed on the whole corpus (default: all but camelot, "
                                                    "which is timed on the camelot sample)")
    ap.add_argument("--import-sizes", default="100,1000", help="documents per whole-import run (bench/import_speed.py)")
    ap.add_argument("--import-backends", default="sqlite,postgresql", help="databases for the whole import")
    ap.add_argument("--import-workers", default="1,2", help="worker counts for the whole import")
    ap.add_argument("--import-quick", action="store_true",
                    help="whole import only, quick: 100 documents, SQLite, 2 workers")
    ap.add_argument("--import-only", action="store_true", help="only the whole-import benchmark")
    ap.add_argument("--before", type=Path, help="also run the whole import with the code in this folder "
                                                "(e.g. an older commit unpacked by git archive), interleaved")
    ap.add_argument("--pg", help="PostgreSQL URL (a role that may CREATE DATABASE); default $BOARDPLANS_TEST_PG")
    ap.add_argument("--json", type=Path, help="write the whole-import figures to this file too")
    ap.add_argument("--skip-import", action="store_true", help="skip the whole-import benchmark")
    ap.add_argument("--child-rss", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child_rss:
        child_rss(args.child_rss)
        return 0
    if args.import_quick:
        args.import_only, args.import_sizes, args.import_backends, args.import_workers = True, "100", "sqlite", "2"
    if args.import_only:
        whole_import(args)
        return 0

    from extract import ENGINES

    default = default_engine()
    engines = args.engines.split(",") if args.engines else [e for e in ENGINES if e != "camelot"]
    rounds, icdar = corpus(args.min_pages, not args.no_icdar)
    pdf_pages = sum(d.pages for r in rounds for d in r if d.kind != "docx")
    docx_pages = sum(d.pages for r in rounds for d in r if d.kind == "docx")
    print(f"corpus: {len(rounds)} rounds; {pdf_pages} PDF pages ({len(icdar)} ICDAR PDFs, "
          f"{sum(d.pages for d in icdar)} pages), {docx_pages} DOCX pages; default engine {default}; "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}", flush=True)

    tools: dict[str, Callable[[Path], Any]] = {"floor": floor, "pdfplumber tables": plumber_tables}
    for engine in engines:
        tools[f"ours {engine}"] = lambda p, e=engine: ours(p, e)
    tools["reader"] = reader
    tallies: dict[str, Tally] = {name: Tally() for name in [*tools, "ours DOCX"]}
    parts: dict[tuple[str, str], Tally] = {}  # (tool, "fixture" or "icdar")
    outputs: dict[tuple[str, str], dict] = {}
    for fn in tools.values():  # warm up: imports, the NLP pipeline, caches
        fn(rounds[0][0].path)
    ours(rounds[0][0].path.with_suffix(".docx"), None)
    started = time.perf_counter()
    for rnd, docs in enumerate(rounds):
        for k, doc in enumerate(docs):
            if doc.kind == "docx":
                fresh_start()
                out, w, c = timed(lambda d=doc: ours(d.path, None))
                tallies["ours DOCX"].add(rnd, w, c, doc.pages)
                outputs.setdefault(("docx", doc.path.stem), out.to_dict())
                continue
            names = list(tools)
            names = names[k % len(names):] + names[:k % len(names)]  # rotate who goes first
            for name in names:
                fresh_start()
                out, w, c = timed(lambda fn=tools[name], d=doc: fn(d.path))
                tallies[name].add(rnd, w, c, doc.pages)
                parts.setdefault((name, doc.kind), Tally()).add(rnd, w, c, doc.pages)
                if name.startswith("ours ") and doc.kind == "fixture":
                    outputs.setdefault((name[5:], doc.path.stem), out.to_dict())
        print(f"round {rnd + 1}/{len(rounds)} done ({time.perf_counter() - started:.0f} s)", flush=True)

    sample: list[tuple[Path, int]] = []
    if args.camelot_pages:  # camelot: a sample of fixture pages, and our camelot engine on whole fixtures
        fixtures = [d for d in rounds[0] if d.kind == "fixture"]
        while len(sample) < args.camelot_pages:
            for d in fixtures:
                if len(sample) < args.camelot_pages and len([s for s in sample if s[0] == d.path]) < d.pages:
                    sample.append((d.path, len([s for s in sample if s[0] == d.path]) + 1))
        camelot_lattice(*sample[0])
        tallies["camelot lattice"] = Tally()
        for path, page in sample:
            fresh_start()
            _, w, c = timed(lambda p=path, n=page: camelot_lattice(p, n))
            tallies["camelot lattice"].add(0, w, c, 1)
        if "camelot" in ENGINES and "camelot" not in engines:
            tallies["ours camelot"] = Tally()
            done = 0
            for d in sorted(fixtures, key=lambda d: d.pages):
                if done >= args.camelot_pages:
                    break
                fresh_start()
                out, w, c = timed(lambda p=d.path: ours(p, "camelot"))
                tallies["ours camelot"].add(0, w, c, d.pages)
                outputs.setdefault(("camelot", d.path.stem), out.to_dict())
                done += d.pages

    # ---- speed table
    ref_name = f"ours {default}" if f"ours {default}" in tallies else next(n for n in tallies if n.startswith("ours "))
    ref = tallies[ref_name].per_page()[0]
    fast = min((n for n in tallies if n.startswith("ours ") and n != "ours DOCX" and tallies[n].pages),
               key=lambda n: tallies[n].per_page()[0])
    f = tallies[fast].per_page()[0]
    rows = []
    for name, tally in tallies.items():
        if not tally.pages:
            continue
        wall, cpu, pages = tally.per_page()
        label = name + (" (default)" if name == f"ours {default}" else "")
        rows.append([label, str(pages), f"{wall:.4f}", f"{cpu:.4f}", f"{1 / wall:.1f}", f"{wall / ref:.2f}",
                     f"{wall / f:.1f}"])
    print()
    print(f"Seconds per page (median of {len(rounds)} rounds; camelot on {len(sample)} sampled fixture pages); "
          f"'x NAME' = the tool's time over NAME's")
    print(table(rows, ["tool", "pages", "s/page", "CPU s/page", "pages/s", f"x {ref_name}", f"x {fast}"]))
    kinds = sorted({k for _, k in parts})
    if len(kinds) > 1:
        prow = []
        for name in tools:
            cells = []
            for kind in kinds:
                wall = parts[(name, kind)].per_page()[0]
                ours_wall = parts[(fast, kind)].per_page()[0]
                cells += [f"{wall:.4f}", f"{wall / ours_wall:.1f}"]
            prow.append([name, *cells])
        print()
        print("By part of the corpus (s/page, and x " + fast + "): the fixtures are plans; ICDAR 2013 is "
              "government reports, mostly prose")
        print(table(prow, ["tool", *[h for k in kinds for h in (f"{k} s/page", f"{k} x")]]))
    print()
    if tallies["pdfplumber tables"].pages:
        got = tallies["pdfplumber tables"].per_page()[0] / f
        verdict = "met" if got >= 5 else "NOT met"
        print(f"{fast} vs pdfplumber tables: {got:.1f}x faster per page (target 5x): {verdict}")
        for part in kinds if len(kinds) > 1 else []:
            got = parts[("pdfplumber tables", part)].per_page()[0] / parts[(fast, part)].per_page()[0]
            print(f"  on {part} pages: {got:.1f}x")
    if tallies.get("camelot lattice") and tallies["camelot lattice"].pages:
        # camelot's sample is fixture pages: compare with ours on the fixture pages
        ours_fx = parts[(fast, "fixture")].per_page()[0]
        got = tallies["camelot lattice"].per_page()[0] / ours_fx
        print(f"{fast} (fixture pages) vs camelot lattice (sampled fixture pages): {got:.1f}x faster per page "
              f"(target 15x): {'met' if got >= 15 else 'NOT met'}")
    if tallies["pdfplumber tables"].pages and "fixture" in kinds:  # issue 16's reader targets
        for name in (fast, "reader"):
            got = parts[("pdfplumber tables", "fixture")].per_page()[0] / parts[(name, "fixture")].per_page()[0]
            over = tallies[name].per_page()[0] / tallies["floor"].per_page()[0]
            print(f"{name}: {got:.1f}x faster than pdfplumber tables on plan pages (target 12x): "
                  f"{'met' if got >= 12 else 'NOT met'}; {over:.1f}x the floor (target <= 5x): "
                  f"{'met' if over <= 5 else 'NOT met'}")
    docx = tallies["ours DOCX"].per_page()[0]
    for name in (ref_name, fast):
        got = tallies[name].per_page()[0] / docx
        print(f"ours DOCX vs {name}: {got:.1f}x faster per page (target 2x): {'met' if got >= 2 else 'NOT met'}")

    # ---- scores
    score = scorer()
    if score is not None:
        print()
        srows = []
        for engine in sorted({e for e, _ in outputs}):
            res = []
            for stem in sorted({s for e, s in outputs if e == engine}):
                truth = json.loads((FIXTURES / "expected" / f"{stem}.json").read_text(encoding="utf-8"))
                res.append((stem, score.score(truth, [outputs[(engine, stem)]])["score"]))
            srows.append([engine, str(len(res)), f"{statistics.mean(s for _, s in res):.3f}",
                          f"{min(s for _, s in res):.3f}", " ".join(f"{s:.3f}" for _, s in res)])
        print("Fixture scores (shared/tools/score.py, headline score)")
        print(table(srows, ["engine", "files", "mean", "min", "per file (alphabetical)"]))

    # ---- memory
    print()
    mrows = []
    for engine in engines:  # (camelot's memory is camelot's: not measured, it takes minutes)
        gc.collect()
        tracemalloc.start()
        peak = 0
        for path in sorted(FIXTURES.glob("*.pdf")):
            tracemalloc.reset_peak()
            ours(path, engine)
            peak = max(peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        rss = run_child("--child-rss", engine)
        mrows.append([engine, f"{peak / 2**20:.1f}", f"{rss['before_mb']:.0f}", f"{rss['peak_mb']:.0f}",
                      f"{rss['peak_mb'] - rss['before_mb']:.0f}"])
    print("Memory reading the fixture PDFs (MB): Python heap peak per file (tracemalloc); in a fresh process, "
          "RSS once started (NLP pipeline loaded) and its peak while reading them all")
    print(table(mrows, ["engine", "heap peak/file", "RSS started", "RSS peak", "added"]))

    if not args.skip_import:
        print()
        whole_import(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
