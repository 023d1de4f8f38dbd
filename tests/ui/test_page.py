"""The page without a browser: rendering, the index as sections, what handlers do to a
conversation, start-up. Everything here runs on the fakes (tests/fakes.py)."""

from __future__ import annotations

import html
import json
import re

import pytest
from conftest import PROJECT

from assistant.config import Settings
from assistant.types import Answer, Citation, Highlight
from assistant.ui import handlers, render
from assistant.ui.service import Service


def citation(n=1, **kw) -> Citation:
    fields = {
        "n": n,
        "title": "Exchange overview",
        "source": "exchange.md",
        "section": "Focus areas",
        "url": "https://example.org/exchange",
        "quote": "The three focus areas are medical technology, infectious diseases and ageing.",
        "chunk_id": f"c{n}",
    }
    return Citation(**{**fields, **kw})


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


@pytest.fixture
def service(fake_index, make_assistant, tmp_path):
    s = Service(
        Settings(index_dir=fake_index, ui={"feedback_db": tmp_path / "fb.sqlite3"}),
        make_assistant(fake_index, ui={"feedback_db": tmp_path / "fb.sqlite3"}),
    )
    s.start()
    s.wait()
    return s


# -- rendering ---------------------------------------------------------------------------------


def test_the_answer_carrying_sentences_are_marked_and_each_badge_has_its_card():
    answer = Answer(
        answer="Context first. [1] The answer itself. [1]\n\nAnother passage. [2]",
        abstained=False,
        citations=[citation(1), citation(2, section="Key facts", url=None)],
        highlights=[Highlight(n=1, text="The answer itself.")],
    )
    out = render.render_turn({"question": "q", "answer": answer.model_dump()}, 0, feedback=False)
    assert out.count("<mark") == 1
    assert '<mark class="ea-hl">The answer itself.</mark>' in out
    assert "Context first." in out and '<mark class="ea-hl">Context' not in out
    assert out.count("<p>") == 2  # one paragraph per passage
    assert out.count('class="ea-ref"') == 3 and "[1]" not in text_of(out.split("ea-copytext")[0])
    assert out.count('class="ea-card ea-card-') == 2
    assert '<a class="ea-card-link" href="https://example.org/exchange"' in out
    assert "The document gives no web address." in out  # card 2 has no url
    assert "exchange.md" not in out  # a card names the document, never its file
    assert "\n" not in out  # one HTML block in the chat's Markdown


def test_a_card_shows_the_text_around_the_quote_rather_than_the_quote():
    c = citation(1, quote="Middle sentence.")
    answer = Answer(answer="Middle sentence. [1]", abstained=False, citations=[c])
    out = render.render_turn(
        {"question": "q", "answer": answer.model_dump(), "contexts": {"1": ["Before.", "After."]}},
        0,
        feedback=False,
    )
    card = out.split('class="ea-cards"')[1].split("</ol>")[0]
    assert "Before." in card and "After." in card and "quoted in the answer" in card
    assert "Middle sentence." not in card

    whole = render.render_turn(
        {"question": "q", "answer": answer.model_dump(), "contexts": {"1": ["", ""]}},
        0,
        feedback=False,
    )
    assert "quotes this section in full" in whole


def test_a_streaming_answer_has_no_actions_and_a_pending_one_no_thumbs():
    answer = Answer(answer="First. [1]", abstained=False, citations=[citation(1), citation(2)])
    turn = {"question": "q", "answer": answer.model_dump(), "streaming": True}
    out = render.render_turn(turn, 0, feedback=True)
    assert "ea-streaming" in out and "ea-thumb" not in out and "ea-copy" not in out
    assert out.count('class="ea-card ') == 1  # only the sources cited so far
    messages = handlers.to_messages([], {"question": "next?", "answer": None}, feedback=True)
    assert "ea-pending" in messages[-1]["content"] and "ea-thumb" not in messages[-1]["content"]


def test_thumbs_come_up_then_down_and_show_which_was_chosen():
    answer = Answer(answer="A. [1]", abstained=False, citations=[citation(1)])
    turn = {"question": "q", "answer": answer.model_dump(), "rating": "down"}
    out = render.render_turn(turn, 3, feedback=True)
    up, down = out.index("ea-thumb ea-up"), out.index("ea-thumb ea-down")
    assert up < down
    assert "ea-thumb ea-down ea-turn-3 ea-on" in out and "ea-up ea-turn-3 ea-on" not in out
    assert "(chosen)" in out
    assert "ea-thumb" not in render.render_turn(turn, 3, feedback=False)


def test_copy_text_keeps_lines_and_names_the_sources():
    answer = Answer(
        answer="A. [1]\n\nB. [2]", abstained=False, citations=[citation(1), citation(2)]
    )
    text = render.plain_text(answer)
    assert text.splitlines() == [
        "A. [1]",
        "",
        "B. [2]",
        "",
        "Sources",
        "[1] Exchange overview, Focus areas: https://example.org/exchange",
        "[2] Exchange overview, Focus areas: https://example.org/exchange",
    ]
    out = render.render_turn({"question": "q", "answer": answer.model_dump()}, 0, feedback=False)
    copied = out.split('<div class="ea-copytext">')[1].split("</div>")[0]
    assert html.unescape(copied) == text


def test_a_pdf_source_links_to_its_page():
    pdf = citation(1, url="https://example.org/faq.pdf", section="Stays, p. 3")
    answer = Answer(answer="A. [1]", abstained=False, citations=[pdf, citation(2)])
    out = render.render_cards(answer, {}, {"1": 3})
    assert 'href="https://example.org/faq.pdf#page=3"' in out and "Stays, p. 3" in out
    assert render.page_link("https://example.org/page", 3) == "https://example.org/page"
    assert render.page_link("https://example.org/a.pdf#x", 3) == "https://example.org/a.pdf#x"


def test_memory_is_kept_steady_on_glibc():
    import threading

    from assistant.ui import memory

    assert memory.steady()  # the test machine runs glibc
    assert any(t.name == "malloc-trim" and t.daemon for t in threading.enumerate())


def test_an_abstention_links_to_the_contact_route_the_documents_give():
    answer = Answer(answer="The documents do not answer this; ask the coordinator.", abstained=True)
    contact = {"title": "Whom to contact", "section": "Coordinator", "url": "https://example.org/c"}
    out = render.render_turn(
        {"question": "q", "answer": answer.model_dump(), "contact": contact}, 0, feedback=True
    )
    assert "ea-abstained" in out and "ea-card" not in out
    assert 'href="https://example.org/c"' in out and "Whom to contact › Coordinator" in out
    assert "ea-thumb" in out  # an abstention can be rated too
    # no link without one from the documents; never a made-up address
    bare = render.render_turn({"question": "q", "answer": answer.model_dump()}, 0, feedback=True)
    assert "href" not in bare and "@" not in bare


def test_suggestions_are_buttons_that_carry_their_question():
    nxt = [{"name": "Staff", "title": "Who can take part", "question": "Who can take part: Staff"}]
    answer = Answer(answer="A. [1]", abstained=False, citations=[citation(1)])
    out = render.render_turn(
        {"question": "q", "answer": answer.model_dump(), "next": nxt}, 0, feedback=False
    )
    assert '<button type="button" class="ea-suggest">' in out
    assert '<span class="ea-suggest-ask">Who can take part: Staff</span>' in out


def test_markup_from_documents_and_people_is_escaped():
    evil = Answer(
        answer='<img src=x onerror="alert(1)"> is here. [1]',
        abstained=False,
        citations=[
            citation(
                1,
                title="<script>alert('t')</script>",
                section="<b>bold</b>",
                quote='"><svg onload=alert(2)>',
                url="javascript:alert(3)",
                source="<i>.md",
            )
        ],
        highlights=[Highlight(n=1, text='<img src=x onerror="alert(1)"> is here.')],
    )
    nxt = [{"name": "<u>s</u>", "title": "<t>", "question": "<q>"}]
    out = render.render_turn(
        {
            "question": "q",
            "answer": evil.model_dump(),
            "next": nxt,
            "contexts": {"1": ["<em>a</em>", "<em>b</em>"]},
        },
        0,
        feedback=True,
    )
    for raw in (
        "<img",
        "<script",
        "<b>",
        "<svg",
        "<i>",
        "<u>",
        "<t>",
        "<q>",
        "<em>",
        "javascript:",
    ):
        assert raw not in out
    assert "href" not in out  # not a web link, so not a link at all
    assert "&lt;script&gt;" in out

    question = render.render_question("<script>window.__pwned=1</script>\n\nwho?")
    assert "<script" not in question and "&lt;script&gt;" in question
    assert "\n" not in question and "<br><br>" in question

    rows = [{"source": "<x>.md", "title": "<u>t</u>", "updated": "<d>", "url": "x", "chunks": 3}]
    table = render.render_sources(rows)
    assert "<u>" not in table and "<x>" not in table and "<d>" not in table
    assert "1 document (3 passages)" in table

    glance = render.render_glance([("<Label>", evil)])
    assert "<Label>" not in glance and "<img" not in glance and "[1]" not in glance
    contact = render.render_contact("<b>x</b>", {"title": "<i>", "section": None, "url": "data:x"})
    assert "<b>" not in contact and "<i>" not in contact and "href" not in contact


def test_the_glance_links_each_fact_to_its_document():
    answer = Answer(
        answer="The coordinator is Maria Yazdanbakhsh. [1] Also this. [2]",
        abstained=False,
        citations=[citation(1), citation(2)],
    )
    out = render.render_glance([("Coordinator", answer)])
    assert "The coordinator is Maria Yazdanbakhsh. Also this." in out
    assert out.count('href="https://example.org/exchange"') == 1  # one link per document
    assert "exchange.md" not in out


def test_only_web_links_are_links():
    assert render.safe_url("https://example.org/a") == "https://example.org/a"
    assert render.safe_url("HTTP://example.org") == "HTTP://example.org"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil", "", None):
        assert render.safe_url(bad) is None


# -- the index as sections ---------------------------------------------------------------------


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


def test_what_an_answer_quotes_of_each_source():
    answer = Answer(answer="A one. [1] A two. [1]\n\nB. [2] A three. [1]", abstained=False)
    assert render.quoted(answer) == {1: "A one. A two. A three.", 2: "B."}


# -- handlers ----------------------------------------------------------------------------------


def final(gen):
    *_, last = list(gen)
    return last


def test_asking_shows_the_answer_with_its_sources_and_what_to_read_next(service):
    h = handlers.Handlers(service)
    steps = list(h.respond("What are the focus areas of the exchange?", []))
    assert "ea-pending" in steps[0][0][-1]["content"]  # at once: the question, then the dots
    chat, convo, box, notice = steps[-1]
    assert len(chat) == 2 and len(convo) == 1 and "ea-answer" in chat[1]["content"]
    turn = convo[0]
    assert "medical technology" in turn["answer"]["answer"]
    assert turn["answer"]["highlights"]
    assert turn["next"] and all(s["question"] != turn["question"] for s in turn["next"])
    assert turn["contexts"]  # the answer quotes its passages, so each card shows their context
    assert "<mark" in chat[1]["content"] and "ea-suggest" in chat[1]["content"]

    # the next question carries the conversation on
    chat, convo, _, _ = final(h.respond("and what does Leiden study?", convo))
    assert len(convo) == 2 and convo[1]["history"] == ["What are the focus areas of the exchange?"]


def test_an_abstention_carries_the_contact_route(service):
    h = handlers.Handlers(service)
    chat, convo, _, _ = final(h.respond("Can I bring my dog to the dormitory?", []))
    assert convo[0]["answer"]["abstained"]
    assert convo[0]["contact"]["url"] == "https://example.org/exchange"
    assert 'href="https://example.org/exchange"' in chat[1]["content"]


def test_empty_and_too_long_questions_get_one_sentence(service):
    h = handlers.Handlers(service)
    *_, notice = final(h.respond("   ", []))
    assert "Please type a question." in notice
    *_, notice = final(h.respond("why " * 300, []))
    assert "too long" in notice


def test_a_rating_opens_a_comment_box_on_that_answer_and_notices_clear(service):
    h = handlers.Handlers(service)
    _, convo, _, _ = final(h.respond("Who coordinates the exchange?", []))
    _, convo, _, _ = final(h.respond("What are the focus areas of the exchange?", convo))

    chat, convo, box = h.act(json.dumps({"do": "rate", "turn": 0, "rating": "down"}), convo)
    assert box == ""
    assert convo[0]["rating"] == "down" and convo[0]["comment_open"]
    assert "ea-comment ea-turn-0" in chat[1]["content"] and "ea-comment" not in chat[3]["content"]
    row_id = convo[0]["feedback_id"]

    chat, convo, _ = h.act(json.dumps({"do": "comment", "turn": 0, "text": " Wrong. "}), convo)
    assert "Thanks, your comment was saved." in chat[1]["content"]
    assert "ea-comment ea-turn" not in chat[1]["content"]
    (row,) = service.feedback.rows()
    assert row.id == row_id and row.rating == "down" and row.comment == "Wrong."
    assert row.question == "Who coordinates the exchange?"

    # the next action clears the notice; rating the other answer opens its own box
    chat, convo, _ = h.act(json.dumps({"do": "rate", "turn": 1, "rating": "up"}), convo)
    assert "comment was saved" not in chat[1]["content"]
    assert "ea-comment ea-turn-1" in chat[3]["content"]
    # the same thumb again takes the rating back
    chat, convo, _ = h.act(json.dumps({"do": "rate", "turn": 1, "rating": "up"}), convo)
    assert convo[1]["rating"] is None
    assert [r.question for r in service.feedback.rows()] == ["Who coordinates the exchange?"]


def test_actions_that_do_not_fit_change_nothing(service):
    h = handlers.Handlers(service)
    _, convo, _, _ = final(h.respond("Who coordinates the exchange?", []))
    for bad in (
        "",
        "{",
        "[]",
        '{"do": "rate", "turn": 5, "rating": "up"}',
        '{"do": "rate", "turn": 0, "rating": "meh"}',
        '{"do": "comment", "turn": 0}',
    ):
        chat, kept, _ = h.act(bad, convo)
        assert chat is not None and kept is not None
        assert not isinstance(chat, list), bad  # gr.skip(): the page stays as it is
    assert service.feedback.rows() == []


# -- start-up and settings ---------------------------------------------------------------------


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
    chat, convo, _, _ = final(handlers.Handlers(service).respond("Who?", []))
    assert "ea-error" in chat[1]["content"] and "corpus folder" in chat[1]["content"]


def test_queue_and_feedback_settings_reach_the_page(tmp_path, fake_index):
    import gradio as gr

    from assistant.ui.layout import build

    on = Settings(
        index_dir=fake_index, ui={"feedback_db": tmp_path / "on.sqlite3", "concurrency": 48}
    )
    demo = build(Service(on))
    ask = [f for f in demo.fns.values() if f.api_name == "ask"]
    # every question reaches the model's line, where its place is shown and its wait bounded
    assert len(ask) == 1 and ask[0].concurrency_limit == 48
    (chat,) = [b for b in demo.blocks.values() if isinstance(b, gr.Chatbot)]
    assert chat.sanitize_html and chat.latex_delimiters == []
    (box,) = [b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "ea-question"]
    assert box.label == "Your question" and not box.autofocus

    off = Settings(
        index_dir=fake_index,
        ui={"feedback_db": tmp_path / "off.sqlite3", "feedback_enabled": False},
    )
    service = Service(off)
    assert service.feedback is None
    build(service)
    assert not (tmp_path / "off.sqlite3").exists()


def test_gradio_is_imported_only_by_the_page():
    outside = [
        p.relative_to(PROJECT)
        for p in [PROJECT / "app.py", *(PROJECT / "assistant").rglob("*.py")]
        if "ui" not in p.relative_to(PROJECT).parts
        and re.search(r"^\s*(import gradio|from gradio)", p.read_text(), re.M)
    ]
    assert outside == []
    assert len((PROJECT / "app.py").read_text().splitlines()) <= 20
