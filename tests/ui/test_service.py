"""The page's service: the index as sections, start-up in the background (ui/service.py)."""

from __future__ import annotations

import pytest
from page_helpers import citation, final

from assistant.ui import handlers, panels, render
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
    shown = [s for s, _ in nxt]
    assert shown and shown[0] == exchange[2] and exchange[0] in shown
    assert middle not in shown and all(s.source == "exchange.md" for s in shown)
    # no questions were written for this index: a section is asked by its title and heading
    assert nxt[0][1] == f"Exchange overview: {exchange[2].name}"
    # a section already asked about in the conversation is not offered again
    again = [s for s, _ in lib.next_sections(cited, seen={nxt[0][1]})]
    assert exchange[2] not in again
    assert lib.next_sections([citation(1, chunk_id="unknown")], seen=set()) == []


def test_with_questions_written_the_page_offers_them(tmp_path, fake_index, make_assistant):
    import shutil

    from assistant.config import Settings
    from assistant.pipeline import questions
    from assistant.pipeline.questions import QuestionBank, SectionQuestion

    index = tmp_path / "index"
    shutil.copytree(fake_index, index)
    s = Service(
        Settings(index_dir=index, ui={"feedback_db": tmp_path / "fb.sqlite3"}),
        make_assistant(index, ui={"feedback_db": tmp_path / "fb.sqlite3"}),
    )
    assert s.examples() == []  # none written yet
    s.start()
    s.wait()
    exchange = [x for x in s.library().sections if x.source == "exchange.md"]
    asked = {exchange[2].key: "What are the focus areas of the exchange?"}
    bank = QuestionBank(
        questions={
            k: SectionQuestion(question=q, source="exchange.md", by="fake")
            for k, q in asked.items()
        }
    )
    questions.save(index, bank)
    assert s.examples() == ["What are the focus areas of the exchange?"]
    s._library = None  # as after an ingest: the library is read again
    lib = s.library()
    nxt = lib.next_sections([citation(1, chunk_id=exchange[1].chunk_ids[0])], seen=set())
    # only the section with a question is offered, phrased as that question
    assert nxt == [(exchange[2], "What are the focus areas of the exchange?")]
    html = render.render_next(
        [
            {
                "name": exchange[2].name,
                "title": "Exchange overview",
                "question": nxt[0][1],
                "phrased": True,
            }
        ]
    )
    assert "Ask next" in html and "What are the focus areas of the exchange?" in html


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
    facts = panels.render_glance(service.glance())
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
