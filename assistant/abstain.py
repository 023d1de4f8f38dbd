"""Whether the evidence answers the question: a logistic model over general statistics.

The features say nothing about particular words or questions: how similar the best passage is
to the question (e5), how much it stands out from the rest of the evidence, the retriever's
similarity, and how much of the question's weight (IDF) the answer and the corpus contain. The
weights and the threshold are fitted on the dev split of the eval cases only
(`python -m evals calibrate`), and shipped in `calibration.json` (see calibration.py).
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, Field


class Features(BaseModel):
    best: float = Field(description="Scorer similarity of the best passage to the question.")
    sentence: float = Field(description="Scorer similarity of the best single sentence.")
    gap: float = Field(description="Best passage score minus the median of all candidates.")
    dense: float = Field(description="Retriever (MiniLM) similarity of the top chunk.")
    answer_terms: float = Field(description="IDF-weighted share of the question's terms in the answer.")
    corpus_terms: float = Field(description="IDF-weighted share of the question's terms the corpus uses.")
    missing_idf: float = Field(
        description="IDF of the rarest question term the answer lacks, over the highest IDF."
    )


FEATURES = list(Features.model_fields)


class AbstentionModel(BaseModel):
    """p(answerable) = sigmoid(w · standardised features + b); abstain below `threshold`."""

    features: list[str] = Field(default_factory=lambda: list(FEATURES))
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float
    threshold: float = Field(ge=0.0, le=1.0)
    fitted_on: str = ""

    def probability(self, features: Features | dict) -> float:
        values = features if isinstance(features, dict) else features.model_dump()
        x = np.array([values[name] for name in self.features], dtype=float)
        z = (x - np.array(self.mean)) / np.array(self.scale)
        logit = float(np.dot(self.weights, z) + self.bias)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, logit))))


def fit(
    rows: list[dict],
    labels: list[bool],
    l2: float = 1.0,
    steps: int = 3000,
    rate: float = 0.1,
) -> AbstentionModel:
    """L2-regularised logistic regression by gradient descent (numpy only). The threshold is
    set afterwards by `choose_threshold`; 0.5 until then."""
    x = np.array([[r[name] for name in FEATURES] for r in rows], dtype=float)
    y = np.array(labels, dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    # Balance the classes: unanswerable cases are fewer, and missing one costs as much.
    pos = max(y.sum(), 1.0)
    neg = max(len(y) - y.sum(), 1.0)
    sample = np.where(y > 0, len(y) / (2 * pos), len(y) / (2 * neg))
    w = np.zeros(z.shape[1])
    b = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        err = (p - y) * sample
        w -= rate * (z.T @ err / len(y) + l2 * w / len(y))
        b -= rate * err.mean()
    return AbstentionModel(
        mean=mean.round(6).tolist(),
        scale=scale.round(6).tolist(),
        weights=w.round(6).tolist(),
        bias=round(float(b), 6),
        threshold=0.5,
    )


def choose_threshold(
    probabilities: list[float], labels: list[bool], max_false_abstention: float = 0.05
) -> tuple[float, float, float]:
    """The threshold with the best Youden's J (abstention recall + answered share - 1) among
    those that abstain on at most `max_false_abstention` of the answerable cases.
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
        if j > best_j:
            best_j, best = j, (t, recall, false)
    # Midway to the next probability above it, so that the threshold does not sit on a case.
    t = best[0]
    below = p[p < t]
    if len(below):
        t = (float(below.max()) + t) / 2
    return round(t, 4), best[1], best[2]
