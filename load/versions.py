"""Which of a board's documents is ``current``: renditions and versions of its plan.

A board's documents are grouped twice:

- *renditions* of one version hold the same plan: same period, the plan dates they give
  themselves do not disagree, and near-identical action and progress text (rapidfuzz ratio
  >= ``SAME_TEXT`` on each, so a DOCX and the PDF exported from it, even one whose rows were
  read with a few fragments, are one version).  The rendition shown is the one read best:
  fewer warnings, then more of lead/timescale/progress filled, then DOCX over .doc over PDF
  over text renderings, then the content hash (so a tie is still decided the same way);
- *versions* are renditions' groups whose text differs (a later review).  They are ordered by
  the plan's own date (the review date of its title or opening prose, else its period's
  start), then its period, then (a version that read actions above one that read none) the
  files' metadata dates (the earliest of its renditions': a PDF exported today from an old
  DOCX is dated today), and only then by import time.

``current`` is the best rendition of the latest version; every document of the board gets a
``version`` number (1 = oldest), ``rendition_of`` (the chosen document of its version, None
for the chosen one) and a ``current_reason`` in words.  Everything is recomputed from the
board's stored documents, under a lock on the board's row, each time one is loaded or
replaced, so the outcome depends on the set of documents and never on the order they arrived
in, also when two imports load documents of one board at once.  An import keeps a
``VersionCache`` across its batches: a stored document's actions never change (a changed
file is a new document), so each is read and turned into comparison text once per import,
and each pair compared once, instead of at every document loaded into its board.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.schema import ActionRow, Board, DocumentRow

#: rapidfuzz ratio (0-100) the action text and the progress text must each reach for renditions
SAME_TEXT = 90.0
#: formats in order of preference between renditions read equally well (a DOCX keeps its table
#: structure; a PDF's is reconstructed)
FORMAT_RANK = {"docx": 0, "doc": 1, "pdf": 2}
FILLED_FIELDS = ("lead", "timescale", "progress")
_WORDS = re.compile(r"[^\W_]+")


def text_key(text: str | None) -> str:
    """Text compared between renditions: words only, lower case (bullets, hyphens, spacing and
    line breaks are what a reader changes, not the plan)."""
    return " ".join(_WORDS.findall((text or "").lower()))


@dataclass
class Candidate:
    """One stored document as the choice sees it."""

    id: int
    sha256: str
    format: str
    period: tuple[str | None, str | None]
    plan_date: str | None
    file_date: str | None
    imported_at: datetime | None
    warnings: int
    actions: int = 0
    filled: float = 0.0
    raw: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())  # action texts, progress texts as stored

    @cached_property
    def action_text(self) -> str:
        return " ".join(filter(None, map(text_key, self.raw[0])))

    @cached_property
    def progress_text(self) -> str:
        return " ".join(filter(None, map(text_key, self.raw[1])))

    @property
    def quality(self) -> tuple:
        """Smaller is better: warnings, unfilled share, format, content hash."""
        return (self.warnings, -round(self.filled, 4), FORMAT_RANK.get(self.format, 3), self.sha256)


@dataclass
class Version:
    """Renditions of one version of a plan, the chosen one first."""

    docs: list[Candidate]
    similarity: dict[int, float] = field(default_factory=dict)  # doc id -> ratio with the chosen one

    @property
    def chosen(self) -> Candidate:
        return self.docs[0]

    @property
    def own_date(self) -> str:
        dates = [d.plan_date for d in self.docs if d.plan_date]
        return max(dates) if dates else (self.chosen.period[0] or "")

    @property
    def key(self) -> tuple:
        """Later versions sort last (see the module docstring for the order)."""
        c = self.chosen
        # the earliest file date of the renditions: a PDF exported today from an old DOCX is dated today
        file_dates = [d.file_date for d in self.docs if d.file_date]
        imported = [d.imported_at.isoformat() for d in self.docs if d.imported_at]
        return (self.own_date, c.period[1] or "", c.period[0] or "", c.actions > 0,
                min(file_dates) if file_dates else "", min(imported) if imported else "",
                min(d.sha256 for d in self.docs))


UNBOARDED_REASON = "current: no board named, so it is compared with no other document"


@dataclass
class VersionCache:
    """What one import has learnt of stored documents: candidates by id, similarities by id pair.

    Only what cannot change while the document exists is kept (its actions and texts); the
    document row is read again at every settle, and a deleted document is forgotten.
    """

    candidates: dict[int, Candidate] = field(default_factory=dict)
    pairs: dict[tuple[int, int], float] = field(default_factory=dict)
    #: entries kept at most (then the cache starts again empty): memory stays bounded however many
    #: documents one import loads into one board
    max_candidates: int = 5000
    max_pairs: int = 200_000

    def trim(self) -> None:
        if len(self.candidates) > self.max_candidates:
            self.candidates.clear()
        if len(self.pairs) > self.max_pairs:
            self.pairs.clear()

    def forget(self, ids: Iterable[int]) -> None:
        gone = set(ids)
        for i in gone:
            self.candidates.pop(i, None)
        if gone:
            self.pairs = {k: v for k, v in self.pairs.items() if not (k[0] in gone or k[1] in gone)}

    def clear(self) -> None:
        self.candidates.clear()
        self.pairs.clear()


def similarity(a: Candidate, b: Candidate, cache: VersionCache | None = None) -> float:
    """The lower of the action-text and progress-text ratios (0-100) (remembered in ``cache``)."""
    if cache is None:
        return _similarity(a, b)
    key = (a.id, b.id) if a.id <= b.id else (b.id, a.id)
    got = cache.pairs.get(key)
    if got is None:
        got = cache.pairs[key] = _similarity(a, b)
    return got


def _similarity(a: Candidate, b: Candidate) -> float:
    """The lower of the action-text and progress-text ratios (0-100)."""
    if a.raw == b.raw:  # copies of one file (only its metadata differs): no need to compare words
        return 100.0
    return min(fuzz.ratio(a.action_text, b.action_text), fuzz.ratio(a.progress_text, b.progress_text))


def renditions_of_one_version(a: Candidate, b: Candidate, cache: VersionCache | None = None) -> bool:
    if a.period != b.period:
        return False
    if a.plan_date and b.plan_date and a.plan_date != b.plan_date:
        return False  # each says it is a different review
    return similarity(a, b, cache) >= SAME_TEXT


def group_versions(candidates: Iterable[Candidate], cache: VersionCache | None = None) -> list[Version]:
    """Renditions grouped (linked pairs, transitively) into versions, ordered oldest first."""
    docs = sorted(candidates, key=lambda c: c.sha256)
    parent = list(range(len(docs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(docs):
        for j in range(i + 1, len(docs)):
            if root(i) != root(j) and renditions_of_one_version(a, docs[j], cache):
                parent[max(root(i), root(j))] = min(root(i), root(j))
    groups: dict[int, list[Candidate]] = {}
    for i, d in enumerate(docs):
        groups.setdefault(root(i), []).append(d)
    versions = []
    for members in groups.values():
        members.sort(key=lambda c: c.quality)
        v = Version(members)
        v.similarity = {d.id: similarity(v.chosen, d, cache) for d in members[1:]}
        versions.append(v)
    versions.sort(key=lambda v: v.key)
    return versions


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def quality_reason(best: Candidate, other: Candidate) -> str:
    """Why ``best`` was shown rather than ``other`` (its rendition of the same version)."""
    if best.warnings != other.warnings:
        return f"fewer warnings ({best.warnings} against {other.warnings})"
    if round(best.filled, 4) != round(other.filled, 4):
        return (f"more fields filled (lead, timescale, progress: {_pct(best.filled)} against "
                f"{_pct(other.filled)})")
    if FORMAT_RANK.get(best.format, 3) != FORMAT_RANK.get(other.format, 3):
        return f"read as well; {best.format.upper()} is preferred to {other.format.upper()}"
    return "read as well, same format; the first by content hash"


def _period(p: tuple[str | None, str | None]) -> str:
    return f"{p[0] or '?'} to {p[1] or '?'}"


def order_reason(later: Version, earlier: Version) -> str:
    """Why ``later`` comes after ``earlier``: the first part of the order that differs."""
    a, b = later.chosen, earlier.chosen
    if later.own_date != earlier.own_date:
        what = "plan date" if any(d.plan_date for d in later.docs) else "plan date (its period's start)"
        return f"{what} {later.own_date or '?'} after {earlier.own_date or '?'}"
    if a.period != b.period:
        return f"period {_period(a.period)} after {_period(b.period)}"
    if (a.actions > 0) != (b.actions > 0):
        return "it has actions, the other none"
    ka, kb = later.key, earlier.key
    if ka[4] != kb[4]:
        return f"file dated {ka[4] or '?'} after {kb[4] or '?'}"
    if ka[5] != kb[5]:
        return "imported later (nothing in the plans tells them apart)"
    return "same dates; the later by content hash"


def _candidates(session: Session, board_id: int,
                cache: VersionCache | None = None) -> list[tuple[DocumentRow, Candidate]]:
    docs = list(session.scalars(select(DocumentRow).where(DocumentRow.board_id == board_id)
                                .order_by(DocumentRow.id)))
    by_id: dict[int, Candidate] = {}
    out = []
    for d in docs:
        dates = d.file_dates or {}
        c = Candidate(id=d.id, sha256=d.sha256, format=(d.format or "").lower(), period=(d.period_start, d.period_end),
                      plan_date=d.plan_date, file_date=dates.get("modified") or dates.get("created"),
                      imported_at=d.imported_at, warnings=len(d.warnings or []))
        known = cache.candidates.get(d.id) if cache is not None else None
        if known is not None and known.sha256 == d.sha256:
            c = known  # its actions and texts, read before in this import (the row fields are the same)
        else:
            by_id[d.id] = c
            if cache is not None:
                cache.candidates[d.id] = c
        out.append((d, c))
    if not by_id:
        return out
    actions: dict[int, list[tuple]] = {i: [] for i in by_id}
    rows = session.execute(select(ActionRow.document_id, ActionRow.action, ActionRow.progress, ActionRow.lead,
                                  ActionRow.timescale).where(ActionRow.document_id.in_(list(by_id)))
                           .order_by(ActionRow.document_id, ActionRow.seq))
    for doc_id, action, progress, lead, timescale in rows:
        actions[doc_id].append((action, progress, lead, timescale))
    for doc_id, acts in actions.items():
        c = by_id[doc_id]
        c.actions = len(acts)
        c.filled = (sum(bool(v and v.strip()) for a in acts for v in a[1:]) / (len(FILLED_FIELDS) * len(acts))
                    if acts else 0.0)
        c.raw = (tuple(a[0] or "" for a in acts), tuple(a[1] or "" for a in acts))
    return out


def lock_boards(session: Session, board_ids: Iterable[int | None]) -> None:
    """Hold the boards' rows until the transaction ends, in id order (no deadlock between imports).

    ``FOR NO KEY UPDATE`` on PostgreSQL: it waits for another import settling the same board but
    not for rows that merely point at the board (a new alias or document), which a plain ``FOR
    UPDATE`` would, deadlocking two imports that each added a document.  SQLite serialises
    writers on its own (the clause is not rendered there).
    """
    for board_id in sorted({b for b in board_ids if b is not None}):
        session.execute(select(Board.id).where(Board.id == board_id).with_for_update(key_share=True))


def settle(session: Session, board_id: int | None, cache: VersionCache | None = None) -> None:
    """Recompute ``current``, ``version``, ``rendition_of`` and ``current_reason`` for a board's documents."""
    if board_id is None:
        return
    if cache is not None:
        cache.trim()
    pairs = _candidates(session, board_id, cache)
    if not pairs:
        return
    rows = {d.id: d for d, _ in pairs}
    versions = group_versions((c for _, c in pairs), cache)
    n = len(versions)
    latest = versions[-1]
    for number, v in enumerate(versions, start=1):
        if n == 1:
            where = "the only version of the board's plan"
        elif v is latest:
            where = f"the latest of {n} versions ({order_reason(v, versions[-2])})"
        else:
            where = (f"version {number} of {n}, superseded by version {n} (document {latest.chosen.id}: "
                     f"{order_reason(latest, v)})")
        for d in v.docs:
            row = rows[d.id]
            row.version = number
            chosen = d is v.chosen
            row.rendition_of = None if chosen else v.chosen.id
            row.current = chosen and v is latest
            if chosen:
                others = v.docs[1:]
                which = ("its only rendition" if not others else
                         f"the best of {len(v.docs)} renditions ({quality_reason(d, others[0])})")
                prefix = "current: " if row.current else "not current: "
                row.current_reason = f"{prefix}{where}; {which}"
            else:
                row.current_reason = (f"not current: a rendition of document {v.chosen.id} "
                                      f"({round(v.similarity.get(d.id, 0))}% alike, same period); that one "
                                      f"is shown: {quality_reason(v.chosen, d)}; {where}")


def settle_unboarded(doc: DocumentRow) -> None:
    """A document whose board is not known stands alone: it is current, with that reason."""
    doc.current = True
    doc.version = None
    doc.rendition_of = None
    doc.current_reason = UNBOARDED_REASON
