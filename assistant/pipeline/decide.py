"""Answered, partly answered, or not in the documents: decided from several signals together.

No single reading of a small model decides well on documents it has not seen, so a logistic
model combines what each part of the pipeline knows:

- the model's judgement: P(Yes) that the passages answer, from the log-probabilities of its
  first word, and whether it went on to quote;
- its extraction: whether the words it copied are in the passages (how exactly), and how
  close they are to the question in meaning (multilingual e5);
- its certainty: how likely, token by token, it found the words of its sentence and its quote
  (a model that reaches for the nearest words hesitates over them);
- its sentence: how close it is to the words it copied, whether the model, asked in a
  second short read, finds that the cited passage states it, and how close it is to the
  question itself (a sentence that only says the question again answers nothing);
- retrieval: the quote path's own probability that the evidence answers, and e5's best
  similarity of a passage to the question.

The weights and the two thresholds are fitted on the dev split (`python -m evals calibrate`,
scikit-learn) and shipped in calibration.json; above `answer` the question is answered,
between `partial` and `answer` it is answered partly (what the documents say, and what they
do not), below `partial` the documents do not answer it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.pipeline.logistic import LogisticModel

Outcome = Literal["answered", "partial", "not_covered", "off_topic"]


class Signals(BaseModel):
    """What the decision reads of one question."""

    judged: float = Field(description="The model's P(Yes): the passages answer.")
    said_yes: float = Field(description="1 when the model's first word was Yes.")
    quoted: float = Field(description="How exactly its quote matches a passage (0 when none).")
    quote_relevance: float = Field(
        description="e5 similarity of the question to the passage sentences it quoted."
    )
    sentence_support: float = Field(
        description="e5 similarity of its answer sentence to those sentences (0 when none)."
    )
    carried: float = Field(
        0.0,
        description="1 when the words the model quoted, or the unit beside them, carry its "
        "first sentence, so the answer opens with it; 0 when the answer has to open with the "
        "documents' words instead (a sentence about what the passages do not say).",
    )
    echo: float = Field(
        0.0,
        description="e5 similarity of the question to the model's own sentence (0 when it "
        "wrote none). Asked what the passages do not hold, a small model tends to say the "
        "question again as a statement; a sentence that answers adds what was asked.",
    )
    entailed: float = Field(
        0.0,
        description="The model's P(Yes), asked again in a second read, that the passage it "
        "cites states what its sentence says (0 when it wrote none).",
    )
    answer_confidence: float = Field(
        0.0, description="Geometric mean probability of the tokens of its answer sentence."
    )
    answer_weakest: float = Field(
        0.0, description="Probability of the least likely token of its answer sentence."
    )
    quote_confidence: float = Field(
        0.0, description="Geometric mean probability of the tokens of its quote."
    )
    cited_confidence: float = Field(
        0.0, description="Probability of the passage number its sentence cites."
    )
    support: float = Field(description="The quote path's probability that the evidence answers.")
    best: float = Field(description="e5 similarity of the best passage to the question.")
    invented: float = Field(
        0.0,
        description="1 when its sentence states a number or an address that no passage it read "
        "gives, nor the heading it read it under: the value it found is not in the documents.",
    )


# What the decision is fitted on. The other certainty signals (the sentence's mean token
# probability, the quote's, the cited passage number's) are recorded in every answer for later
# fits; in 5-fold cross-validation on dev they added nothing beyond the weakest token. Nor did
# `carried`: with it, fewer unanswerable dev questions were declined and more answerable ones.
RECORDED_ONLY = ("answer_confidence", "quote_confidence", "cited_confidence", "carried")
# `invented` is not weighed but checked: see DecisionModel.decide.
FEATURES = [name for name in Signals.model_fields if name not in (*RECORDED_ONLY, "invented")]


class DecisionModel(LogisticModel):
    """p(the documents answer) from the signals; thresholds for the three outcomes."""

    answer: float = Field(0.5, ge=0, le=1)
    partial: float = Field(0.5, ge=0, le=1)
    off_topic_below: float = Field(
        0.0,
        ge=-1,
        le=1,
        description="A declined question whose best passage is less similar (e5) than this is "
        "not about the documents' subject at all (below every answerable dev question).",
    )
    fitted_on: str = ""

    def kind(self, best: float) -> Outcome:
        """Why a declined question is declined: off-topic, or a gap in the documents."""
        return "off_topic" if best < self.off_topic_below else "not_covered"

    def decide(self, signals: Signals) -> tuple[Outcome, float]:
        """A question the signals find answered is answered only partly when the value the
        model's sentence states is in none of the passages it read: what the documents do say
        is shown, and what they leave out is named, rather than a passage that is only near
        the asked thing standing as its answer."""
        p = self.probability(signals)
        if p >= self.answer:
            return ("partial" if signals.invented > 0.5 else "answered"), p
        if p >= self.partial and signals.quoted > 0:
            return "partial", p
        return "not_covered", p


def settled(model: DecisionModel, signals: Signals, unknown: str) -> tuple[Outcome, float] | None:
    """The outcome, and the lower of its probabilities, when it is the same for every value in
    [0, 1] of the signal `unknown` (a probability not read yet); None when reading it might
    decide. The logit is linear in each signal and the outcome follows the probability, so the
    two ends of the range bound every value between."""
    ends = [model.decide(signals.model_copy(update={unknown: v})) for v in (0.0, 1.0)]
    if ends[0][0] != ends[1][0]:
        return None
    return ends[0][0], min(p for _, p in ends)


def unfitted() -> DecisionModel:
    """Before any calibration: the model's own Yes and a quote found in the passages."""
    weights = [4.0 if n in ("judged", "quoted") else 0.0 for n in FEATURES]
    return DecisionModel(
        features=FEATURES,
        mean=[0.5 if n in ("judged", "quoted") else 0.0 for n in FEATURES],
        scale=[1.0] * len(FEATURES),
        weights=weights,
        bias=0.0,
        answer=0.5,
        partial=0.5,
        fitted_on="not fitted: the model's Yes and a quote found in the passages",
    )
