"""Whether the evidence answers the question: a logistic model over general statistics.

The features say nothing about particular words or questions: how likely the window ranker
finds it that the best passage answers, how similar it is to the question (e5) and how much it
stands out, the retriever's similarity, and how much of the question's weight (IDF) the answer
and the corpus contain. The
weights and the threshold are fitted on the dev split of the eval cases only
(`python -m evals calibrate`), and shipped in `calibration.json` (see calibration.py).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, Field

from assistant.pipeline.logistic import LogisticModel, fit_logistic


class Features(BaseModel):
    """What the abstention model reads of a draft."""

    ranker: float = Field(description="Ranker probability that the best passage answers.")
    best: float = Field(description="Scorer (e5) similarity of the best passage.")
    gap: float = Field(description="Best passage's e5 score minus the median of all candidates.")
    lead: float = Field(
        0.0, description="Best passage's e5 score minus the best of any other chunk's passages."
    )
    top: float = Field(0.0, description="Mean e5 score of the three best candidate passages.")
    dense: float = Field(description="Retriever (MiniLM) similarity of the top chunk.")
    answer_terms: float = Field(
        description="IDF-weighted share of the question's terms in the answer."
    )
    corpus_terms: float = Field(
        description="IDF-weighted share of the question's terms the corpus uses."
    )
    missing_idf: float = Field(
        description="IDF of the rarest question term the answer lacks, over the highest IDF."
    )
    near_terms: float = Field(
        description="Like answer_terms, but a term the answer lacks counts by how near (word "
        "vectors) its nearest word of the answer is (an inflection or a near-synonym counts)."
    )
    near_missing: float = Field(
        description="The largest IDF x (1 - nearness) of a question term, over the highest IDF."
    )


# The English model reads everything but `lead` and `top`, which the cross-language model needs
# in place of the lexical features.
FEATURES = [n for n in Features.model_fields if n not in ("lead", "top")]
# What holds across languages: e5 similarities of the question to the passages and how the best
# stands out. Lexical features (terms, IDF, BM25, word vectors) and the ranker's probability,
# which reads them, are meaningless when the question's words are not the documents'.
CROSS_LANGUAGE_FEATURES = ["best", "gap", "lead", "top"]


class AbstentionModel(LogisticModel):
    """p(answerable) = sigmoid(logit); abstain below `threshold`."""

    threshold: float = Field(0.5, ge=0.0, le=1.0)
    fitted_on: str = ""


def fit(rows: list[dict], labels: list[bool], features: list[str] | None = None) -> AbstentionModel:
    """The abstention model on dev drafts; the threshold is set by `choose_threshold`."""
    model = fit_logistic(features or FEATURES, rows, labels)
    return AbstentionModel(**model.model_dump())


def choose_threshold(
    probabilities: list[float],
    labels: list[bool],
    max_false_abstention: float = 0.05,
    prefer_high: bool = False,
) -> tuple[float, float, float]:
    """The threshold with the best Youden's J (abstention recall + answered share - 1) among
    those that abstain on at most `max_false_abstention` of the answerable cases; with
    `prefer_high`, ties go to the highest such threshold (with few cases many tie, and the
    highest still answers every answerable case it was fitted on while it abstains on
    questions less like the documents than any of them).
    Returns (threshold, abstention recall, false abstention rate)."""
    p = np.array(probabilities)
    y = np.array(labels, dtype=bool)
    best = (0.0, 0.0, 0.0)
    best_j = -1.0
    for t in sorted(set(np.round(p, 4)) | {0.0}):
        t = float(t)
        abstain = p < t
        recall = float(abstain[~y].mean()) if (~y).any() else 0.0
        false = float(abstain[y].mean()) if y.any() else 0.0
        if false > max_false_abstention:
            continue
        j = recall - false
        if j > best_j or (prefer_high and j == best_j):
            best_j, best = j, (t, recall, false)
    # Midway to the next probability above it, so that the threshold does not sit on a case.
    t = best[0]
    below = p[p < t]
    if len(below):
        t = (float(below.max()) + t) / 2
    return round(t, 4), best[1], best[2]
