"""Candidate answer passages: windows of consecutive sentences of a chunk, read under its heading.

A window of two or three sentences keeps a sentence that starts with "It" or "He" together with
the one it leans on, and a list keeps its lead-in. Nothing here knows any language's words: it
works on lines, list markers and sentence boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from assistant.pipeline.verify import is_instruction
from assistant.text.sentences import split_sentences
from assistant.types import Chunk, Evidence

_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")


@dataclass
class Window:
    """Units [start, end) of one chunk; a unit is a sentence, or a list with its lead-in."""

    evidence: Evidence
    units: list[list[str]]
    start: int
    end: int
    text: str = ""  # what is scored: the heading, then the sentences
    e5: float = 0.0  # the passage scorer's similarity to the question
    score: float = 0.0  # the window ranker's logit
    sentences: list[str] = field(default_factory=list)

    @property
    def chunk_id(self) -> str:
        return self.evidence.chunk.id

    @property
    def size(self) -> int:
        return self.end - self.start


def units_of(text: str) -> list[list[str]]:
    """The chunk's sentences grouped into units: list items join the line that leads into them
    (a line ending in a colon), so "The areas are:" is never quoted without its items."""
    units: list[list[str]] = []
    in_list = False
    for line in text.split("\n"):
        if not line.strip() or line.lstrip().startswith("#"):
            in_list = False
            continue
        sentences = list(split_sentences(line))
        if not sentences:
            continue
        if _ITEM.match(line):
            if in_list and units:
                units[-1].extend(sentences)
            elif units and units[-1][-1].rstrip().endswith(":"):
                units[-1].extend(sentences)
                in_list = True
            else:
                units.append(sentences)
                in_list = True
            continue
        in_list = False
        if units and units[-1][-1].rstrip().endswith(":") and len(units[-1]) == 1:
            units[-1].extend(sentences[:1])  # "Contact:" followed by a plain line
            sentences = sentences[1:]
        units.extend([s] for s in sentences)
    return units


def _quotable(unit: list[str]) -> bool:
    """A unit can be quoted if it says something: not an instruction to the reader of the
    document, and not only a label of a few words."""
    if any(is_instruction(s) for s in unit):
        return False
    return sum(len(s.split()) for s in unit) >= 4


def _spans(units: list[list[str]], max_units: int, max_words: int) -> Iterator[tuple[int, int]]:
    """[start, end) of every window of 1..max_units consecutive quotable units; a window
    longer than max_words is kept only when it is a single unit."""
    for start in range(len(units)):
        words = 0
        for end in range(start + 1, min(len(units), start + max_units) + 1):
            unit = units[end - 1]
            if not _quotable(unit):
                break
            words += sum(len(s.split()) for s in unit)
            if end - start > 1 and words > max_words:
                break
            yield start, end


def _heading(chunk: Chunk) -> str:
    return " › ".join(p for p in (chunk.title, chunk.section) if p)


def _window_text(heading: str, sentences: list[str]) -> str:
    """What the passage scorer reads of a window: its sentences under the chunk's heading."""
    return f"{heading}: {' '.join(sentences)}"


def windows(evidence: list[Evidence], max_units: int, max_words: int) -> list[Window]:
    """Every window of each evidence chunk (see _spans), read under the chunk's heading."""
    out: list[Window] = []
    for e in evidence:
        units = units_of(e.chunk.text)
        heading = _heading(e.chunk)
        for start, end in _spans(units, max_units, max_words):
            sentences = [s for u in units[start:end] for s in u]
            out.append(
                Window(
                    evidence=e,
                    units=units[start:end],
                    start=start,
                    end=end,
                    text=_window_text(heading, sentences),
                    sentences=sentences,
                )
            )
    return out


def window_texts(chunks: Iterable[Chunk], max_units: int, max_words: int) -> Iterator[str]:
    """The text of every window of these chunks, as `windows` scores it: what the passage
    scorer can encode before any question asks for it."""
    for chunk in chunks:
        units = units_of(chunk.text)
        heading = _heading(chunk)
        for start, end in _spans(units, max_units, max_words):
            yield _window_text(heading, [s for u in units[start:end] for s in u])
