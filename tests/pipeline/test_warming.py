"""The index's candidate passages encoded before questions ask for them (pipeline/warming.py)."""

from __future__ import annotations

import threading

from assistant.pipeline.warming import PassageWarmer


class RecordingScorer:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def passages(self, texts: list[str]):
        self.calls.append(list(texts))


def test_every_distinct_text_is_encoded_once_in_batches_up_to_the_limit():
    scorer = RecordingScorer()
    texts = [f"passage {i}" for i in range(10)] + ["passage 3"]
    warmer = PassageWarmer(scorer, lambda: iter(texts), lambda: False, limit=7, batch=3).start()
    assert warmer.wait(5)
    assert scorer.calls == [
        ["passage 0", "passage 1", "passage 2"],
        ["passage 3", "passage 4", "passage 5"],
        ["passage 6"],
    ]
    assert warmer.warmed == 7


def test_it_waits_while_a_question_holds_the_model():
    scorer = RecordingScorer()
    busy = threading.Event()
    busy.set()
    warmer = PassageWarmer(
        scorer, lambda: iter(["a", "b"]), busy.is_set, limit=10, batch=1, pause_s=0.01
    ).start()
    assert not warmer.wait(0.3) and scorer.calls == []
    busy.clear()
    assert warmer.wait(5) and scorer.calls == [["a"], ["b"]]


def test_stopping_ends_it_and_a_failing_scorer_does_not_escape():
    scorer = RecordingScorer()
    warmer = PassageWarmer(scorer, lambda: iter(["a"]), lambda: True, limit=10, pause_s=0.01)
    warmer.start().stop()
    assert warmer.wait(5) and scorer.calls == []

    class Broken:
        def passages(self, texts):
            raise RuntimeError("the encoder is gone")

    failing = PassageWarmer(Broken(), lambda: iter(["a"]), lambda: False, limit=10, batch=1)
    assert failing.start().wait(5) and failing.warmed == 0


def test_a_long_running_assistant_encodes_every_window_of_its_index(
    tmp_path, corpus, fake_embedder, fake_scorer, fake_settings, make_assistant
):
    from assistant.ingest.build import ingest
    from assistant.pipeline.passages import window_texts

    settings = fake_settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    ingest(settings, embedder=fake_embedder, scorer=fake_scorer)
    once = make_assistant(settings.index_dir, corpus)
    once.ask("Who coordinates the exchange?")
    assert once.index.warmer is None  # a one-off question encodes only what it needs

    assistant = make_assistant(settings.index_dir, corpus)
    assistant.warm_up()
    first = assistant.index.warmer
    assert first is not None and first.wait(10)
    a = assistant.answer_settings
    chunks = assistant.retriever.store.all_chunks()
    expected = set(window_texts(chunks, a.window_sentences, a.max_passage_words))
    assert first.warmed == len(expected) > 0

    (corpus / "summer.md").write_text(
        "# Summer school\n\nThe summer school teaches the diagnosis of malaria. It lasts two "
        "weeks in July.\n"
    )
    ingest(settings, embedder=fake_embedder, scorer=fake_scorer)
    assistant.ask("What does the summer school teach?")
    second = assistant.index.warmer
    assert second is not first and second.wait(10) and second.warmed == first.warmed + 3
    assistant.close()


def test_warming_can_be_turned_off(fake_index, make_assistant):
    assistant = make_assistant(fake_index, retrieval={"warm_passages": 0})
    assistant.warm_up()
    assert assistant.index.warmer is None
