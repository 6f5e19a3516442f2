"""Layout benchmark: does the normaliser read plans laid out the way other boards lay them out?

Generates table layouts from the fixtures' hand-read records (``bench/layout_gen.py``:
header wording from ``bench/wordings.toml``, column orders, columns left out,
unrelated extra columns, priority/objective as a column, a heading before each
table or a full-width row inside it, two-level headers, neutral "Column N"
labels, borderless tables, groups × priorities matrices), writes each as DOCX
(``fixtures/build.py``) and PDF (LibreOffice, many files per ``soffice`` call),
runs the pipeline (:func:`batch.importer.extract_file`) on each document and
scores it with ``shared/tools/score.py`` against the records it was built from.

Fair scoring.  A layout's expected records are the source records with every
field the layout does not show set to null (a layout without a lead column
expects ``lead: null``; a matrix expects lead = its group, priority = its header;
a Start/End two-level header expects ``Start: X; End: Y`` as GOLD_RULES.md says).
The layout's score is score.py's headline restricted to what the layout shows:
the mean of action F1 and the field F1s (action, lead, timescale, progress, ref)
of the fields the layout has a column for.  A field the layout does not show is
not scored; where the pipeline fills such a field anyway (a Budget column read as
the lead) it is counted as *invented* and named in the reasons.  score.py's own
headline on the adjusted records (absent fields compared null to null) is printed
beside it.

The wording bank is split in two: ``held_out`` wordings may never be in
``data/columns.toml`` (checked on every run, compared as
``normalise.columns.header_key`` normalises headers; the run stops if one is).
Worded layouts come in pairs of the same structure, one under ``seen`` and one
under ``held_out`` wording, so the halves are compared on equal layouts.

Generated documents are cached under ``bench/.cache/layouts/`` (by content), so
only the first run converts PDFs.  Usage (from the repository root)::

    .venv/bin/python -m bench.layouts [--n 200] [--seed 1] [--formats docx,pdf] [--quick]
        [--json results.json] [--strict] [--worst 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.layout_gen import RAG_FILLS, Layout, generate, wordings  # noqa: E402

SCORER = ROOT.parent / "shared" / "tools" / "score.py"
CACHE = Path(__file__).resolve().parent / ".cache" / "layouts"
HEADLINE = ("action", "lead", "timescale", "progress", "ref")
TARGETS = {"mean": 0.95, "min": 0.80, "blind": 0.90, "held_out_gap": 0.02}
PDF_BATCH = 40


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def scorer() -> ModuleType:
    """``shared/tools/score.py`` as a module (the project's scorer)."""
    if not SCORER.exists():
        raise SystemExit(f"Error: {SCORER}: the scorer is missing (the shared folder must sit beside the repo)")
    return _load("score", SCORER)


@cache
def _builders() -> tuple[ModuleType, ModuleType]:
    """``fixtures/build.py`` (DOCX writer, PDF conversion) and the borderless helpers of the tests."""
    return (_load("fixture_build", ROOT / "fixtures" / "build.py"),
            _load("build_borderless", ROOT / "tests" / "data" / "build_borderless.py"))


# ---------------------------------------------------------------- held-out wordings


def text_leaves(value: Any) -> list[str]:
    """Every string inside a parsed TOML/JSON value (dicts and lists walked through)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in text_leaves(v)]
    if isinstance(value, list):
        return [s for v in value for s in text_leaves(v)]
    return []


def held_out_check(columns_toml: Path = ROOT / "data" / "columns.toml") -> tuple[list[str], list[str]]:
    """Held-out wordings found in the column lexicon, and those holding one of its key words.

    The first list must be empty (any string anywhere in ``columns.toml`` counts, both sides
    normalised by ``header_key``); the second is for information: a held-out wording that
    contains a lexicon key word ('words') is matched by that word, which is fair but easier.
    """
    from normalise.columns import header_key
    from normalise.text import norm_key

    with open(columns_toml, "rb") as fh:
        lex = tomllib.load(fh)
    keys = {header_key(s) for s in text_leaves(lex)} | {norm_key(s) for s in text_leaves(lex)}
    keys.discard("")
    words = [norm_key(w) for spec in lex.get("fields", {}).values() for w in spec.get("words", [])]
    found, worded = [], []
    for fld, items in wordings()["held_out"].items():
        for w in items:
            key = header_key(w)
            if key in keys or norm_key(w) in keys:
                found.append(f"{fld}: {w!r}")
            hit = [x for x in words if x and re.search(rf"\b{re.escape(x)}\b", key)]
            if hit:
                worded.append(f"{fld}: {w!r} (contains {hit[0]!r})")
    return found, worded


def pattern_coverage(roles_toml: Path = ROOT / "data" / "roles.toml") -> dict[str, tuple[int, int]] | None:
    """How many wordings of each half a general header-pattern file matches (when one exists).

    Patterns ('who ... responsible', 'when ... by') are fair game, unlike held-out wordings in the
    lexicon; but patterns that catch the held-out half far more often than the seen half would
    suggest they were written from it.  Printed for information: (matched, total) per half.
    """
    if not roles_toml.exists():
        return None
    from normalise.columns import header_key

    with open(roles_toml, "rb") as fh:
        pats = (tomllib.load(fh).get("header") or {}).get("fields") or {}
    compiled = {f: [re.compile(p) for p in ps] for f, ps in pats.items() if isinstance(ps, list)}
    out = {}
    for half in ("seen", "held_out"):
        items = [(f, w) for f, ws in wordings()[half].items() for w in ws]
        hits = sum(any(p.search(header_key(w)) for p in compiled.get(f, [])) for f, w in items)
        out[half] = (hits, len(items))
    return out


# ---------------------------------------------------------------- documents


def write_docx(layout: Layout, path: Path) -> None:
    """Render a layout to DOCX with the fixtures' writer; borderless: no borders (and a rule under the
    header rows when ``borders == 'rule'``), as ``tests/data/build_borderless.py`` draws them."""
    build, borderless = _builders()
    build.build_docx(layout.spec(), path)
    if layout.borderless:
        from docx import Document

        doc = Document(str(path))
        for table in doc.tables:
            borderless._no_borders(table._tbl, keep_fills=RAG_FILLS.values())
            if layout.borders == "rule" and layout.header_rows:
                borderless._rule_under(table._tbl, layout.header_rows - 1)
        doc.save(str(path))
        build._normalise_zip(path)


def convert_pdfs(docs: list[Path], outdir: Path, log=print) -> None:
    """Convert DOCX files to PDF with LibreOffice, many per soffice call (a start costs seconds)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise SystemExit("Error: soffice: LibreOffice is needed for PDF layouts (apt-get install libreoffice-writer)")
    for i in range(0, len(docs), PDF_BATCH):
        chunk = docs[i:i + PDF_BATCH]
        profile = Path(tempfile.mkdtemp(prefix="lo-layouts-"))
        start = time.monotonic()
        try:
            cmd = ["nice", "-n", "10", soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                   "--convert-to", "pdf", "--outdir", str(outdir), *map(str, chunk)]
            subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=60 + 30 * len(chunk))
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        log(f"  converted {min(i + PDF_BATCH, len(docs))}/{len(docs)} to PDF ({time.monotonic() - start:.0f}s)")


def documents(layouts: list[Layout], formats: list[str], log=print, cache_dir: Path | None = None
              ) -> dict[tuple[str, str], Path]:
    """Each layout's document in each format, written or converted only when not cached."""
    cache_dir = cache_dir or CACHE
    cache_dir.mkdir(parents=True, exist_ok=True)
    out: dict[tuple[str, str], Path] = {}
    todo_pdf = []
    written = 0
    for lay in layouts:
        stem = f"{lay.id}-{lay.key()}"
        docx = cache_dir / f"{stem}.docx"
        if not docx.exists():
            write_docx(lay, docx)
            written += 1
        if "docx" in formats:
            out[(lay.id, "docx")] = docx
        if "pdf" in formats:
            pdf = cache_dir / f"{stem}.pdf"
            out[(lay.id, "pdf")] = pdf
            if not pdf.exists():
                todo_pdf.append(docx)
    if written:
        log(f"  wrote {written} DOCX layouts to {os.path.relpath(cache_dir, ROOT)}/")
    if todo_pdf:
        log(f"  converting {len(todo_pdf)} DOCX to PDF with LibreOffice ...")
        convert_pdfs(todo_pdf, cache_dir, log)
    return out


# ---------------------------------------------------------------- scoring


def score_layout(layout: Layout, got: dict[str, Any]) -> dict[str, Any]:
    """Score one extracted document against its layout's expected records (see the module doc)."""
    sc = scorer()
    gold = layout.gold()
    res = sc.score(gold, [got])
    present = [f for f in HEADLINE if f in layout.shown and any(e.get(f) for e in layout.expected)]
    parts = [res["action_f1"]] + [res[f"field:{f}"] for f in present]
    got_actions = [a for a in got.get("actions", [])]
    pairs = sc.match(gold["actions"], got_actions)
    invented = Counter(f for _, ei, _ in pairs for f in HEADLINE
                       if f not in present and (got_actions[ei].get(f) or "").strip())
    out = {
        "score": sum(parts) / len(parts),
        "scorepy": res["score"],
        "recall": res["recall"], "precision": res["precision"], "action_f1": res["action_f1"],
        "gold_actions": res["gold_actions"], "extracted_actions": res["extracted_actions"],
        "fields": {f: res[f"field:{f}"] for f in present},
        "invented": dict(invented),
        "error": got.get("error"),
        "warnings": len(got.get("warnings") or []),
    }
    for f in ("priority", "objective"):
        if f in layout.shown and any(e.get(f) for e in layout.expected):
            out.setdefault("structure", {})[f] = res[f"field:{f}"]
    if "status" in layout.shown:
        out["status"] = res["status"]
    if layout.priorities:
        out["priorities_recall"] = res.get("priorities_recall", 0.0)
    return out


def reason(layout: Layout, r: dict[str, Any]) -> str:
    """Why a layout lost points: the failed fields (with the header they were written under)."""
    if r["error"]:
        return f"error: {r['error']}"
    bits = []
    if r["recall"] < 0.99 or r["precision"] < 0.99:
        bits.append(f"actions {r['extracted_actions']} read for {r['gold_actions']} "
                    f"(recall {r['recall']:.2f}, precision {r['precision']:.2f})")
    if r["recall"] == 0:
        return bits[0] + ": no action text matched, so every field scores 0"
    for f, v in r["fields"].items():
        if v < 0.9 and f != "action" or (f == "action" and v < 0.9 and r["recall"] >= 0.99):
            head = layout.headers.get(f)
            bits.append(f"{f} {v:.2f}" + (f" (header {head!r})" if head is not None else ""))
    for f, n in r["invented"].items():
        bits.append(f"{f} invented on {n} actions (layout has no {f} column)")
    return "; ".join(bits) or "minor text differences"


def mapping_note(path: Path) -> str:
    """How the pipeline read the document's first table (``explain``): its kind and each header's field."""
    try:
        from pipeline import explain_file

        tables = explain_file(path)
    except Exception as exc:  # a note for the report only; the score stands without it
        return f"explain failed ({exc.__class__.__name__})"
    if not tables:
        return "read as: no table"
    kinds = Counter(t["kind"] for t in tables)
    first = tables[0]
    cols = ", ".join(f"{(c['header'] or '-')[:28]!r}->{c['field']}" for c in first["columns"])
    return f"read as: {', '.join(f'{k} x{n}' for k, n in kinds.items())}; first table: {cols}"


def run_pipeline(path: Path) -> dict[str, Any]:
    from batch.importer import extract_file

    return extract_file(path).to_dict()


# ---------------------------------------------------------------- report


def _mean(xs: list[float]) -> float:
    return statistics.fmean(xs) if xs else float("nan")


def axis_table(results: list[dict[str, Any]]) -> list[tuple[str, str, int, float, float, dict[str, float]]]:
    """(axis, value, n, mean, min, mean per format) for every axis value seen."""
    by: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    for r in results:
        for tag in r["tags"] + [f"format:{r['format']}"]:
            axis, _, value = tag.partition(":")
            by[(axis, value)].append((r["format"], r["score"]))
    out = []
    for (a, v), pairs in sorted(by.items()):
        s = [x for _, x in pairs]
        fmts = {f: _mean([x for g, x in pairs if g == f]) for f in sorted({g for g, _ in pairs})}
        out.append((a, v, len(s), _mean(s), min(s), fmts))
    return out


def held_out_pairs(results: list[dict[str, Any]]) -> tuple[list[float], list[float]]:
    """Scores of the seen and held-out layouts of complete pairs (same structure, same format)."""
    by_id = {(r["id"], r["format"]): r for r in results}
    seen, held = [], []
    for (lid, fmt), r in by_id.items():
        if "-held_out-" in lid:
            num = int(lid[1:4]) - 1
            twin = next((x for (i, f), x in by_id.items() if f == fmt and i.startswith(f"L{num:03d}-seen-")), None)
            if twin:
                seen.append(twin["score"])
                held.append(r["score"])
    return seen, held


def report(results: list[dict[str, Any]], layouts: dict[str, Layout], worst: int, check: tuple) -> dict[str, Any]:
    """Print the figures; return the summary (also what --strict judges)."""
    scores = [r["score"] for r in results]
    blind = [r["score"] for r in results if "header:blind" in r["tags"]]
    seen, held = held_out_pairs(results)
    summary = {
        "layouts": len(layouts), "documents": len(results), "mean": _mean(scores), "min": min(scores),
        "scorepy_mean": _mean([r["scorepy"] for r in results]),
        "blind_mean": _mean(blind), "seen_mean": _mean(seen), "held_out_mean": _mean(held),
        "below_0.80": sum(s < 0.80 for s in scores),
    }
    summary["held_out_gap"] = summary["seen_mean"] - summary["held_out_mean"]
    fmts = sorted({r["format"] for r in results})
    print(f"\nLayout benchmark: {len(layouts)} layouts x {', '.join(fmts)} = {len(results)} documents\n")
    print("| figure | value | target |")
    print("| --- | --- | --- |")
    print(f"| mean score (fields shown) | {summary['mean']:.3f} | >= {TARGETS['mean']} |")
    print(f"| minimum | {summary['min']:.3f} | >= {TARGETS['min']} |")
    print(f"| documents below 0.80 | {summary['below_0.80']} | 0 |")
    print(f"| header-blind mean ({len(blind)} docs) | {summary['blind_mean']:.3f} | >= {TARGETS['blind']} |")
    print(f"| seen-wording mean ({len(seen)} paired docs) | {summary['seen_mean']:.3f} | |")
    print(f"| held-out-wording mean ({len(held)} paired docs) | {summary['held_out_mean']:.3f} | "
          f"within {TARGETS['held_out_gap']} of seen (gap {summary['held_out_gap']:+.3f}) |")
    print(f"| score.py headline on adjusted records | {summary['scorepy_mean']:.3f} | (absent fields null = null) |")
    for fmt in fmts:
        s = [r["score"] for r in results if r["format"] == fmt]
        print(f"| {fmt} mean / min | {_mean(s):.3f} / {min(s):.3f} | |")
    struct = defaultdict(list)
    for r in results:
        for f, v in (r.get("structure") or {}).items():
            struct[f].append(v)
    for f, v in sorted(struct.items()):
        print(f"| {f} field F1 where shown ({len(v)} docs, not in score) | {_mean(v):.3f} | |")
    for style in ("words", "colour"):
        stat = [r["status"] for r in results if "status" in r and f"status_column:{style}" in r["tags"]]
        if stat:
            print(f"| status agreement, status column in {style} ({len(stat)} docs, not in score) | "
                  f"{_mean(stat):.3f} | |")
    prio = [r["priorities_recall"] for r in results if "priorities_recall" in r]
    if prio:
        print(f"| declared priorities recall, list before the tables ({len(prio)} docs, not in score) | "
              f"{_mean(prio):.3f} | |")

    print(f"\nWorst {worst} layouts (each layout once, at its worse format; how explain read it):\n")
    print("| layout | format | score | reason |")
    print("| --- | --- | --- | --- |")
    shown: set[str] = set()
    for r in sorted(results, key=lambda r: (r["score"], r["id"], r["format"])):
        if r["id"] in shown:
            continue
        shown.add(r["id"])
        other = [x for x in results if x["id"] == r["id"] and x["format"] != r["format"]]
        also = "".join(f" ({x['format']} {x['score']:.3f})" for x in other)
        note = mapping_note(ROOT / r["file"]) if (ROOT / r["file"]).exists() else ""
        print(f"| {r['id']} | {r['format']} | {r['score']:.3f}{also} | {r['reason']}"
              + (f" — {note}" if note else "") + " |")
        if len(shown) >= worst:
            break

    print("\nPer axis (mean, min over the documents with that axis value; mean per format):\n")
    print("| axis | value | docs | mean | min | " + " | ".join(fmts) + " |")
    print("| --- | --- | --- | --- | --- |" + " --- |" * len(fmts))
    for axis, value, n, m, lo, per in axis_table(results):
        if axis in ("plan", "header", "group", "two_level", "order", "borders", "missing", "extra",
                    "case", "matrix", "matrix_corner", "matrix_numbered", "matrix_focus_row", "matrix_spanning_row",
                    "structure", "status_column", "priorities_list"):
            cells = " | ".join(f"{per[f]:.3f}" if f in per else "" for f in fmts)
            print(f"| {axis} | {value} | {n} | {m:.3f} | {lo:.3f} | {cells} |")

    found, worded = check
    print(f"\nHeld-out wordings in data/columns.toml: {len(found)} (must be 0)"
          + (": " + ", ".join(found) if found else ""))
    if worded:
        print(f"Held-out wordings holding a lexicon key word ({len(worded)}, fair but easier): "
              + ", ".join(worded))
    cover = pattern_coverage()
    if cover:
        print("Header patterns of data/roles.toml match its own field's wording: "
              + ", ".join(f"{half} {a}/{b}" for half, (a, b) in cover.items()))
    met = {
        "mean": summary["mean"] >= TARGETS["mean"],
        "min": summary["min"] >= TARGETS["min"],
        "blind": summary["blind_mean"] >= TARGETS["blind"],
        "held_out_gap": abs(summary["held_out_gap"]) <= TARGETS["held_out_gap"],
    }
    summary["targets_met"] = met
    print("\nTargets: " + ", ".join(f"{k} {'met' if v else 'NOT met'}" for k, v in met.items()))
    return summary


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=None, help="number of layouts (default 200; 40 with --quick)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--formats", default=None, help="docx,pdf (default both; docx with --quick)")
    ap.add_argument("--quick", action="store_true", help="a quick look: 40 layouts, DOCX only")
    ap.add_argument("--worst", type=int, default=5, help="how many worst layouts to list")
    ap.add_argument("--only", default=None,
                    help="only layouts whose id contains this text (or any of a comma-separated list)")
    ap.add_argument("--json", default=None, metavar="PATH", help="write every document's result here")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is not met")
    ap.add_argument("--cache", default=None, metavar="DIR", help=f"where documents are kept (default {CACHE})")
    args = ap.parse_args(argv)
    n = args.n or (40 if args.quick else 200)
    formats = [f.strip() for f in (args.formats or ("docx" if args.quick else "docx,pdf")).split(",") if f.strip()]
    if not set(formats) <= {"docx", "pdf"}:
        ap.error("--formats takes docx and/or pdf")
    os.environ.setdefault("BOARDPLANS_OCR", "0")

    check = held_out_check()
    if check[0]:
        print("Error: data/columns.toml: holds held-out wordings of bench/wordings.toml: " + ", ".join(check[0]),
              file=sys.stderr)
        return 2

    layouts = generate(n, args.seed)
    if args.only:
        wanted = [o.strip() for o in args.only.split(",") if o.strip()]
        layouts = [lay for lay in layouts if any(o in lay.id for o in wanted)]
    by_id = {lay.id: lay for lay in layouts}
    log = lambda msg: print(msg, file=sys.stderr)  # noqa: E731
    log(f"{len(layouts)} layouts (seed {args.seed}), formats {','.join(formats)}")
    docs = documents(layouts, formats, log, Path(args.cache) if args.cache else None)
    results = []
    start = time.monotonic()
    for (lid, fmt), path in docs.items():
        lay = by_id[lid]
        if not path.exists():
            got = {"actions": [], "error": "document not written (PDF conversion failed)"}
        else:
            got = run_pipeline(path)
        r = score_layout(lay, got)
        r.update(id=lid, format=fmt, tags=lay.tags, file=os.path.relpath(path, ROOT))
        r["reason"] = reason(lay, r)
        results.append(r)
    log(f"  read and scored {len(results)} documents in {time.monotonic() - start:.0f}s")
    if not results:
        print("no layouts")
        return 1
    summary = report(results, by_id, args.worst, check)
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "results": results}, indent=1),
                                   encoding="utf-8")
    return 1 if args.strict and not all(summary["targets_met"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
