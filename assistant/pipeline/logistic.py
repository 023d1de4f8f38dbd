"""A small logistic model over named features, fitted with numpy (no ML framework needed).

Both fitted decisions of the answerer use it: which passage answers (the window ranker) and
whether the evidence answers at all (abstention). The weights come from the dev split of the
eval cases (`python -m evals calibrate`) and are shipped in calibration.json.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel


class LogisticModel(BaseModel):
    """logit = w · ((x - mean) / scale) + b over the named features."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float

    def logits(self, rows: np.ndarray) -> np.ndarray:
        """Rows of feature values in the order of `features`."""
        z = (np.asarray(rows, dtype=float) - np.array(self.mean)) / np.array(self.scale)
        return z @ np.array(self.weights) + self.bias

    def logit(self, values: dict | BaseModel) -> float:
        if isinstance(values, BaseModel):
            values = values.model_dump()
        return float(self.logits(np.array([[values[n] for n in self.features]]))[0])

    def probability(self, values: dict | BaseModel) -> float:
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, self.logit(values)))))


def fit_logistic(
    features: list[str],
    rows: list[dict],
    labels: list[bool],
    l2: float = 1.0,
    steps: int = 3000,
    rate: float = 0.1,
    balanced: bool = True,
) -> LogisticModel:
    """L2-regularised logistic regression by gradient descent. With `balanced`, each class
    weighs half, so a rare class (unanswerable questions, answer-bearing windows) counts."""
    x = np.array([[r[name] for name in features] for r in rows], dtype=float)
    y = np.array(labels, dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    sample = np.ones(len(y))
    if balanced:
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
    return LogisticModel(
        features=list(features),
        mean=mean.round(6).tolist(),
        scale=scale.round(6).tolist(),
        weights=w.round(6).tolist(),
        bias=round(float(b), 6),
    )
