"""Text renderings of plans (.txt, .md, .html): not read yet.

The seed renderings mix HTML table rows and tab-separated rows; a reader for
them is planned (extraction fidelity issue).  Until then such files fail with
a clear reason instead of an import error.
"""

from __future__ import annotations

from pathlib import Path

from models.document import Document
from models.errors import UnsupportedFormat


def read_text(path: Path) -> Document:
    raise UnsupportedFormat("text/HTML renderings are not supported yet (use the PDF or DOCX)",
                            file=str(path))
