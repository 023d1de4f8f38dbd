"""Chat models for generative answers, chosen by EXCHANGE_LLM, all LangChain chat models:

extractive         no model (the default)
local              Qwen2.5-Coder-1.5B-Instruct (local_models.py), run by llama-cpp-python;
                   local:qwen2.5-0.5b and local:smollm2 name the smaller ones
openai:MODEL       any OpenAI-compatible endpoint (EXCHANGE_LLM_BASE_URL, EXCHANGE_LLM_API_KEY)
ollama:MODEL       an Ollama server (EXCHANGE_LLM_BASE_URL, default http://127.0.0.1:11434)
"""

from __future__ import annotations

from pathlib import Path

from .config import Settings
from .errors import AssistantError


def backend(settings: Settings) -> str:
    return settings.llm.split(":", 1)[0].strip().lower()


def is_generative(settings: Settings) -> bool:
    return backend(settings) != "extractive"


def local_key(settings: Settings) -> str | None:
    """The local model EXCHANGE_LLM names ('local' alone: the default), or None."""
    if backend(settings) != "local":
        return None
    from .local_models import DEFAULT

    _, _, name = settings.llm.partition(":")
    return name.strip().lower() or DEFAULT


def local_model_path(settings: Settings, key: str | None = None) -> Path:
    """The GGUF file of the local model: EXCHANGE_LLM_MODEL_PATH, else the named model's file,
    assembled from its packages on first use."""
    if settings.llm_model_path:
        return Path(settings.llm_model_path)
    from .local_models import DEFAULT, model_file, model_for

    return model_file(model_for(key or local_key(settings) or DEFAULT), settings.model_cache)


def make_chat_model(settings: Settings):
    kind = backend(settings)
    name = settings.llm.split(":", 1)[1].strip() if ":" in settings.llm else ""
    if kind == "local":
        return _local(settings)
    if kind == "openai":
        return _openai(settings, name)
    if kind == "ollama":
        return _ollama(settings, name)
    raise AssistantError(
        f"EXCHANGE_LLM='{settings.llm}' is not known; use extractive, local, openai:MODEL or "
        "ollama:MODEL."
    )


def _local(settings: Settings):
    path = local_model_path(settings)
    try:
        from langchain_community.chat_models import ChatLlamaCpp
    except ImportError as exc:
        raise AssistantError(
            "The local model needs the optional extra: pip install -e '.[local-llm]'."
        ) from exc
    try:
        return ChatLlamaCpp(
            model_path=str(path),
            n_ctx=settings.llm_context,
            n_threads=settings.llm_threads,
            # Reading the prompt uses the same pool: llama.cpp would take every core for it.
            model_kwargs={"n_threads_batch": settings.llm_threads},
            max_tokens=settings.llm_max_tokens,
            temperature=0.0,
            seed=0,
            verbose=False,
        )
    except Exception as exc:  # llama.cpp reports a bad file in several ways
        raise AssistantError(f"The local model {path} cannot be loaded ({exc}).") from exc


def answer_options(settings: Settings) -> dict:
    """Extra arguments for the answer call. SmolLM2 is too small to keep to the citation
    format by instruction alone, so a grammar makes every sentence end with '[n]' (the Qwen
    models keep to it, and a grammar would stop them writing other languages)."""
    if local_key(settings) != "smollm2":
        return {}
    from importlib import resources

    from llama_cpp import LlamaGrammar

    text = resources.files("assistant").joinpath("prompts", "cited-answer.gbnf").read_text()
    last = max(1, min(9, settings.answer.max_passages))  # the passages are the sources
    return {"grammar": LlamaGrammar.from_string(text.replace("{last}", str(last)), verbose=False)}


def _openai(settings: Settings, name: str):
    if not name:
        raise AssistantError("EXCHANGE_LLM=openai:MODEL needs a model name after the colon.")
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise AssistantError(
            "Remote models need the optional extra: pip install -e '.[remote-llm]'."
        ) from exc
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    return ChatOpenAI(
        model=name,
        base_url=settings.llm_base_url,
        api_key=key,
        timeout=settings.llm_timeout,
        max_retries=0,
        max_tokens=settings.llm_max_tokens,
        temperature=0.0,
    )


def _ollama(settings: Settings, name: str):
    if not name:
        raise AssistantError("EXCHANGE_LLM=ollama:MODEL needs a model name after the colon.")
    try:
        from langchain_ollama import ChatOllama
    except ImportError as exc:
        raise AssistantError(
            "Ollama models need the optional extra: pip install -e '.[remote-llm]'."
        ) from exc
    return ChatOllama(
        model=name,
        base_url=settings.llm_base_url or "http://127.0.0.1:11434",
        temperature=0.0,
        num_predict=settings.llm_max_tokens,
        client_kwargs={"timeout": settings.llm_timeout},
    )
