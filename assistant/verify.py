"""Citation checks shared by every answerer: each sentence cited, and supported by its citation."""

from __future__ import annotations

import re

from pydantic import BaseModel

from .models import Evidence

_SPACE = re.compile(r"\s+")
_MARKER = re.compile(r"\s*\[(\d+)\]")


class CitedSentence(BaseModel):
    text: str
    chunk_id: str | None
    quote: str | None = None


class Verdict(BaseModel):
    kept: list[CitedSentence]
    removed: list[tuple[str, str]]  # (sentence, reason)


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text).strip()


def quoted_in(quote: str, chunk_text: str) -> bool:
    return normalise(quote) in normalise(chunk_text)


def verify(sentences: list[CitedSentence], evidence: list[Evidence], support=None) -> Verdict:
    """Keep a sentence only if it cites a chunk of the evidence whose text contains its quote,
    and (when a support function is given) the cited chunk supports what the sentence says."""
    chunks = {e.chunk.id: e.chunk for e in evidence}
    kept, removed = [], []
    for s in sentences:
        chunk = chunks.get(s.chunk_id or "")
        if s.chunk_id is None:
            removed.append((s.text, "no citation"))
        elif chunk is None:
            removed.append((s.text, "cites a source outside the evidence"))
        elif s.quote is not None and not quoted_in(s.quote, chunk.text):
            removed.append((s.text, "quote not found in the cited source"))
        elif support is not None and not support(s.text, chunk):
            removed.append((s.text, "not supported by the cited source"))
        else:
            kept.append(s)
    return Verdict(kept=kept, removed=removed)
