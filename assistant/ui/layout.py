"""The page: a chat that fills the screen with the question box pinned under it, a side panel,
Sources and About; and `main`, which serves it."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import gradio as gr

from assistant.config import Settings
from assistant.ui import memory, panels
from assistant.ui.handlers import Handlers
from assistant.ui.service import Service
from assistant.ui.staff import StaffPage
from assistant.ui.theme import theme

# Conversations kept in memory, the oldest dropped first. Gradio keeps a copy of the page's
# settings and every output's last value for each session it has seen; at 10,000 (its default)
# a busy day grows the process by gigabytes before the first session is dropped.
SESSION_CAPACITY = 200
HERE = Path(__file__).parent


def build(service: Service) -> gr.Blocks:
    settings = service.settings
    h = Handlers(service)
    feedback_on = h.feedback
    examples = service.examples()  # questions the documents answer (pipeline/questions.py)

    with gr.Blocks(title=f"{panels.TITLE} · LUMC – Nagasaki University") as demo:
        records = gr.State([])  # this session's conversation

        gr.HTML(panels.render_header(), elem_id="ea-header")
        with gr.Tabs(elem_id="ea-tabs"):
            with gr.Tab("Ask a question", id="ask"), gr.Row(equal_height=False, elem_id="ea-main"):
                with gr.Column(scale=7, min_width=320, elem_id="ea-chat-col"):
                    chatbot = gr.Chatbot(
                        value=[],
                        label="Conversation",
                        show_label=False,
                        elem_id="ea-chat",
                        height="calc(100dvh - 390px)",
                        min_height=360,
                        latex_delimiters=[],
                        sanitize_html=True,
                        allow_tags=False,
                        render_markdown=True,
                        buttons=[],
                        layout="bubble",
                        placeholder=panels.render_placeholder(),
                        examples=[{"text": q, "display_text": q} for q in examples] or None,
                        feedback_options=None,  # the answer carries its own thumbs (render.py)
                        group_consecutive_messages=False,
                        autoscroll=False,  # page.js follows the answer from its question
                    )
                    with gr.Group(elem_id="ea-ask-bar"):
                        notice = gr.HTML("", elem_id="ea-notice")
                        with gr.Row(elem_id="ea-ask-row"):
                            question = gr.Textbox(
                                label="Your question",
                                show_label=False,
                                placeholder="Ask about the exchange…",
                                lines=1,
                                max_lines=6,
                                scale=8,
                                container=False,
                                autofocus=False,  # focus would scroll a phone past the header
                                elem_id="ea-question",
                            )
                            ask = gr.Button(
                                "Ask", variant="primary", scale=1, min_width=72, elem_id="ea-ask"
                            )
                            stop = gr.Button(
                                "Stop",
                                variant="stop",
                                scale=1,
                                min_width=72,
                                visible=False,
                                elem_id="ea-stop",
                            )
                    with gr.Row(elem_id="ea-toolbar"):
                        new_chat = gr.Button(
                            "New conversation", variant="secondary", scale=0, elem_id="ea-new"
                        )
                        gr.HTML(panels.render_fineprint(feedback_on), elem_id="ea-fine")
                    # The buttons inside answers (thumbs, comments) reach Python through these
                    # two, which are in the page but never shown (page.js).
                    action = gr.Textbox(
                        label="Answer action", visible="hidden", elem_id="ea-action"
                    )
                    act = gr.Button("Send answer action", visible="hidden", elem_id="ea-act")
                with gr.Column(scale=3, min_width=260, elem_id="ea-side"):
                    glance = gr.HTML(panels.render_glance_loading(), elem_id="ea-glance")
                    contact = gr.HTML(
                        panels.render_contact(settings.contact, None), elem_id="ea-contact"
                    )
            with gr.Tab("Sources", id="sources") as sources_tab:
                sources = gr.HTML(
                    '<p class="ea-muted">Reading the index…</p>', elem_id="ea-sources"
                )
            with gr.Tab("About", id="about"):
                gr.HTML(
                    panels.render_about(settings.contact, settings.max_question_chars, feedback_on),
                    elem_id="ea-about",
                )

        asked = [chatbot, records, question, notice, ask, stop]
        asking = gr.on(
            [question.submit, ask.click],
            h.respond,
            inputs=[question, records],
            outputs=asked,
            api_name="ask",
            concurrency_limit=settings.ui.concurrency,
            show_progress="hidden",
            trigger_mode="always_last",  # a question sent while one is answered waits its turn
        )
        picked = chatbot.example_select(
            h.pick_example,
            inputs=[records],
            outputs=asked,
            concurrency_limit=settings.ui.concurrency,
            show_progress="hidden",
            api_visibility="private",
        )
        stop.click(
            h.stop,
            inputs=[records],
            outputs=[chatbot, records, ask, stop],
            cancels=[asking, picked],
            api_visibility="private",
            show_progress="hidden",
        )
        new_chat.click(
            h.start_over, outputs=asked, cancels=[asking, picked], api_visibility="private"
        )
        act.click(
            h.act,
            inputs=[action, records],
            outputs=[chatbot, records, action],
            api_visibility="private",
            show_progress="hidden",
        )

        quiet = {"api_visibility": "private", "show_progress": "hidden"}
        demo.load(h.glance, outputs=glance, **quiet)
        demo.load(h.contact, outputs=contact, **quiet)
        demo.load(h.sources, outputs=sources, **quiet)
        sources_tab.select(h.sources, outputs=sources, **quiet)
    return demo


def page_js(settings: Settings) -> str:
    script = (HERE / "page.js").read_text(encoding="utf-8")
    return script.replace("__MAX_CHARS__", str(int(settings.max_question_chars)))


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from assistant.errors import brief_request_errors

    brief_request_errors()  # a malformed API request is one line in the log, not a traceback
    memory.steady()
    settings = Settings()
    service = Service(settings)
    service.start()
    demo = build(service)
    demo.queue(default_concurrency_limit=settings.ui.concurrency)
    print(f"Exchange Assistant: http://{settings.ui.host}:{settings.ui.port}", file=sys.stderr)
    demo.launch(
        server_name=settings.ui.host,
        server_port=settings.ui.port,
        theme=theme(),
        css_paths=[HERE / "style.css"],
        js=page_js(settings),
        head=f"<style>{(HERE / 'page.css').read_text(encoding='utf-8')}</style>",
        footer_links=[],
        run_history=False,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        show_error=False,
        quiet=True,
        state_session_capacity=SESSION_CAPACITY,
        # Gradio runs up to 40 handlers in threads by default; a few more than the questions
        # taken in at once are enough, and every thread that touches the models holds memory.
        max_threads=settings.ui.concurrency + 4,
        prevent_thread_lock=True,
    )
    # The staff page's routes join the running app (no route at all while no token is set).
    StaffPage(service).mount(demo.app)
    demo.block_thread()
