"""Two made-up reviews of one plan, as DOCX files built by the fixtures' own builder (fixtures/build.py).

'Review May 2013' and 'Review May 2014' of a small Surrey plan: the 2014 review moves progress
on, renumbers and rewords 1.3 as 2.1, drops 1.4 and adds 2.2.  Used by tests/test_versions.py
and tests/test_web_versions.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import FIXTURES

sys.path.insert(0, str(FIXTURES))
import build  # noqa: E402  (fixtures/build.py)

# Each review: (ref, action, lead, progress) rows; the 2014 review renumbers and rewords 1.3 as 2.1,
# drops 1.4 and adds 2.2.
REVIEWS = {
    "May 2013": [
        ("1.1", "Develop a multi-agency audit programme informed by case reviews.", "QA Officer",
         "Audit programme drafted and to be agreed by the Board in July 2013."),
        ("1.2", "Publish a multi-agency performance report card every four months.", "Performance Group",
         "No progress to date."),
        ("1.3", "Run domestic abuse awareness training for school staff.", "Training Group",
         "Training is being planned with the domestic abuse strategy group."),
        ("1.4", "Review the thresholds document with partner agencies.", "Board Manager",
         "Thresholds reviewed and published in April 2013. Completed."),
    ],
    "May 2014": [
        ("1.1", "Develop a multi-agency audit programme informed by case reviews.", "QA Officer",
         "Audit programme agreed and completed; findings reported to the Board in March 2014."),
        ("1.2", "Publish a multi-agency performance report card every four months.", "Performance Group",
         "No progress to date."),
        ("2.1", "Run domestic abuse awareness training for staff in schools.", "Training Group",
         "Training delivered to 120 school staff. Completed."),
        ("2.2", "Set up a child sexual exploitation panel with the police.", "CSE Sub Group",
         "Panel terms of reference are being drafted."),
    ],
}


def review_spec(month: str) -> dict:
    rows = [["Ref", "Action", "Lead", "Progress"]] + [list(r) for r in REVIEWS[month]]
    return {"title": f"Surrey Safeguarding Children Board Business Plan April 2012 to March 2015: Review {month}",
            "font_size": 11,
            "blocks": [{"para": "This plan sets out the Board's priorities and how far its actions have got."},
                       {"table": {"widths": [1.5, 6.0, 3.0, 7.0], "header_rows": 1, "rows": rows}}]}


def write_reviews(folder: Path) -> dict[str, Path]:
    """The two reviews as DOCX files in ``folder``: {'older': ..., 'newer': ...}."""
    out = {}
    for key, month in (("older", "May 2013"), ("newer", "May 2014")):
        path = folder / f"surrey-review-{month.split()[1]}.docx"
        build.build_docx(review_spec(month), path)
        out[key] = path
    return out
