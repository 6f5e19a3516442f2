"""Finding the files of a batch, and naming them printably, whatever the file system holds.

File names are bytes on POSIX.  Python decodes the ones that are not valid
UTF-8 (``caf\\xe9 plan.docx`` from an old Windows share) with
``surrogateescape``, which opens the file fine but cannot be stored in a
database or printed.  So a file is *opened* by its real name and *named*
(stored, printed) by ``printable(path)``: its bytes decoded as UTF-8 with each
undecodable byte written ``\\xNN`` and control characters escaped the same way,
which reads as the name and never fails to encode.

Walking a folder reports what it cannot read (a dangling symbolic link, a link
loop, a folder or file permission denied) as a ``Skipped`` entry, so the import
counts and records it instead of passing over it in silence.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path


def printable(path: str | os.PathLike | bytes) -> str:
    """``path`` as text that can be stored and printed: undecodable bytes and control characters as escapes."""
    raw = os.fsencode(path)
    name = raw.decode("utf-8", "backslashreplace")
    if name.isprintable():
        return name
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in name)


@dataclass(frozen=True)
class Skipped:
    """A walked path that cannot be read, and why (recorded as a failure of stage ``walk``)."""

    path: str
    reason: str


def _reason(exc: OSError, what: str) -> str:
    if exc.errno == errno.ELOOP:
        return f"symbolic link loop ({what} cannot be reached)"
    if exc.errno == errno.ENOENT:
        return "dangling symbolic link (its target does not exist)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied ({what} cannot be read)"
    return f"cannot read {what} ({exc.strerror or exc})"


def _wanted(name: str, suffixes: tuple[str, ...]) -> bool:
    return name.lower().endswith(suffixes) and not name.startswith((".", "~$"))


def walk(paths: Iterable[str | os.PathLike | Skipped], suffixes: tuple[str, ...]) -> Iterator[Path | Skipped]:
    """Files named, and files under folders named (sorted by name), with an importable suffix.

    Symbolic links to folders are followed unless they lead back into a folder being
    walked (a loop, reported); a folder reached twice by different links is walked once.
    """
    seen: set[tuple[int, int]] = set()
    for p in paths:
        if isinstance(p, Skipped):  # walked already (the command line walks first to count)
            yield p
            continue
        p = Path(p)
        if p.is_dir():
            yield from _walk_dir(p, suffixes, seen, ())
        else:
            yield p


def _walk_dir(folder: Path, suffixes: tuple[str, ...], seen: set[tuple[int, int]],
              ancestors: tuple[tuple[int, int], ...]) -> Iterator[Path | Skipped]:
    try:
        st = folder.stat()
        key = (st.st_dev, st.st_ino)
        if key in ancestors:
            yield Skipped(printable(folder), "symbolic link loop (leads back into a folder being walked)")
            return
        if key in seen:
            return
        seen.add(key)
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: os.fsencode(e.name))
    except OSError as exc:
        yield Skipped(printable(folder), _reason(exc, "the folder"))
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()  # follows links
            is_file = not is_dir and entry.is_file()
            if entry.is_symlink() and not (is_dir or is_file):
                os.stat(entry.path)  # raises why the link cannot be followed
        except OSError as exc:
            if not entry.name.startswith((".", "~$")):  # not an editor's lock link ('.#plan.docx')
                yield Skipped(printable(path), _reason(exc, "the link's target"))
            continue
        if is_dir:
            yield from _walk_dir(path, suffixes, seen, (*ancestors, key))
        elif is_file and _wanted(entry.name, suffixes):
            if not os.access(entry.path, os.R_OK):
                yield Skipped(printable(path), "permission denied (the file cannot be read)")
            else:
                yield path
