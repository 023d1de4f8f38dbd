"""What the assistant says when it quotes or declines: the quote path's answer (the chosen
passages as the documents word them, each sentence cited and verified), and the declines, each
naming whom to ask."""

from __future__ import annotations

import time
from collections.abc import Callable

from assistant.pipeline.quotes import about_other_things
from assistant.pipeline.verify import CitedSentence, verify
from assistant.types import Answer, Citation, Draft, Highlight, Query, RetrievalHit


def common_fields(q: Query, draft: Draft) -> dict:
    """What every answer to this question carries, whatever path it took."""
    return {
        "query": draft.query,
        "language": q.language,
        "support": round(draft.support, 4),
        "retrieval": [
            RetrievalHit(chunk_id=e.chunk.id, source=e.chunk.source, score=round(e.score, 6))
            for e in draft.evidence
        ],
    }


def decline_text(kind: str, contact: str | None) -> str:
    """The sentence that says the documents do not answer, and whom to ask."""
    if kind == "language":
        return "Questions are read in English for now. Please ask again in English" + (
            f", or ask {contact}." if contact else "."
        )
    if kind == "off_topic":
        return "This question is not about what the documents cover." + (
            f" For questions about what they cover, ask {contact}." if contact else ""
        )
    return "The documents do not answer this question" + (
        f", so please ask {contact}." if contact else "."
    )


def declined(q: Query, kind: str, text: str, common: dict, extra: dict | None = None) -> Answer:
    timings = q.timings_ms
    timings["total"] = _ms(q.started) if q.started else 0.0
    timings.setdefault("first_token", timings["total"])
    return Answer(
        answer=text,
        abstained=True,
        abstention=kind,
        outcome=kind if kind in ("off_topic", "not_covered") else "not_covered",
        timings_ms=dict(timings),
        **{**common, **(extra or {})},
    )


def abstention_kind(q: Query, draft: Draft, cross_language: bool) -> str:
    """Why there is no answer: another language with no calibrated way to decide for it
    (`cross_language` False), a question about something else (most of its weight is in words
    the corpus never uses), or a gap in the documents. Whether the corpus uses a question's
    words says nothing about a question in another language, so such a question is never
    called off-topic."""
    if q.language:
        return "not_covered" if cross_language else "language"
    if about_other_things(draft):
        return "off_topic"
    return "not_covered"


def quote_answer(
    q: Query, draft: Draft, common: dict, note: str | None, decline: Callable[[], Answer]
) -> Answer:
    """The quote path: the chosen passages as the documents word them, or `decline()` when
    the extractive support says they do not answer."""
    started = time.perf_counter()
    timings = q.timings_ms
    evidence = draft.evidence
    sentences = [
        (n, CitedSentence(text=text, chunk_id=p.chunk_id, quote=text), i in p.highlighted)
        for n, p in enumerate(draft.passages, start=1)
        for i, text in enumerate(p.sentences)
    ]
    verdict = verify([c for _, c, _ in sentences], evidence)
    kept = {id(c) for c in verdict.kept}
    sentences = [x for x in sentences if id(x[1]) in kept]
    if draft.abstain or not sentences:
        answer = decline()
        return answer.model_copy(update={"note": note}) if note else answer
    timings["answer"] = _ms(started)
    timings["total"] = _ms(q.started) if q.started else timings["answer"]
    timings.setdefault("first_token", timings["total"])
    notes = " ".join(x for x in (note, quoted_in_english(q.language)) if x) or None
    chunks = {e.chunk.id: e.chunk for e in evidence}
    citations: dict[int, Citation] = {}
    parts: list[str] = []
    highlights: list[Highlight] = []
    for n, s, marked in sentences:
        chunk = chunks[s.chunk_id]
        if n not in citations:
            citations[n] = Citation.of(chunk, n)
            if parts:
                parts.append("\n\n")
        citations[n].quote = " ".join(x for x in (citations[n].quote, s.text) if x)
        parts.append(("" if not parts or parts[-1] == "\n\n" else " ") + f"{s.text} [{n}]")
        if marked:
            highlights.append(Highlight(n=n, text=s.text))
    return Answer(
        answer="".join(parts),
        abstained=False,
        citations=list(citations.values()),
        highlights=highlights,
        timings_ms=dict(timings),
        removed_sentences=len(verdict.removed),
        note=notes,
        **common,
    )


def quoted_in_english(language: str | None) -> str | None:
    """The note on a quoted answer to a question not in English."""
    if language is None:
        return None
    from assistant.text.language import name_of

    return (
        f"Your question was read as {name_of(language)}; the documents are in English, "
        "so the quoted passages are in English."
    )


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
