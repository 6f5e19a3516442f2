"""Does a speed change leave the output alone?  ``extract_file`` JSON of this tree against a revision's.

A speed-up must not change what is read.  This script checks the given git
revision out into a temporary directory (``git worktree add --detach``,
removed afterwards), runs :func:`batch.importer.extract_file` with each
tree's code (each in its own process) on the same files -- ``fixtures/*.pdf``
and ``*.docx`` and every PDF and DOCX under ``tests/data`` -- and compares the
records' JSON byte for byte.  It prints one line per file that differs and
exits 1 if any does.

Usage (from the repository root)::

    .venv/bin/python -m bench.same_output main
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: What each tree runs (its root as the working directory and first on ``sys.path``): one JSON line
#: of ``{file: records JSON}`` for the files given.
CHILD = r"""
import json, sys
sys.path.insert(0, ".")
from batch.importer import extract_file
print(json.dumps({f: json.dumps(extract_file(f).to_dict(), sort_keys=True, default=str)
                  for f in json.loads(sys.argv[1])}))
"""


def files() -> list[str]:
    """The fixtures and test data the check reads (absolute paths: both trees read the same files)."""
    found = [*ROOT.glob("fixtures/*.pdf"), *ROOT.glob("fixtures/*.docx"),
             *ROOT.glob("tests/data/**/*.pdf"), *ROOT.glob("tests/data/**/*.docx")]
    return sorted(str(p) for p in found)


def outputs(tree: Path, names: list[str]) -> dict[str, str]:
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(names)], cwd=tree, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rev", help="git revision to compare with (e.g. main)")
    args = ap.parse_args(argv)
    names = files()
    with tempfile.TemporaryDirectory(prefix="same-output-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(tree), args.rev], cwd=ROOT, check=True)
        try:
            theirs = outputs(tree, names)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
    ours = outputs(ROOT, names)
    differ = [f for f in names if ours.get(f) != theirs.get(f)]
    for f in differ:
        print(f"differs: {Path(f).relative_to(ROOT)}")
    print(f"{len(names) - len(differ)} of {len(names)} files give byte-identical records to {args.rev}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
