"""One board however a plan writes its name.

Plans name their board in many ways: 'Surrey Safeguarding Children Board',
'Surrey SCB', 'Surrey LSCB', 'the Board', or just 'SSCB' in a Surrey document.
Cross-board comparison needs one row per board, so every written form is
reduced to a *key*, the normalised place name ('surrey'), and stored as an
alias of the board with that key.  An acronym alone ('SSCB' fits Surrey,
Shropshire, Solihull, Staffordshire and Sunderland alike) is resolved from the
document it appears in: its title and file name must name a place whose
initials fit the acronym.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.schema import Board, BoardAlias

# '<place> [Local] Safeguarding Children['s] Board|Partnership' and reversed 'Children's Safeguarding Board'.
_FULL = re.compile(r"^(?P<place>.+?)\s+(?P<local>Local\s+)?(?:Safeguarding\s+Children(?:'?s)?|"
                   r"Children(?:'?s)?\s+Safeguarding)\s+(?:Board|Partnership)\b", re.I)
# '<place> SCB' / '<place> LSCB' / '<place> SCP'.
_ABBREV = re.compile(r"^(?P<place>.+?)\s+(?P<acr>L?SC[BP])$", re.I)
_ACRONYM = re.compile(r"^[A-Z&]{2,8}$")
_GENERIC = {"SCB", "LSCB", "SCP", "LSCP"}
_PAREN = re.compile(r"\s*\([^)]*\)")
_LEADING = re.compile(r"^(?:the|a|an)\s+", re.I)
_SMALL = {"and", "of", "upon", "on", "the", "in", "with", "under"}


@dataclass(frozen=True)
class BoardName:
    """A written board name reduced to what identifies it."""

    written: str
    place: str | None        # 'Surrey', None for a bare acronym
    local: bool              # 'Local Safeguarding Children Board'
    acronym: str | None      # 'SSCB' when the name is only an acronym
    named: bool = True       # a board-name pattern matched (else ``place`` is the text as written)

    @property
    def key(self) -> str | None:
        return place_key(self.place) if self.place else None

    @property
    def full(self) -> str | None:
        """The canonical full name: place + '[Local ]Safeguarding Children Board'."""
        if not self.place:
            return None
        if not self.named:
            return self.written
        return f"{self.place} {'Local ' if self.local else ''}Safeguarding Children Board"


def place_key(place: str) -> str:
    """'Brighton & Hove' and 'brighton and hove', 'St. Helens' and 'St Helens' give one key."""
    text = place.lower().replace("&", " and ").replace("'", "").replace("’", "")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(w for w in text.split() if w != "the") or place.lower().strip()


def parse_board_name(written: str) -> BoardName:
    """Split a written board name into place, 'Local' and acronym."""
    text = " ".join(written.split())
    bare = _PAREN.sub("", text).strip(" ,.;:-")
    bare = _LEADING.sub("", bare)
    if _ACRONYM.match(bare):
        return BoardName(text, None, bare.upper().startswith("L"), bare.upper())
    for pattern in (_FULL, _ABBREV):
        m = pattern.match(bare)
        if m:
            place = _LEADING.sub("", m.group("place")).strip(" ,.;:-")
            local = bool(m.groupdict().get("local")) or m.groupdict().get("acr", "").upper().startswith("L")
            if place:
                return BoardName(text, place, local, None)
    return BoardName(text, bare or text, False, None, named=False)


def initials(place: str) -> str:
    """'Brighton and Hove' -> 'BH' (small words skipped), 'Stoke-on-Trent' -> 'SOT'."""
    words = [w for w in re.split(r"[\s\-]+", place) if w and w.lower() not in _SMALL]
    return "".join(w[0].upper() for w in words)


def acronym_fits(acronym: str, place: str) -> bool:
    """Whether a board acronym can stand for a board of ``place`` ('SSCB' fits 'Surrey')."""
    acronym = acronym.upper().replace("&", "")
    if acronym in _GENERIC:
        return True
    m = re.match(r"^(?P<head>[A-Z]+?)L?SC[BP]$", acronym)
    if not m:
        return False
    head, ini = m.group("head"), initials(place)
    return head == ini or (len(head) == 1 and ini.startswith(head))


def _context_words(*texts: str | None) -> str:
    """Title and file stem as one lower-case space-separated string (for place look-up)."""
    parts = []
    for t in texts:
        if t:
            parts.append(re.sub(r"[^a-z0-9]+", " ", t.lower().replace("&", " and ")))
    return f" {' '.join(' '.join(parts).split())} "


def place_from_context(acronym: str, title: str | None, source: str | None) -> str | None:
    """A place for ``acronym`` read from the title ('Surrey Safeguarding ...') or the file name."""
    for m in re.finditer(r"((?:[A-Z][\w'&-]*\s){1,4}?)(?:Local\s+)?Safeguarding\s+Children", title or ""):
        place = _LEADING.sub("", m.group(1).strip())
        if place and acronym_fits(acronym, place):
            return place
    if source:
        stem = Path(source).stem
        words = [w for w in re.split(r"[\W_\d]+", stem) if w]
        # file names like 'surrey-2012-15' or 'brighton_and_hove_lscb_plan': leading words before noise
        stop = {"lscb", "scb", "sscb", "business", "plan", "annual", "report", "safeguarding", "children",
                "board", "strategic", "final", "draft", "v", "version"}
        place_words: list[str] = []
        for w in words:
            if w.lower() in stop:
                break
            place_words.append(w)
        if place_words:
            place = " ".join(w if w.lower() in _SMALL else w.capitalize() for w in place_words)
            if acronym_fits(acronym, place) and acronym.upper() not in _GENERIC:
                return place
    return None


def _by_key(session: Session, key: str) -> Board | None:
    return session.scalar(select(Board).where(Board.key == key))


def _add_alias(session: Session, board: Board, written: str) -> None:
    if written and not session.scalar(select(BoardAlias.id).where(BoardAlias.board_id == board.id,
                                                                  BoardAlias.alias == written)):
        session.add(BoardAlias(board_id=board.id, alias=written))


def _create(session: Session, key: str, full: str, place: str | None) -> Board:
    name = full
    if session.scalar(select(Board.id).where(Board.name == name)) is not None:  # same display name, other key
        name = f"{full} [{key}]"
    board = Board(key=key, name=name, short_name=place)
    session.add(board)
    session.flush()
    return board


def resolve_board(session: Session, written: str | None, *, title: str | None = None,
                  source: str | None = None) -> Board | None:
    """The board row for a document's written board name, created on first sight; the form is kept as alias.

    A bare acronym is matched first against existing boards whose place the title or file name
    mentions, then against a place read from them; failing both it stays a board of its own
    (keyed by the acronym and flagged as such by its name) rather than being merged by guess.
    """
    if not written or not written.strip():
        return None
    parsed = parse_board_name(written)
    if parsed.acronym is None:
        key = parsed.key or place_key(parsed.written)
        board = _by_key(session, key) or _create(session, key, parsed.full or parsed.written, parsed.place)
        _add_alias(session, board, parsed.written)
        return board
    acronym = parsed.acronym
    context = _context_words(title, Path(source).stem if source else None)
    candidates = [b for b in session.scalars(select(Board).order_by(Board.id))
                  if b.short_name and f" {place_key(b.short_name)} " in context
                  and acronym_fits(acronym, b.short_name)]
    if len(candidates) == 1:
        board = candidates[0]
    else:
        place = place_from_context(acronym, title, source)
        if place:
            pn = BoardName(written, place, acronym.startswith("L") or "LSC" in acronym, None)
            key = pn.key or place_key(place)
            board = _by_key(session, key) or _create(session, key, pn.full or place, place)
        else:
            key = f"acronym:{acronym.lower()}"
            board = _by_key(session, key) or _create(session, key, acronym, None)
    _add_alias(session, board, parsed.written)
    return board


def find_boards(session: Session, text: str) -> list[Board]:
    """Boards a user means by ``text``: key, name, place or any alias, case-insensitively."""
    text = text.strip()
    if not text:
        return []
    parsed = parse_board_name(text)
    keys = {place_key(text)}
    if parsed.key:
        keys.add(parsed.key)
    lowered = text.lower()
    found = list(session.scalars(select(Board).where(Board.key.in_(keys))))
    found += session.scalars(select(Board).where(func.lower(Board.name) == lowered))
    found += session.scalars(select(Board).join(BoardAlias).where(func.lower(BoardAlias.alias) == lowered))
    unique: dict[int, Board] = {}
    for b in found:
        unique.setdefault(b.id, b)
    return sorted(unique.values(), key=lambda b: b.name)
