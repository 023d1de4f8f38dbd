"""The page as built: its settings, its events, and gradio kept to the page (ui/layout.py)."""

from __future__ import annotations

import re

from conftest import PROJECT

from assistant.config import Settings
from assistant.ui.service import Service


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


def test_the_start_screen_offers_questions_written_for_the_index(tmp_path):
    import gradio as gr

    from assistant.pipeline import questions
    from assistant.pipeline.questions import QuestionBank, SectionQuestion
    from assistant.ui.layout import build

    def chat_examples(settings):
        (chat,) = [b for b in build(Service(settings)).blocks.values() if isinstance(b, gr.Chatbot)]
        return [e["text"] for e in chat.examples or []]

    settings = Settings(index_dir=tmp_path / "index", ui={"feedback_db": tmp_path / "f.sqlite3"})
    assert chat_examples(settings) == []  # none written: no made-up examples
    (tmp_path / "index").mkdir()
    bank = QuestionBank(
        questions={
            "a": SectionQuestion(question="Where is Dejima?", source="history.md", by="m"),
            "b": SectionQuestion(question="Who can apply?", source="rules.md", by="m"),
        }
    )
    questions.save(tmp_path / "index", bank)
    assert chat_examples(settings) == ["Where is Dejima?", "Who can apply?"]
