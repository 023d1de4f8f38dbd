"""Settings carry ranges: a value out of range is one clear sentence and exit 1, before any
model loads, instead of turning abstention off or building an empty index."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import FIXTURES, PROJECT

from assistant.cli import main
from assistant.config import Settings


@pytest.mark.parametrize(
    "variable, value, why",
    [
        ("ANSWER__ABSTAIN_THRESHOLD", "nan", "Input should be a finite number"),
        ("ANSWER__ABSTAIN_THRESHOLD", "inf", "Input should be a finite number"),
        ("RETRIEVAL__TOP_K", "0", "Input should be greater than or equal to 1"),
        ("RETRIEVAL__TOP_K", "-3", "Input should be greater than or equal to 1"),
        ("MAX_QUESTION_CHARS", "-5", "Input should be greater than or equal to 1"),
        ("INDEX__MAX_FILE_MB", "-1", "Input should be greater than 0"),
        ("RETRIEVAL__DENSE_K", "0", "Input should be greater than or equal to 1"),
        ("INDEX__CHROMA_TIMEOUT_S", "0", "Input should be greater than 0"),
        ("READING__MAX_WAIT_S", "-1", "Input should be greater than or equal to 0"),
        ("SERVER__PORT", "0", "Input should be greater than or equal to 1"),
        ("UI__PORT", "70000", "Input should be less than or equal to 65535"),
        ("ANSWER__MAX_PASSAGES", "0", "Input should be greater than or equal to 1"),
    ],
)
def test_a_setting_out_of_range_is_one_sentence_and_exit_1(
    monkeypatch, capsys, tmp_path, variable, value, why
):
    monkeypatch.setenv(f"EXCHANGE_{variable}", value)
    for argv in (
        ["ask", "--index", str(tmp_path), "When was NUSM founded?"],
        ["ingest", "--corpus", str(FIXTURES / "corpus"), "--index", str(tmp_path / "index")],
    ):
        code = main(argv)
        out = capsys.readouterr()
        assert code == 1 and out.out == ""
        assert out.err == (
            f"error: The setting EXCHANGE_{variable} is not valid: {why} (it is '{value}').\n"
        )
    assert not (tmp_path / "index").exists()  # nothing was built


def test_settings_that_contradict_each_other_are_refused(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("EXCHANGE_INDEX__CHUNK_OVERLAP", "900")
    assert main(["ask", "--index", str(tmp_path), "hi"]) == 1
    assert capsys.readouterr().err == (
        "error: The settings EXCHANGE_INDEX__* are not valid: chunk_overlap must be smaller "
        "than chunk_size.\n"
    )
    monkeypatch.delenv("EXCHANGE_INDEX__CHUNK_OVERLAP")
    monkeypatch.setenv("EXCHANGE_RETRIEVAL__DENSE_WEIGHT", "0")
    monkeypatch.setenv("EXCHANGE_RETRIEVAL__BM25_WEIGHT", "0")
    monkeypatch.setenv("EXCHANGE_RETRIEVAL__E5_WEIGHT", "0")
    assert main(["ask", "--index", str(tmp_path), "hi"]) == 1
    assert "dense_weight, bm25_weight and e5_weight cannot all be 0" in capsys.readouterr().err


def test_the_defaults_and_the_documented_values_are_accepted():
    s = Settings()
    # No threshold set means the calibrated one; the answer reads chunks the retriever keeps.
    assert s.answer.abstain_threshold is None and s.answer.chunks <= s.retrieval.top_k
    for llm in ("none", "extractive", "local", "openai:gpt-4o-mini", "ollama:llama3", "LOCAL"):
        assert Settings(llm=llm).llm == llm
    assert Settings(index={"torch_threads": 1, "follow_symlinks": True}).index.torch_threads == 1


def test_an_unknown_llm_backend_is_reported_before_any_model_loads(fixture_index):
    # In a fresh process: torch (the embedding model) must not even be imported.
    probe = (
        "import sys\n"
        "from assistant.cli import main\n"
        "code = main(['ask', '--index', sys.argv[1], 'When was NUSM founded?'])\n"
        "print(code, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    for llm, why in (
        ("gpt5", "use none, local[:MODEL], openai:MODEL or ollama:MODEL"),
        (
            "openai:",
            "use none, local[:MODEL], openai:MODEL or ollama:MODEL (a model name is "
            "needed after the colon)",
        ),
        ("local:gpt5", "the local models are qwen2.5-1.5b, qwen2.5-0.5b"),
    ):
        out = subprocess.run(
            [sys.executable, "-c", probe, str(fixture_index)],
            cwd=PROJECT,
            env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "EXCHANGE_LLM": llm},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.stdout.split() == ["1", "False", "False"], out.stderr
        assert (
            out.stderr == f"error: The setting EXCHANGE_LLM is not valid: {why} (it is '{llm}').\n"
        )


def test_the_public_api_comes_from_the_package_without_loading_the_pipeline():
    probe = (
        "import sys, assistant\n"
        "assert 'langchain_core' not in sys.modules\n"
        "from assistant import Settings, build_assistant, Answer, Request, AssistantError\n"
        "assert build_assistant.__module__ == 'assistant.pipeline.assistant'\n"
        "assert Settings().llm\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=PROJECT
    )
    assert done.returncode == 0, done.stderr
