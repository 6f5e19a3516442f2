"""Per-page reading time of this tree against earlier revisions: the regression check of a round.

``bench/speed.py`` compares tools inside one process; it cannot say what a
round of changes cost, since the earlier code is gone from the tree.  This
script checks each given git revision out into a temporary directory (``git
worktree add --detach``, removed afterwards) and times
:func:`batch.importer.extract_file` (``extract.read`` then ``normalise``,
records out) on the fixture PDFs (and DOCXs, ``--docx``) with each tree's code,
each tree in its own process.  The processes are started together and kept
running, and the trees take turns file by file (who goes first rotating), so
a change in the machine's load falls on all; each process first reads every
file once untimed (imports, the NLP pipeline).  A file's figure is its best
of ``--rounds`` rounds; before each timed run the heap is collected and the
normaliser's text caches emptied, untimed (as ``bench/speed.py`` does), so a
file read again is timed as a new document.  The same process also times
``normalise`` alone on the file's extracted ``Document``, so the normaliser's
share of a change is seen apart from the reader's.  ``--pairs`` repeats all
this with fresh processes (a set each).

Printed: per set and per tree, milliseconds per page (best-of-rounds time of
every file, summed, over the pages), wall and CPU, and this tree's ratio to
each revision; then the median ratio over the sets.  The machine is shared:
only ratios from one run mean anything.

Usage (from the repository root)::

    .venv/bin/python -m bench.regress 8f9b727 [main ...] [--pairs 3] [--rounds 3] [--docx] [--files a.pdf b.pdf]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"

#: What a timing process runs, with its tree as the working directory and first on ``sys.path``.
#: Self-contained (the earlier revision may not have this module).  It reads every file once untimed
#: (imports, the NLP pipeline, the Documents for ``normalise`` alone), says "ready", then times one
#: file for each line it is sent and answers with one JSON line.
CHILD = r"""
import copy, gc, json, sys, time
sys.path.insert(0, ".")
from batch.importer import extract_file
from extract import read
from normalise import normalise
try:
    from normalise.text import forget_texts
except ImportError:  # a revision before the text caches
    def forget_texts():
        pass
files = json.loads(sys.argv[1])
docs = {}
for f in files:
    extract_file(f)
    docs[f] = read(f)
print("ready", flush=True)
for line in sys.stdin:
    f = line.strip()
    gc.collect(); forget_texts()
    w, c = time.perf_counter(), time.process_time()
    extract_file(f)
    w, c = time.perf_counter() - w, time.process_time() - c
    doc = copy.deepcopy(docs[f])
    gc.collect(); forget_texts()
    nw, nc = time.perf_counter(), time.process_time()
    normalise(doc)
    nw, nc = time.perf_counter() - nw, time.process_time() - nc
    print(json.dumps({"wall": w, "cpu": c, "norm_wall": nw, "norm_cpu": nc}), flush=True)
"""

KEYS = ("wall", "cpu", "norm_wall", "norm_cpu")


class Timer:
    """A timing process of one tree, kept running while the trees take turns file by file."""

    def __init__(self, tree: Path, files: list[Path]) -> None:
        self.tree = tree
        self.proc = subprocess.Popen([sys.executable, "-c", CHILD, json.dumps([str(f) for f in files])], cwd=tree,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env={**os.environ, "PYTHONPATH": str(tree)})
        self.best: dict[str, dict[str, float]] = {}

    def ready(self) -> None:
        if self._line() != "ready":
            raise SystemExit(f"Error: the timing process in {self.tree} did not start")

    def _line(self) -> str:
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise SystemExit(f"Error: the timing process in {self.tree} stopped (see its error above)")
        return line.strip()

    def time(self, path: Path) -> None:
        """Time one file; keep its best of every measure."""
        self.proc.stdin.write(f"{path}\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]
        got = json.loads(self._line())
        best = self.best.setdefault(str(path), {k: float("inf") for k in KEYS})
        for k in KEYS:
            best[k] = min(best[k], got[k])

    def close(self) -> None:
        self.proc.stdin.close()  # type: ignore[union-attr]
        self.proc.wait()


def pages_of(path: Path) -> int:
    """Pages of a PDF, or of a DOCX's PDF twin (so DOCX figures are per page too)."""
    import pypdfium2 as pdfium

    pdf = path.with_suffix(".pdf")
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return len(doc)
    finally:
        doc.close()


def per_page(best: dict[str, dict[str, float]], pages: dict[str, int], key: str, kind: str) -> float:
    """Milliseconds per page over the files of one kind (``.pdf`` or ``.docx``)."""
    chosen = [f for f in best if f.endswith(kind)]
    return 1000 * sum(best[f][key] for f in chosen) / sum(pages[f] for f in chosen)


def checkout(rev: str, tree: Path) -> None:
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(tree), rev], cwd=ROOT, check=True)


MEASURES = (("wall", "extract_file wall"), ("cpu", "extract_file CPU"), ("norm_wall", "normalise wall"),
            ("norm_cpu", "normalise CPU"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("revs", nargs="+", metavar="rev",
                    help="git revisions to compare with (e.g. 8f9b727 main HEAD~3); all are timed in one run")
    ap.add_argument("--pairs", type=int, default=3, help="sets of timing processes, one per tree each (default 3)")
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds per process; a file's best counts (default 3)")
    ap.add_argument("--docx", action="store_true", help="time the fixture DOCXs too (per page of their PDF twin)")
    ap.add_argument("--files", nargs="*", type=Path, help="files to time instead of the fixtures")
    args = ap.parse_args(argv)

    files = [f.resolve() for f in args.files] if args.files else sorted(FIXTURES.glob("*.pdf"))
    if args.docx and not args.files:
        files += sorted(FIXTURES.glob("*.docx"))
    pages = {str(f): pages_of(f) for f in files}
    kinds = sorted({Path(f).suffix for f in pages})
    counts = ", ".join(f"{sum(p for f, p in pages.items() if f.endswith(k))} {k} pages" for k in kinds)
    print(f"{len(files)} files ({counts}); "
          f"{args.pairs} sets x {args.rounds} rounds; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}",
          flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="boardplans-regress-"))
    checked: list[Path] = []
    try:
        trees = {"this tree": ROOT}
        for n, rev in enumerate(args.revs):
            short = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True,
                                   check=True).stdout.strip()
            checkout(rev, tmp / f"rev{n}")
            checked.append(tmp / f"rev{n}")
            trees[short] = tmp / f"rev{n}"
        others = list(trees)[1:]
        ratios: dict[tuple[str, str, str], list[float]] = {}
        print()
        print("| set | kind | measure | " + " | ".join(f"{t} ms/page" for t in trees) + " | "
              + " | ".join(f"/ {o}" for o in others) + " |")
        print("|" + " --- |" * (3 + len(trees) + len(others)))
        for pair in range(args.pairs):
            timers = {name: Timer(tree, files) for name, tree in trees.items()}
            try:
                for t in timers.values():
                    t.ready()
                turn = 0
                for _ in range(args.rounds):
                    for f in files:  # the trees take turns file by file, who goes first rotating
                        names = list(timers)
                        order = names[turn % len(names):] + names[:turn % len(names)]
                        turn += 1
                        for name in order:
                            timers[name].time(f)
            finally:
                for t in timers.values():
                    t.close()
            best = {name: t.best for name, t in timers.items()}
            for kind in kinds:
                for key, label in MEASURES:
                    ms = {n: per_page(best[n], pages, key, kind) for n in trees}
                    new = ms["this tree"]
                    for o in others:
                        ratios.setdefault((kind, label, o), []).append(new / ms[o])
                    print(f"| {pair + 1} | {kind} | {label} | " + " | ".join(f"{v:.2f}" for v in ms.values())
                          + " | " + " | ".join(f"{new / ms[o]:.3f}" for o in others) + " |", flush=True)
        print()
        for (kind, label, o), rs in ratios.items():
            print(f"{kind} {label}: this tree / {o} = {statistics.median(rs):.3f} median of {len(rs)} sets "
                  f"({min(rs):.3f}-{max(rs):.3f})")
    finally:
        for tree in checked:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
