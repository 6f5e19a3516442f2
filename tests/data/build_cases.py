"""Build the hard-case documents of ``tests/data/`` (the outputs are committed).

Each case is a small plan that stresses one thing the pipeline must survive;
its expected records are written by hand in ``tests/data/<name>.json`` (never
produced by running the pipeline), and ``tests/test_cases.py`` checks them.

- ``long-split-table``: one table over four pages, every page break cutting a
  row (long progress cells), the header row repeated on each page;
- ``no-repeat-header``: a table whose header row is not marked to repeat, so
  the next page's part starts straight with the rest of a split row;
- ``scanned``: a PDF whose page is only a picture (no text layer);
- ``encrypted``: a PDF that needs a password to open;
- ``shropshire-2016-18.doc``: the Shropshire fixture saved as Word 97 .doc.

Run from the repository root (needs LibreOffice, poppler-utils' ``pdftoppm``,
Pillow and pypdf)::

    .venv/bin/python tests/data/build_cases.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "fixtures"))

from build import build_docx, convert_pdf  # noqa: E402  (fixtures/build.py)

HEADER = ["Ref", "Action", "Lead", "Timescale", "Progress"]
WIDTHS = [1.2, 4, 2.6, 2.4, 5.8]

# Long progress texts: each row is taller than a page, so every page break cuts a row.
AUDIT = [
    "The multi-agency audit group met in April and agreed a programme of six themed audits for the year, "
    "covering neglect, domestic abuse, children missing from home, self-harm, private fostering and the "
    "quality of strategy discussions held by the front door team.",
    "The neglect audit looked at twenty case files drawn from early help, children in need and child "
    "protection plans. Practitioners recognised neglect early in most cases, but the use of the graded care "
    "profile was inconsistent and chronologies were rarely kept up to date by partner agencies.",
    "The domestic abuse audit found that information from police notifications reached schools within one "
    "working day in almost every case, and that the voice of the child was recorded well; safety planning "
    "with the non-abusing parent was weaker and is the subject of a practice briefing.",
    "Findings from both audits were reported to the Board in September with an action plan, and the "
    "quality assurance sub-group will check the actions at each of its meetings until they are complete.",
    "The remaining audits are planned for the winter; the missing children audit will draw on return home "
    "interviews and the work of the exploitation panel, and the private fostering audit on the annual "
    "notifications report.",
]
TRAINING = [
    "The training needs analysis was completed in May with returns from health, police, education, the "
    "local authority and the voluntary sector. It showed a need for more courses on working with resistant "
    "families, on recognising exploitation and on the new thresholds document.",
    "A programme of twelve multi-agency courses ran from June to March, with four hundred and sixty "
    "practitioners attending. Evaluation forms were returned by most attendees and showed that confidence "
    "in making referrals rose after the threshold course.",
    "Three courses had to be cancelled because trainers from partner agencies were not released by their "
    "managers; the Board has written to the agencies concerned and the pool of trainers is being enlarged.",
    "An e-learning module on early help assessment was launched in January and has been completed by two "
    "hundred staff, most of them in schools and early years settings.",
    "Impact evaluation three months after courses is being piloted with the thresholds course, by asking "
    "managers whether referrals from their staff have improved in quality.",
]
VOICE = [
    "The young people's advisory group was set up in October with fourteen members aged twelve to "
    "eighteen, including care leavers and young carers. It meets monthly at the youth centre and has "
    "agreed its own terms of reference.",
    "The group reviewed the Board's leaflets for children and rewrote two of them; the new leaflets were "
    "printed in February and sent to every secondary school and youth club in the county.",
    "Members of the group presented their survey of online safety to the Board in March. The survey had "
    "nine hundred responses and showed that most young people would tell a friend rather than an adult "
    "if something worried them online.",
    "The Board has agreed to hear from the advisory group at every second meeting, and each sub-group "
    "chair will say how the group's views changed their work plan.",
    "Work with parents and carers has not yet started and will be planned with the parent forum in the "
    "new year.",
]


def long_split_table() -> dict:
    rows = [
        HEADER,
        ["1.1", "Run a programme of multi-agency case audits on the Board's priorities",
         "Quality Assurance Sub-group", "April 2015 – March 2016", "\n".join(AUDIT)],
        ["1.2", "Deliver a multi-agency training programme based on a training needs analysis",
         "Training Sub-group", "June 2015 – March 2016", "\n".join(TRAINING)],
        ["1.3", "Hear the views of children and young people in the Board's work",
         "Board Manager", "By March 2016", "\n".join(VOICE)],
    ]
    return {
        "title": "Testshire Safeguarding Children Board Business Plan 2015-16",
        "page_footer": "Testshire LSCB",
        "blocks": [
            {"heading": "Priority 1: Effective safeguarding practice"},
            {"table": {"widths": WIDTHS, "header_rows": 1, "font_size": 14, "rows": rows}},
        ],
    }


def no_repeat_header() -> dict:
    rows = [
        HEADER,
        ["2.1", "Audit the quality of strategy discussions held by the front door team",
         "Quality Assurance Sub-group", "Sept 2015", "\n".join(AUDIT[:3])],
        ["2.2", "Launch the new thresholds document with every partner agency",
         "Training Sub-group", "July 2015", "\n".join(TRAINING[:2])],
    ]
    return {
        "title": "Testshire Safeguarding Children Board Business Plan 2015-16",
        "blocks": [
            {"heading": "Priority 2: Early help"},
            {"para": "The table below continues on the next page without a repeated header."},
            {"table": {"widths": WIDTHS, "header_rows": 0, "font_size": 14, "rows": rows}},
        ],
    }


def docx_and_pdf(name: str, spec: dict) -> None:
    build_docx(spec, HERE / f"{name}.docx")
    convert_pdf(HERE / f"{name}.docx", HERE)


def scanned() -> None:
    """Page 1 of a fixture as a picture: what a scanner gives."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png",
                        str(ROOT / "fixtures" / "shropshire-2016-18.pdf"), f"{tmp}/page"], check=True)
        png = next(Path(tmp).glob("page*.png"))
        Image.open(png).convert("L").save(HERE / "scanned.pdf", "PDF", resolution=60.0)


def encrypted() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(str(HERE / "no-repeat-header.pdf")).pages:
        writer.add_page(page)
    writer.encrypt(user_password="board-secret", owner_password="owner-secret")
    with open(HERE / "encrypted.pdf", "wb") as fh:
        writer.write(fh)


def legacy_doc() -> None:
    """The Shropshire fixture as a Word 97 .doc (LibreOffice's 'MS Word 97' filter)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("soffice not found: apt-get install -y libreoffice-writer")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--convert-to", "doc", "--outdir", str(HERE),
                        str(ROOT / "fixtures" / "shropshire-2016-18.docx")],
                       check=True, capture_output=True, timeout=300)


def main() -> int:
    docx_and_pdf("long-split-table", long_split_table())
    docx_and_pdf("no-repeat-header", no_repeat_header())
    scanned()
    encrypted()
    legacy_doc()
    return 0


if __name__ == "__main__":
    sys.exit(main())
