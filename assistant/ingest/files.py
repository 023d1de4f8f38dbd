"""The files of a corpus folder that may be indexed: a walk that never leaves the folder
(symbolic links skipped or kept inside it, hidden names skipped, each with its reason), and
file names made printable on one line."""

from __future__ import annotations

import os
from pathlib import Path

from assistant.types import SkippedFile


def corpus_files(
    corpus: Path, follow_symlinks: bool = False, skipped: list[SkippedFile] | None = None
) -> list[Path]:
    """The regular files of the corpus folder, sorted; the scan never leaves the folder.

    Symbolic links are skipped (a link to /etc/passwd must not be indexed and quoted); with
    `follow_symlinks` a link is followed only when its target stays inside the folder. Hidden
    files and folders (names starting with '.', '..' included) are skipped too. Each skipped
    entry goes to `skipped` with its reason."""
    root = Path(os.path.realpath(corpus))
    found: list[Path] = []

    def skip(path: Path, reason: str) -> None:
        if skipped is not None:
            source = printable(path.relative_to(corpus).as_posix())
            skipped.append(SkippedFile(source=source, reason=reason))

    def walk(folder: Path, seen: frozenset[str]) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skip(folder, f"folder cannot be read ({exc.strerror})")
            return
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                kind = "folder" if entry.is_dir(follow_symlinks=False) else "file"
                skip(path, f"hidden {kind} (its name starts with '.')")
            elif entry.is_symlink():
                target = os.path.realpath(path)
                if not follow_symlinks:
                    skip(
                        path,
                        "symbolic link, not followed (EXCHANGE_INDEX__FOLLOW_SYMLINKS=true "
                        "follows links that stay inside the corpus folder)",
                    )
                elif not Path(target).is_relative_to(root):
                    skip(path, "symbolic link to outside the corpus folder")
                elif os.path.isdir(target):
                    if target in seen:
                        skip(path, "symbolic link that loops back to a folder above it")
                    else:
                        walk(path, seen | {target})
                elif os.path.isfile(target):
                    found.append(path)
                else:
                    skip(path, "broken symbolic link")
            elif entry.is_dir(follow_symlinks=False):
                walk(path, seen | {os.path.realpath(path)})
            elif entry.is_file(follow_symlinks=False):
                found.append(path)
            else:
                skip(path, "not a regular file (a pipe, socket or device)")

    walk(corpus, frozenset({str(root)}))
    return sorted(found)


def printable(name: str) -> str:
    """A file name as it can be printed on one line: control characters, and bytes that are
    not UTF-8, escaped as in Python ('a\\nb.md', '\\xff.md')."""
    out = []
    for ch in name:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as os.fsdecode keeps it
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch == "\\":
            out.append("\\\\")
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])
    return "".join(out)


def is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
