"""Progress between two versions of a board's plan: each action beside its counterpart.

The question a regional lead asks after each review: what moved?  Actions of the earlier and
the later version are paired by reference first ('1.1.a' in both), then, for actions left
over, by the similarity of their action text (rapidfuzz ``token_set_ratio`` >= ``SAME_ACTION``,
best pairs first), so a renumbered action still finds its counterpart.  Each pair says what
changed (status, progress, wording); an action only in the later version is new, one only in
the earlier version dropped.

Pure functions over plain dicts: ``load.query.compare_versions`` feeds them from SQLAlchemy,
the web page (``load/web/version_pages.py``) from Datasette's read-only connection.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rapidfuzz import fuzz

from load.versions import text_key

#: rapidfuzz token_set_ratio (0-100) for two action texts to be one action reworded or renumbered
SAME_ACTION = 80.0

#: the fields each version's action brings (``earlier_``/``later_`` prefixed in the result)
SIDE_FIELDS = ("ref", "action", "status", "progress", "lead", "timescale", "page", "action_id")
COLUMNS = ["board", "ref", "action", "match", "similarity", "change", "earlier_status", "later_status",
           "earlier_progress", "later_progress", "earlier_ref", "later_ref", "earlier_action", "earlier_lead",
           "later_lead", "earlier_timescale", "later_timescale", "earlier_version", "later_version",
           "earlier_file", "later_file", "earlier_page", "later_page", "earlier_action_id", "later_action_id"]
#: what the table view shows
TABLE_COLUMNS = ["ref", "action", "earlier_status", "later_status", "change", "earlier_progress", "later_progress"]


def ref_key(ref: str | None) -> str:
    """'1.1.a', '1.1.a.' and ' 1.1 A' are one reference."""
    return re.sub(r"[\s.:;)\]]+$", "", re.sub(r"\s+", "", (ref or "").lower()))


def pair_actions(earlier: Sequence[dict[str, Any]], later: Sequence[dict[str, Any]]) -> list[tuple[int | None,
                                                                                                 int | None,
                                                                                                 str, float | None]]:
    """``(earlier index, later index, how, similarity)`` for every action of both versions, in the
    later version's order, then the dropped ones in the earlier version's order.

    ``how`` is ``ref``, ``text``, ``new`` or ``dropped``; a reference used twice in one version
    pairs its uses in order.
    """
    pairs: dict[int, tuple[int, str, float]] = {}  # later index -> (earlier index, how, similarity)
    used: set[int] = set()
    by_ref: dict[str, list[int]] = {}
    for i, a in enumerate(earlier):
        if ref_key(a.get("ref")):
            by_ref.setdefault(ref_key(a.get("ref")), []).append(i)
    for j, b in enumerate(later):
        candidates = by_ref.get(ref_key(b.get("ref")), []) if ref_key(b.get("ref")) else []
        if candidates:
            i = candidates.pop(0)
            used.add(i)
            pairs[j] = (i, "ref", fuzz.token_set_ratio(text_key(earlier[i].get("action")),
                                                       text_key(b.get("action"))))
    left_e = [i for i in range(len(earlier)) if i not in used]
    left_l = [j for j in range(len(later)) if j not in pairs]
    scored = []
    for j in left_l:
        tb = text_key(later[j].get("action"))
        for i in left_e:
            score = fuzz.token_set_ratio(text_key(earlier[i].get("action")), tb, score_cutoff=SAME_ACTION)
            if score and tb:
                scored.append((-score, j, i))
    scored.sort()
    for negative, j, i in scored:
        if j in pairs or i in used:
            continue
        pairs[j] = (i, "text", -negative)
        used.add(i)
    out: list[tuple[int | None, int | None, str, float | None]] = []
    for j in range(len(later)):
        if j in pairs:
            i, how, score = pairs[j]
            out.append((i, j, how, round(score, 1)))
        else:
            out.append((None, j, "new", None))
    out += [(i, None, "dropped", None) for i in range(len(earlier)) if i not in used]
    return out


def change_of(a: dict[str, Any] | None, b: dict[str, Any] | None) -> str:
    """What changed from earlier action ``a`` to later action ``b``, in words."""
    if a is None:
        return "new action"
    if b is None:
        return "dropped action"
    changes = []
    if (a.get("status") or "unknown") != (b.get("status") or "unknown"):
        changes.append(f"status {a.get('status') or 'unknown'} → {b.get('status') or 'unknown'}")
    pa, pb = text_key(a.get("progress")), text_key(b.get("progress"))
    if pa != pb:
        changes.append("progress added" if not pa else "progress removed" if not pb else "progress changed")
    if text_key(a.get("action")) != text_key(b.get("action")):
        changes.append("action reworded")
    return "; ".join(changes) or "unchanged"


def compare_rows(board: str, earlier: Sequence[dict[str, Any]], later: Sequence[dict[str, Any]],
                 earlier_doc: dict[str, Any], later_doc: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per action of either version (COLUMNS), paired and with what changed.

    ``earlier``/``later`` are action dicts with SIDE_FIELDS in document order; ``*_doc`` are
    ``{"version": n, "file": path}`` of the two documents compared.
    """
    rows = []
    for i, j, how, score in pair_actions(earlier, later):
        a = earlier[i] if i is not None else None
        b = later[j] if j is not None else None
        main = b or a or {}
        row: dict[str, Any] = {"board": board, "ref": main.get("ref"), "action": main.get("action"),
                               "match": how, "similarity": score, "change": change_of(a, b),
                               "earlier_version": earlier_doc.get("version"), "later_version": later_doc.get("version"),
                               "earlier_file": earlier_doc.get("file") if a else None,
                               "later_file": later_doc.get("file") if b else None}
        for side, act in (("earlier", a), ("later", b)):
            for f in SIDE_FIELDS:
                row[f"{side}_{f}"] = act.get(f) if act else None
        rows.append({c: row.get(c) for c in COLUMNS})
    return rows
