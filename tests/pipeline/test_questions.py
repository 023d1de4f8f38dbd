"""Questions the documents answer, one per section (pipeline/questions.py), on the fakes: a fake
model writes them by rule, the quote path checks that each leads back to its section."""

from __future__ import annotations

import shutil

import pytest
from conftest import FIXTURES

from assistant.backends.client import ChatClient
from assistant.pipeline import questions
from assistant.pipeline.questions import QuestionBank, SectionQuestion, clean


@pytest.fixture
def indexed(tmp_path, fake_settings, fake_embedder, fake_scorer):
    """The fixture corpus plus a document whose heading asks a question, indexed on the fakes."""
    from assistant.ingest.build import ingest

    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "corpus", corpus)
    (corpus / "faq.md").write_text(
        "---\ntitle: Housing\n---\n\n# Housing\n\n## Where do exchange students live?\n\n"
        "Exchange students live in the international dormitory next to the campus, "
        "which has single rooms with a shared kitchen on every floor.\n",
        encoding="utf-8",
    )
    settings = fake_settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    ingest(settings, embedder=fake_embedder, scorer=fake_scorer)
    return settings


def _write(settings, fake_embedder, fake_scorer, client=None, **kw):
    return questions.write_questions(
        settings, client, "fake", embedder=fake_embedder, scorer=fake_scorer, **kw
    )


def test_without_a_model_a_heading_that_asks_is_kept_when_it_leads_back(
    indexed, fake_embedder, fake_scorer
):
    bank = _write(indexed, fake_embedder, fake_scorer)
    assert [q.question for q in bank.questions.values()] == ["Where do exchange students live?"]
    (q,) = bank.questions.values()
    assert q.by == "heading" and q.source == "faq.md"
    assert questions.load(indexed.index_dir) == bank  # written to the index folder


def test_the_model_writes_questions_and_only_those_the_documents_answer_are_kept(
    indexed, fake_embedder, fake_scorer, fake_model
):
    url, state = fake_model(
        {
            "rules": [
                ["three focus areas", "What are the focus areas of the exchange?"],
                ["Staff members", '"Can staff members take part in the exchange?"'],
                # about the section's subject, but the documents do not answer it
                ["Medical and Biomedical", "How much is the grant for students?"],
                ["founded in 1857", "This passage is about a medical school."],  # no question
            ],
            "default": "What is the capital of France?",
        }
    )
    bank = _write(indexed, fake_embedder, fake_scorer, ChatClient(url, "fake"))
    asked = {q.question: q for q in bank.questions.values()}
    assert "What are the focus areas of the exchange?" in asked
    assert "Can staff members take part in the exchange?" in asked  # quotes taken off
    assert "How much is the grant for students?" not in asked
    assert "What is the capital of France?" not in asked
    assert asked["Where do exchange students live?"].by == "heading"
    assert asked["What are the focus areas of the exchange?"].by == "fake"
    # the model saw each section's own words, under its document and heading
    assert any('"Exchange overview › Focus areas"' in p for p in state.prompts)


def test_a_section_that_kept_its_text_keeps_its_question(indexed, fake_embedder, fake_scorer):
    first = _write(indexed, fake_embedder, fake_scorer)
    key = next(iter(first.questions))
    changed = QuestionBank(
        questions={key: SectionQuestion(question="Kept?", source="faq.md", by="heading")}
    )
    questions.save(indexed.index_dir, changed)
    assert _write(indexed, fake_embedder, fake_scorer).questions[key].question == "Kept?"
    fresh = _write(indexed, fake_embedder, fake_scorer, fresh=True)
    assert fresh.questions[key].question == "Where do exchange students live?"


def test_examples_spread_over_the_documents():
    def q(text, source):
        return SectionQuestion(question=text, source=source, by="m")

    bank = QuestionBank(
        questions={
            "1": q("A1?", "a.md"),
            "2": q("A2?", "a.md"),
            "3": q("A3?", "a.md"),
            "4": q("B1?", "b.md"),
            "5": q("C1?", "c.md"),
        }
    )
    assert bank.examples(4) == ["A1?", "B1?", "C1?", "A2?"]
    assert QuestionBank().examples() == []


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("What is NUSM?", "What is NUSM?"),
        ("Question: Where is Dejima?\n\nIt is in Nagasaki.", "Where is Dejima?"),
        ("「出島はどこですか？」", "出島はどこですか？"),
        ("Dejima is an island.", None),
        ("What " * 60 + "?", None),
        ("", None),
    ],
)
def test_a_reply_is_one_question_or_nothing(reply, expected):
    assert clean(reply) == expected


def test_a_damaged_file_is_as_if_none_were_written(tmp_path):
    (tmp_path / questions.FILE).write_text("{not json", encoding="utf-8")
    assert questions.load(tmp_path) is None


def test_without_a_model_the_questions_a_model_wrote_are_kept(
    indexed, fake_embedder, fake_scorer, fake_model
):
    url, _ = fake_model({"rules": [["three focus areas", "What are the focus areas?"]]})
    written = _write(indexed, fake_embedder, fake_scorer, ChatClient(url, "fake"))
    assert "What are the focus areas?" in {q.question for q in written.questions.values()}
    again = _write(indexed, fake_embedder, fake_scorer)  # EXCHANGE_LLM=none, say
    assert again.questions == written.questions
