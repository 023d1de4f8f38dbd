"""Recording an eval run's model replies and replaying them with no model (evals.calls)."""

import gzip
import json

import pytest
from fakes import COORDINATOR_READING

from assistant.backends import ModelBackend
from assistant.errors import AssistantError
from evals.calls import Recorder, Replayer

QUESTION = "Who coordinates the exchange at LUMC?"


def _recorded(fake_backend, make_assistant, fake_index):
    backend = fake_backend({"rules": [["Who coordinates", COORDINATOR_READING]]})
    backend.client = recorder = Recorder(backend.client)
    answer = make_assistant(fake_index, backend=backend).ask(QUESTION)
    return backend, recorder, answer


def test_a_replay_gives_the_recorded_answer_without_asking_a_model(
    fake_backend, make_assistant, fake_index, tmp_path
):
    backend, recorder, first = _recorded(fake_backend, make_assistant, fake_index)
    assert first.mode == "model" and "Maria Yazdanbakhsh" in first.answer
    asked = backend.state.requests
    path = recorder.save(tmp_path / "calls.json.gz", {"mode": "fake"})
    replayer = Replayer.load(path)
    again = make_assistant(fake_index, backend=ModelBackend(replayer, "replay")).ask(QUESTION)
    assert backend.state.requests == asked  # the model was not asked again
    assert (again.answer, again.outcome, again.mode) == (first.answer, first.outcome, "model")
    assert [c.quote for c in again.citations] == [c.quote for c in first.citations]
    assert replayer.replayed == len(recorder.calls) >= 1 and replayer.missed == 0


def test_a_call_the_recording_does_not_hold_is_a_miss_and_the_answer_quotes(
    fake_backend, make_assistant, fake_index, tmp_path
):
    _, recorder, _ = _recorded(fake_backend, make_assistant, fake_index)
    replayer = Replayer.load(recorder.save(tmp_path / "calls.json.gz", {}))
    other = make_assistant(fake_index, backend=ModelBackend(replayer, "replay")).ask(
        "When was the medical school in Nagasaki founded?"
    )
    assert other.mode == "quotes" and replayer.missed >= 1


def test_a_reply_the_recorded_reader_cut_short_misses_when_read_further():
    recording = {"format": 1, "calls": {}}
    recorder = Recorder(_Client(["Yes", "\nAnswer: it", " is so."]))
    stream = recorder.stream([{"role": "user", "content": "q"}])
    assert next(stream) == "Yes"
    stream.close()  # the reader had what it needed
    recording["calls"] = recorder.calls
    (call,) = recorder.calls.values()
    assert call["cut"] and call["pieces"] == [["Yes", None]]
    replayer = Replayer(recording["calls"])
    assert next(replayer.stream([{"role": "user", "content": "q"}])) == "Yes"
    with pytest.raises(Exception, match="cut short"):
        list(replayer.stream([{"role": "user", "content": "q"}]))
    assert replayer.missed == 1


def test_a_file_that_is_not_a_recording_is_one_clear_error(tmp_path):
    bad = tmp_path / "calls.json.gz"
    bad.write_text("not gzip")
    with pytest.raises(AssistantError, match="not a recording"):
        Replayer.load(bad)
    with gzip.open(bad, "wt") as f:
        json.dump({"format": 99, "calls": {}}, f)
    with pytest.raises(AssistantError, match="this version reads"):
        Replayer.load(bad)


class _Client:
    """A model client that streams fixed pieces."""

    def __init__(self, pieces: list[str]) -> None:
        from assistant.backends.client import Usage

        self.pieces = pieces
        self.last_usage = Usage()

    def stream(self, messages, *, max_tokens=None, stop=None):
        yield from self.pieces
