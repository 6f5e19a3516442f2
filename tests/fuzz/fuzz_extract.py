"""Coverage-guided fuzzing of the extract layer with atheris (bounded time in CI).

Any byte string, saved as a .pdf, .docx or .txt, must either read or fail with
a :class:`models.errors.BoardplansError` (the one-line reasons users see);
any other exception is a bug that would surface as 'internal error'.

    python tests/fuzz/fuzz_extract.py -max_total_time=60 -rss_limit_mb=4096
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports():
    from extract import read
    from models.errors import BoardplansError

SUFFIXES = [".pdf", ".docx", ".txt"]
TMP = tempfile.mkdtemp(prefix="boardplans-fuzz-")


def one_input(data: bytes) -> None:
    if not data:
        return
    path = os.path.join(TMP, "input" + SUFFIXES[data[0] % len(SUFFIXES)])
    with open(path, "wb") as fh:
        fh.write(data[1:])
    try:
        read(path)
    except BoardplansError:
        pass


def seeds() -> list[str]:
    """A corpus folder seeded with small real inputs, so the fuzzer starts from valid files."""
    corpus = Path(TMP) / "corpus"
    corpus.mkdir(exist_ok=True)
    for i, (prefix, src) in enumerate([(b"\x00", ROOT / "tests" / "bad" / "truncated.pdf"),
                                       (b"\x01", ROOT / "fixtures" / "shropshire-2016-18.docx"),
                                       (b"\x02", ROOT / "tests" / "bad" / "latin1.txt")]):
        if src.exists():
            (corpus / f"seed{i}").write_bytes(prefix + src.read_bytes())
    return [str(corpus)]


if __name__ == "__main__":
    args = sys.argv + ([] if any(not a.startswith("-") for a in sys.argv[1:]) else seeds())
    atheris.Setup(args, one_input)
    atheris.Fuzz()
