"""Pydantic types that cross module lines."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Chunk(BaseModel):
    """A piece of one document, the unit that is embedded, retrieved and cited."""

    id: str
    text: str
    source: str = Field(description="File name of the document, relative to the corpus folder.")
    title: str
    section: str | None = Field(None, description="Heading path inside the document, e.g. 'A › B'.")
    url: str | None = None
    page: int | None = Field(None, description="Page number, for PDFs.")
    updated: str | None = None

    @property
    def location(self) -> str | None:
        """The section and page as one label for a citation."""
        parts = [p for p in (self.section, f"p. {self.page}" if self.page else None) if p]
        return ", ".join(parts) or None

    def embedding_text(self) -> str:
        """What is embedded and indexed: the heading path gives short sections their context."""
        # The section path alone: a document title shared by every chunk would pull short
        # sections towards any question that resembles the title.
        heading = self.section or self.title
        return f"{heading}\n{self.text}"

    def to_metadata(self) -> dict[str, str | int]:
        # Chroma metadata takes scalars only, and no None.
        return {
            "source": self.source,
            "title": self.title,
            "section": self.section or "",
            "url": self.url or "",
            "page": self.page or 0,
            "updated": self.updated or "",
        }

    @classmethod
    def from_metadata(cls, chunk_id: str, text: str, meta: dict) -> Chunk:
        return cls(
            id=chunk_id,
            text=text,
            source=str(meta.get("source", "")),
            title=str(meta.get("title", "")),
            section=meta.get("section") or None,
            url=meta.get("url") or None,
            page=int(meta.get("page") or 0) or None,
            updated=meta.get("updated") or None,
        )


class Evidence(BaseModel):
    """A retrieved chunk with the scores that ranked it."""

    chunk: Chunk
    score: float = Field(description="Fused reciprocal-rank score.")
    dense_score: float | None = Field(None, description="Cosine similarity to the query.")
    bm25_score: float | None = None
    e5_score: float | None = Field(
        None, description="Cosine similarity of e5 (multilingual) vectors, when e5 listed it."
    )
    rank: int = Field(description="1-based position after fusion.")


class Citation(BaseModel):
    n: int
    title: str
    source: str
    section: str | None = None
    url: str | None = None
    quote: str
    chunk_id: str

    @classmethod
    def of(cls, chunk: Chunk, n: int, quote: str = "") -> Citation:
        """Citation number `n` of a chunk, quoting `quote` from it."""
        return cls(
            n=n,
            title=chunk.title,
            source=chunk.source,
            section=chunk.location,
            url=chunk.url,
            quote=quote,
            chunk_id=chunk.id,
        )


class Highlight(BaseModel):
    """A sentence of the answer that carries what was asked, with the citation it stands under."""

    n: int
    text: str


class RetrievalHit(BaseModel):
    chunk_id: str
    source: str
    score: float


class Answer(BaseModel):
    answer: str
    abstained: bool
    citations: list[Citation] = Field(default_factory=list)
    highlights: list[Highlight] = Field(default_factory=list)
    retrieval: list[RetrievalHit] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    query: str = Field("", description="The standalone query that was retrieved with.")
    support: float | None = Field(
        None, description="Probability that the evidence answers the question (abstention)."
    )
    abstention: str | None = Field(
        None,
        description="Why the assistant abstained: 'not_covered', 'off_topic' or 'language'.",
    )
    language: str | None = Field(
        None, description="ISO code of the question's language when it is not English, else None."
    )
    removed_sentences: int = Field(0, description="Sentences dropped by verification.")
    judged: float | None = Field(
        None, description="The local model's P(the passages answer the question), when it judged."
    )
    note: str | None = None
    outcome: str = Field(
        "answered",
        description="'answered', 'partial' (what the documents say, and what they do not), "
        "'not_covered' (they discuss the subject but not the asked thing) or 'off_topic'.",
    )
    mode: str = Field(
        "quotes",
        description="'model': the local or remote model read the passages and wrote the first "
        "sentence; 'quotes': the passages as the documents word them (no model, or it failed).",
    )
    status: str = Field(
        "done",
        description="While streaming: 'waiting' (for the model), 'reading' (it reads the "
        "sources), 'writing' (the checked part of the answer, more to come); 'done' for the "
        "finished answer.",
    )
    ahead: int | None = Field(
        None, description="While waiting: questions ahead of this one for the model."
    )
    sources: list[Citation] = Field(
        default_factory=list,
        description="While streaming: the passages being read, before the answer is ready.",
    )
    signals: dict[str, float] | None = Field(
        None, description="What the decision read (model mode): see pipeline/decide.py."
    )
    model_reply: str | None = Field(
        None, description="The model's reply as it came (for eval reports; never shown)."
    )
    entailment_read: bool | None = Field(
        None,
        description="Whether the second short read (does the cited passage state the "
        "sentence?) ran; False when the outcome was the same whatever it would have said "
        "(then signals.entailed is 0), None when there was no sentence to check.",
    )
    missing: str | None = Field(
        default=None,
        description="In a partial answer, the sentence that says what the documents do not "
        "state; it cites nothing, since it speaks of what is absent",
    )
    draft_answer: str | None = Field(
        None,
        description="For a declined question: the answer it would have given (for fitting the "
        "decision on dev; never shown).",
    )
    gap_read: str | None = Field(
        None,
        description="For a partial answer: the model's words for what the documents leave out, "
        "as it wrote them, whether or not they named a part of the question (for the eval "
        "reports; `missing` is what is shown).",
    )

    def __add__(self, other: Answer) -> Answer:
        # LangChain joins the parts of a stream with +; each part holds the whole answer so far.
        return other


# -- the question's way through the pipeline: one typed state per step -------------------------


class Turn(BaseModel):
    """An earlier exchange in the conversation; the answer may be unknown (CLI --history)."""

    question: str
    answer: str | None = None


class Request(BaseModel):
    """What the pipeline is asked: a question and the conversation before it."""

    question: str
    history: list[Turn | str] = Field(default_factory=list)


class Query(BaseModel):
    """A cleaned question and the standalone queries it may be read as."""

    question: str = Field(description="The question as asked, cleaned and spell-fixed.")
    asked: str = Field("", description="The question as asked, cleaned, before spell-fixing.")
    turns: list[Turn] = Field(default_factory=list)
    contextual: str | None = Field(
        None, description="The question read together with the earlier turns (follow-ups)."
    )
    language: str | None = Field(
        None, description="ISO code of the question's language; None means English."
    )
    reply_language: str | None = Field(
        None,
        description="The language to answer in, when the question was read in English after "
        "the model translated it (`language` is then None).",
    )
    started: float = 0.0
    timings_ms: dict[str, float] = Field(default_factory=dict)


class Retrieved(BaseModel):
    """The query with the evidence found for each way of reading it."""

    query: Query
    evidence: list[Evidence]
    contextual_evidence: list[Evidence] | None = None


class Passage(BaseModel):
    """Consecutive sentences of one chunk, quoted as an answer passage."""

    chunk_id: str
    sentences: list[str]
    highlighted: list[int] = Field(
        default_factory=list, description="Indexes of the sentences that carry the answer."
    )
    score: float


class Draft(BaseModel):
    """The chosen passages and what decides whether to give them."""

    passages: list[Passage] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    query: str = ""
    features: dict[str, float] = Field(default_factory=dict)
    support: float = 0.0
    abstain: bool = True
    asked: Query | None = Field(None, description="The query state the draft answers.")


class SkippedFile(BaseModel):
    source: str
    reason: str


class IngestReport(BaseModel):
    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    skipped: list[SkippedFile] = Field(default_factory=list)
    chunks_embedded: int = 0
    chunks_total: int = 0
    seconds: float = 0.0
