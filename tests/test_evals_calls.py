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


def test_a_replay_with_a_fallback_asks_it_only_for_the_calls_it_does_not_hold(
    fake_backend, make_assistant, fake_index, tmp_path
):
    backend, recorder, first = _recorded(fake_backend, make_assistant, fake_index)
    held = dict(recorder.calls)
    dropped = next(iter(held))  # the question's first read, as if its prompt had changed
    del held[dropped]
    asked_before = backend.state.requests
    replayer = Replayer(held, fallback=backend.client)
    again = make_assistant(fake_index, backend=ModelBackend(replayer, "replay")).ask(QUESTION)
    assert (again.answer, again.outcome, again.mode) == (first.answer, first.outcome, "model")
    assert (replayer.asked, replayer.missed, replayer.replayed) == (1, 0, len(held))
    assert backend.state.requests == asked_before + 1


def test_a_reply_cut_short_in_the_recording_is_read_on_from_the_fallback():
    recorder = Recorder(_Client(["Yes", "\nAnswer: it", " is so."]))
    stream = recorder.stream([{"role": "user", "content": "q"}])
    next(stream)
    stream.close()
    live = _Client(["Yes", "\nAnswer: it", " is so."])
    replayer = Replayer(recorder.calls, fallback=live)
    # a reader that stops where the recorded one did is answered from the recording
    again = replayer.stream([{"role": "user", "content": "q"}])
    assert next(again) == "Yes"
    again.close()
    assert (replayer.asked, replayer.replayed, live.asked) == (0, 1, 0)
    # one that reads on gets the rest of the model's reply, past the recorded pieces
    assert "".join(replayer.stream([{"role": "user", "content": "q"}])) == "Yes\nAnswer: it is so."
    assert (replayer.asked, replayer.replayed, replayer.missed, live.asked) == (1, 1, 0, 1)


def test_a_file_that_is_not_a_recording_is_one_clear_error(tmp_path):
    bad = tmp_path / "calls.json.gz"
    bad.write_text("not gzip")
    with pytest.raises(AssistantError, match="not a recording"):
        Replayer.load(bad)
    with gzip.open(bad, "wt") as f:
        json.dump({"format": 99, "calls": {}}, f)
    with pytest.raises(AssistantError, match="this version reads"):
        Replayer.load(bad)


def test_recordings_made_in_parts_replay_together_if_they_are_of_one_model(
    fake_backend, make_assistant, fake_index, tmp_path
):
    _, first, _ = _recorded(fake_backend, make_assistant, fake_index)
    a = first.save(tmp_path / "a.json.gz", {"mode": "local"})
    other = "When was the medical school in Nagasaki founded?"
    backend = fake_backend({"default": "No"})
    backend.client = second = Recorder(backend.client)
    make_assistant(fake_index, backend=backend).ask(other)
    b = second.save(tmp_path / "b.json.gz", {"mode": "local"})
    both = Replayer.load_all([a, b])
    assistant = make_assistant(fake_index, backend=ModelBackend(both, "replay"))
    assert assistant.ask(QUESTION).mode == "model" and assistant.ask(other).mode == "model"
    assert both.missed == 0 and both.mode == "local" and str(a) in both.source
    c = second.save(tmp_path / "c.json.gz", {"mode": "local:qwen2.5-0.5b"})
    with pytest.raises(AssistantError, match="different models"):
        Replayer.load_all([a, c])


class _Client:
    """A model client that streams fixed pieces."""

    def __init__(self, pieces: list[str]) -> None:
        from assistant.backends.client import Usage

        self.pieces = pieces
        self.last_usage = Usage()
        self.asked = 0

    def stream(self, messages, *, max_tokens=None, stop=None):
        self.asked += 1
        yield from self.pieces


def test_an_eval_run_records_its_model_calls_and_a_replay_reports_the_same_answers(
    fake_backend, tmp_path, monkeypatch, capsys
):
    """`python -m evals` with a model keeps its calls; `--replay` gives the same report, of
    the recorded mode, beside the model's own (the model here: the fake server)."""
    from conftest import FIXTURES

    import assistant.backends
    from evals.__main__ import main

    backend = fake_backend({"rules": [["Who coordinates", COORDINATOR_READING]], "default": "No"})
    openings = []

    def make(settings, opening=None):
        openings.append(opening)
        return backend

    monkeypatch.setattr(assistant.backends, "make_backend", make)
    thresholds = tmp_path / "thresholds.yaml"
    thresholds.write_text("local:\n  all:\n    unsupported_sentence_rate: {max: 0.0}\n")
    reports = tmp_path / "reports"
    common = [
        *("--dataset", str(FIXTURES / "evals-small.yaml"), "--corpus", str(FIXTURES / "corpus")),
        *("--index", str(tmp_path / "index"), "--thresholds", str(thresholds)),
        *("--reports", str(reports), "--no-baselines"),
    ]
    assert main([*common, "--mode", "local"]) == 0, capsys.readouterr().out
    asked = backend.state.requests
    assert asked > 0 and (reports / "calls-local.json.gz").is_file()
    # its model server starts on the opening every question shares, as the assistant's does
    from assistant.pipeline.reading import Prompts

    assert openings == [Prompts().opening()]

    # the mode given is not the recording's: the replay is of the recorded run all the same
    assert main([*common, "--mode", "none", "--replay", str(reports / "calls-local.json.gz")]) == 0
    assert backend.state.requests == asked  # no model was asked
    model = json.loads((reports / "report-local.json").read_text())
    replay = json.loads((reports / "report-local-replay.json").read_text())
    assert replay["mode"] == "local" and replay["replay"]["missed"] == 0
    assert replay["replay"]["replayed"] == asked
    assert _rows(replay) == _rows(model) and {c[3] for c in _rows(model)} == {"model"}
    assert "0 not in the recording" in capsys.readouterr().out

    # a recording that lacks some calls (a prompt changed): --ask-on-miss asks the model for
    # those alone, gives the model's answers, and keeps the whole run's calls
    recording = reports / "calls-local.json.gz"
    with gzip.open(recording, "rt") as f:
        payload = json.load(f)
    calls = payload["calls"]
    payload["calls"] = dict(list(calls.items())[: len(calls) // 2])
    with gzip.open(recording, "wt") as f:
        json.dump(payload, f)
    asked = backend.state.requests
    assert main([*common, "--replay", str(recording), "--ask-on-miss"]) == 0
    filled = json.loads((reports / "report-local-replay.json").read_text())
    assert filled["replay"]["asked"] == len(calls) - len(payload["calls"]) > 0
    assert backend.state.requests == asked + filled["replay"]["asked"]
    assert _rows(filled) == _rows(model)
    assert Replayer.load(reports / "calls-local-filled.json.gz").calls.keys() == calls.keys()
    assert "asked of the model" in capsys.readouterr().out
    # without --replay there is nothing to fill: one sentence, exit 2
    assert main([*common, "--ask-on-miss"]) == 2
    assert "goes with --replay" in capsys.readouterr().err


def _rows(report: dict) -> list[tuple]:
    cases = report["suites"]["evals-small"]["cases"]
    return [(c["id"], c["answer"], c["outcome"], c["mode"]) for c in cases]
