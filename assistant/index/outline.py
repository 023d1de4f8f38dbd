"""The documents of an index generation as sections in reading order: what the page's "Read
next" walks and what the questions of the start screen are written from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from assistant.index.generations import Manifest
from assistant.types import Chunk


@dataclass(frozen=True)
class Section:
    """One section of a document, in reading order, as a citation would name it."""

    source: str
    title: str
    name: str | None
    url: str | None
    chunk_ids: tuple[str, ...]

    @property
    def label(self) -> str:
        # The title carries the topic, the heading the part of it: together they find the
        # section's own passage, where the heading alone ("Staff") is too short to.
        return f"{self.title}: {self.name}" if self.name else self.title

    @property
    def key(self) -> str:
        """Names the section's content: chunk ids change with their text."""
        return hashlib.sha1("\n".join(self.chunk_ids).encode()).hexdigest()[:16]


def sections(manifest: Manifest, chunks: dict[str, Chunk]) -> list[Section]:
    """Every document's sections, documents by name, sections in the document's order."""
    out: list[Section] = []
    for name, entry in sorted(manifest.files.items()):
        current: list[Chunk] = []
        for cid in entry.chunk_ids:
            chunk = chunks.get(cid)
            if chunk is None:
                continue
            if current and chunk.section != current[-1].section:
                out.append(_section(name, entry.title, current))
                current = []
            current.append(chunk)
        if current:
            out.append(_section(name, entry.title, current))
    return out


def _section(source: str, title: str, chunks: list[Chunk]) -> Section:
    first = chunks[0]
    return Section(
        source=source,
        title=title or first.title,
        name=first.section,
        url=first.url,
        chunk_ids=tuple(c.id for c in chunks),
    )
