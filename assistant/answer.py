"""Answerers: turn a question and its evidence into cited sentences.

The extractive answerer (the offline default) picks sentences of the evidence as they stand, so
every sentence of its answer is in the corpus by construction.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel

from . import answer_types
from .lexical import tokenize
from .models import Evidence
from .sentences import split_sentences
from .verify import CitedSentence, is_instruction, normalise

# How a sentence is scored: the similarity of the query to the sentence read under its
# headings, its chunk's similarity, the share of the question's words it contains, whether it is
# the kind of answer the question asks for, how much of the question it speaks of (synonyms
# included), and small costs for a lower-ranked chunk and for repeating an earlier answer.
# A pairwise logistic fit for top-1 accuracy on the eval cases (10-fold cross-validated top-1
# 0.88 against 0.85 for the hand-set weights before it, on the cases whose evidence holds a
# right sentence; README, Evals).
SCORE_WEIGHTS = {
    "context": 0.49,
    "chunk": 0.10,
    "words": 0.26,
    "type": 0.36,
    "coverage": 0.29,
    "rank": 0.021,
    "repeat": 0.19,
    "leans_back": 0.2,
}
# A sentence that leans on the one before it ('In these three areas, ...', '... because of this
# history') says little on its own.
_LEANS_BACK = re.compile(
    r"^(?:.*\b(?:this|these|that|those)\s+(?:history|period|areas?|time|strategy|project|way)\b"
    r"|(?:it|they|he|she|its|their|this|these|there)\b)",
    re.I,
)
# How the support score is made: the best sentence's score, how much of the question the answer
# speaks of (words, two-word phrases), and costs for the wrong kind of answer and for not speaking
# of the one thing asked about. Fitted on the eval cases for the best separation of answerable
# from unanswerable (grid search); the abstention threshold is calibrated on this scale.
SUPPORT_WEIGHTS = {
    "score": 0.4,
    "coverage": 0.2,
    "phrases": 0.1,
    "type_miss": 0.2,
    "off_target": 0.3,
}
SYNONYM_FLOOR, SYNONYM_FULL = 0.5, 0.75
RELATED = 0.55  # word similarity from which two nouns count the same things (schools, universities)
REDUNDANT = 0.8  # a sentence this similar to one already chosen says nothing new
# A second sentence joins the best only when it answers a part of the question the best leaves
# open and scores within this much of it: an extra sentence that adds no asked-for fact costs
# the reader more than it gives (measured: citation precision 0.77 -> 0.90, fact recall
# 0.905 -> 0.867 against 'any sentence within 0.08').
COMPLETE_WINDOW = 0.05
# Words people wrap questions in; their absence from the corpus says nothing.
_FILLER = frozenset(
    tokenize(
        "exactly actually really basically particular specific specifically kind sort thing "
        "things stuff like know want wondering wonder hi hello hey thanks thank question "
        "questions information info details detail anything something everything exist get got "
        "go going let say tell mean think maybe just still even much many long old new good "
        "best way ways happen happened currently nowadays today right sure abt pls plz often far "
        "back soon talk"
    )
)


class Draft(BaseModel):
    sentences: list[CitedSentence]
    support: float
    chunk_scores: dict[str, float] = {}  # the best sentence score of each evidence chunk
    coverage: float = 0.0
    on_target: float = 1.0
    best_score: float = 0.0
    type_match: bool = True
    phrases: float = 1.0


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
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()  # the UI asks from several threads at once

    def draft(
        self,
        question: str,
        query: str,
        evidence: list[Evidence],
        said: frozenset[str] = frozenset(),
    ) -> Draft:
        ranked = self.rank(question, query, evidence, said)
        if not ranked or not content_words(query):  # '%%%% ????': nothing was asked
            return Draft(sentences=[], support=0.0)
        asked = answer_types.parts(question)
        if len(asked) > 1:  # each part of the question gets its own best sentence
            chosen = self._per_part(asked, query, evidence, said)
        else:
            chosen = self.select(question, ranked)
        best = chosen[0]
        coverage = self.coverage(question, chosen)
        on_target = self.target_coverage(question, chosen)
        typed = answer_types.matches(question, [c.text for c in chosen], self.related)
        phrases = phrase_coverage(question, chosen)
        support = (
            SUPPORT_WEIGHTS["score"] * best.score
            + SUPPORT_WEIGHTS["coverage"] * coverage
            + SUPPORT_WEIGHTS["phrases"] * phrases
            - (0.0 if typed else SUPPORT_WEIGHTS["type_miss"])
            - SUPPORT_WEIGHTS["off_target"] * (1.0 - on_target)
        )
        return Draft(
            sentences=[
                CitedSentence(text=c.text, chunk_id=c.evidence.chunk.id, quote=c.text)
                for c in chosen
            ],
            support=support,
            chunk_scores=_best_by_chunk(ranked),
            phrases=phrases,
            coverage=coverage,
            on_target=on_target,
            best_score=best.score,
            type_match=typed,
        )

    def _per_part(
        self, asked: list[str], query: str, evidence: list[Evidence], said: frozenset[str]
    ) -> list[_Candidate]:
        chosen: list[_Candidate] = []
        for part in asked[: self.max_sentences]:
            ranked = self.rank(part, f"{part} {query}", evidence, said)
            fresh = [c for c in ranked if all(c.text != o.text for o in chosen)]
            if fresh:
                chosen.append(fresh[0])
        return chosen

    def rank(
        self, question: str, query: str, evidence: list[Evidence], said: frozenset[str]
    ) -> list[_Candidate]:
        """Every usable sentence of the evidence, best first."""
        candidates = [
            _Candidate(text=s, evidence=e, position=i)
            for e in evidence
            for i, s in enumerate(split_sentences(e.chunk.text))
            if len(s.split()) >= 3 and not is_instruction(s)
        ]
        if not candidates:
            return []
        qvec = np.asarray(self.embedder.embed_query(query))
        in_context = self._embed([_in_context(c) for c in candidates])
        terms = _weighted_terms(question, query, self.lexicon.idf)
        for c, vec in zip(candidates, in_context, strict=True):
            c.cosine = float(qvec @ vec)
            c.score = (
                SCORE_WEIGHTS["context"] * c.cosine
                + SCORE_WEIGHTS["chunk"] * (c.evidence.dense_score or 0.0)
                + SCORE_WEIGHTS["words"] * _overlap(terms, c.text)
                + SCORE_WEIGHTS["type"] * answer_types.bonus(question, c.text, 1.0, self.related)
                + SCORE_WEIGHTS["coverage"] * self.coverage(question, [c])
                - SCORE_WEIGHTS["rank"] * (c.evidence.rank - 1)
            )
            if _LEANS_BACK.match(c.text):  # 'this history', 'that period': not an answer alone
                c.score -= SCORE_WEIGHTS["leans_back"]
            if normalise(c.text) in said:  # a follow-up wants something new
                c.score -= SCORE_WEIGHTS["repeat"]
        return sorted(candidates, key=lambda c: -c.score)

    def select(self, question: str, ranked: list[_Candidate]) -> list[_Candidate]:
        """The best sentence, and the ones that complete it; the best leads, the others follow
        in reading order."""
        best = ranked[0]
        chosen = [best]
        chosen_vecs = [self._embed([best.text])[0]]
        wanted = {stem for _, stem in content_words(question)}
        covered = wanted & _stems_of(best)
        for c in ranked[1:]:
            if len(chosen) >= self.max_sentences or c.score < best.score - COMPLETE_WINDOW:
                break
            vec = self._embed([c.text])[0]
            if any(float(vec @ v) > REDUNDANT for v in chosen_vecs):
                continue
            # It must answer a part of the question the others leave open ('1987 and 1989').
            adds = (wanted & _stems_of(c)) - covered
            if adds:
                chosen.append(c)
                chosen_vecs.append(vec)
                covered |= adds
        return [best, *sorted(chosen[1:], key=lambda c: (c.evidence.rank, c.position))]

    def coverage(self, question: str, chosen: list[_Candidate]) -> float:
        """How much of what the question asks about the chosen sentences speak of: the
        idf-weighted share of the question's content words found in them (or in their
        headings), by stem or by a close synonym ('employees' ~ 'staff').

        A question whose key word no chosen sentence covers ('visa', 'housing', 'grant') is
        rarely answered by them, however close the rest of its words come."""
        words = content_words(question)
        if not words:
            return 1.0
        stems, surfaces = self._vocabulary(chosen)
        total = covered = 0.0
        for word, stem in words:
            weight = self.lexicon.idf(stem)
            total += weight
            covered += weight * self._share(word, stem, stems, surfaces)
        return covered / total if total else 1.0

    def target_coverage(self, question: str, chosen: list[_Candidate]) -> float:
        """How well the chosen sentences speak of the one thing the question asks about
        ('the president of X', 'her email address'): its least covered word, 0 to 1."""
        words = content_words(" ".join(answer_types.target(question)))
        if not words:
            return 1.0
        stems, surfaces = self._vocabulary(chosen)
        return min(self._share(word, stem, stems, surfaces) for word, stem in words)

    def _vocabulary(self, chosen: list[_Candidate]) -> tuple[set[str], list[str]]:
        context = " ".join(
            [c.text for c in chosen]
            + [f"{c.evidence.chunk.title} {c.evidence.chunk.section or ''}" for c in chosen]
        )
        have = content_words(context)
        return {stem for _, stem in have}, sorted({w for w, _ in have if not w.isdigit()})

    def _share(self, word: str, stem: str, stems: set[str], surfaces: list[str]) -> float:
        """1 when the word (or a longer form of it) is there, else how close a synonym is."""
        if stem in stems or (len(stem) >= 6 and any(s.startswith(stem[:6]) for s in stems)):
            return 1.0
        if word.isdigit() or not surfaces:
            return 0.0
        return self._synonymy(word, surfaces)

    def related(self, a: str, b: str) -> bool:
        """Whether two words name the same kind of thing ('schools' ~ 'universities')."""
        stems_a, stems_b = tokenize(a), tokenize(b)
        if stems_a and stems_a == stems_b:
            return True
        if not (stems_a and stems_b):
            return False
        va, vb = self._embed([a, b])
        return float(va @ vb) >= RELATED

    def _synonymy(self, word: str, candidates: list[str]) -> float:
        """0 for unrelated words, 1 for near-synonyms, from the model's word embeddings."""
        vectors = self._embed([word, *candidates])
        best = float(np.max(np.stack(vectors[1:]) @ vectors[0]))
        return min(1.0, max(0.0, (best - SYNONYM_FLOOR) / (SYNONYM_FULL - SYNONYM_FLOOR)))

    def _embed(self, texts: list[str]) -> list[np.ndarray]:
        with self._cache_lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        fresh = {
            t: np.asarray(v, dtype=np.float32)
            for t, v in zip(missing, self.embedder.embed_documents(missing), strict=True)
        }
        with self._cache_lock:
            self._vectors.update(fresh)
            out = []
            for t in texts:
                vec = self._vectors.get(t)
                if vec is None:
                    vec = fresh[t]
                self._vectors[t] = vec
                self._vectors.move_to_end(t)
                out.append(vec)
            while len(self._vectors) > self._cache_size:
                self._vectors.popitem(last=False)
        return out


def _best_by_chunk(ranked: list[_Candidate]) -> dict[str, float]:
    best: dict[str, float] = {}
    for c in ranked:  # best first, so the first score seen for a chunk is its best
        best.setdefault(c.evidence.chunk.id, c.score)
    return best


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


def _in_context(c: _Candidate) -> str:
    """A sentence with the headings it stands under, so that 'At Nagasaki, cohorts are
    studied' is known to be about ageing."""
    heading = " › ".join(p for p in (c.evidence.chunk.title, c.evidence.chunk.section) if p)
    return f"{heading}: {c.text}"


def phrase_coverage(question: str, chosen: list[_Candidate]) -> float:
    """The share of the question's two-word phrases ('academic year', 'student housing')
    that the chosen sentences or their headings also contain, in any order of the two."""
    words = [stem for _, stem in content_words(question)]
    pairs = {(a, b) for a, b in zip(words, words[1:], strict=False) if a != b}
    if not pairs:
        return 1.0
    found = 0
    for c in chosen:
        stems = [stem for _, stem in content_words(f"{c.evidence.chunk.section or ''}. {c.text}")]
        near = {(a, b) for i, a in enumerate(stems) for b in stems[i + 1 : i + 3]}
        found = max(found, sum((a, b) in near or (b, a) in near for a, b in pairs))
    return found / len(pairs)


def _stems_of(c: _Candidate) -> set[str]:
    chunk = c.evidence.chunk
    return {stem for _, stem in content_words(f"{c.text} {chunk.title} {chunk.section or ''}")}


def content_words(text: str) -> list[tuple[str, str]]:
    """(word, stem) for the words of a text that carry meaning (no stop or filler words)."""
    out = []
    for word in re.findall(r"\w+", text.lower()):
        stems = tokenize(word)
        if stems and stems[0] not in _FILLER:
            out.append((word, stems[0]))
    return out
