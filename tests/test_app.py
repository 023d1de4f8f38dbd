"""The parts of app.py that are not the browser: rendering, conversation state, start-up."""

from __future__ import annotations

import importlib.util
import sys

import pytest
from conftest import PROJECT

from assistant.config import Settings
from assistant.models import Answer, Citation


@pytest.fixture(scope="module")
def app():
    spec = importlib.util.spec_from_file_location("exchange_app", PROJECT / "app.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["exchange_app"] = module
    spec.loader.exec_module(module)
    return module


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


def test_an_answer_maps_each_marker_to_its_card(app):
    answer = Answer(
        answer="First sentence. [1] Second sentence. [2]",
        abstained=False,
        citations=[citation(1), citation(2, section="Key facts", url=None)],
    )
    out = app.render_answer(answer)
    assert out.count('class="ea-ref"') == 2
    assert out.count('class="ea-card"') == 2
    assert "First sentence.<sup" in out and "[1]" not in out
    assert '<a href="https://example.org/exchange" target="_blank"' in out
    assert "\n" not in out  # one HTML block in the chat's Markdown


def test_a_growing_answer_shows_only_the_cards_cited_so_far(app):
    partial = Answer(
        answer="First sentence. [1]", abstained=False, citations=[citation(1), citation(2)]
    )
    out = app.render_answer(partial)
    assert out.count('class="ea-card"') == 1
    assert ">Source<" in out


def test_an_abstention_has_no_cards(app):
    out = app.render_answer(
        Answer(answer="The programme documents do not answer this question.", abstained=True)
    )
    assert "ea-abstained" in out and "ea-card" not in out


def test_markup_from_documents_and_people_is_escaped(app):
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
    )
    out = app.render_answer(evil)
    for raw in ("<img", "<script", "<b>", "<svg", "<i>", 'javascript:alert(3)"'):
        assert raw not in out
    assert "href" not in out  # not a web link, so not a link at all
    assert "&lt;script&gt;" in out

    question = app.render_question("<script>window.__pwned=1</script>\n\nwho?")
    assert "<script" not in question and "&lt;script&gt;" in question
    assert "\n" not in question and "<br><br>" in question

    rows = [{"source": "<x>.md", "title": "<u>t</u>", "updated": "<d>", "url": "x", "chunks": 3}]
    table = app.render_sources(rows)
    assert "<u>" not in table and "<x>" not in table and "<d>" not in table
    assert "1 document (3 passages)" in table

    glance = app.render_glance([("<Label>", evil)])
    assert "<Label>" not in glance and "<img" not in glance and "[1]" not in glance


def test_the_glance_links_each_fact_to_its_document(app):
    answer = Answer(
        answer="The coordinator is Maria Yazdanbakhsh. [1] Also this. [2]",
        abstained=False,
        citations=[citation(1), citation(2)],
    )
    out = app.render_glance([("Coordinator", answer)])
    assert "The coordinator is Maria Yazdanbakhsh. Also this." in out
    assert out.count('href="https://example.org/exchange"') == 1  # one link per document


def test_conversation_records_become_turns_and_messages(app):
    records = [
        {"question": "What are the focus areas?", "answer": {"answer": "A. [1]"}, "error": None},
        {"question": "broken", "answer": None, "error": "The index is damaged."},
        {
            "question": "and the last one?",
            "answer": Answer(answer="B. [1]", abstained=False, citations=[citation()]).model_dump(),
        },
    ]
    turns = app.to_turns(records)
    assert [(t.question, t.answer) for t in turns] == [
        ("What are the focus areas?", "A. [1]"),
        ("and the last one?", "B. [1]"),
    ]
    messages = app.to_messages(records[2:], pending={"question": "next?"})
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]
    assert "ea-pending" in messages[-1]["content"]
    assert "ea-error" in app.to_messages(records[1:2])[1]["content"]


def test_only_web_links_are_links(app):
    assert app.safe_url("https://example.org/a") == "https://example.org/a"
    assert app.safe_url("HTTP://example.org") == "HTTP://example.org"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil", "", None):
        assert app.safe_url(bad) is None


def test_a_missing_index_is_built_on_start(app, corpus, make_assistant, tmp_path):
    assistant = make_assistant(tmp_path / "index", corpus, feedback_db=tmp_path / "fb.sqlite3")
    settings = assistant.settings
    assert not settings.index_dir.exists()
    service = app.Service(settings, assistant)
    service.start()
    service.wait()
    assert service.error is None
    assert (settings.index_dir / "CURRENT").exists() or any(settings.index_dir.iterdir())
    assert {s["source"] for s in service.assistant.sources()} == {"exchange.md", "history.txt"}
    assert "Maria Yazdanbakhsh" in service.glance_html()


def test_a_start_up_failure_is_one_sentence_for_every_question(app, tmp_path, make_assistant):
    from assistant.errors import AssistantError

    assistant = make_assistant(
        tmp_path / "index", tmp_path / "no-corpus", feedback_db=tmp_path / "fb.sqlite3"
    )
    service = app.Service(assistant.settings, assistant)
    service.start()
    with pytest.raises(AssistantError, match="corpus folder"):
        service.wait()


def test_queue_and_feedback_settings_reach_the_ui(app, tmp_path, fake_index):
    import gradio as gr

    on = Settings(index_dir=fake_index, feedback_db=tmp_path / "on.sqlite3")
    demo = app.build(app.Service(on))
    ask = [f for f in demo.fns.values() if f.api_name == "ask"]
    assert len(ask) == 1 and ask[0].concurrency_limit >= 10
    (chat,) = [b for b in demo.blocks.values() if isinstance(b, gr.Chatbot)]
    assert chat.feedback_options
    assert chat.sanitize_html and chat.latex_delimiters == []

    off = Settings(
        index_dir=fake_index, feedback_db=tmp_path / "off.sqlite3", feedback_enabled=False
    )
    service = app.Service(off)
    assert service.feedback is None
    (chat,) = [b for b in app.build(service).blocks.values() if isinstance(b, gr.Chatbot)]
    assert not chat.feedback_options
    assert not (tmp_path / "off.sqlite3").exists()
