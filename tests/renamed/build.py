"""Build the renamed-header fixtures: Surrey and Staffordshire with every header replaced by a synonym.

The column lexicon must map headers a board might use beyond our seeds; these
documents are the fixtures' own content under other boards' wording, so their
expected records are the originals' (``fixtures/expected/``).  Needs LibreOffice.

    python tests/renamed/build.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "fixtures"))

import build as fixture_build  # noqa: E402  (fixtures/build.py)

RENAMES = {
    "surrey-2012-15": {
        "Action": "What we will do",
        "Lead Group / Officer": "Owner",
        "Progress to 31 May 2014": "Position at Q3",
    },
    "staffordshire-2011-12": {
        "Priority Outcome": "Strategic priority",
        "Core Aim": "Objective",
        "Action Required": "Key actions",
        "Responsible Officer": "Accountable",
        "Timescale": "By when",
        "Outcome Measure": "How will we know",
        "Review (November 2011)": "Evidence of progress",
    },
}


def _rename_headers(spec: dict, renames: dict[str, str]) -> dict:
    for block in spec["blocks"]:
        table = block.get("table") if isinstance(block, dict) else None
        if not table:
            continue
        for row in table["rows"][: table.get("header_rows", 0)]:
            for i, cell in enumerate(row):
                text = cell.get("text") if isinstance(cell, dict) else cell
                if isinstance(text, str) and text in renames:
                    if isinstance(cell, dict):
                        cell["text"] = renames[text]
                    else:
                        row[i] = renames[text]
    return spec


def main() -> int:
    for name, renames in RENAMES.items():
        spec = yaml.safe_load((ROOT / "fixtures" / "src" / f"{name}.yaml").read_text(encoding="utf-8"))
        out = HERE / f"{name}-renamed.docx"
        fixture_build.build_docx(_rename_headers(spec, renames), out)
        fixture_build.convert_pdf(out, HERE)
        print(f"built {out.name} and its PDF")
    return 0


if __name__ == "__main__":
    sys.exit(main())
