"""The extractive answerer: the passages of the evidence that answer the question, as worded.

Every window of consecutive sentences of the best chunks is a candidate. A window ranker (a
logistic model) scores each from general signals: the passage scorer's (e5) similarity to the
question, absolute and relative to the best candidate; the share of the question's weight (IDF)
the window contains; the retriever's scores and rank of its chunk; its length and whether it
opens its section. The answer is the best window and, when other chunks hold a window that
scores almost as well, up to two more: a question whose facts sit in several places gets them
all. Within each passage the sentences that score best on their own are marked as the ones
that carry the answer. The ranker's weights and how close "almost as well" is are fitted on the
dev split of the eval cases (`python -m evals calibrate`), not set by hand.

A question in another language than the documents' English is answered with the same English
passages, but whether to answer it is decided by a second abstention model that reads only what
holds across languages (e5 similarities and how the best passage stands out): word overlap, IDF
coverage and BM25 say nothing when the question's words are Dutch or Japanese.
"""

from __future__ import annotations

import time

import numpy as np

from assistant.config import AnswerSettings
from assistant.index.lexical import content_words, tokenize
from assistant.pipeline.abstain import AbstentionModel, Features
from assistant.pipeline.logistic import LogisticModel
from assistant.pipeline.passages import Window, windows
from assistant.types import Draft, Evidence, Passage, Retrieved

# Sentences scoring within this much of a passage's best sentence are marked too. Only what is
# shown bold depends on it, never what is answered.
_HIGHLIGHT_WITHIN = 0.01


class ExtractiveAnswerer:
    def __init__(
        self,
        scorer,
        lexicon,
        settings: AnswerSettings,
        abstention: AbstentionModel,
        ranker: LogisticModel,
        words=None,
        cross_language: AbstentionModel | None = None,
    ) -> None:
        self.scorer = scorer  # PassageScorer or a fake with the same `score` and `queries`
        self.lexicon = lexicon  # Bm25Index: term statistics of the corpus
        self.settings = settings
        self.abstention = abstention
        self.ranker = ranker
        self.words = words  # WordVectors: how near a question's word is to the answer's words
        # Decides for questions not in English; without it they are not answered.
        self.cross_language = cross_language

    def candidates(self, query: str, evidence: list[Evidence]) -> list[tuple[Window, dict]]:
        """Every candidate window of the evidence with its ranker features."""
        s = self.settings
        found = windows(evidence[: s.chunks], s.window_sentences, s.max_passage_words)
        if not found or not tokenize(query):  # '%%%% ????': nothing was asked
            return []
        e5 = self.scorer.score(query, [w.text for w in found])
        terms = list(dict.fromkeys(tokenize(query)))
        idf = {t: self.lexicon.idf(t) for t in terms}
        weight = sum(idf.values()) or 1.0
        bm25_top = max((e.bm25_score or 0.0 for e in evidence), default=0.0) or 1.0
        top = float(e5.max())
        out = []
        for w, sim in zip(found, e5, strict=True):
            w.e5 = float(sim)
            has = set(tokenize(w.text))
            out.append(
                (
                    w,
                    {
                        "e5": float(sim),
                        "e5_rel": float(sim) - top,
                        "terms": sum(v for t, v in idf.items() if t in has) / weight,
                        "dense": float(w.evidence.dense_score or 0.0),
                        "bm25": float(w.evidence.bm25_score or 0.0) / bm25_top,
                        "rank": 1.0 / w.evidence.rank,
                        "size": float(len(w.sentences)),
                        "lead": float(w.start == 0),
                    },
                )
            )
        return out

    def draft(self, query: str, evidence: list[Evidence], language: str | None = None) -> Draft:
        """Choose passages for the query from the evidence and decide whether to give them;
        `language` is the question's ISO code when it is not English."""
        scored = self.candidates(query, evidence)
        if not scored:
            return Draft(evidence=evidence, query=query)
        candidates = [w for w, _ in scored]
        names = self.ranker.features
        logits = self.ranker.logits([[f[n] for n in names] for _, f in scored])
        for w, logit in zip(candidates, logits, strict=True):
            w.score = float(logit)
        ranked = sorted(candidates, key=self._adjusted, reverse=True)
        margin = self.settings.extra_margin
        if language is not None and self.settings.cross_language_extra_margin is not None:
            margin = self.settings.cross_language_extra_margin
        chosen = self._choose(ranked, margin)
        passages = [self._passage(w, candidates) for w in chosen]
        features = self._features(query, candidates, chosen, evidence)
        model = self.abstention if language is None else self.cross_language
        support = model.probability(features) if model is not None else 0.0
        threshold = model.threshold if model is not None else 1.0
        # Evidence in the order the answer was chosen from: a chunk ranks by its best window.
        best_by_chunk: dict[str, float] = {}
        for w in candidates:
            best_by_chunk[w.chunk_id] = max(best_by_chunk.get(w.chunk_id, -1e9), w.score)
        reranked = sorted(evidence, key=lambda e: -best_by_chunk.get(e.chunk.id, -1e9))
        return Draft(
            passages=passages,
            evidence=reranked,
            query=query,
            features=features.model_dump(),
            support=support,
            abstain=model is None or support < threshold,
        )

    def _adjusted(self, w: Window) -> float:
        return w.score - self.settings.sentence_cost * (len(w.sentences) - 1)

    def _choose(self, ranked: list[Window], margin: float) -> list[Window]:
        best = ranked[0]
        chosen = [best]
        floor = self._adjusted(best) - margin
        taken = set(best.sentences)
        words = sum(len(x.split()) for x in best.sentences)
        for w in ranked[1:]:
            if len(chosen) >= self.settings.max_passages or self._adjusted(w) < floor:
                break
            if any(w.chunk_id == c.chunk_id for c in chosen) or taken & set(w.sentences):
                continue  # one passage a chunk, and no sentence twice (chunks may overlap)
            size = sum(len(x.split()) for x in w.sentences)
            if words + size > self.settings.max_answer_words:
                continue  # never a wall of text
            if self._redundant(w, chosen):
                continue  # says again what a chosen passage says (documents repeat themselves)
            chosen.append(w)
            taken |= set(w.sentences)
            words += size
        return chosen

    def _redundant(self, w: Window, chosen: list[Window]) -> bool:
        limit = self.settings.redundancy
        if limit is None or limit >= 1.0:
            return False
        vectors = self.scorer.passages([w.text, *(c.text for c in chosen)])
        return bool((vectors[1:] @ vectors[0]).max() >= limit)

    def _passage(self, w: Window, candidates: list[Window]) -> Passage:
        """The window with the sentences that carry the answer marked: the units that score
        best on their own (a one-unit window of the same chunk)."""
        single = {
            c.start: c.e5
            for c in candidates
            if c.chunk_id == w.chunk_id and c.size == 1 and w.start <= c.start < w.end
        }
        top = max(single.values(), default=w.e5)
        marked: list[int] = []
        i = 0
        for offset, unit in enumerate(w.units):
            unit_score = single.get(w.start + offset, -1.0)
            if unit_score >= top - _HIGHLIGHT_WITHIN:
                marked.extend(range(i, i + len(unit)))
            i += len(unit)
        return Passage(
            chunk_id=w.chunk_id, sentences=w.sentences, highlighted=marked, score=w.score
        )

    def _features(
        self, query: str, candidates: list[Window], chosen: list[Window], evidence: list[Evidence]
    ) -> Features:
        """General statistics of how well the evidence answers: the scorer's similarities, how
        much the best stands out, and how much of the question's weight (IDF) the answer and
        the corpus contain."""
        scores = np.array([w.e5 for w in candidates])
        best = chosen[0]
        terms = list(dict.fromkeys(tokenize(query)))
        idf = np.array([self.lexicon.idf(t) for t in terms]) if terms else np.zeros(0)
        said = {t for w in chosen for s in w.sentences for t in tokenize(s)}
        said |= {t for w in chosen for t in tokenize(w.text)}  # the heading speaks too
        in_answer = np.array([t in said for t in terms], dtype=float)
        known = np.array([self.lexicon.knows(t) for t in terms], dtype=float)
        weight = float(idf.sum()) or 1.0
        rarest = self.lexicon.idf("\x00")  # a term no document has: the highest IDF there is
        missing = idf[in_answer == 0]
        # The best window of every other chunk: how far the answer stands out from the rest.
        others = [w.e5 for w in candidates if w.chunk_id != best.chunk_id]
        near = in_answer.copy()
        if self.words is not None and terms and (in_answer == 0).any():
            asked = content_words(query)
            given = {}
            for w in chosen:
                given.update(content_words(w.text))
            absent = [asked.get(t, t) for t, has in zip(terms, in_answer, strict=True) if not has]
            closeness = iter(self.words.nearest(absent, list(given.values())))
            near = np.array([1.0 if has else next(closeness) for has in in_answer])
        near = np.clip(near, 0.0, 1.0)
        return Features(
            near_terms=float((idf * near).sum() / weight) if terms else 0.0,
            near_missing=float((idf * (1 - near)).max() / rarest) if terms and rarest else 0.0,
            missing_idf=float(missing.max() / rarest) if len(missing) and rarest else 0.0,
            ranker=float(1.0 / (1.0 + np.exp(-best.score))),
            best=float(best.e5),
            gap=float(best.e5 - np.median(scores)),
            lead=float(best.e5 - max(others)) if others else 0.0,
            top=float(np.sort(scores)[-3:].mean()),
            dense=float(evidence[0].dense_score or 0.0) if evidence else 0.0,
            answer_terms=float((idf * in_answer).sum() / weight) if terms else 0.0,
            corpus_terms=float((idf * known).sum() / weight) if terms else 0.0,
        )


def about_other_things(draft: Draft) -> bool:
    """Whether most of the question's weight (idf) is in words the corpus never uses: a
    question about something else than the documents."""
    return bool(draft.features) and draft.features.get("corpus_terms", 1.0) < 0.5


def pick_reading(question: str, alone: Draft, joined: Draft | None, margin: float, scorer) -> Draft:
    """A follow-up is answered by the reading with the conversation when the question as asked
    finds that reading's first passage about as relevant (e5, within `margin`) as the first
    passage of the question read alone, or when only that reading is answered. An elliptic
    follow-up finds nothing that fits it better read alone; a new question after another topic
    finds its own passage more relevant than the previous topic's."""
    if joined is None or not joined.passages or joined.abstain:
        return alone
    if not alone.passages or alone.abstain:
        return joined
    texts = [" ".join(d.passages[0].sentences) for d in (alone, joined)]
    own, other = (float(x) for x in scorer.score(question, texts))
    return joined if other >= own - margin else alone


def choose(retrieved: Retrieved, answerer, settings: AnswerSettings, scorer) -> Draft:
    """The passages that answer, read alone or, for a follow-up, with the conversation
    (`pick_reading`, with the calibrated margin)."""
    started = time.perf_counter()
    q = retrieved.query
    draft = answerer.draft(q.question, retrieved.evidence, q.language)
    if q.contextual and retrieved.contextual_evidence is not None:
        joined = answerer.draft(q.contextual, retrieved.contextual_evidence, q.language)
        draft = pick_reading(q.question, draft, joined, settings.followup_margin, scorer)
    q.timings_ms["choose"] = round((time.perf_counter() - started) * 1000, 2)
    return draft.model_copy(update={"asked": q})
