"""A small logistic model over named features: applied with numpy, fitted with scikit-learn.

Every fitted decision uses it: which passage answers (the window ranker), whether the evidence
answers at all (the quote path's abstention) and the model path's decision (decide.py). The
weights come from the dev split of the eval cases (`python -m evals calibrate`,
`calibrate-decision`) and are shipped in calibration.json; answering needs no scikit-learn.
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
    balanced: bool = True,
) -> LogisticModel:
    """L2-regularised logistic regression on standardised features (scikit-learn, lbfgs):
    minimises sum(sample weight x log-loss) + l2 / 2 x |w|^2. With `balanced`, each class
    weighs half, so a rare class (unanswerable questions, answer-bearing windows) counts."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([[r[name] for name in features] for r in rows], dtype=float)
    y = np.array(labels, dtype=int)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    if len(set(y.tolist())) < 2:  # one class only: nothing to separate, the prior alone
        rate = min(max(float(y.mean()), 1e-6), 1 - 1e-6)
        weights, bias = np.zeros(len(features)), math.log(rate / (1 - rate))
    else:
        model = LogisticRegression(
            C=1.0 / l2, class_weight="balanced" if balanced else None, max_iter=1000
        )
        model.fit((x - mean) / scale, y)
        weights, bias = model.coef_[0], float(model.intercept_[0])
    return LogisticModel(
        features=list(features),
        mean=mean.round(6).tolist(),
        scale=scale.round(6).tolist(),
        weights=np.round(weights, 6).tolist(),
        bias=round(bias, 6),
    )
