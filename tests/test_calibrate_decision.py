"""`python -m evals calibrate-decision`: the model path's decision fitted on a dev report."""

import json
from itertools import count

import numpy as np

from assistant.config import Settings
from assistant.pipeline.calibration import Calibration
from assistant.pipeline.decide import FEATURES, RECORDED_ONLY, Signals
from evals import calibrate_decision as cd
from evals.suites import split_of


def _ids(split: str, n: int, prefix: str) -> list[str]:
    ids = (f"{prefix}-{i}" for i in count())
    return [i for _, i in zip(range(n), (i for i in ids if split_of(i) == split), strict=False)]


def _case(case_id: str, answerable: bool, rng: np.random.Generator) -> dict:
    # Answerable questions get a confident reading, unanswerable ones a hesitant one, with
    # enough noise that the two overlap a little.
    centre = 0.75 if answerable else 0.4
    values = {f: float(np.clip(rng.normal(centre, 0.15), 0.0, 1.0)) for f in Signals.model_fields}
    values["quoted"] = 1.0
    values["said_yes"] = 1.0
    values["invented"] = 0.0  # a check, not a graded signal: no sentence here states a value
    return {"id": case_id, "answerable": answerable, "abstained": False, "signals": values}


def _report(n_answerable: int = 60, n_unanswerable: int = 40, split: str = "dev") -> dict:
    rng = np.random.default_rng(7)
    cases = [_case(i, True, rng) for i in _ids(split, n_answerable, "a")]
    cases += [_case(i, False, rng) for i in _ids(split, n_unanswerable, "u")]
    return {"mode": "local", "suites": {"made-up": {"cases": cases}}}


def test_only_dev_cases_that_the_model_read_are_fitted_on():
    report = _report()
    report["suites"]["made-up"]["cases"] += _report(split="test")["suites"]["made-up"]["cases"]
    report["suites"]["made-up"]["cases"].append(
        {"id": _ids("dev", 1, "quotes")[0], "answerable": True, "signals": None}
    )
    items = cd.rows(report)
    assert len(items) == 100
    assert all(split_of(c["id"]) == "dev" and c["signals"] for c in items)


def test_the_thresholds_keep_false_abstention_and_partial_answers_within_their_bounds():
    items = cd.rows(_report())
    model = cd.fit(items)
    hi, lo, rates = cd.thresholds(model, items)
    assert lo <= hi
    assert rates["false_abstention"] <= cd.MAX_FALSE
    assert rates["partial_answerable"] <= cd.MAX_PARTIAL
    # separable enough that most unanswerable questions are declined or answered partly
    assert rates["abstention_recall"] > 0.7
    replayed = cd.rates(
        cd.replay(model.model_copy(update={"answer": hi, "partial": lo}), items), items
    )
    assert replayed == rates


def test_a_case_with_no_located_words_is_declined_whatever_its_probability():
    items = cd.rows(_report())
    lost = {**items[0], "signals": {**items[0]["signals"], "quoted": 0.0, "sentence_support": 0.0}}
    model = cd.fit(items).model_copy(update={"answer": 0.0, "partial": 0.0})
    assert cd.replay(model, [lost]) == ["not_covered"]


def test_the_fitted_decision_is_written_beside_the_quote_path_and_reads_the_chosen_signals(
    tmp_path, capsys
):
    report = tmp_path / "report.json"
    report.write_text(json.dumps(_report()))
    out = tmp_path / "calibration.json"
    assert cd.main(Settings(llm="local"), report, out) == 0
    written = Calibration.load(out)
    decision = next(iter(written.decisions.values()))
    assert decision.features == FEATURES
    assert not set(RECORDED_ONLY) & set(decision.features)
    assert "100 dev cases" in decision.fitted_on
    # the quote path's parts are the shipped ones, untouched
    assert written.ranker == Calibration.load().ranker
    assert "5-fold cross-validated on dev" in capsys.readouterr().out


def test_when_no_thresholds_meet_the_caps_the_least_excess_is_chosen_and_said(tmp_path, capsys):
    # A fifth of the answerable cases have no located words: they are declined whatever the
    # thresholds, so no pair can keep false abstention under the cap.
    report = _report()
    for c in report["suites"]["made-up"]["cases"][:12]:
        c["signals"].update(quoted=0.0, sentence_support=0.0)
    items = cd.rows(report)
    hi, lo, rates = cd.thresholds(cd.fit(items), items)
    assert rates["false_abstention"] == 12 / 60  # the floor: nothing else declined
    assert rates["partial_answerable"] <= cd.MAX_PARTIAL
    assert cd.excess(rates) > 0
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    assert cd.main(Settings(llm="local"), path, tmp_path / "calibration.json") == 0
    captured = capsys.readouterr()
    assert "no thresholds keep false abstention within" in captured.err
    assert "5-fold cross-validated on dev" in captured.out


def test_a_dev_report_whose_second_reads_were_skipped_is_refused():
    import pytest

    from assistant.errors import AssistantError

    report = _report()
    report["suites"]["made-up"]["cases"][3]["entailment_read"] = False
    with pytest.raises(AssistantError, match="SETTLE_EARLY=false"):
        cd.rows(report)
    report["suites"]["made-up"]["cases"][3]["entailment_read"] = None  # nothing to check
    assert len(cd.rows(report)) == 100


def test_a_dev_report_made_before_a_signal_existed_is_refused_not_fitted_as_zero():
    import pytest

    from assistant.errors import AssistantError

    report = _report()
    del report["suites"]["made-up"]["cases"][5]["signals"]["answer_weakest"]
    with pytest.raises(AssistantError, match="no answer_weakest signal"):
        cd.rows(report)
