"""Answerers: turn a question and its evidence into cited sentences.

The extractive answerer (the offline default) picks sentences of the evidence as they stand, so
every sentence of its answer is in the corpus by construction.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from pydantic import BaseModel

from .lexical import tokenize
from .models import Evidence
from .sentences import split_sentences
from .verify import CitedSentence, normalise

_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_DURATION = re.compile(r"\b\d+\s*(?:to\s*\d+\s*)?(?:days?|weeks?|months?|years?)\b", re.I)
_NUMBER = re.compile(r"\b\d+\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten)\b", re.I)
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:van\s+|von\s+|de\s+)?[A-Z][a-z]+)+\b")


UNKNOWN_PENALTY = 0.35
# Words people wrap questions in; their absence from the corpus says nothing.
_FILLER = frozenset(
    tokenize(
        "exactly actually really basically particular specific specifically kind sort thing "
        "things stuff like know want wondering wonder hi hello hey thanks thank question "
        "questions information info details detail anything something everything exist get got "
        "go going let say tell mean think maybe just still even much many long old new good "
        "best way ways happen happened currently nowadays today right sure abt pls plz often far "
        "soon"
    )
)


class Draft(BaseModel):
    sentences: list[CitedSentence]
    support: float
    unknown_share: float = 0.0


@dataclass
class _Candidate:
    text: str
    evidence: Evidence
    position: int
    cosine: float = 0.0
    score: float = 0.0


class ExtractiveAnswerer:
    """Scores each evidence sentence against the query (meaning, words, expected answer type)
    and returns the best few; `support` is the best score, which decides abstention."""

    def __init__(self, embedder, lexicon, max_sentences: int = 3, cache_size: int = 20000) -> None:
        self.embedder = embedder
        self.lexicon = lexicon
        self.max_sentences = max_sentences
        self._vectors: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()  # the UI asks from several threads at once

    def draft(
        self,
        question: str,
        query: str,
        evidence: list[Evidence],
        said: frozenset[str] = frozenset(),
    ) -> Draft:
        candidates = [
            _Candidate(text=s, evidence=e, position=i)
            for e in evidence
            for i, s in enumerate(split_sentences(e.chunk.text))
            if len(s.split()) >= 3
        ]
        if not candidates:
            return Draft(sentences=[], support=0.0)
        qvec = self.embedder.embed_query(query)
        vectors = self._embed([c.text for c in candidates])
        terms = _weighted_terms(question, query, self.lexicon.idf)
        for c, vec in zip(candidates, vectors, strict=True):
            c.cosine = _dot(qvec, vec)
            c.score = (
                0.6 * c.cosine
                + 0.2 * (c.evidence.dense_score or 0.0)
                + 0.2 * _overlap(terms, c.text)
                + _type_bonus(question, c.text)
            )
            if normalise(c.text) in said:  # a follow-up wants something new
                c.score -= 0.15
        ranked = sorted(candidates, key=lambda c: -c.score)
        best = ranked[0]
        chosen = [best]
        chosen_vecs = [vectors[candidates.index(best)]]
        for c in ranked[1:]:
            if len(chosen) >= self.max_sentences or c.score < best.score - 0.08:
                break
            vec = vectors[candidates.index(c)]
            if any(_dot(vec, v) > 0.8 for v in chosen_vecs):
                continue
            chosen.append(c)
            chosen_vecs.append(vec)
        chosen.sort(key=lambda c: (c.evidence.rank, c.position))
        unknown = self.unknown_share(question)
        return Draft(
            sentences=[
                CitedSentence(text=c.text, chunk_id=c.evidence.chunk.id, quote=c.text)
                for c in chosen
            ],
            support=best.score - UNKNOWN_PENALTY * unknown,
            unknown_share=unknown,
        )

    def unknown_share(self, question: str) -> float:
        """The idf-weighted share of the question's words that occur nowhere in the corpus.

        A question whose key word the documents never use ('visa', 'housing', 'grant') is
        rarely answered by them, however close its other words come."""
        terms = [t for t in tokenize(question) if t not in _FILLER and not t.isdigit()]
        if not terms:
            return 0.0
        weights = {t: self.lexicon.idf(t) for t in terms}
        unknown = sum(w for t, w in weights.items() if not self.lexicon.knows(t))
        return unknown / sum(weights.values())

    def _embed(self, texts: list[str]) -> list[list[float]]:
        with self._cache_lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        fresh = dict(zip(missing, self.embedder.embed_documents(missing), strict=True))
        with self._cache_lock:
            self._vectors.update(fresh)
            out = []
            for t in texts:
                vec = self._vectors.get(t) or fresh[t]
                self._vectors[t] = vec
                self._vectors.move_to_end(t)
                out.append(vec)
            while len(self._vectors) > self._cache_size:
                self._vectors.popitem(last=False)
        return out


def _dot(a: list[float], b: list[float]) -> float:
    return float(sum(x * y for x, y in zip(a, b, strict=True)))


def _weighted_terms(question: str, query: str, idf) -> dict[str, float]:
    # The question's own words count fully; words the condenser added from context count half.
    terms = {t: idf(t) for t in tokenize(question)}
    for t in tokenize(query):
        terms.setdefault(t, 0.5 * idf(t))
    return terms


def _overlap(terms: dict[str, float], sentence: str) -> float:
    total = sum(terms.values())
    if not total:
        return 0.0
    words = set(tokenize(sentence))
    return sum(w for t, w in terms.items() if t in words) / total


def _type_bonus(question: str, sentence: str) -> float:
    """A small push towards sentences of the kind the question asks for."""
    q = question.lower()
    if re.search(r"\bhow long\b|\bduration\b|\blast(s)?\b.*\?", q):
        return 0.05 if _DURATION.search(sentence) else 0.0
    if re.search(r"\bwhen\b|\bwhat year\b|\bwhich year\b|\bsince when\b", q):
        return 0.05 if _YEAR.search(sentence) else 0.0
    if re.search(r"\bhow many\b|\bhow much\b|\bnumber of\b", q):
        return 0.05 if _NUMBER.search(sentence) else 0.0
    if re.search(r"\bwho\b|\bwhom\b", q):
        return 0.05 if _NAME.search(sentence) else 0.0
    return 0.0
