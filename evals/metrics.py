"""Deterministic metrics: retrieval against gold sources, facts, citations, abstention."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from assistant.pipeline.verify import cited_sentences, normalise, strip_markers
from assistant.text.sentences import split_sentences
from assistant.types import Chunk

from .dataset import Case, GoldSource

_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "’": "'", "‘": "'"})


def norm(text: str) -> str:
    return normalise(text.translate(_DASHES))


def fact_stated(fact: list[str], text: str) -> bool:
    body = norm(text)
    return any(norm(p) in body for p in fact)


@dataclass
class Retrieved:
    source: str
    text: str


@dataclass
class Cited:
    n: int
    source: str
    quote: str
    chunk_text: str


@dataclass
class SystemResult:
    answer: str
    abstained: bool
    retrieved: list[Retrieved]
    citations: list[Cited]
    latency_ms: float
    support: float | None = None
    outcome: str = ""  # answered | partial | not_covered | off_topic ("" for the baselines)
    mode: str = ""  # model | quotes
    signals: dict | None = None
    model_reply: str | None = None
    entailment_read: bool | None = None
    draft_answer: str | None = None
    gap_read: str | None = None
    missing: str | None = None  # a partial answer's uncited sentence on what is absent
    first_token_ms: float | None = None

    @property
    def partial(self) -> bool:
        return self.outcome == "partial"


class GoldMatcher:
    """Says whether a piece of text comes from a gold source (a file, or a section of it).

    Sections are matched by their sentences, so chunks cut by any splitter can be judged."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self._sections: dict[tuple[str, str], set[str]] = {}
        for c in chunks:
            path = c.section or ""
            parts = path.split(" › ") if path else []
            for depth in range(0, len(parts) + 1):
                key = (c.source, " › ".join(parts[:depth]))
                self._sections.setdefault(key, set()).update(
                    norm(s) for s in split_sentences(c.text)
                )

    def known(self, gold: GoldSource) -> bool:
        return (gold.file, gold.section or "") in self._sections

    def matches(self, source: str, text: str, gold: GoldSource) -> bool:
        if source != gold.file:
            return False
        if not gold.section:
            return True
        sentences = self._sections.get((gold.file, gold.section), set())
        body = norm(text)
        return any(s in body for s in sentences if len(s) > 20)


@dataclass
class CaseScore:
    case: Case
    result: SystemResult
    hit_rank: int | None = None
    recall5: float | None = None
    facts_stated: int = 0
    citations_ok: int = 0
    sentences: int = 0
    unsupported: int = 0
    words: int | None = None  # length of a given answer, citation markers left out
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def quoted(sentence: str, chunk_text: str) -> bool:
    """An extractive sentence is supported when it stands in its cited chunk as it is."""
    return norm(sentence) in norm(chunk_text)


def score_case(case: Case, result: SystemResult, gold: GoldMatcher, supported=quoted) -> CaseScore:
    """Scores one answer. `supported(sentence, chunk_text)` judges each answer sentence against
    its cited chunk: verbatim for extractive answers, the verifier's check for generated ones."""
    score = CaseScore(case=case, result=result)
    if case.answerable and case.sources:
        for rank, item in enumerate(result.retrieved, start=1):
            if any(gold.matches(item.source, item.text, g) for g in case.sources):
                score.hit_rank = rank
                break
        top5 = result.retrieved[:5]
        found = sum(
            any(gold.matches(item.source, item.text, g) for item in top5) for g in case.sources
        )
        score.recall5 = found / len(case.sources)
    if case.answerable:
        if not result.abstained:
            score.facts_stated = sum(fact_stated(f, result.answer) for f in case.facts)
        for c in result.citations:
            from_gold = not case.sources or any(
                gold.matches(c.source, c.quote, g) for g in case.sources
            )
            has_fact = not case.facts or any(fact_stated(f, c.quote) for f in case.facts)
            score.citations_ok += from_gold and has_fact
    if not result.abstained:
        score.words = len(strip_markers(result.answer).split())
        texts = {c.n: c.chunk_text for c in result.citations}
        for sentence, numbers in cited_sentences(result.answer):
            if result.missing and norm(sentence) in norm(result.missing):
                continue  # says what the documents lack: there is nothing to cite
            score.sentences += 1
            if not numbers or not any(supported(sentence, texts.get(n, "")) for n in numbers):
                score.unsupported += 1
    # What a reader of the report needs to see about this case.
    if case.answerable:
        if result.abstained:
            score.failures.append("abstained")
        elif score.facts_stated < len(case.facts):
            missing = [f[0] for f in case.facts if not fact_stated(f, result.answer)]
            score.failures.append("missing: " + "; ".join(missing))
        if case.sources and score.hit_rank is None:
            score.failures.append("gold source not retrieved")
    elif not result.abstained and not result.partial:
        score.failures.append("answered an unanswerable question")
    if score.unsupported:
        score.failures.append(f"{score.unsupported} unsupported sentence(s)")
    return score


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def aggregate(scores: list[CaseScore]) -> dict[str, float | None]:
    answerable = [s for s in scores if s.case.answerable]
    unanswerable = [s for s in scores if not s.case.answerable]
    with_sources = [s for s in answerable if s.case.sources]
    follow_ups = [s for s in answerable if s.case.is_follow_up]
    abstained = [s for s in scores if s.result.abstained]
    latencies = sorted(s.result.latency_ms for s in scores)
    first = sorted(s.result.first_token_ms for s in scores if s.result.first_token_ms is not None)
    words = sorted(s.words for s in answerable if s.words is not None)
    n_facts = sum(len(s.case.facts) for s in answerable)
    n_citations = sum(len(s.result.citations) for s in answerable)
    return {
        "cases": len(scores),
        "hit@1": _ratio(sum(s.hit_rank == 1 for s in with_sources), len(with_sources)),
        "hit@3": _ratio(
            sum(s.hit_rank is not None and s.hit_rank <= 3 for s in with_sources), len(with_sources)
        ),
        "recall@5": _ratio(sum(s.recall5 or 0 for s in with_sources), len(with_sources)),
        "mrr": _ratio(sum(1 / s.hit_rank for s in with_sources if s.hit_rank), len(with_sources)),
        "fact_recall": _ratio(sum(s.facts_stated for s in answerable), n_facts),
        "citation_precision": _ratio(sum(s.citations_ok for s in answerable), n_citations),
        "unsupported_sentence_rate": _ratio(
            sum(s.unsupported for s in scores), sum(s.sentences for s in scores)
        ),
        "abstention_precision": _ratio(
            sum(not s.case.answerable for s in abstained), len(abstained)
        ),
        # A partial answer is honest on a question the documents do not answer: it says what
        # they do not hold. On an answerable one it counts as an answer (its facts must be in it).
        "abstention_recall": _ratio(
            sum(s.result.abstained or s.result.partial for s in unanswerable), len(unanswerable)
        ),
        "partial_rate_answerable": _ratio(
            sum(s.result.partial for s in answerable), len(answerable)
        ),
        "partial_rate_unanswerable": _ratio(
            sum(s.result.partial for s in unanswerable), len(unanswerable)
        ),
        "model_share": _ratio(sum(s.result.mode == "model" for s in scores), len(scores))
        if any(s.result.mode for s in scores)
        else None,
        "false_abstention_rate": _ratio(
            sum(s.result.abstained for s in answerable), len(answerable)
        ),
        "followup_accuracy": _ratio(
            sum(not s.result.abstained and s.facts_stated == len(s.case.facts) for s in follow_ups),
            len(follow_ups),
        ),
        "answer_words_p50": statistics.median(words) if words else None,
        "answer_words_p95": _percentile(words, 0.95),
        "latency_p50_ms": statistics.median(latencies) if latencies else None,
        "latency_p95_ms": _percentile(latencies, 0.95),
        "first_token_p50_ms": statistics.median(first) if first else None,
        "pass_rate": _ratio(sum(s.passed for s in scores), len(scores)),
    }


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    index = min(len(values) - 1, max(0, round(q * (len(values) - 1))))
    return sorted(values)[index]
