"""Named errors that carry where a problem is, so a batch can report one clear line.

Every error the pipeline raises on bad input is a :class:`BoardplansError`; its
``str()`` is the one-line message shown to users (file, page/row when known,
reason).  Anything else escaping a reader is a bug and is wrapped by the
caller with the stage it happened in.
"""

from __future__ import annotations


class BoardplansError(Exception):
    """Base error: a reason plus the file, page and row it concerns."""

    def __init__(self, reason: str, *, file: str | None = None,
                 page: int | None = None, row: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.file = file
        self.page = page
        self.row = row

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.page is not None:
            where.append(f"page {self.page}")
        if self.row is not None:
            where.append(f"row {self.row}")
        return f"{': '.join([', '.join(where)] if where else [])}{': ' if where else ''}{self.reason}"


class UnsupportedFormat(BoardplansError):
    """The file's type is not one the pipeline reads."""


class ExtractError(BoardplansError):
    """A reader could not read the file (corrupt, encrypted, not what it claims)."""


class NoTextLayer(ExtractError):
    """A PDF whose pages carry no text (a scan)."""


class MissingDependency(BoardplansError):
    """An optional package or program needed for this input is not installed."""


class NormaliseError(BoardplansError):
    """Records could not be derived from an extracted document."""
