"""Build the plan-structure fixtures of ``tests/data/structures/`` (the outputs are committed).

Small made-up plans, one per structure a plan may use (``tests/test_structures.py``):

- ``transposed-matrix``: a responsibilities matrix with groups across and priorities down;
- ``empty-corner-matrix``: groups down, unnumbered priorities across, an empty corner;
- ``title-row-priorities``: priorities as full-width title rows inside the action table;
- ``heading-per-table``: a priority heading (and objective paragraphs) before each table;
- ``bulleted-priorities``: declared priorities as a bulleted list with sub-bullets.

Each ``NAME.yaml`` (format: ``fixtures/README.md``) becomes ``NAME.docx`` and, through
LibreOffice, ``NAME.pdf``; the expected records (``NAME.json``) are written by hand.

    .venv/bin/python tests/data/structures/build.py [NAME ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "fixtures"))

from build import build_docx, convert_pdf  # noqa: E402  (fixtures/build.py)


def main(names: list[str]) -> None:
    for src in sorted(HERE.glob("*.yaml")):
        if names and src.stem not in names:
            continue
        out = HERE / f"{src.stem}.docx"
        build_docx(yaml.safe_load(src.read_text(encoding="utf-8")), out)
        convert_pdf(out, HERE)
        print(f"{src.stem}: built", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
