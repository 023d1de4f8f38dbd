"""Abstention: the logistic model, the threshold under a false-abstention cap, and the
calibration file that ships them."""

import random

import pytest
from conftest import FAKE_CALIBRATION

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.pipeline.abstain import FEATURES, AbstentionModel, choose_threshold, fit
from assistant.pipeline.calibration import Calibration, resolve


def _row(answer_terms: float, rng: random.Random) -> dict:
    """A draft's features: only answer_terms tells the classes apart, the rest is noise."""
    row = {name: rng.uniform(0.0, 1.0) for name in FEATURES}
    row["answer_terms"] = answer_terms
    return row


def _toy(seed: int = 1) -> tuple[list[dict], list[bool]]:
    rng = random.Random(seed)
    rows, labels = [], []
    for _ in range(40):
        rows.append(_row(rng.uniform(0.6, 1.0), rng))
        labels.append(True)
    for _ in range(15):
        rows.append(_row(rng.uniform(0.0, 0.4), rng))
        labels.append(False)
    return rows, labels


def test_fit_separates_a_separable_set():
    rows, labels = _toy()
    model = fit(rows, labels)
    assert model.features == FEATURES
    probabilities = [model.probability(r) for r in rows]
    assert all((p > 0.5) == y for p, y in zip(probabilities, labels, strict=True))
    # The separating feature carries the most weight.
    weights = dict(zip(model.features, model.weights, strict=True))
    assert max(weights, key=lambda n: abs(weights[n])) == "answer_terms"
    assert weights["answer_terms"] > 0
    held_out, held_labels = _toy(seed=2)  # and it generalises to new draws
    assert all(
        (model.probability(r) > 0.5) == y for r, y in zip(held_out, held_labels, strict=True)
    )


def test_the_threshold_never_abstains_on_more_answerable_cases_than_the_cap_allows():
    rng = random.Random(3)
    labels = [True] * 60 + [False] * 20
    # Overlapping classes: no threshold separates them, so the cap decides.
    probabilities = [rng.uniform(0.3, 1.0) if y else rng.uniform(0.0, 0.6) for y in labels]
    for cap in (0.0, 0.05, 0.2):
        threshold, recall, false = choose_threshold(probabilities, labels, cap)
        abstain = [p < threshold for p in probabilities]
        measured_false = sum(a for a, y in zip(abstain, labels, strict=True) if y) / 60
        measured_recall = sum(a for a, y in zip(abstain, labels, strict=True) if not y) / 20
        assert measured_false <= cap
        assert measured_false == pytest.approx(false) and measured_recall == pytest.approx(recall)
    # A looser cap buys at least as much abstention recall.
    assert (
        choose_threshold(probabilities, labels, 0.2)[1]
        >= choose_threshold(probabilities, labels, 0.0)[1]
    )


def test_when_nothing_separates_ties_may_go_to_the_highest_threshold():
    # The lowest answerable case scores below every unanswerable one: at 0% false abstention
    # no threshold abstains on any unanswerable case, so all tie.
    probabilities = [0.2, 0.5, 0.9, 0.3, 0.4]
    labels = [True, True, True, False, False]
    assert choose_threshold(probabilities, labels, 0.0) == (0.0, 0.0, 0.0)
    threshold, recall, false = choose_threshold(probabilities, labels, 0.0, prefer_high=True)
    assert threshold == 0.2 and recall == 0.0 and false == 0.0
    assert not any(p < threshold for p, y in zip(probabilities, labels, strict=True) if y)


def test_a_separable_set_gets_a_threshold_between_the_classes():
    probabilities = [0.9, 0.8, 0.7, 0.3, 0.2, 0.1]
    labels = [True, True, True, False, False, False]
    threshold, recall, false = choose_threshold(probabilities, labels, 0.0)
    assert 0.3 < threshold <= 0.7 and recall == 1.0 and false == 0.0


def test_probability_rises_with_a_feature_of_positive_weight():
    model = AbstentionModel(**FAKE_CALIBRATION["abstention"])
    values = [model.probability({"answer_terms": a / 10, "best": 0.5}) for a in range(11)]
    assert values == sorted(values) and values[0] < 0.5 < values[-1]
    assert all(0.0 <= v <= 1.0 for v in values)
    extreme = model.probability({"answer_terms": 1e6, "best": 1e6})  # no overflow
    assert extreme == pytest.approx(1.0)


def test_a_calibration_survives_a_save_and_a_load(tmp_path):
    calibration = Calibration.model_validate(FAKE_CALIBRATION)
    path = calibration.save(tmp_path / "calibration.json")
    assert Calibration.load(path) == calibration


def _resolve(settings: Settings):
    return resolve(settings, Calibration.load(settings.answer.calibration))


def test_the_shipped_calibration_loads_and_fills_the_settings():
    answer, abstention, *_ = _resolve(Settings())
    assert answer.extra_margin is not None and answer.sentence_cost is not None
    assert answer.followup_margin is not None
    assert 0.0 <= abstention.threshold <= 1.0
    assert set(abstention.features) <= set(FEATURES)


def test_settings_override_the_calibrated_values(tmp_path):
    path = Calibration.model_validate(FAKE_CALIBRATION).save(tmp_path / "c.json")
    answer, abstention, *_ = _resolve(Settings(answer={"calibration": path}))
    assert answer.extra_margin == FAKE_CALIBRATION["extra_margin"]
    assert abstention.threshold == FAKE_CALIBRATION["abstention"]["threshold"]
    answer, abstention, *_ = _resolve(
        Settings(answer={"calibration": path, "extra_margin": 0.3, "abstain_threshold": 0.9})
    )
    assert answer.extra_margin == 0.3 and abstention.threshold == 0.9


def test_the_calibration_file_is_read_from_the_environment(tmp_path, monkeypatch):
    path = Calibration.model_validate(FAKE_CALIBRATION).save(tmp_path / "c.json")
    monkeypatch.setenv("EXCHANGE_ANSWER__CALIBRATION", str(path))
    monkeypatch.setenv("EXCHANGE_ANSWER__MAX_PASSAGES", "2")
    settings = Settings()
    assert settings.answer.calibration == path and settings.answer.max_passages == 2
    assert _resolve(settings)[0].extra_margin == FAKE_CALIBRATION["extra_margin"]


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"extra_margin": 0.1}', "", None],
    ids=["json", "fields", "empty", "missing"],
)
def test_a_broken_calibration_file_is_one_clear_error(tmp_path, content):
    path = tmp_path / "calibration.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(AssistantError, match="python -m evals calibrate") as caught:
        Calibration.load(path)
    message = str(caught.value)
    assert str(path) in message and "\n" not in message
    with pytest.raises(AssistantError):
        _resolve(Settings(answer={"calibration": path}))
