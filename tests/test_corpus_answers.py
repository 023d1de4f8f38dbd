"""End-to-end on the project's own corpus with the real model: the promises of the README."""

from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.ingest import ingest


def test_focus_areas_are_named_with_citations(corpus_assistant):
    answer = corpus_assistant.ask("What are the focus areas of the exchange?")
    assert not answer.abstained
    for area in ("medical technology", "infectious diseases", "ageing"):
        assert area in answer.answer.lower()
    assert answer.citations and all(c.source.endswith(".md") for c in answer.citations)


def test_out_of_scope_abstains(corpus_assistant):
    answer = corpus_assistant.ask("Who won the 2022 World Cup?")
    assert answer.abstained and not answer.citations


def test_near_misses_the_documents_do_not_cover_abstain(corpus_assistant):
    for question in ("How much is the Erasmus+ grant per month?", "Do I need a visa for Japan?"):
        assert corpus_assistant.ask(question).abstained, question


def test_a_real_web_page_ingested_into_an_empty_index_is_cited(tmp_path, embedder):
    from assistant.chat import Assistant

    corpus = tmp_path / "web"
    corpus.mkdir()
    page = Path(__file__).parent / "fixtures" / "web" / "programme-page.html"
    (corpus / page.name).write_bytes(page.read_bytes())
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    report = ingest(settings, embedder=embedder)
    assert report.added == ["programme-page.html"]
    answer = Assistant(settings, embedder).ask(
        "How many students are admitted to the summer school?"
    )
    assert "twenty" in answer.answer
    [citation] = [c for c in answer.citations if "twenty" in c.quote]
    assert citation.source == "programme-page.html"
    assert citation.section == "Admission"
    assert citation.url == "https://example.org/summer-school"
    assert "cookie" not in answer.answer.lower()


def test_a_two_part_question_gets_a_cited_sentence_for_each_part(corpus_assistant):
    answer = corpus_assistant.ask("What happened in 1987 and 1989 between Leiden and Nagasaki?")
    assert not answer.abstained
    assert "1987" in answer.answer and "1989" in answer.answer
    assert len(answer.citations) == 2


def test_two_years_later_follows_on_from_the_year_of_the_previous_answer(corpus_assistant):
    answer = corpus_assistant.ask(
        "and what happened two years later?",
        ["When did the exchanges between the Leiden and Nagasaki medical faculties start?"],
    )
    assert not answer.abstained
    assert "1989" in answer.answer
    assert "academic exchange agreement" in answer.answer


@pytest.mark.parametrize(
    "question",
    [
        "Who is the president of Nagasaki University?",
        "What is Maria Yazdanbakhsh's email address?",
    ],
)
def test_questions_about_what_the_documents_never_speak_of_abstain(corpus_assistant, question):
    answer = corpus_assistant.ask(question)
    assert answer.abstained and not answer.citations


def test_a_single_fact_is_answered_by_one_cited_sentence(corpus_assistant):
    answer = corpus_assistant.ask("Who founded the medical school in Nagasaki?")
    assert not answer.abstained
    [citation] = answer.citations
    assert answer.answer == f"{citation.quote} [1]"
    assert "Pompe van Meerdervoort" in answer.answer


def test_retrieval_is_reranked_so_the_cited_chunk_leads(corpus_assistant):
    answer = corpus_assistant.ask("What is NEKKEN?")
    assert not answer.abstained and answer.citations
    assert answer.retrieval[0].chunk_id == answer.citations[0].chunk_id
