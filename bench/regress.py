"""Per-page reading time of this tree against an earlier revision: the regression check of a round.

``bench/speed.py`` compares tools inside one process; it cannot say what a
round of changes cost, since the earlier code is gone from the tree.  This
script checks a given git revision out into a temporary directory (``git
worktree add --detach``, removed afterwards) and times
:func:`batch.importer.extract_file` (``extract.read`` then ``normalise``,
records out) on the fixture PDFs (and DOCXs, ``--docx``) with each tree's code,
each in its own process, the two trees taking turns: ``--pairs`` pairs of
processes, the order swapped from one pair to the next, so a change in the
machine's load falls on both.  Inside a process every file is read once
untimed (imports, the NLP pipeline), then timed in ``--rounds`` rounds, and a
file's figure is its best round; before each timed run the heap is collected
and the normaliser's text caches emptied, untimed (as ``bench/speed.py``
does), so a file read again is timed as a new document.  The same process
also times ``normalise`` alone on the file's extracted ``Document`` (best of
the rounds), so the normaliser's share of a change is seen apart from the
reader's.

Printed: per pair and per tree, milliseconds per page (best-of-rounds time of
every file, summed, over the pages), wall and CPU, and this tree's ratio to
the revision; then the median ratio over the pairs.  The machine is shared:
only ratios from one run mean anything.

Usage (from the repository root)::

    .venv/bin/python -m bench.regress 8f9b727 [--pairs 3] [--rounds 3] [--docx] [--files a.pdf b.pdf]
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
#: Self-contained (the earlier revision may not have this module); prints one JSON line.
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
files = json.loads(sys.argv[1]); rounds = int(sys.argv[2])
def fresh():
    gc.collect(); forget_texts()
docs = {}
for f in files:  # warm up: imports, the NLP pipeline; the Documents for normalise alone
    extract_file(f)
    docs[f] = read(f)
best = {f: {"wall": 1e9, "cpu": 1e9, "norm_wall": 1e9, "norm_cpu": 1e9} for f in files}
for _ in range(rounds):
    for f in files:
        fresh()
        w, c = time.perf_counter(), time.process_time()
        extract_file(f)
        w, c = time.perf_counter() - w, time.process_time() - c
        b = best[f]; b["wall"] = min(b["wall"], w); b["cpu"] = min(b["cpu"], c)
        doc = copy.deepcopy(docs[f]); fresh()
        w, c = time.perf_counter(), time.process_time()
        normalise(doc)
        w, c = time.perf_counter() - w, time.process_time() - c
        b["norm_wall"] = min(b["norm_wall"], w); b["norm_cpu"] = min(b["norm_cpu"], c)
print(json.dumps(best))
"""


def pages_of(path: Path) -> int:
    """Pages of a PDF, or of a DOCX's PDF twin (so DOCX figures are per page too)."""
    import pypdfium2 as pdfium

    pdf = path.with_suffix(".pdf")
    doc = pdfium.PdfDocument(str(pdf))
    try:
        return len(doc)
    finally:
        doc.close()


def time_tree(tree: Path, files: list[Path], rounds: int) -> dict[str, dict[str, float]]:
    """Best-of-``rounds`` seconds per file with ``tree``'s code, in a fresh process."""
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps([str(f) for f in files]), str(rounds)],
                         cwd=tree, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(tree)})
    if out.returncode:
        raise SystemExit(f"Error: timing in {tree} failed:\n{out.stderr.strip()[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def per_page(best: dict[str, dict[str, float]], pages: dict[str, int], key: str, kind: str) -> float:
    """Milliseconds per page over the files of one kind (``.pdf`` or ``.docx``)."""
    chosen = [f for f in best if f.endswith(kind)]
    return 1000 * sum(best[f][key] for f in chosen) / sum(pages[f] for f in chosen)


def checkout(rev: str, where: Path) -> Path:
    tree = where / "rev"
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(tree), rev], cwd=ROOT, check=True)
    return tree


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", help="the git revision to compare with (e.g. 8f9b727, main, HEAD~3)")
    ap.add_argument("--pairs", type=int, default=3, help="pairs of timing processes, one per tree each (default 3)")
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
          f"{args.pairs} pairs x {args.rounds} rounds; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}",
          flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="boardplans-regress-"))
    try:
        old = checkout(args.rev, tmp)
        head = subprocess.run(["git", "rev-parse", "--short", args.rev], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        trees = {"this tree": ROOT, head: old}
        ratios: dict[tuple[str, str], list[float]] = {}
        head_row = "| pair | kind | measure | this tree ms/page | " + head + " ms/page | ratio |"
        print()
        print(head_row)
        print("| --- | --- | --- | --- | --- | --- |")
        for pair in range(args.pairs):
            order = list(trees) if pair % 2 == 0 else list(trees)[::-1]
            best = {name: time_tree(trees[name], files, args.rounds) for name in order}
            for kind in kinds:
                for key, label in (("wall", "extract_file wall"), ("cpu", "extract_file CPU"),
                                   ("norm_wall", "normalise wall"), ("norm_cpu", "normalise CPU")):
                    new, was = (per_page(best[n], pages, key, kind) for n in trees)
                    ratios.setdefault((kind, label), []).append(new / was)
                    print(f"| {pair + 1} | {kind} | {label} | {new:.2f} | {was:.2f} | {new / was:.3f} |", flush=True)
        print()
        for (kind, label), rs in ratios.items():
            print(f"{kind} {label}: this tree / {head} = {statistics.median(rs):.3f} median of {len(rs)} pairs "
                  f"({min(rs):.3f}-{max(rs):.3f})")
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(tmp / "rev")], cwd=ROOT, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
