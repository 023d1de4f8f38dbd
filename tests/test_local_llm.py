"""The real local model (Qwen2.5-Coder-1.5B-Instruct through llama-cpp-python), where the
local-llm extra is installed. CI installs it (`make test EXTRAS=dev,local-llm,remote-llm`)."""

import importlib.util

import pytest

from assistant.chat import Assistant
from assistant.config import Settings
from assistant.local_models import MODELS, installed
from assistant.models import Request

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None or not installed(MODELS["qwen2.5-1.5b"]),
    reason="the local-llm extra is not installed (pip install -e '.[local-llm]')",
)


@pytest.fixture(scope="module")
def local(fixture_index, embedder, tmp_path_factory):
    settings = Settings(
        index_dir=fixture_index,
        llm="local",
        llm_timeout=120,
        model_cache=tmp_path_factory.mktemp("models"),
    )
    assistant = Assistant(settings, embedder)
    assistant.warm_up()
    return assistant


def _sources(assistant, question):
    query = assistant._read(Request(question=question))
    draft = assistant._choose(assistant._retrieve(query))
    return assistant._sources(draft)


def test_a_local_answer_is_verified_sentence_by_sentence(local):
    answer = local.ask("When was NUSM founded?")
    assert not answer.abstained and "1857" in answer.answer
    assert answer.judged is not None and answer.judged > 0.5
    assert answer.timings_ms["first_token"] > 0 and "judge" in answer.timings_ms
    generator = local.generator
    assert generator.judge is not None
    texts = {c.n: local.retriever.store.get([c.chunk_id])[0][0].text for c in answer.citations}
    from assistant.prompting import Source
    from assistant.verify import cited_sentences

    for sentence, numbers in cited_sentences(answer.answer):
        assert numbers, sentence
        source = [Source(n=1, chunk_id="", text=texts[numbers[0]])]
        assert generator._supported("", sentence, source, 1) is not None, sentence


def test_the_judge_reads_yes_and_no_and_reuses_the_shared_prompt(local):
    judge = local.judge
    sources = _sources(local, "When was NUSM founded?")
    yes = judge.answers(sources, "When was NUSM founded?")
    first = judge.evaluated
    no = judge.answers(sources, "What is the capital of Peru?")
    # The judge's scale is calibrated on dev (abstain.Judgement); its order must be right.
    assert yes > no + 0.15, (yes, no)
    # The second call shares the system prompt and the sources: only the rest is read.
    assert judge.evaluated < first / 2
    said = "Nagasaki's medical school was founded in 1857."
    wrong = "Nagasaki's medical school was founded in 1901."
    right, false = (judge.supports(sources, "When?", s, 1) for s in (said, wrong))
    assert right > 0.5 > false, (right, false)


def test_out_of_scope_questions_abstain_before_the_model_writes(local):
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
