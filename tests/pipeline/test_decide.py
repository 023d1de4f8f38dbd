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


def test_a_signal_not_read_yet_settles_the_outcome_only_when_its_whole_range_agrees():
    from assistant.pipeline.decide import settled

    # p = sigmoid(4 * (judged - 0.5) + 2 * (entailed - 0.5)): the second read can tip a
    # question near the threshold, never one far from it
    weights = [{"judged": 4.0, "entailed": 2.0}.get(f, 0.0) for f in FEATURES]
    mean = [0.5 if f in ("judged", "entailed") else 0.0 for f in FEATURES]
    m = DecisionModel(
        features=FEATURES,
        mean=mean,
        scale=[1.0] * len(FEATURES),
        weights=weights,
        bias=0.0,
        answer=0.7,
        partial=0.4,
    )
    sure = _signals(judged=1.0, quoted=1.0)
    outcome, p = settled(m, sure, "entailed")
    assert outcome == "answered" and p == m.decide(_signals(judged=1.0, quoted=1.0))[1]
    assert settled(m, _signals(judged=0.0, quoted=1.0), "entailed")[0] == "not_covered"
    near = _signals(judged=0.6, quoted=1.0)
    assert settled(m, near, "entailed") is None
    ends = {m.decide(near.model_copy(update={"entailed": e}))[0] for e in (0.0, 1.0)}
    assert ends == {"not_covered", "answered"}  # and indeed the read decides it
    # a decision that does not read the signal never waits for it
    assert settled(unfitted(), near, "entailed") is not None
