"""Readers: one per input format, all returning the neutral :class:`models.document.Document`.

``read(path)`` picks the reader by file suffix (and sniffs content where the
suffix lies), so callers never import a format module directly.  Heavy or
optional engines are imported lazily inside their readers.
"""

from __future__ import annotations

from extract.base import DEFAULT_ENGINE, ENGINES, read, sha256_of, supported_suffixes

__all__ = ["DEFAULT_ENGINE", "ENGINES", "read", "sha256_of", "supported_suffixes"]
