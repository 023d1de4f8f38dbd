"""The OpenAI-compatible client against a fake server: text, usage, yes/no, and failures."""

import socket
import time

import pytest

from assistant.backends.client import ChatClient, ModelUnavailable, yes_share

MESSAGES = [{"role": "user", "content": "Question: when does it open?"}]


def test_streams_the_reply_and_reports_the_cached_part_of_the_prompt(fake_model):
    url, _ = fake_model({"rules": [["open", "Yes\nAnswer: at nine [1]."]]})
    client = ChatClient(url, "fake")
    text = "".join(client.stream(MESSAGES))
    assert text == "Yes\nAnswer: at nine [1]."
    assert client.last_usage.prompt_tokens > 0 and client.last_usage.cached_tokens == 0
    client.complete(MESSAGES)
    assert client.last_usage.cached_tokens == client.last_usage.prompt_tokens


def test_the_first_token_carries_the_yes_no_log_probabilities(fake_model):
    url, _ = fake_model({"rules": [["open", "Yes, at nine."]], "yes": 0.8})
    client = ChatClient(url, "fake")
    pieces = list(client.stream_with_logprobs(MESSAGES))
    assert yes_share(pieces[0][1]) == pytest.approx(0.8)
    assert client.yes_probability(MESSAGES) == pytest.approx(0.8)


def test_a_server_that_never_answers_times_out_and_is_reported(fake_model):
    url, _ = fake_model({"on_prompt": "hang"})
    reported = []
    client = ChatClient(url, "fake", timeout=1.0, on_failure=reported.append)
    started = time.monotonic()
    with pytest.raises(ModelUnavailable, match="did not answer within 1 s"):
        client.complete(MESSAGES)
    assert time.monotonic() - started < 5
    assert reported and "did not answer" in reported[0]


def test_no_server_at_all_is_one_sentence():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = ChatClient(f"http://127.0.0.1:{port}/v1", "fake", timeout=2.0)
    with pytest.raises(ModelUnavailable, match="does not answer"):
        client.complete(MESSAGES)


def test_yes_share_without_log_probabilities_is_unknown():
    assert yes_share(None) is None
    assert yes_share({"content": [{"token": "Maybe", "top_logprobs": []}]}) == 0.5


def test_a_stream_cut_before_its_end_leaves_its_usage_unknown_not_the_last_calls(fake_model):
    url, _ = fake_model({"default": "Yes it is a long enough reply to cut"})
    client = ChatClient(url, "fake", timeout=10)
    client.complete([{"role": "user", "content": "x" * 400}], max_tokens=8)
    assert client.last_usage.prompt_tokens > 0
    stream = client.stream_with_logprobs([{"role": "user", "content": "y"}], max_tokens=8)
    next(stream)
    stream.close()
    assert client.last_usage.prompt_tokens == 0
