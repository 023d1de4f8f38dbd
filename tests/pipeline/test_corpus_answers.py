"""End to end on the real models (MiniLM retrieval, e5 passage scoring, the shipped calibration):
the promises of the README on the project's own corpus and on a real web page."""

import pytest
from conftest import FIXTURES

from assistant.config import Settings
from assistant.ingest.build import ingest
from assistant.pipeline.verify import cited_sentences, normalise


def _chunk_text(assistant, chunk_id: str) -> str:
    [(chunk, _)] = assistant.retriever.store.get([chunk_id])
    return chunk.text


def test_focus_areas_are_named_with_citations(corpus_assistant):
    answer = corpus_assistant.ask("What are the focus areas of the exchange?")
    assert not answer.abstained
    for area in ("medical technology", "infectious diseases", "ageing"):
        assert area in answer.answer.lower()
    assert answer.citations and all(c.source.endswith(".md") for c in answer.citations)
    assert answer.highlights
    for sentence, cited in cited_sentences(answer.answer):
        assert cited, sentence
    for c in answer.citations:  # every quote stands in its chunk as the document words it
        assert normalise(c.quote) in normalise(_chunk_text(corpus_assistant, c.chunk_id))


def test_answers_stay_readable(corpus_assistant):
    for question in (
        "Who can take part in the exchange?",
        "When was the medical school in Nagasaki founded?",
    ):
        answer = corpus_assistant.ask(question)
        assert not answer.abstained, question
        assert len(answer.answer.split()) < 200, question  # never a wall of text
        assert len(answer.citations) <= 3, question


@pytest.mark.parametrize(
    "question", ["Who won the 2022 World Cup?", "What is the best recipe for pancakes?"]
)
def test_off_topic_questions_abstain_and_say_so(corpus_assistant, question):
    answer = corpus_assistant.ask(question)
    assert answer.abstained and not answer.citations
    assert answer.abstention == "off_topic"
    assert "coordinator" in answer.answer


@pytest.mark.xfail(
    strict=True,
    reason="on the quote path a question the documents do not answer borrows the earlier turn's "
    "passages; keeping off-topic questions out of the conversation fixed this but cost a "
    "follow-up of the test split (0.846 -> 0.769) and one false abstention, so it was not kept",
)
def test_an_off_topic_question_after_a_turn_does_not_borrow_its_topic(corpus_assistant):
    earlier = ["What are the focus areas of the exchange?"]
    for question in ("Can I bring my dog to the dormitory?", "Who won the football world cup?"):
        answer = corpus_assistant.ask(question, earlier)
        assert answer.abstained and answer.outcome == "off_topic", (question, answer.answer)
        assert not answer.citations


def test_a_question_in_dutch_is_answered_from_the_english_documents(corpus_assistant):
    answer = corpus_assistant.ask("Wie kan meedoen aan de uitwisseling?")
    assert not answer.abstained and answer.citations[0].source == "who-can-take-part.md"
    assert answer.language == "nl" and "Dutch" in answer.note and "English" in answer.note


def test_a_question_in_japanese_is_answered_from_the_english_documents(corpus_assistant):
    answer = corpus_assistant.ask("交換留学の重点分野は何ですか？")
    assert not answer.abstained and answer.language == "ja"
    for area in ("medical technology", "infectious diseases", "ageing"):
        assert area in answer.answer


@pytest.mark.xfail(
    strict=True,
    reason="the cross-language abstention threshold fitted on dev is 0: e5 features do not "
    "separate the few unanswerable dev questions in other languages at 5% false abstention",
)
def test_a_dutch_question_the_documents_do_not_answer_is_not_covered(corpus_assistant):
    answer = corpus_assistant.ask("Wat is het beste recept voor pannenkoeken met stroop?")
    assert answer.abstained and answer.abstention == "not_covered" and answer.language == "nl"
    assert "coordinator" in answer.answer and answer.citations == []


def test_the_stream_ends_with_the_answer_ask_gives(corpus_assistant):
    question = "Who can take part in the exchange?"
    *_, last = corpus_assistant.stream(question)
    asked = corpus_assistant.ask(question)
    assert last.answer == asked.answer and last.citations == asked.citations


def test_a_real_web_page_ingested_into_an_empty_index_is_cited(tmp_path, embedder):
    from assistant.pipeline.assistant import Assistant

    corpus = tmp_path / "web"
    corpus.mkdir()
    page = FIXTURES / "web" / "programme-page.html"
    (corpus / page.name).write_bytes(page.read_bytes())
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    report = ingest(settings, embedder=embedder)
    assert report.added == ["programme-page.html"]
    answer = Assistant(settings, embedder).ask(
        "How many students are admitted to the summer school?"
    )
    assert not answer.abstained and "twenty" in answer.answer
    [citation] = [c for c in answer.citations if "twenty" in c.quote]
    assert citation.source == "programme-page.html"
    assert citation.title.startswith("Summer school in tropical medicine")
    assert citation.section == "Admission"
    assert citation.url == "https://example.org/summer-school"
    assert "cookie" not in answer.answer.lower()
    assert "privacy" not in answer.answer.lower()  # nor the footer
