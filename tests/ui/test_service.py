"""The page's service: the index as sections, start-up in the background (ui/service.py)."""

from __future__ import annotations

import pytest
from page_helpers import citation, final

from assistant.ui import handlers, render
from assistant.ui.service import Service


def test_the_library_reads_sections_in_document_order(service):
    lib = service.library()
    exchange = [s.name for s in lib.sections if s.source == "exchange.md"]
    assert exchange[0] == "Key facts" and exchange[-1] == "Focus areas"
    assert len(exchange) == len(set(exchange)) >= 3
    assert all(s.title == "Exchange overview" for s in lib.sections if s.source == "exchange.md")
    # the contact route is the passage that names the contact of the settings
    assert lib.contact.url == "https://example.org/exchange"
    assert lib.contact.section == "Key facts"


def test_next_sections_are_the_neighbours_of_the_cited_one(service):
    lib = service.library()
    exchange = [s for s in lib.sections if s.source == "exchange.md"]
    middle = exchange[1]
    cited = [citation(1, chunk_id=middle.chunk_ids[0])]
    nxt = lib.next_sections(cited, seen=set())
    assert nxt and nxt[0] == exchange[2] and exchange[0] in nxt
    assert middle not in nxt and all(s.source == "exchange.md" for s in nxt)
    assert nxt[0].question == f"Exchange overview: {exchange[2].name}"
    # a section already asked about in the conversation is not offered again
    again = lib.next_sections(cited, seen={exchange[2].question})
    assert exchange[2] not in again
    assert lib.next_sections([citation(1, chunk_id="unknown")], seen=set()) == []


def test_context_is_the_chunk_around_the_quote(service):
    lib = service.library()
    key = next(s for s in lib.sections if s.name == "Key facts")
    cid = key.chunk_ids[0]
    quote = "The project coordinator at LUMC is Maria Yazdanbakhsh."
    assert quote in lib.chunks[cid].text
    before, after = lib.context(cid, quote)
    assert before.endswith("with Nagasaki University.") and after.startswith("The exchange runs")
    assert lib.context(cid, "Not in it.") is None
    assert lib.context("unknown", quote) is None


def test_a_missing_index_is_built_on_start(corpus, make_assistant, tmp_path):
    assistant = make_assistant(
        tmp_path / "index", corpus, ui={"feedback_db": tmp_path / "fb.sqlite3"}
    )
    settings = assistant.settings
    assert not settings.index_dir.exists()
    service = Service(settings, assistant)
    service.start()
    service.wait()
    assert service.error is None
    assert {s["source"] for s in service.sources()} == {"exchange.md", "history.txt"}
    facts = render.render_glance(service.glance())
    assert "Maria Yazdanbakhsh" in facts


def test_a_start_up_failure_is_one_sentence_for_every_question(tmp_path, make_assistant):
    from assistant.errors import AssistantError

    assistant = make_assistant(
        tmp_path / "index", tmp_path / "no-corpus", ui={"feedback_db": tmp_path / "fb.sqlite3"}
    )
    service = Service(assistant.settings, assistant)
    service.start()
    with pytest.raises(AssistantError, match="corpus folder"):
        service.wait()
    chat, convo, *_ = final(handlers.Handlers(service).respond("Who?", []))
    assert "ea-error" in chat[1]["content"] and "corpus folder" in chat[1]["content"]
