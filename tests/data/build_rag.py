"""Build the RAG-as-colour plan of ``tests/data/rag/`` (the outputs are committed).

``westmoor-2015-16.yaml`` is rendered with the fixture machinery (``fixtures/build.py``:
python-docx, then LibreOffice headless for the PDF).  Its status is shown only as cell colour
(literal fills and theme colours with a tint or shade), in a column with no header, and as
numbered codes, with the plan's keys as paragraphs.  The expected records,
``westmoor-2015-16.json``, are written by hand; ``tests/test_rag.py`` checks them.

Run from the repository root (needs LibreOffice)::

    .venv/bin/python tests/data/build_rag.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent / "rag"
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "fixtures"))

from build import build_docx, convert_pdf  # noqa: E402  (fixtures/build.py)

NAMES = ["westmoor-2015-16"]


def main() -> int:
    for name in NAMES:
        spec = yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8"))
        out = HERE / f"{name}.docx"
        build_docx(spec, out)
        convert_pdf(out, HERE)
        print(f"{name}: built", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
