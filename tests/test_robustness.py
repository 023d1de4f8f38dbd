"""Robustness: arbitrary questions, corpus faults, and an ingest killed half-way.

Property tests drive `Assistant.ask` with arbitrary text; fault tests break the corpus in the
ways real folders break and check that each file is reported and skipped, that the rest is
indexed, and that the index that served before keeps serving.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import tracemalloc

import pytest
from conftest import FIXTURES
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from pdfmaker import write_pdf

from assistant.config import Settings
from assistant.errors import AssistantError, QuestionError
from assistant.index import generations
from assistant.ingest import build as ingest_module
from assistant.ingest.build import ingest
from assistant.pipeline.assistant import Assistant, clean_question
from assistant.types import Answer

# -- ask on arbitrary text --------------------------------------------------------------------

CORPUS_WORDS = (
    "exchange LUMC Nagasaki founded NUSM students staff focus areas ageing coordinator "
    "who when what how many years 1857 2020 Yazdanbakhsh medical technology infectious".split()
)
MARKUP = ["<script>alert(1)</script>", "<b>", "</i>", "**", "[1]", "```", "&amp;", "\u200b", "\x00"]

questions = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(CORPUS_WORDS + MARKUP + ["?", " ", "\n"]), max_size=40).map(" ".join),
    st.sampled_from(
        ["", " ", "\n\t", "?", "<p></p>", "a" * 1001, "word " * 200, "数据 ?", "🙂" * 3]
    ),
)
histories = st.lists(st.one_of(st.text(max_size=60), st.sampled_from(CORPUS_WORDS)), max_size=1)


def check_answer(answer: Answer) -> None:
    assert isinstance(answer, Answer)
    assert answer.answer.strip()
    retrieved = {r.chunk_id for r in answer.retrieval}
    if answer.abstained:
        assert not answer.citations
        return
    assert answer.citations
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    for c in answer.citations:
        assert c.chunk_id in retrieved  # never cites a chunk outside the evidence
        assert c.quote.strip()
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert markers <= {c.n for c in answer.citations}


@hsettings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(question=questions, history=histories)
def test_ask_on_any_text_returns_a_valid_answer_or_a_question_error(
    fixture_assistant, question, history
):
    limit = fixture_assistant.settings.max_question_chars
    try:
        clean_question(question, limit)
        refused = False
    except QuestionError:
        refused = True
    try:
        answer = fixture_assistant.ask(question, history)
    except QuestionError:
        assert refused, f"refused a question that is neither empty nor too long: {question!r}"
        return
    assert not refused
    check_answer(answer)


# -- corpus faults ----------------------------------------------------------------------------


@pytest.fixture
def serving(settings, embedder):
    """The fixture corpus indexed, and an Assistant answering from it."""
    ingest(settings, embedder=embedder)
    assistant = Assistant(settings, embedder)
    assert "1857" in assistant.ask("When was NUSM founded?").answer
    return assistant


def assert_still_answers(assistant: Assistant) -> None:
    assert "1857" in assistant.ask("When was NUSM founded?").answer
    assert "2020 to 2023" in assistant.ask("When does the exchange run?").answer


def test_each_corpus_fault_is_reported_and_skipped_and_the_rest_is_indexed(
    settings, corpus, serving, embedder
):
    (corpus / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    (corpus / "blob.md").write_bytes(b"# Blob\n\x00\x01\x02" + os.urandom(500))
    pdf = write_pdf(corpus / "leaflet.pdf", ["The leaflet says the exchange has a mentor."])
    data = pdf.read_bytes()
    pdf.write_bytes(data[: len(data) // 2])  # truncated half-way
    (corpus / "latin1.md").write_bytes("# Caf\xe9\n\nThe caf\xe9 is open.\n".encode("latin-1"))
    (corpus / "copy-of-exchange.md").write_bytes((corpus / "exchange.md").read_bytes())
    (corpus / "empty.md").write_text("   \n")
    (corpus / "empty-folder").mkdir()
    (corpus / "garden.md").write_text(
        "# Campus garden\n\n## Plants\n\nThe campus garden of the fixture has red roses.\n"
    )
    report = ingest(settings, embedder=embedder)
    reasons = {s.source: s.reason for s in report.skipped}
    assert "unsupported file type" in reasons["image.png"]
    assert "binary" in reasons["blob.md"]
    assert "PDF" in reasons["leaflet.pdf"]
    assert "UTF-8" in reasons["latin1.md"]
    assert "same content as exchange.md" in reasons["copy-of-exchange.md"]
    assert "empty" in reasons["empty.md"]
    assert len(reasons) == 6
    assert report.added == ["garden.md"]
    assert "roses" in serving.ask("What grows in the campus garden?").answer
    assert_still_answers(serving)


def test_a_file_that_turns_bad_keeps_its_indexed_version_serving(settings, corpus, serving):
    (corpus / "history.txt").write_bytes(b"Nagasaki \xff\xfe was founded")
    report = ingest(settings, embedder=serving.embedder)
    [skipped] = report.skipped
    assert "UTF-8" in skipped.reason and "keeps serving" in skipped.reason
    assert_still_answers(serving)


def test_a_50_mb_text_file_is_skipped_without_reading_it_into_memory(settings, corpus, serving):
    big = corpus / "huge.txt"
    line = b"The exchange between Leiden and Nagasaki is described here once more.\n"
    with big.open("wb") as fh:
        for _ in range(50_000_000 // len(line) + 1):
            fh.write(line)
    assert big.stat().st_size > 50_000_000
    tracemalloc.start()
    try:
        report = ingest(settings, embedder=serving.embedder)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    [skipped] = report.skipped
    assert skipped.source == "huge.txt" and "too large" in skipped.reason
    assert peak < 10_000_000  # hashed in 1 MB blocks, never read whole
    assert_still_answers(serving)


def test_an_emptied_corpus_folder_keeps_the_index_serving(settings, corpus, serving):
    before = generations.current(settings.index_dir)
    for path in corpus.iterdir():
        path.unlink()
    with pytest.raises(AssistantError, match="no documents to index; the index keeps serving"):
        ingest(settings, embedder=serving.embedder)
    assert generations.current(settings.index_dir) == before
    assert_still_answers(serving)


@pytest.mark.parametrize("when", ["after listing", "after hashing"])
def test_a_file_deleted_during_ingest_is_skipped(settings, corpus, serving, monkeypatch, when):
    victim = corpus / "garden.md"
    victim.write_text("# Garden\n\n## Plants\n\nThe garden has roses.\n")
    (corpus / "pond.md").write_text("# Pond\n\n## Fish\n\nThe pond of the campus has carp.\n")
    if when == "after listing":
        from assistant.ingest import files as files_module

        real = files_module.corpus_files

        def listing_then_delete(folder, **options):
            files = real(folder, **options)
            victim.unlink()
            return files

        monkeypatch.setattr(files_module, "corpus_files", listing_then_delete)
    else:
        real = ingest_module._sha256

        def hash_then_delete(path):
            digest = real(path)
            if path == victim:
                victim.unlink()
            return digest

        monkeypatch.setattr(ingest_module, "_sha256", hash_then_delete)
    report = ingest(settings, embedder=serving.embedder)
    reasons = {s.source: s.reason for s in report.skipped}
    assert "cannot read the file" in reasons["garden.md"]
    assert report.added == ["pond.md"]
    assert "carp" in serving.ask("What lives in the campus pond?").answer
    assert_still_answers(serving)


# -- an ingest killed half-way ----------------------------------------------------------------

TOPICS = ["housing", "insurance", "courses", "mentors", "language", "travel", "grading", "visits"]


def write_big_file(path, sections: int) -> None:
    parts = ["# Exchange handbook\n"]
    for i in range(sections):
        topic = TOPICS[i % len(TOPICS)]
        parts.append(
            f"\n## {topic.capitalize()} note {i}\n\n"
            f"Note {i} on {topic}: students of cohort {i % 37} arrange their {topic} with the "
            f"international office in week {i % 52 + 1}. The office answers questions about "
            f"{topic} within {i % 9 + 2} working days, and keeps a list of contacts.\n"
        )
    path.write_text("".join(parts))


def _chroma_bytes(gen) -> int:
    return sum(p.stat().st_size for p in (gen / "chroma").rglob("*") if p.is_file())


def test_an_ingest_killed_half_way_leaves_the_index_serving_and_the_next_completes(
    settings, corpus, serving
):
    serving_gen = generations.current(settings.index_dir)
    base = _chroma_bytes(serving_gen)
    write_big_file(corpus / "handbook.md", sections=200)
    env = {
        **os.environ,
        "EXCHANGE_CORPUS_DIR": str(corpus),
        "EXCHANGE_INDEX_DIR": str(settings.index_dir),
        # upserts of 32 chunks: the kill lands between them
        "EXCHANGE_INDEX__EMBED_BATCH_SIZE": "4",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    env.pop("EXCHANGE_INDEX__CHROMA_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "ingest", "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        new_gen = None
        while time.monotonic() < deadline and proc.poll() is None:
            gens = [g for g in settings.index_dir.glob("gen-*") if g != serving_gen]
            if gens and (gens[0] / "chroma").is_dir() and _chroma_bytes(gens[0]) > base:
                new_gen = gens[0]  # some, not all, new chunks are written: half-way
                break
            time.sleep(0.05)
        assert proc.poll() is None, f"the ingest ended before the kill:\n{proc.stdout.read()}"
        assert new_gen is not None, "the ingest never started writing"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    assert generations.current(settings.index_dir) == serving_gen
    assert not (new_gen / "manifest.json").exists()

    fresh = Assistant(Settings(corpus_dir=corpus, index_dir=settings.index_dir), serving.embedder)
    assert "1857" in fresh.ask("When was NUSM founded?").answer
    assert_still_answers(serving)

    report = ingest(settings, embedder=serving.embedder)
    assert report.added == ["handbook.md"] and report.chunks_embedded == 200
    assert not new_gen.exists()  # the unfinished build is cleared away
    answer = serving.ask("How many working days does the office take for questions in note 17?")
    assert not answer.abstained
    assert_still_answers(serving)


def test_a_killed_build_is_cleared_by_the_next_ingest_even_with_nothing_to_do(settings, serving):
    leftover = settings.index_dir / "gen-20000101-000000-dead00"
    (leftover / "chroma").mkdir(parents=True)
    report = ingest(settings, embedder=serving.embedder)
    assert report.chunks_embedded == 0
    assert not leftover.exists()
    assert_still_answers(serving)


def test_fixture_corpus_is_unchanged():
    # The fault tests work on copies; the shared fixture corpus must stay as it is.
    assert sorted(p.name for p in (FIXTURES / "corpus").iterdir()) == [
        "exchange.md",
        "history.txt",
    ]
