"""The systems under test: our pipeline and the two baselines, each run on the same cases."""

from __future__ import annotations

import time
from pathlib import Path

from assistant.errors import QuestionError
from assistant.pipeline.assistant import Assistant
from assistant.types import Chunk

from .dataset import Case
from .metrics import Cited, Retrieved, SystemResult


class Ours:
    """The product's pipeline, exactly as the CLI and UI use it."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.name = "ours"

    def supported(self, sentence: str, chunk_text: str) -> bool:
        """Verbatim for quoted sentences; for the model's own sentence, the check that let it
        through, made again against the whole cited chunk: no number or address the chunk
        lacks, and a sentence of the chunk close to it in meaning (e5)."""
        from assistant.pipeline.grounding import chunk_grounds, grounded

        from .metrics import quoted

        if quoted(sentence, chunk_text):
            return True
        if self.assistant.backend is None:
            return False
        floor = self.assistant.model_answerer.sentence_floor
        return grounded(self.assistant.scorer, sentence, chunk_grounds(chunk_text), floor)

    def run(self, case: Case) -> SystemResult:
        started = time.perf_counter()
        try:
            answer = self.assistant.ask(case.question, case.history)
        except QuestionError as exc:  # refused input counts as an abstention
            return SystemResult(str(exc), True, [], [], _ms(started))
        latency = _ms(started)
        store = self.assistant.retriever.store
        by_id = {c.id: c for c, _ in store.get([r.chunk_id for r in answer.retrieval])}
        return SystemResult(
            answer=answer.answer,
            abstained=answer.abstained,
            retrieved=[
                Retrieved(r.source, by_id[r.chunk_id].text)
                for r in answer.retrieval
                if r.chunk_id in by_id
            ],
            citations=[
                Cited(c.n, c.source, c.quote, by_id[c.chunk_id].text if c.chunk_id in by_id else "")
                for c in answer.citations
            ],
            latency_ms=latency,
            support=answer.support,
            outcome=answer.outcome,
            mode=answer.mode,
            signals=answer.signals,
            model_reply=answer.model_reply,
            entailment_read=answer.entailment_read,
            draft_answer=answer.draft_answer,
            gap_read=answer.gap_read,
            missing=answer.missing,
            first_token_ms=answer.timings_ms.get("first_token"),
        )


class TopChunkBaseline:
    """Retrieval only: the top chunk is returned as the answer and cited whole; never abstains."""

    def __init__(self, name: str, search) -> None:
        self.name = name
        self._search = search  # question -> list[(source, text)]

    def run(self, case: Case) -> SystemResult:
        started = time.perf_counter()
        query = " ".join([*case.history, case.question])  # no condensing: the history as is
        hits = self._search(query)
        latency = _ms(started)
        retrieved = [Retrieved(source, text) for source, text in hits]
        if not hits:
            return SystemResult("", True, [], [], latency)
        source, text = hits[0]
        from assistant.text.sentences import split_sentences

        return SystemResult(
            answer=" ".join(f"{s} [1]" for s in split_sentences(text)),
            abstained=False,
            retrieved=retrieved,
            citations=[Cited(1, source, text, text)],
            latency_ms=latency,
        )


def dense_langchain_defaults(corpus_dir: Path, embedder) -> TopChunkBaseline:
    """LangChain's defaults: recursive 1000/200 chunks, a Chroma vector store, top 4."""
    import uuid

    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.ingest.files import corpus_files
    from assistant.ingest.loaders import load_file

    docs = []
    for path in corpus_files(corpus_dir):
        try:
            docs += load_file(path, corpus_dir)
        except Exception:  # noqa: S112 - the baseline indexes what it can read, like ours
            continue
    splits = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(
        docs
    )
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    store = Chroma(
        collection_name=f"baseline-{uuid.uuid4().hex[:8]}",
        embedding_function=embedder.langchain,
        client=client,
    )
    if splits:
        store.add_documents(splits)

    def search(question: str) -> list[tuple[str, str]]:
        return [
            (d.metadata["source"], d.page_content) for d in store.similarity_search(question, k=4)
        ]

    return TopChunkBaseline("dense (langchain defaults)", search)


def bm25_only(chunks: list[Chunk], k: int = 4) -> TopChunkBaseline:
    """BM25 over the same chunks as ours, no dense retrieval."""
    from assistant.index.lexical import Bm25Index

    index = Bm25Index.build([c.id for c in chunks], [c.embedding_text() for c in chunks])
    by_id = {c.id: c for c in chunks}

    def search(question: str) -> list[tuple[str, str]]:
        return [(by_id[i].source, by_id[i].text) for i, _ in index.search(question, k)]

    return TopChunkBaseline("bm25 only", search)


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
