"""The logistic model of every fitted decision (pipeline/logistic.py)."""

from __future__ import annotations

import numpy as np

from assistant.pipeline.logistic import fit_logistic


def _data(n=400, seed=3):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n) * 3 + 10
    b = rng.normal(size=n)
    y = (0.8 * (a - 10) / 3 - 0.5 * b + rng.normal(scale=0.7, size=n)) > 1.0  # rare positives
    return [{"a": float(x), "b": float(z)} for x, z in zip(a, b, strict=True)], y.tolist()


def test_the_fit_is_the_optimum_of_the_balanced_l2_objective():
    rows, labels = _data()
    model = fit_logistic(["a", "b"], rows, labels, l2=2.0)
    x = np.array([[r["a"], r["b"]] for r in rows])
    y = np.array(labels, dtype=float)
    z = (x - model.mean) / model.scale
    p = 1 / (1 + np.exp(-(z @ model.weights + model.bias)))
    weight = np.where(y > 0, len(y) / (2 * y.sum()), len(y) / (2 * (len(y) - y.sum())))
    grad_w = z.T @ ((p - y) * weight) + 2.0 * np.array(model.weights)
    grad_b = ((p - y) * weight).sum()
    assert np.abs(grad_w).max() < 0.05 and abs(grad_b) < 0.05
    assert model.weights[0] > 0 > model.weights[1]  # the signs of the generating rule
    # balanced: the rare class is not drowned, a positive-looking row scores above one half
    assert model.probability({"a": 14.0, "b": -1.0}) > 0.5 > model.probability({"a": 8, "b": 1})


def test_one_class_gives_its_rate_and_no_weights():
    model = fit_logistic(["a"], [{"a": 1.0}, {"a": 2.0}], [True, True])
    assert model.weights == [0.0] and model.probability({"a": 5.0}) > 0.99
