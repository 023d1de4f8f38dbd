"""The three outcomes from the signals, and what a declined question is called."""

from assistant.pipeline.decide import FEATURES, DecisionModel, Signals, unfitted


def _signals(**values) -> Signals:
    base = {f: 0.0 for f in FEATURES}
    return Signals(**{**base, **values})


def _model(**thresholds) -> DecisionModel:
    # p = sigmoid(4 * (judged - 0.5)): only the judgement counts
    weights = [4.0 if f == "judged" else 0.0 for f in FEATURES]
    mean = [0.5 if f == "judged" else 0.0 for f in FEATURES]
    return DecisionModel(
        features=FEATURES,
        mean=mean,
        scale=[1.0] * len(FEATURES),
        weights=weights,
        bias=0.0,
        **thresholds,
    )


def test_above_the_answer_threshold_the_question_is_answered():
    m = _model(answer=0.7, partial=0.4)
    assert m.decide(_signals(judged=0.95, quoted=1.0))[0] == "answered"


def test_between_the_thresholds_a_quoted_answer_is_partial_and_an_unquoted_one_declined():
    m = _model(answer=0.7, partial=0.4)
    assert m.decide(_signals(judged=0.6, quoted=1.0))[0] == "partial"
    assert m.decide(_signals(judged=0.6, quoted=0.0))[0] == "not_covered"


def test_below_the_partial_threshold_the_documents_do_not_answer():
    m = _model(answer=0.7, partial=0.4)
    assert m.decide(_signals(judged=0.1, quoted=1.0))[0] == "not_covered"


def test_a_declined_question_far_from_every_passage_is_off_topic():
    m = _model(off_topic_below=0.75)
    assert m.kind(0.70) == "off_topic" and m.kind(0.80) == "not_covered"


def test_unfitted_follows_the_models_own_yes_and_its_quote():
    m = unfitted()
    assert m.decide(_signals(judged=0.9, quoted=1.0))[0] == "answered"
    assert m.decide(_signals(judged=0.1, quoted=0.0))[0] == "not_covered"
