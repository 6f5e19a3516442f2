"""Record types of the outside contract (CONTRACT.md): one document object per file.

These are plain dataclasses so the normaliser can build them without knowing
about storage, and the loader can store them without knowing about documents.
``to_dict`` gives exactly the JSON shape scripts rely on.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any

STATUSES = ("completed", "in_progress", "not_started", "delayed", "unknown")
ACTION_FIELDS = ("section", "priority", "objective", "ref", "action", "lead", "timescale",
                 "start", "end", "progress", "outcome", "status", "themes", "extra", "page")


@dataclass
class Action:
    """One planned action (a row of an action table, or a cell of a matrix)."""

    section: str | None = None
    priority: str | None = None
    objective: str | None = None
    ref: str | None = None
    action: str | None = None
    lead: str | None = None
    timescale: str | None = None
    start: str | None = None
    end: str | None = None
    progress: str | None = None
    outcome: str | None = None
    status: str = "unknown"
    themes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    page: int | None = None


@dataclass
class Priority:
    """A priority the board declares (prose list, matrix column, numbered heading)."""

    label: str
    text: str
    themes: list[str] = field(default_factory=list)


@dataclass
class Indicator:
    """One entry of a performance-indicator list."""

    group: str | None
    ref: str | None
    name: str


@dataclass
class TableRecord:
    """A table as extracted (after stitching), kept so nothing is lost."""

    page: int | None
    kind: str
    header: list[str]
    rows: list[list[str]]


#: The document object's keys, in the contract's order.
CONTRACT_KEYS = ("source", "sha256", "format", "error", "board", "title", "period", "priorities",
                 "actions", "indicators", "tables", "warnings", "pages", "dates")

_ATOMS = (str, int, float, type(None))  # (bool is an int)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    """``value`` as ``dataclasses.asdict`` copies it: records to dicts, lists and dicts copied, atoms as they are."""
    if isinstance(value, _ATOMS):
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    names = _FIELDS.get(type(value))
    if names is None and is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS[type(value)] = tuple(f.name for f in fields(value))
    if names is not None:
        return {n: _plain(getattr(value, n)) for n in names}
    if isinstance(value, tuple):
        return asdict(_Holder(value))["value"]  # (asdict's own handling of tuples and named tuples)
    return copy.deepcopy(value)


@dataclass
class _Holder:
    value: Any


@dataclass
class PlanDocument:
    """The document object of CONTRACT.md."""

    source: str
    sha256: str | None = None
    format: str | None = None
    error: str | None = None
    board: str | None = None
    title: str | None = None
    period: dict[str, str | None] = field(default_factory=lambda: {"start": None, "end": None})
    priorities: list[Priority] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    tables: list[TableRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pages: int | None = None
    #: Beyond the contract (an extra key, optional to readers of the JSON): the dates that order
    #: versions of a plan: ``plan`` (YYYY-MM, the date the plan gives itself: 'Review May 2014'),
    #: ``created``/``modified`` (UTC ISO 8601, the file's metadata), each only when known.
    dates: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the contract (keys in contract order).

        What ``dataclasses.asdict`` gives (every list and dict a copy), built without its
        per-value ``deepcopy`` calls: a worker makes one per file, and ``asdict`` cost a
        millisecond on a plan of 30 actions (tests/test_fast_paths.py holds the two equal).
        """
        return {k: _plain(getattr(self, k)) for k in CONTRACT_KEYS}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PlanDocument:
        """Rebuild a document from its contract dict (as worker processes and Dask return it)."""
        return cls(
            source=d["source"], sha256=d.get("sha256"), format=d.get("format"), error=d.get("error"),
            board=d.get("board"), title=d.get("title"),
            period=dict(d.get("period") or {"start": None, "end": None}),
            priorities=[Priority(**p) for p in d.get("priorities") or []],
            actions=[Action(**a) for a in d.get("actions") or []],
            indicators=[Indicator(**i) for i in d.get("indicators") or []],
            tables=[TableRecord(**t) for t in d.get("tables") or []],
            warnings=list(d.get("warnings") or []), pages=d.get("pages"), dates=dict(d.get("dates") or {}),
        )

    @classmethod
    def failed(cls, source: str, sha256: str | None, fmt: str | None, error: str) -> PlanDocument:
        """The line printed for a file that could not be read: error set, lists empty."""
        return cls(source=source, sha256=sha256, format=fmt, error=error)
