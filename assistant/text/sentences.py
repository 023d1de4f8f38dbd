"""Sentence splitting for citations: each answer sentence is quoted from a chunk as it stands."""

from __future__ import annotations

import re
from functools import lru_cache

# Words that end with a full stop without ending the sentence.
_ABBREVIATIONS = {
    "e.g",
    "i.e",
    "etc",
    "vs",
    "dr",
    "prof",
    "mr",
    "mrs",
    "ms",
    "st",
    "no",
    "nr",
    "fig",
    "approx",
    "ca",
    "cf",
    "jr",
    "sr",
    "mt",
    "dept",
    "univ",
    "inc",
    "ltd",
    "co",
    "p",
    "pp",
}
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")


@lru_cache(maxsize=4096)
def split_sentences(text: str) -> tuple[str, ...]:
    """Split text into sentences; lines (list items, headings, paragraphs) never join."""
    out: list[str] = []
    for line in text.split("\n"):
        line = _BULLET.sub("", line).strip()
        if not line or line.startswith("#"):
            continue
        start = 0
        for match in _BOUNDARY.finditer(line):
            piece = line[start : match.start()].strip()
            if _ends_with_abbreviation(piece):
                continue
            if piece:
                out.append(piece)
            start = match.end()
        tail = line[start:].strip()
        if tail:
            out.append(tail)
    return tuple(out)


def _ends_with_abbreviation(piece: str) -> bool:
    last = piece.rsplit(None, 1)[-1] if piece else ""
    word = last.rstrip(".").lower()
    # Initials such as "J.L.C." or a single capital letter followed by a stop.
    if re.fullmatch(r"(?:[a-z]\.)*[a-z]", word) and len(word.replace(".", "")) <= 3 and "." in last:
        return len(word) == 1 or "." in word
    return word in _ABBREVIATIONS
