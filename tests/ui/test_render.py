"""Rendering answers, cards, notes and links as HTML, without a browser (ui/render.py)."""

from __future__ import annotations

import html

from page_helpers import citation, text_of

from assistant.types import Answer, Highlight
from assistant.ui import handlers, panels, render
from assistant.ui.html import safe_url


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
    table = panels.render_sources(rows)
    assert "<u>" not in table and "<x>" not in table and "<d>" not in table
    assert "1 document (3 passages)" in table

    glance = panels.render_glance([("<Label>", evil)])
    assert "<Label>" not in glance and "<img" not in glance and "[1]" not in glance
    contact = panels.render_contact("<b>x</b>", {"title": "<i>", "section": None, "url": "data:x"})
    assert "<b>" not in contact and "<i>" not in contact and "href" not in contact


def test_the_glance_links_each_fact_to_its_document():
    answer = Answer(
        answer="The coordinator is Maria Yazdanbakhsh. [1] Also this. [2]",
        abstained=False,
        citations=[citation(1), citation(2)],
    )
    out = panels.render_glance([("Coordinator", answer)])
    assert "The coordinator is Maria Yazdanbakhsh. Also this." in out
    assert out.count('href="https://example.org/exchange"') == 1  # one link per document
    assert "exchange.md" not in out


def test_only_web_links_are_links():
    assert safe_url("https://example.org/a") == "https://example.org/a"
    assert safe_url("HTTP://example.org") == "HTTP://example.org"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil", "", None):
        assert safe_url(bad) is None


# -- the index as sections ---------------------------------------------------------------------


def test_what_an_answer_quotes_of_each_source():
    answer = Answer(answer="A one. [1] A two. [1]\n\nB. [2] A three. [1]", abstained=False)
    assert render.quoted(answer) == {1: "A one. A two. A three.", 2: "B."}
