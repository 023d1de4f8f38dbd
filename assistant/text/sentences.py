"""Sentence splitting for citations: each answer sentence is quoted from a chunk as it stands.

blingfire finds the sentences of a line in any language (Japanese included); a stop, question or
exclamation mark followed by a space and a capital or a digit also ends one (blingfire keeps a
one-word sentence such as "Yes." with the next). A boundary after an abbreviation of a language
the project has a file for, or after an initial, is taken back. The sentences are cut from the
line by offsets, so each stands as written."""

from __future__ import annotations

import re
from functools import lru_cache

import blingfire

from assistant.text.resources import abbreviations

_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")


@lru_cache(maxsize=4096)
def split_sentences(text: str) -> tuple[str, ...]:
    """Split text into sentences; lines (list items, headings, paragraphs) never join."""
    out: list[str] = []
    for line in text.split("\n"):
        line = _BULLET.sub("", line).strip()
        if line and not line.startswith("#"):
            out.extend(_line_sentences(line))
    return tuple(out)


def _line_sentences(line: str) -> list[str]:
    _, found = blingfire.text_to_sentences_and_offsets(line)
    offsets = []
    for start, end in found:
        for match in _BOUNDARY.finditer(line, start, end):
            offsets.append((start, match.start()))
            start = match.end()
        offsets.append((start, end))
    spans: list[list[int]] = []
    for start, end in offsets:
        if spans and _continues(line[spans[-1][0] : spans[-1][1]], line[start:end]):
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return [piece for s, e in spans if (piece := line[s:e].strip())]


def _continues(before: str, piece: str) -> bool:
    """The piece belongs to the sentence before: that one ended on an abbreviation or an
    initial, or the piece is stops alone ("…。 ."), never a sentence of its own."""
    return _ends_with_abbreviation(before) or not any(ch.isalnum() for ch in piece)


def _ends_with_abbreviation(piece: str) -> bool:
    if not piece.endswith("."):
        return False
    last = piece.rsplit(None, 1)[-1].lstrip("\"'([")
    word = last[:-1].lower()
    # Initials such as "J." or "J.L.C.": letters each followed by a stop, three at most.
    if _INITIALS.fullmatch(word) and len(word.replace(".", "")) <= 3:
        return len(word) == 1 or "." in word
    return word in abbreviations()
