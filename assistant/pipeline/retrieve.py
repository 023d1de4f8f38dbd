"""Hybrid retrieval: dense (Chroma), BM25 and e5 rankings fused by reciprocal rank fusion.

MiniLM and BM25 read English; e5 (multilingual) also finds English passages for a question in
another language. A question in English is fused with the weights as set (`e5_weight` may be 0:
whether e5 helps English questions is measured on the dev split). A question in another
language is fused with e5 at weight 1 and the English-only rankings at `other_language_weight`
times their usual weight.
"""

from __future__ import annotations

import time
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.types import Chunk, Evidence, Query, Retrieved


def rrf(rankings: list[tuple[list[str], float]], k: int) -> dict[str, float]:
    """Reciprocal rank fusion: each ranking adds weight / (k + rank) to the ids it lists."""
    fused: dict[str, float] = {}
    for ids, weight in rankings:
        for rank, cid in enumerate(ids, start=1):
            fused[cid] = fused.get(cid, 0.0) + weight / (k + rank)
    return fused


class HybridRetriever(BaseRetriever):
    """A LangChain retriever over the index; `search` gives typed Evidence, `invoke` Documents."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Any
    bm25: Any
    embedder: Any
    dense_k: int = 20
    bm25_k: int = 20
    top_k: int = 5
    rrf_k: int = 60
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    e5: Any = None  # E5Index of the generation; None leaves the e5 ranking out
    scorer: Any = None  # PassageScorer: the e5 query vector (cached, the answerer reuses it)
    e5_k: int = 20
    e5_weight: float = 0.0
    other_language_weight: float = 1.0

    def search(
        self, query: str, k: int | None = None, language: str | None = None
    ) -> list[Evidence]:
        """The top k chunks for `query`; `language` is its ISO code when it is not English."""
        k = k or self.top_k
        dense_weight, bm25_weight, e5_weight = self.dense_weight, self.bm25_weight, self.e5_weight
        if language is not None:
            dense_weight *= self.other_language_weight
            bm25_weight *= self.other_language_weight
            e5_weight = 1.0
        qvec = self.embedder.embed_query(query)
        dense = self.store.query(qvec, self.dense_k) if dense_weight > 0 else []
        lexical = self.bm25.search(query, self.bm25_k) if bm25_weight > 0 else []
        multi: list[tuple[str, float]] = []
        if self.e5 is not None and self.scorer is not None and e5_weight > 0:
            multi = self.e5.search(self.scorer.query(query), self.e5_k)
        fused = rrf(
            [
                ([c.id for c, _ in dense], dense_weight),
                ([i for i, _ in lexical], bm25_weight),
                ([i for i, _ in multi], e5_weight),
            ],
            self.rrf_k,
        )
        top = sorted(fused, key=lambda cid: -fused[cid])[:k]
        chunks: dict[str, Chunk] = {c.id: c for c, _ in dense}
        dense_scores = {c.id: s for c, s in dense}
        missing = [cid for cid in top if cid not in chunks]
        for chunk, vec in self.store.get(missing):
            chunks[chunk.id] = chunk
            dense_scores[chunk.id] = sum(a * b for a, b in zip(qvec, vec, strict=True))
        bm25_scores = dict(lexical)
        e5_scores = dict(multi)
        return [
            Evidence(
                chunk=chunks[cid],
                score=fused[cid],
                dense_score=dense_scores.get(cid),
                bm25_score=bm25_scores.get(cid),
                e5_score=e5_scores.get(cid),
                rank=rank,
            )
            for rank, cid in enumerate((c for c in top if c in chunks), start=1)
        ]

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        language: str | None = None,
    ) -> list[Document]:
        return [to_document(e) for e in self.search(query, language=language)]


def to_document(e: Evidence) -> Document:
    c = e.chunk
    return Document(
        id=c.id,
        page_content=c.text,
        metadata={
            **c.model_dump(exclude={"text"}),
            "score": e.score,
            "dense_score": e.dense_score,
            "bm25_score": e.bm25_score,
            "e5_score": e.e5_score,
            "rank": e.rank,
        },
    )


def from_document(doc: Document) -> Evidence:
    meta = dict(doc.metadata)
    scores = {
        k: meta.pop(k, None) for k in ("score", "dense_score", "bm25_score", "e5_score", "rank")
    }
    chunk = Chunk(text=doc.page_content, **meta)
    return Evidence(chunk=chunk, **scores)


def retrieve(retriever, query: Query, config=None) -> Retrieved:
    """The evidence for the question as asked and, for a follow-up, for the question read
    with the conversation."""
    started = time.perf_counter()
    language = query.language
    evidence = retriever.invoke(query.question, config=config, language=language)
    contextual = None
    if query.contextual:
        found = retriever.invoke(query.contextual, config=config, language=language)
        contextual = [from_document(d) for d in found]
    query.timings_ms["retrieve"] = round((time.perf_counter() - started) * 1000, 2)
    return Retrieved(
        query=query,
        evidence=[from_document(d) for d in evidence],
        contextual_evidence=contextual,
    )
