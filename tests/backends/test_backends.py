"""Which backend EXCHANGE_LLM names, and the errors a user can meet choosing one."""

import pytest

from assistant.backends import kind, make_backend
from assistant.config import Settings
from assistant.errors import AssistantError


def test_the_backend_points_at_a_remote_server_through_the_same_client():
    from pydantic import SecretStr

    backend = make_backend(
        Settings(
            llm="openai:my-model",
            model={"base_url": "http://127.0.0.1:9/v1", "api_key": SecretStr("sk-secret")},
        )
    )
    assert backend.server is None and backend.client.model == "my-model"
    assert "sk-secret" not in repr(backend.client.chat_model)
    ollama = make_backend(Settings(llm="ollama:llama3"))
    assert ollama.client.base_url == "http://127.0.0.1:11434/v1"


def test_none_means_no_model_and_extractive_is_the_same():
    assert make_backend(Settings(llm="none")) is None
    assert kind(Settings(llm="extractive")) == "none"


def test_an_openai_backend_without_a_server_address_is_one_sentence():
    with pytest.raises(AssistantError, match="EXCHANGE_MODEL__BASE_URL"):
        make_backend(Settings(llm="openai:gpt"))


def test_a_local_backend_without_its_runtime_says_how_to_install_it(tmp_path):
    backend = make_backend(
        Settings(llm="local", server={"binary": tmp_path / "missing", "log_dir": tmp_path})
    )
    assert not backend.ready(10)
    status = backend.status()
    assert status.state == "failed" and "make setup" in status.reason
