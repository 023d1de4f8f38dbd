"""The passages the model reads: the best of the evidence, within a word budget.

By default whole chunks where they fit, best first, so that a list is read with all its items
and a sentence with the one it leans on; a chunk that does not fit whole gives only its best
window. Or (`passages`) the quote path's chosen passages first, then whole chunks, as the model
read until 2026-12-08. The budget bounds the prompt, and so the time to read it (the first
read of a question costs 6-25 ms a token on the two-core machines measured; bench/RESULTS.md).
"""

from __future__ import annotations

from assistant.pipeline.reading import Source, as_data
from assistant.types import Draft


def words(text: str) -> int:
    return len(text.split())


def select(
    draft: Draft, budget_words: int, max_sources: int = 4, granularity: str = "passages"
) -> list[Source]:
    """Numbered sources for the model, best first.

    `passages`: the passages the quote path's ranker chose (a list whole, with its lead-in),
    then whole chunks of the evidence while the budget lasts, so that the model can also see
    what the ranker missed. `chunks`: whole chunks of the evidence in the ranker's order, a
    chunk that does not fit giving its chosen passage."""
    chunks = {e.chunk.id: e.chunk for e in draft.evidence}
    picked: list[tuple[str, str]] = []  # (chunk id, text)
    left = budget_words
    if granularity == "passages":
        for p in draft.passages:
            text = _passage_text(p.sentences)
            if p.chunk_id in chunks and words(text) <= left and len(picked) < max_sources:
                picked.append((p.chunk_id, text))
                left -= words(text)
    windows = {p.chunk_id: _passage_text(p.sentences) for p in reversed(draft.passages)}
    taken = {cid for cid, _ in picked}
    for e in draft.evidence:
        if len(picked) >= max_sources or left <= 0:
            break
        if e.chunk.id in taken:
            continue
        text = e.chunk.text.strip()
        if words(text) > left:
            text = windows.get(e.chunk.id, "")
            if not text or words(text) > left:
                continue
        picked.append((e.chunk.id, text))
        left -= words(text)
    return [
        Source(
            n=n,
            chunk_id=cid,
            title=chunks[cid].title,
            section=chunks[cid].location,
            # what the model reads is what its answer is checked against
            text=as_data(text),
        )
        for n, (cid, text) in enumerate(picked, start=1)
    ]


def _passage_text(sentences: list[str]) -> str:
    return " ".join(sentences)
