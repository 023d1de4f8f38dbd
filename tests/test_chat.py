import pytest

from assistant.chat import Assistant, clean_question
from assistant.config import Settings
from assistant.errors import IndexMissingError, QuestionError
from assistant.models import Turn


def test_answers_cite_every_sentence_with_a_quote_from_its_chunk(fixture_assistant):
    answer = fixture_assistant.ask("Who is the project coordinator at LUMC?")
    assert not answer.abstained
    assert "Maria Yazdanbakhsh" in answer.answer
    for c in answer.citations:
        assert f"{c.quote} [{c.n}]" in answer.answer
        chunk_ids = [r.chunk_id for r in answer.retrieval]
        assert c.chunk_id in chunk_ids
    assert answer.citations[0].section == "Key facts"
    assert set(answer.timings_ms) >= {"condense", "retrieve", "answer", "total"}


def test_out_of_scope_questions_abstain_and_name_whom_to_ask(fixture_assistant):
    answer = fixture_assistant.ask("Who won the 2022 World Cup?")
    assert answer.abstained
    assert answer.citations == []
    assert "coordinator" in answer.answer


@pytest.mark.parametrize(
    "question",
    ["Wie heeft het WK 2022 gewonnen?", "<script>alert(1)</script>", "%%%% ???? ####"],
)
def test_odd_questions_abstain_rather_than_fail(fixture_assistant, question):
    assert fixture_assistant.ask(question).abstained


def test_follow_ups_use_the_conversation(fixture_assistant):
    answer = fixture_assistant.ask(
        "what does Nagasaki study about the last one?",
        [Turn(question="What are the focus areas of the exchange?")],
    )
    assert "population cohorts" in answer.answer


def test_history_given_as_plain_questions_is_answered_again(fixture_assistant):
    answer = fixture_assistant.ask("and who coordinates it?", ["Tell me about the LUMC exchange"])
    assert "Yazdanbakhsh" in answer.answer


def test_control_characters_are_removed_from_questions():
    assert clean_question("Who\x00 coordinates\x1b the\u200b exchange?\n", 100) == (
        "Who coordinates the exchange?"
    )


@pytest.mark.parametrize(
    ("question", "message"), [("   \n\t", "type a question"), ("x" * 100_000, "too long")]
)
def test_empty_and_huge_questions_are_refused(fixture_assistant, question, message):
    with pytest.raises(QuestionError, match=message):
        fixture_assistant.ask(question)


def test_a_missing_index_is_one_clear_error(tmp_path, embedder):
    assistant = Assistant(Settings(index_dir=tmp_path / "none"), embedder)
    with pytest.raises(IndexMissingError, match="exchange-assistant ingest"):
        assistant.ask("Who coordinates the exchange?")


def test_stream_grows_to_the_final_answer(fixture_assistant):
    parts = list(fixture_assistant.stream("What are the focus areas of the exchange?"))
    final = fixture_assistant.ask("What are the focus areas of the exchange?")
    assert parts[-1].answer == final.answer and parts[-1].citations == final.citations
    assert all(final.answer.startswith(p.answer) for p in parts)


def test_the_pipeline_is_a_langchain_runnable(fixture_assistant):
    answers = fixture_assistant.chain.batch(
        [
            {"question": "When was NUSM founded?", "history": []},
            {"question": "Who won the 2022 World Cup?", "history": []},
        ]
    )
    assert "1857" in answers[0].answer and answers[1].abstained


def test_a_new_index_generation_is_picked_up_without_restart(settings, embedder):
    from assistant.ingest import ingest

    ingest(settings, embedder=embedder)
    assistant = Assistant(settings, embedder)
    assert assistant.ask("What does the summer school teach?").abstained
    (settings.corpus_dir / "summer.md").write_text(
        "# Summer school\n\nThe summer school teaches the diagnosis of malaria.\n"
    )
    ingest(settings, embedder=embedder)
    assert "malaria" in assistant.ask("What does the summer school teach?").answer
