import time

import pytest
from conftest import CountingEmbedder

from assistant.errors import AssistantError
from assistant.index import generations
from assistant.index.store import Store
from assistant.ingest.build import ingest


def _ids(settings):
    gen = generations.require_current(settings.index_dir)
    return set(Store(settings, gen / "chroma").collection.get(include=[])["ids"])


def test_first_ingest_adds_every_file_and_embeds_every_chunk(settings, counting):
    report = ingest(settings, embedder=counting)
    assert sorted(report.added) == ["exchange.md", "history.txt"]
    assert report.chunks_embedded == counting.embedded == report.chunks_total > 0
    assert len(_ids(settings)) == report.chunks_total


def test_reingesting_an_unchanged_corpus_embeds_nothing_and_is_fast(settings, counting):
    ingest(settings, embedder=counting)
    before = generations.current(settings.index_dir)
    counting.embedded = 0
    started = time.perf_counter()
    report = ingest(settings, embedder=counting)
    assert time.perf_counter() - started < 1.0
    assert counting.embedded == 0
    assert sorted(report.unchanged) == ["exchange.md", "history.txt"]
    assert generations.current(settings.index_dir) == before


def test_a_changed_file_reembeds_only_its_changed_chunks(settings, corpus, counting):
    ingest(settings, embedder=counting)
    old_ids = _ids(settings)
    path = corpus / "exchange.md"
    path.write_text(path.read_text().replace("runs from 2020 to 2023", "runs from 2020 to 2024"))
    counting.embedded = 0
    report = ingest(settings, embedder=counting)
    assert report.updated == ["exchange.md"]
    assert counting.embedded == 1  # only the "Key facts" section changed
    new_ids = _ids(settings)
    assert len(new_ids - old_ids) == 1 and len(old_ids - new_ids) == 1


def test_a_removed_file_leaves_the_index(settings, corpus, counting):
    ingest(settings, embedder=counting)
    (corpus / "history.txt").unlink()
    report = ingest(settings, embedder=counting)
    assert report.removed == ["history.txt"]
    manifest = generations.read_manifest(generations.current(settings.index_dir))
    assert set(manifest.files) == {"exchange.md"}
    assert len(_ids(settings)) == manifest.chunk_count


def test_unreadable_files_are_skipped_with_a_reason_and_the_rest_is_indexed(
    settings, corpus, counting
):
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (corpus / "notes.txt").write_bytes(b"\xff\xfe\x00\x00binary")
    (corpus / "copy.md").write_bytes((corpus / "exchange.md").read_bytes())
    report = ingest(settings, embedder=counting)
    reasons = {s.source: s.reason for s in report.skipped}
    assert "PDF" in reasons["broken.pdf"]
    assert "binary" in reasons["notes.txt"]
    assert "same content as" in reasons["exchange.md"] or "same content as" in reasons["copy.md"]
    assert {"history.txt"} <= set(report.added)


def test_a_file_that_breaks_keeps_its_indexed_version(settings, corpus, counting):
    ingest(settings, embedder=counting)
    (corpus / "history.txt").write_bytes(b"\x00\x00 now binary")
    report = ingest(settings, embedder=counting)
    [skipped] = report.skipped
    assert "keeps serving" in skipped.reason
    manifest = generations.read_manifest(generations.current(settings.index_dir))
    assert "history.txt" in manifest.files


def test_an_ingest_that_fails_half_way_leaves_the_previous_index_serving(
    settings, corpus, embedder
):
    ingest(settings, embedder=embedder)
    serving = generations.current(settings.index_dir)
    ids = _ids(settings)
    (corpus / "more.md").write_text("# More\n\n## A\n\nNew text one.\n\n## B\n\nNew text two.\n")
    with pytest.raises(RuntimeError):
        ingest(settings, embedder=CountingEmbedder(embedder, fail_after=0))
    assert generations.current(settings.index_dir) == serving
    assert _ids(settings) == ids
    assert [p.name for p in settings.index_dir.glob("gen-*")] == [serving.name]
    report = ingest(settings, embedder=embedder)
    assert report.added == ["more.md"]


def test_a_missing_corpus_folder_is_one_clear_error(settings, tmp_path):
    with pytest.raises(AssistantError, match="does not exist"):
        ingest(settings, corpus_dir=tmp_path / "nowhere")


def test_an_empty_corpus_builds_an_empty_index(settings, tmp_path, counting):
    empty = tmp_path / "empty"
    empty.mkdir()
    report = ingest(settings, corpus_dir=empty, embedder=counting)
    assert report.chunks_total == 0
    assert generations.current(settings.index_dir) is not None


def test_markdown_links_with_parentheses_in_the_url_leave_only_their_text(
    settings, corpus, counting
):
    (corpus / "links.md").write_text(
        "# Links\n\n## City\n\nThe partner city is "
        "[Leiden](https://en.wikipedia.org/wiki/Leiden_(city)) in the Netherlands, "
        'see [the map](https://example.org/map "Map") (printed).\n'
    )
    ingest(settings, embedder=counting)
    gen = generations.require_current(settings.index_dir)
    [chunk] = [c for c in Store(settings, gen / "chroma").all_chunks() if c.source == "links.md"]
    assert chunk.text == ("The partner city is Leiden in the Netherlands, see the map (printed).")
