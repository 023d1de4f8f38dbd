"""Questions in other languages than the documents' English: the e5 index, its place in the
fusion, and answers that say their quotes are in English. Most tests run on the fakes; the
end-to-end ones use the real multilingual e5 model on the fixture corpus."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import FIXTURES
from fakes import FakeScorer

from assistant.errors import IndexDamagedError
from assistant.index import generations
from assistant.index.e5 import E5Index
from assistant.ingest.build import ingest
from assistant.pipeline.assistant import Assistant
from assistant.pipeline.retrieve import HybridRetriever
from assistant.types import Chunk, Request

CHUNKS = [
    Chunk(
        id="focus",
        text="The focus areas are ageing and infectious diseases.",
        source="a.md",
        title="A",
    ),
    Chunk(
        id="history", text="NUSM was founded in 1857 by a Dutch doctor.", source="b.md", title="B"
    ),
    Chunk(id="contact", text="The coordinator is Maria Yazdanbakhsh.", source="c.md", title="C"),
]


class ListStore:
    """A store that lists nothing by similarity and gives chunks by id: only the other
    rankings can bring a chunk in. Counts its similarity queries."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = {c.id: c for c in chunks}
        self.queried = 0

    def query(self, vector, k):
        self.queried += 1
        return []

    def get(self, ids):
        return [(self.chunks[i], [0.0]) for i in ids if i in self.chunks]


class NoBm25:
    def __init__(self) -> None:
        self.searched = 0

    def search(self, query, k):
        self.searched += 1
        return []


class ConstantEmbedder:
    def embed_query(self, text):
        return [0.0]


def _retriever(**values) -> HybridRetriever:
    scorer = FakeScorer()
    e5 = E5Index.build(
        [c.id for c in CHUNKS], [c.embedding_text() for c in CHUNKS], scorer.encode_passages
    )
    return HybridRetriever(
        store=ListStore(CHUNKS),
        bm25=NoBm25(),
        embedder=ConstantEmbedder(),
        e5=e5,
        scorer=scorer,
        **values,
    )


def test_the_e5_ranking_is_fused_with_its_weight():
    retriever = _retriever(e5_weight=1.0, top_k=3)
    found = retriever.search("When was NUSM founded?")
    assert [e.chunk.id for e in found][0] == "history"
    assert found[0].e5_score == pytest.approx(max(e.e5_score for e in found))
    assert found[0].score == pytest.approx(1.0 / (60 + 1))
    doubled = _retriever(e5_weight=2.0, top_k=3).search("When was NUSM founded?")
    assert doubled[0].score == pytest.approx(2 * found[0].score)
    assert _retriever(e5_weight=0.0).search("When was NUSM founded?") == []


def test_a_question_in_another_language_is_fused_with_e5_first():
    retriever = _retriever(e5_weight=0.0, other_language_weight=0.0)
    assert retriever.search("When was NUSM founded?") == []  # English: e5 left out
    found = retriever.search("Wanneer is NUSM opgericht?", language="nl")
    assert found[0].chunk.id == "history" and found[0].score == pytest.approx(1.0 / 61)
    assert retriever.store.queried == 1 and retriever.bm25.searched == 1  # English only
    retriever = _retriever(e5_weight=1.0, other_language_weight=0.0)
    retriever.search("Wanneer is NUSM opgericht?", language="nl")
    assert retriever.store.queried == 0 and retriever.bm25.searched == 0  # left out
    retriever.search("When was NUSM founded?")
    assert retriever.store.queried == 1 and retriever.bm25.searched == 1
    half = _retriever(e5_weight=1.0, other_language_weight=0.5)
    half.search("Wanneer is NUSM opgericht?", language="nl")
    assert half.store.queried == 1 and half.bm25.searched == 1


def test_the_e5_index_keeps_known_vectors_and_round_trips(tmp_path):
    scorer = FakeScorer()
    ids = [c.id for c in CHUNKS]
    texts = [c.embedding_text() for c in CHUNKS]
    first = E5Index.build(ids, texts, scorer.encode_passages)
    assert first.embedded == 3
    np.testing.assert_allclose(np.linalg.norm(first.vectors, axis=1), 1.0, rtol=1e-5)
    known = {i: v for i, v in first.as_dict().items() if i != "contact"}
    again = E5Index.build(ids, texts, scorer.encode_passages, known)
    assert again.embedded == 1
    np.testing.assert_allclose(again.vectors, first.vectors, rtol=1e-6)
    first.save(tmp_path / "gen-x" / "e5")
    loaded = E5Index.load(tmp_path / "gen-x" / "e5")
    assert loaded.ids == ids
    assert loaded.search(scorer.query("Yazdanbakhsh"), 1)[0][0] == "contact"


def test_an_e5_index_of_another_model_is_damage_not_a_silent_mismatch(tmp_path):
    index = E5Index(["a"], np.ones((1, 4), dtype=np.float32) / 2)
    with pytest.raises(IndexDamagedError, match="another model"):
        index.search(np.ones(8), 1)
    folder = tmp_path / "gen-x" / "e5"
    index.save(folder)
    (folder / "ids.json").write_text(json.dumps(["a", "b"]))
    with pytest.raises(IndexDamagedError, match="one vector per chunk"):
        E5Index.load(folder)


class CountingScorer(FakeScorer):
    def __init__(self) -> None:
        super().__init__()
        self.encoded = 0

    def encode_passages(self, texts):
        self.encoded += len(texts)
        return super().encode_passages(texts)


def test_ingest_builds_the_e5_index_in_each_generation_under_the_manifest(
    tmp_path, corpus, fake_embedder, fake_settings
):
    settings = fake_settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    scorer = CountingScorer()
    ingest(settings, embedder=fake_embedder, scorer=scorer)
    gen = generations.current(settings.index_dir)
    manifest = generations.read_manifest(gen)
    assert {"e5/ids.json", "e5/vectors.npy"} <= set(manifest.checksums)
    assert "e5=" in manifest.fingerprint
    chunk_ids = {cid for f in manifest.files.values() for cid in f.chunk_ids}
    assert set(E5Index.load(gen / "e5").ids) == chunk_ids
    assert scorer.encoded == len(chunk_ids)
    # A new file: only its chunks are encoded; the others come from the previous generation.
    (corpus / "summer.md").write_text("# Summer school\n\nThe summer school teaches malaria.\n")
    ingest(settings, embedder=fake_embedder, scorer=scorer)
    new = generations.current(settings.index_dir)
    added = generations.read_manifest(new).files["summer.md"].chunk_ids
    assert scorer.encoded == len(chunk_ids) + len(added)
    assert set(E5Index.load(new / "e5").ids) == chunk_ids | set(added)


def test_a_dutch_question_is_answered_with_the_english_passages_and_says_so(fake_assistant):
    question = "Wanneer werd de medische school NUSM opgericht?"
    query = fake_assistant._read(Request(question=question))
    assert query.language == "nl" and query.question == question  # not spell-fixed
    answer = fake_assistant.ask(question)
    assert not answer.abstained and "1857" in answer.answer
    assert answer.language == "nl"
    assert "Dutch" in answer.note and "English" in answer.note


def test_an_english_question_carries_no_language_and_no_note(fake_assistant):
    answer = fake_assistant.ask("When was NUSM founded?")
    assert not answer.abstained and answer.language is None and answer.note is None


def test_a_question_in_another_language_the_documents_do_not_answer_is_not_covered(
    fake_assistant,
):
    answer = fake_assistant.ask("Hoeveel kost een kamer in het studentenhuis?")
    assert answer.abstained and answer.abstention == "not_covered"
    assert answer.language == "nl" and answer.citations == []


def test_a_short_follow_up_takes_the_language_of_the_conversation(fake_assistant):
    query = fake_assistant._read(
        Request(question="en in Leiden?", history=["Wat onderzoekt Nagasaki over veroudering?"])
    )
    assert query.language == "nl"


def test_without_a_cross_language_model_a_foreign_question_is_asked_again_in_english(
    tmp_path, fake_index, fake_embedder, fake_scorer, calibration_file, fake_settings
):
    from assistant.pipeline.calibration import Calibration

    calibration = Calibration.load(calibration_file).model_copy(update={"cross_language": None})
    path = calibration.save(tmp_path / "calibration.json")
    settings = fake_settings(
        corpus_dir=FIXTURES / "corpus", index_dir=fake_index, answer={"calibration": path}
    )
    assistant = Assistant(settings, embedder=fake_embedder, scorer=fake_scorer)
    answer = assistant.ask("Wanneer werd de medische school NUSM opgericht?")
    assert answer.abstained and answer.abstention == "language" and answer.language == "nl"


# -- the real multilingual e5 model ------------------------------------------------------------


@pytest.mark.parametrize(
    "question, language, source, section",
    [
        ("Op welke drie gebieden richt de uitwisseling zich?", "nl", "exchange.md", "Focus areas"),
        ("長崎大学医学部はいつ、誰によって設立されましたか？", "ja", "history.txt", None),
        ("Mogen medewerkers ook deelnemen?", "nl", "exchange.md", "Who can take part › Staff"),
    ],
)
def test_dutch_and_japanese_questions_find_the_english_passage(
    fixture_assistant, question, language, source, section
):
    query = fixture_assistant._read(Request(question=question))
    assert query.language == language
    top = fixture_assistant.retriever.search(query.question, language=query.language)[0]
    assert top.chunk.source == source and top.chunk.section == section
    assert top.e5_score is not None
