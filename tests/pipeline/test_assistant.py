"""The Assistant on the deterministic fakes: citations, highlights, abstentions, follow-ups, the
one typed chain behind ask, stream and batch, and bad input."""

import pytest
from conftest import FIXTURES
from langchain_core.callbacks import BaseCallbackHandler

from assistant.errors import AssistantError, IndexMissingError, QuestionError
from assistant.pipeline.assistant import Assistant, clean_question
from assistant.pipeline.verify import cited_sentences, normalise, strip_markers
from assistant.text.sentences import split_sentences
from assistant.types import Answer, Request, Turn

QUESTIONS = [
    "Who is the project coordinator at LUMC?",
    "What are the focus areas of the exchange?",
    "When was NUSM founded?",
    "Can staff take part?",
    "What does Leiden study about ageing?",
]


def _chunk_text(assistant: Assistant, chunk_id: str) -> str:
    [(chunk, _)] = assistant.retriever.store.get([chunk_id])
    return chunk.text


def _same(a: Answer, b: Answer) -> bool:
    """Equal but for the timings, which differ from one run to the next."""
    return a.model_dump(exclude={"timings_ms"}) == b.model_dump(exclude={"timings_ms"})


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_sentence_is_cited_and_each_citation_quotes_its_chunk(fake_assistant, question):
    answer = fake_assistant.ask(question)
    assert not answer.abstained and answer.citations and answer.abstention is None
    retrieved = {r.chunk_id for r in answer.retrieval}
    numbers = {c.n for c in answer.citations}
    for c in answer.citations:
        assert c.chunk_id in retrieved
        assert normalise(c.quote) in normalise(_chunk_text(fake_assistant, c.chunk_id))
        assert c.title and c.source in {"exchange.md", "history.txt"}
    for sentence, cited in cited_sentences(answer.answer):
        assert cited and set(cited) <= numbers, sentence
        assert any(
            normalise(sentence) in normalise(c.quote) for c in answer.citations if c.n in cited
        )


def test_the_answer_states_what_was_asked_with_its_section(fake_assistant):
    answer = fake_assistant.ask("Who is the project coordinator at LUMC?")
    assert "Maria Yazdanbakhsh" in answer.answer
    [cited] = [c for c in answer.citations if "Yazdanbakhsh" in c.quote]
    assert cited.section == "Key facts" and cited.url == "https://example.org/exchange"
    assert answer.retrieval[0].chunk_id == cited.chunk_id  # the cited chunk leads
    assert set(answer.timings_ms) >= {"retrieve", "answer", "total"}
    assert 0.0 <= answer.support <= 1.0


@pytest.mark.parametrize("question", QUESTIONS)
def test_highlights_are_sentences_of_the_answer_under_their_citation(fake_assistant, question):
    answer = fake_assistant.ask(question)
    assert answer.highlights
    sentences = {normalise(s) for s, _ in cited_sentences(answer.answer)}
    quotes = {c.n: normalise(c.quote) for c in answer.citations}
    for h in answer.highlights:
        assert normalise(h.text) in sentences
        assert normalise(h.text) in quotes[h.n]


def test_the_answer_is_the_passage_as_the_document_words_it(fake_assistant):
    answer = fake_assistant.ask("What are the focus areas of the exchange?")
    text = strip_markers(answer.answer)
    for area in ("medical technology", "infectious diseases", "ageing"):
        assert area in text
    source = (FIXTURES / "corpus" / "exchange.md").read_text()
    for sentence in split_sentences(text):
        assert normalise(sentence) in normalise(source)


def test_a_question_with_no_word_of_the_corpus_is_off_topic(fake_assistant):
    answer = fake_assistant.ask("Who won the 2022 World Cup?")
    assert answer.abstained and answer.abstention == "off_topic"
    assert answer.citations == [] and answer.highlights == []
    assert "not about what the documents cover" in answer.answer and "coordinator" in answer.answer


def test_a_question_the_documents_do_not_answer_is_not_covered(fake_assistant):
    answer = fake_assistant.ask("Who is the president of Nagasaki University?")
    assert answer.abstained and answer.abstention == "not_covered"
    assert answer.citations == []
    assert "do not answer" in answer.answer and "coordinator" in answer.answer


@pytest.mark.parametrize(
    "question",
    ["tuition fees nagasaki", "housing in nagasaki", "do i have to pay tuiton fees in nagasaki?"],
)
def test_a_short_english_question_is_not_told_to_ask_in_english(fake_assistant, question):
    answer = fake_assistant.ask(question)
    assert answer.abstained and answer.abstention != "language"


@pytest.mark.parametrize(
    "question",
    ["<script>alert(1)</script>", "%%%% ???? ####", "Wie heeft het WK 2022 gewonnen?"],
)
def test_odd_questions_abstain_rather_than_fail(fake_assistant, question):
    answer = fake_assistant.ask(question)
    assert answer.abstained and answer.abstention in {"not_covered", "off_topic", "language"}
    assert answer.citations == []


def test_a_follow_up_is_read_with_the_conversation(fake_assistant):
    # Read alone, "and by whom?" asks nothing; with the question before it, it is answered.
    assert fake_assistant.ask("and by whom?").abstained
    answer = fake_assistant.ask("and by whom?", ["When was NUSM founded?"])
    assert not answer.abstained and "Dutch Navy" in answer.answer
    assert "NUSM" in answer.query  # the query it was answered with holds the conversation


def test_a_follow_up_may_give_again_what_the_last_answer_said_when_it_is_asked(fake_assistant):
    first = fake_assistant.ask("When was NUSM founded?")
    answer = fake_assistant.ask(
        "and by whom was it founded?",
        [Turn(question="When was NUSM founded?", answer=first.answer)],
    )
    assert not answer.abstained and "Dutch Navy" in answer.answer


def test_history_with_or_without_answers_reads_the_same(fake_assistant):
    plain = fake_assistant.ask("and by whom?", ["When was NUSM founded?"])
    turn = fake_assistant.ask("and by whom?", [Turn(question="When was NUSM founded?")])
    assert _same(plain, turn)


def test_a_follow_up_on_its_own_topic_is_read_alone(fake_assistant):
    answer = fake_assistant.ask("Can staff take part?", ["When was NUSM founded?"])
    assert not answer.abstained and "Staff members" in answer.answer
    assert "1857" not in answer.answer


def test_stream_grows_to_the_answer_ask_gives(fake_assistant):
    question = "What are the focus areas of the exchange?"
    parts = list(fake_assistant.stream(question))
    assert parts and all(isinstance(p, Answer) for p in parts)
    assert _same(parts[-1], fake_assistant.ask(question))
    abstained = list(fake_assistant.stream("Who won the 2022 World Cup?"))
    assert _same(abstained[-1], fake_assistant.ask("Who won the 2022 World Cup?"))


def test_the_chain_takes_requests_and_gives_answers(fake_assistant):
    request = Request(question="When was NUSM founded?")
    answer = fake_assistant.chain.invoke(request)
    assert isinstance(answer, Answer) and "1857" in answer.answer
    assert _same(answer, fake_assistant.ask("When was NUSM founded?"))
    answers = fake_assistant.chain.batch(
        [
            request,
            Request(question="Who won the 2022 World Cup?"),
            Request(question="and by whom?", history=["When was NUSM founded?"]),
        ]
    )
    assert "1857" in answers[0].answer and answers[1].abstained
    assert "Dutch Navy" in answers[2].answer


class StepRecorder(BaseCallbackHandler):
    """A LangChain callback handler that writes down the steps a question goes through."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.ended: list[str] = []
        self.retrieved: list[str] = []

    def on_chain_start(self, serialized, inputs, **kwargs):
        self.started.append(kwargs.get("name"))

    def on_chain_end(self, outputs, **kwargs):
        self.ended.append(type(outputs).__name__)

    def on_retriever_start(self, serialized, query, **kwargs):
        self.retrieved.append(query)


@pytest.mark.parametrize("how", ["invoke", "stream"])
def test_ask_and_stream_take_one_typed_path_that_callbacks_see(fake_assistant, how):
    recorder = StepRecorder()
    request = Request(question="When was NUSM founded?")
    config = {"callbacks": [recorder]}
    if how == "invoke":
        fake_assistant.chain.invoke(request, config=config)
    else:
        list(fake_assistant.chain.stream(request, config=config))
    assert recorder.started == ["exchange_assistant", "read", "retrieve", "choose", "respond"]
    assert recorder.ended == ["Query", "Retrieved", "Draft", "Answer", "Answer"]
    assert recorder.retrieved == ["When was NUSM founded?"]  # the retriever is traced too


def test_batch_answers_each_question_as_ask_does(fake_assistant):
    answers = fake_assistant.batch(QUESTIONS[:3])
    assert all(_same(a, fake_assistant.ask(q)) for a, q in zip(answers, QUESTIONS, strict=False))


def test_control_characters_are_removed_from_questions(fake_assistant):
    assert clean_question("Who\x00 coordinates\x1b the\u200b exchange?\n", 100) == (
        "Who coordinates the exchange?"
    )
    assert "Yazdanbakhsh" in fake_assistant.ask("Who\x00 is the project\x1b coordinator?").answer


def test_markup_around_a_question_is_dropped():
    assert clean_question("<b>When</b> was <i>NUSM</i> founded?<script>x()</script>", 200) == (
        "When was NUSM founded?"
    )


@pytest.mark.parametrize(
    ("question", "message"), [("   \n\t", "type a question"), ("x" * 100_000, "too long")]
)
def test_empty_and_huge_questions_are_refused(fake_assistant, question, message):
    with pytest.raises(QuestionError, match=message):
        fake_assistant.ask(question)


def test_a_missing_index_is_one_clear_error(tmp_path, make_assistant):
    assistant = make_assistant(tmp_path / "none")
    with pytest.raises(IndexMissingError, match="exchange-assistant ingest"):
        assistant.ask("Who coordinates the exchange?")


def test_a_broken_calibration_file_is_one_clear_error(tmp_path, fake_index, make_assistant):
    broken = tmp_path / "calibration.json"
    broken.write_text("{")
    assistant = make_assistant(fake_index, answer={"calibration": broken})
    with pytest.raises(AssistantError, match="calibrat"):
        assistant.ask("When was NUSM founded?")


def test_a_new_index_generation_is_picked_up_without_restart(
    tmp_path, corpus, fake_embedder, fake_scorer, make_assistant, fake_settings
):
    from assistant.ingest.build import ingest

    settings = fake_settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    ingest(settings, embedder=fake_embedder, scorer=fake_scorer)
    assistant = make_assistant(settings.index_dir, corpus)
    assert assistant.ask("What does the summer school teach about malaria?").abstained
    (corpus / "summer.md").write_text(
        "# Summer school\n\nThe summer school teaches the diagnosis of malaria.\n"
    )
    ingest(settings, embedder=fake_embedder, scorer=fake_scorer)
    answer = assistant.ask("What does the summer school teach about malaria?")
    assert not answer.abstained and "malaria" in answer.answer
    assert any(c.source == "summer.md" for c in answer.citations)


def test_the_settings_shape_the_answer(fake_index, make_assistant):
    one = make_assistant(fake_index, answer={"max_passages": 1, "extra_margin": 1.0})
    wide = make_assistant(fake_index, answer={"max_passages": 3, "extra_margin": 1.0})
    question = "What does Leiden study about ageing?"
    assert len(one.ask(question).citations) == 1
    assert len(wide.ask(question).citations) > 1
    never = make_assistant(fake_index, answer={"abstain_threshold": 1.0})
    assert never.ask("Who is the project coordinator at LUMC?").abstained


def test_the_calibration_is_read_once_and_again_when_its_file_changes(
    fake_index, make_assistant, tmp_path
):
    from conftest import FAKE_CALIBRATION

    from assistant.pipeline.calibration import Calibration

    path = Calibration.model_validate(FAKE_CALIBRATION).save(tmp_path / "c.json")
    assistant = make_assistant(fake_index, answer={"calibration": path})
    assistant.ask("When does the exchange run?")
    first = assistant.calibration
    assistant.ask("Who coordinates the exchange?")
    assert assistant.calibration is first  # not read again per question
    changed = {**FAKE_CALIBRATION, "extra_margin": 0.25}
    Calibration.model_validate(changed).save(path)
    assistant.ask("When does the exchange run?")
    assert assistant.calibration is not first
    assert assistant.answer_settings.extra_margin == 0.25
