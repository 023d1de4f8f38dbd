"""The passages the model reads: the best chunks of the evidence, within a word budget.

Whole chunks where they fit, so that a list is read with all its items and a sentence with the
one it leans on; a chunk that does not fit whole gives only its best window. The budget bounds
the prompt, and so the time to read it (the first read of a question costs about 6 ms a token
on two cores; see bench/RESULTS.md).
"""

from __future__ import annotations

from ..models import Draft
from .reading import Source, as_data


def words(text: str) -> int:
    return len(text.split())


def select(draft: Draft, budget_words: int, max_sources: int = 4) -> list[Source]:
    """Numbered sources for the model, best first."""
    windows = {}
    for p in draft.passages:
        windows.setdefault(p.chunk_id, " ".join(p.sentences))
    sources: list[Source] = []
    left = budget_words
    for e in draft.evidence:
        if len(sources) >= max_sources or left <= 0:
            break
        chunk = e.chunk
        text = chunk.text.strip()
        if words(text) > left:
            text = windows.get(chunk.id, "")
            if not text or words(text) > left:
                continue
        sources.append(
            Source(
                n=len(sources) + 1,
                chunk_id=chunk.id,
                title=chunk.title,
                section=chunk.location,
                # what the model reads is what its answer is checked against
                text=as_data(text),
            )
        )
        left -= words(text)
    return sources
