"""The extractive answerer: which passages answer, which sentences are marked, and the features
the abstention model reads."""

import numpy as np
import pytest
from conftest import FAKE_RANKER
from fakes import FakeScorer

from assistant.config import AnswerSettings
from assistant.index.lexical import Bm25Index
from assistant.pipeline.abstain import CROSS_LANGUAGE_FEATURES, FEATURES, AbstentionModel, Features
from assistant.pipeline.logistic import LogisticModel
from assistant.pipeline.quotes import ExtractiveAnswerer
from assistant.types import Chunk, Evidence

TEXTS = {
    "history": "NUSM was founded in 1857 by a doctor of the Dutch Navy. "
    "NUSM is the oldest medical school in Japan. The Netherlands traded with Japan for "
    "over 200 years.",
    "people": "The project coordinator at LUMC is Maria Yazdanbakhsh. Staff members of both "
    "institutions can take part. Students of medicine can take part as well.",
    "areas": "The three focus areas are medical technology, infectious diseases and ageing. "
    "Nagasaki studies population cohorts. Leiden studies biomedical markers of ageing.",
}
EVIDENCE = [
    Evidence(
        chunk=Chunk(id=cid, text=text, source=f"{cid}.md", title=cid.title(), section="About"),
        score=1.0 / rank,
        rank=rank,
    )
    for rank, (cid, text) in enumerate(TEXTS.items(), start=1)
]
LEXICON = Bm25Index.build(list(TEXTS), list(TEXTS.values()))
# p(answerable) rises with the share of the question's weight the answer holds.
MODEL = AbstentionModel(
    features=["answer_terms", "best"],
    mean=[0.0, 0.0],
    scale=[1.0, 1.0],
    weights=[12.0, 4.0],
    bias=-9.0,
    threshold=0.5,
)
ASKED = "a question the table scorer scores"  # any question with words


class TableScorer:
    """A scorer whose scores are set by the test: a passage scores the sum of the weights of
    the phrases it contains (a phrase stands for a sentence the model finds relevant)."""

    def __init__(self, weights: dict[str, float]) -> None:
        self.weights = weights

    def score(self, query: str, passages: list[str]) -> np.ndarray:
        return np.array(
            [sum(w for phrase, w in self.weights.items() if phrase in p) for p in passages]
        )


def _answerer(scorer=None, **settings) -> ExtractiveAnswerer:
    values = {"extra_margin": 0.05, "sentence_cost": 0.01, "followup_margin": 0.0, **settings}
    ranker = LogisticModel(**FAKE_RANKER)  # windows rank by the scorer's similarity alone
    return ExtractiveAnswerer(
        scorer or FakeScorer(), LEXICON, AnswerSettings(**values), MODEL, ranker
    )


def _text(draft) -> str:
    return " ".join(s for p in draft.passages for s in p.sentences)


def test_the_best_passage_answers_and_its_chunk_leads_the_evidence():
    draft = _answerer().draft("When was NUSM founded?", EVIDENCE)
    assert draft.passages[0].chunk_id == "history"
    assert "1857" in _text(draft)
    assert draft.evidence[0].chunk.id == "history"  # re-ranked by the best window
    assert not draft.abstain and draft.query == "When was NUSM founded?"


def test_a_passage_of_another_chunk_within_the_margin_joins_the_answer():
    scorer = TableScorer({"1857": 0.9, "Yazdanbakhsh": 0.87, "focus areas": 0.5})
    draft = _answerer(scorer, extra_margin=0.05).draft(ASKED, EVIDENCE)
    assert [p.chunk_id for p in draft.passages] == ["history", "people"]
    assert "focus areas" not in _text(draft)  # 0.4 below the best: too far
    narrow = _answerer(scorer, extra_margin=0.01).draft(ASKED, EVIDENCE)
    assert [p.chunk_id for p in narrow.passages] == ["history"]


def test_an_answer_has_at_most_max_passages_and_one_passage_a_chunk():
    scorer = TableScorer({"1857": 0.9, "Yazdanbakhsh": 0.89, "focus areas": 0.88})
    for most in (1, 2, 3):
        draft = _answerer(scorer, extra_margin=0.5, max_passages=most).draft(ASKED, EVIDENCE)
        ids = [p.chunk_id for p in draft.passages]
        assert len(ids) == most and len(set(ids)) == most


def test_a_passage_joins_only_while_the_answer_stays_within_max_answer_words():
    scorer = TableScorer({"1857": 0.9, "Yazdanbakhsh": 0.89, "focus areas": 0.88})
    wide = _answerer(scorer, extra_margin=0.5, sentence_cost=0.5, max_answer_words=500)
    assert len(wide.draft(ASKED, EVIDENCE).passages) == 3
    first = len(_text(_answerer(scorer, max_passages=1).draft(ASKED, EVIDENCE)).split())
    narrow = _answerer(scorer, extra_margin=0.5, sentence_cost=0.5, max_answer_words=first + 5)
    draft = narrow.draft(ASKED, EVIDENCE)
    assert [p.chunk_id for p in draft.passages] == ["history"]  # the best is always given
    assert len(_text(draft).split()) <= first + 5


def test_the_best_scoring_sentence_of_a_passage_is_highlighted():
    # Longer windows cost nothing and score more, so the passage holds several sentences.
    scorer = TableScorer({"oldest medical school": 0.9, "1857": 0.3, "traded": 0.2})
    draft = _answerer(scorer, sentence_cost=-0.1).draft(ASKED, EVIDENCE)
    [passage] = [p for p in draft.passages if p.chunk_id == "history"]
    assert len(passage.sentences) > 1
    assert [passage.sentences[i] for i in passage.highlighted] == [
        "NUSM is the oldest medical school in Japan."
    ]


def test_every_feature_is_given_and_support_decides_abstention():
    answerer = _answerer()
    answered = answerer.draft("Who is the project coordinator at LUMC?", EVIDENCE)
    assert set(answered.features) == set(Features.model_fields)
    assert set(FEATURES) | set(CROSS_LANGUAGE_FEATURES) == set(Features.model_fields)
    assert answered.features["answer_terms"] == pytest.approx(1.0)
    assert 0.0 <= answered.support <= 1.0 and not answered.abstain
    missing = answerer.draft("What does the visa for Japan cost?", EVIDENCE)
    assert missing.features["answer_terms"] < answered.features["answer_terms"]
    assert missing.features["missing_idf"] > answered.features["missing_idf"]
    assert missing.support < MODEL.threshold and missing.abstain
    off = answerer.draft("zebra giraffe tournament", EVIDENCE)
    assert off.features["corpus_terms"] == 0.0 and off.abstain


def test_a_question_with_no_words_is_not_answered():
    draft = _answerer().draft("%%%% ???? ####", EVIDENCE)
    assert draft.abstain and draft.passages == [] and draft.features == {}


def test_only_the_first_chunks_of_the_evidence_are_read():
    draft = _answerer(chunks=1).draft("Who is the project coordinator at LUMC?", EVIDENCE)
    assert {p.chunk_id for p in draft.passages} == {"history"}


def test_a_question_in_another_language_is_decided_by_the_cross_language_model():
    cross = AbstentionModel(
        features=["best"], mean=[0.0], scale=[1.0], weights=[10.0], bias=-0.5, threshold=0.5
    )
    question = "Wie is de projectcoördinator van LUMC?"  # its words are not the corpus's
    english = _answerer().draft(question, EVIDENCE)
    assert english.abstain  # the English model reads the missing words
    answerer = _answerer()
    answerer.cross_language = cross
    foreign = answerer.draft(question, EVIDENCE, language="nl")
    assert foreign.features == english.features and foreign.passages == english.passages
    assert foreign.support == pytest.approx(cross.probability(foreign.features))
    assert not foreign.abstain  # its best passage is near enough (e5), whatever the words
    assert _answerer().draft(question, EVIDENCE, language="nl").abstain  # no model: no answer
