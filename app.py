"""Exchange Assistant in the browser: a Gradio app over `assistant.chat.Assistant`.

It holds no retrieval or answering logic of its own. It shows what the Assistant answers (with its
citations as cards), what the index holds, and stores ratings when feedback is switched on.

    python app.py        # http://127.0.0.1:7860 (EXCHANGE_HOST / EXCHANGE_PORT)

The page is served at once; the model loads (and the index is built, when it is missing) in a
background thread, and the first question waits for it. A conversation lives in the browser
session (gr.State and the chat), never in this module.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import html  # noqa: E402
import logging  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402

import gradio as gr  # noqa: E402

from assistant.chat import Assistant, clean_question  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.errors import AssistantError, IndexMissingError, QuestionError  # noqa: E402
from assistant.feedback import FeedbackStore  # noqa: E402
from assistant.models import Answer, Turn  # noqa: E402

log = logging.getLogger("exchange_assistant.app")

TITLE = "Exchange Assistant"
CONCURRENCY = 10  # questions answered at once; more wait in Gradio's queue
SESSION_CAPACITY = 1000  # conversations kept in memory; the oldest are dropped first
STREAM_PAUSE = 0.12  # seconds between the sentences of a streamed answer

EXAMPLES = [
    ("Eligibility", "Who can take part in the exchange?"),
    ("Focus areas", "What are the focus areas of the exchange?"),
    ("Coordinator", "Who coordinates the exchange?"),
    ("History", "How did the collaboration between Leiden and Nagasaki begin?"),
]

# "At a glance" asks the assistant these at start-up; the facts come from the index, not from here.
GLANCE_QUESTIONS = [
    ("Coordinator", "Who is the project coordinator of the exchange?"),
    ("Partner", "What is the partner institution of LUMC in the exchange?"),
    ("Period", "When does the exchange project run?"),
    ("Focus areas", "What are the focus areas of the exchange?"),
    ("For whom", "Which students is the exchange aimed at?"),
    ("Mobility", "What type of mobility is the project?"),
]

_MARKER = re.compile(r"\s*\[(\d+)\]")


# -- the one Assistant of this process ----------------------------------------------------------


class Service:
    """The Assistant, loaded in a background thread, and the feedback store.

    Nothing here belongs to a conversation: sessions share only the read-only pipeline.
    """

    def __init__(self, settings: Settings, assistant: Assistant | None = None) -> None:
        self.settings = settings
        self.assistant = assistant or Assistant(settings)
        self.feedback = FeedbackStore(settings.feedback_db) if settings.feedback_enabled else None
        self.ready = threading.Event()
        self.error: str | None = None
        self._glance: tuple[object, str] | None = None
        self._glance_lock = threading.Lock()

    def start(self) -> None:
        threading.Thread(target=self._load, name="warm-up", daemon=True).start()

    def _load(self) -> None:
        try:
            try:
                self.assistant.warm_up()
            except IndexMissingError:
                from assistant.ingest import ingest

                print(
                    f"No index in {self.settings.index_dir}; building it from "
                    f"{self.settings.corpus_dir}/ ...",
                    file=sys.stderr,
                    flush=True,
                )
                report = ingest(self.settings, progress=True, embedder=self.assistant.embedder)
                print(
                    f"Index built: {len(report.added)} documents, {report.chunks_total} chunks "
                    f"({report.seconds:.1f} s).",
                    file=sys.stderr,
                    flush=True,
                )
                self.assistant.warm_up()
            print("The assistant is ready.", file=sys.stderr, flush=True)
        except AssistantError as exc:
            self.error = str(exc)
            print(f"error: {exc}", file=sys.stderr, flush=True)
        except Exception as exc:  # shown to people as one sentence, logged in full here
            log.exception("loading the assistant failed")
            self.error = f"The assistant could not start ({type(exc).__name__})."
        finally:
            self.ready.set()
        if self.error is None:
            try:
                self.glance_html()  # answer the glance questions before the first visitor asks
            except Exception:
                log.exception("the 'At a glance' facts could not be prepared")

    def wait(self) -> None:
        """Blocks until the model is loaded; raises the loading error, if there was one."""
        self.ready.wait()
        if self.error:
            raise AssistantError(self.error)

    def glance_html(self) -> str:
        """Key facts, each the assistant's own cited answer; recomputed when the index changes."""
        self.wait()
        key = tuple((s["source"], s["updated"], s["chunks"]) for s in self.assistant.sources())
        with self._glance_lock:
            if self._glance is None or self._glance[0] != key:
                facts = []
                for label, question in GLANCE_QUESTIONS:
                    answer = self.assistant.ask(question)
                    if not answer.abstained and answer.citations:
                        facts.append((label, answer))
                self._glance = (key, render_glance(facts))
            return self._glance[1]

    def sources_html(self) -> str:
        self.wait()
        return render_sources(self.assistant.sources())


# -- rendering: every text that comes from a person or a document is escaped ------------------


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def safe_url(url: str | None) -> str | None:
    """Only web links become links; anything else (javascript:, data:) is shown as text."""
    if url and re.match(r"^https?://", url.strip(), re.IGNORECASE):
        return url.strip()
    return None


def _block(inner: str, cls: str) -> str:
    # One line: in the chat's Markdown an HTML block ends at a blank line.
    return f'<div class="{cls}">{inner}</div>'.replace("\n", " ")


def render_question(question: str) -> str:
    return _block(esc(question).replace("\n", "<br>"), "ea-question")


def render_answer(answer: Answer, streaming: bool = False) -> str:
    """The answer with a numbered badge per sentence and a card per citation; while it is still
    streaming its block carries the class `ea-streaming`."""
    if answer.abstained:
        return _block(
            '<div class="ea-abstain-label">Not in the programme documents</div>'
            f'<p class="ea-abstain-text">{esc(answer.answer)}</p>',
            "ea-answer ea-abstained",
        )
    pieces, shown, last = [], [], 0
    for m in _MARKER.finditer(answer.answer):
        pieces.append(esc(answer.answer[last : m.start()]))
        n = int(m.group(1))
        shown.append(n)
        pieces.append(f'<sup class="ea-ref" title="Source {n}">{n}</sup>')
        last = m.end()
    pieces.append(esc(answer.answer[last:]))
    cards = [render_card(c) for c in answer.citations if c.n in shown]
    body = f'<p class="ea-text">{"".join(pieces).strip()}</p>'
    if answer.note and not streaming:  # generated answers: what verification removed or why
        body += f'<p class="ea-note">{esc(answer.note)}</p>'
    if cards:
        label = "Source" if len(cards) == 1 else "Sources"
        body += (
            f'<div class="ea-cards-label">{label}</div><ol class="ea-cards">{"".join(cards)}</ol>'
        )
    return _block(body, "ea-answer ea-streaming" if streaming else "ea-answer")


def render_card(c) -> str:
    url = safe_url(c.url)
    title = esc(c.title or c.source)
    if url:
        title = f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{title}</a>'
    section = f'<div class="ea-card-section">{esc(c.section)}</div>' if c.section else ""
    return (
        f'<li class="ea-card"><span class="ea-card-n">{int(c.n)}</span>'
        f'<div class="ea-card-body"><div class="ea-card-title">{title}</div>{section}'
        f'<blockquote class="ea-quote">{esc(c.quote)}</blockquote>'
        f'<div class="ea-card-file">{esc(c.source)}</div></div></li>'
    )


def render_pending(loading: bool) -> str:
    text = (
        "Loading the assistant; the first question takes a little longer…"
        if loading
        else "Searching the programme documents…"
    )
    return _block(f'<span class="ea-dots"><i></i><i></i><i></i></span>{text}', "ea-pending")


def render_error(message: str) -> str:
    return _block(esc(message), "ea-answer ea-error")


def render_glance(facts: list[tuple[str, Answer]]) -> str:
    """Each fact is the assistant's own answer, linked to the documents it cites."""
    if not facts:
        return (
            '<div class="ea-panel"><h2 class="ea-panel-title">At a glance</h2>'
            '<p class="ea-muted">The documents in the index do not state the key facts.</p></div>'
        )
    items = []
    for label, answer in facts:
        links, seen = [], set()
        for c in answer.citations:
            if c.source in seen:
                continue
            seen.add(c.source)
            url, doc = safe_url(c.url), esc(c.title or c.source)
            links.append(
                f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer" '
                f'title="{esc(c.source)}">{doc}</a>'
                if url
                else f'<span title="{esc(c.source)}">{doc}</span>'
            )
        text = esc(" ".join(_MARKER.sub("", answer.answer).split()))
        items.append(
            f'<div class="ea-fact"><dt>{esc(label)}</dt><dd>{text}'
            f'<span class="ea-fact-src">Source: {", ".join(links)}</span></dd></div>'
        )
    return (
        '<div class="ea-panel"><h2 class="ea-panel-title">At a glance</h2>'
        f'<dl class="ea-facts">{"".join(items)}</dl></div>'
    )


def render_glance_loading() -> str:
    return (
        '<div class="ea-panel"><h2 class="ea-panel-title">At a glance</h2>'
        '<p class="ea-muted">Reading the programme documents…</p></div>'
    )


def render_sources(rows: list[dict]) -> str:
    body = []
    for r in rows:
        url = safe_url(r.get("url"))
        title = esc(r.get("title") or r.get("source"))
        if url:
            title = f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{title}</a>'
        body.append(
            f"<tr><td>{title}</td><td class='ea-file'>{esc(r.get('source'))}</td>"
            f"<td>{esc(r.get('updated') or '–')}</td><td class='ea-num'>{int(r.get('chunks') or 0)}"
            "</td></tr>"
        )
    chunks = sum(int(r.get("chunks") or 0) for r in rows)
    docs = "document" if len(rows) == 1 else "documents"
    return (
        '<div class="ea-sources">'
        f'<p class="ea-sources-intro">The assistant answers only from these {len(rows)} {docs} '
        f"({chunks} passages). To add one, put it in the corpus folder and run "
        "<code>exchange-assistant ingest</code>.</p>"
        '<table class="ea-table"><thead><tr><th>Document</th><th>File</th><th>Updated</th>'
        '<th class="ea-num">Passages</th></tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def render_notice(message: str) -> str:
    return f'<div class="ea-notice" role="alert">{esc(message)}</div>'


# -- a conversation: a list of records in gr.State, shown as chat messages ----------------------
# record = {"question": str, "history": [earlier questions], "answer": Answer dict | None,
#           "error": str | None, "feedback_id": int | None}


def to_messages(records: list[dict], pending: dict | None = None, loading=False) -> list[dict]:
    messages = []
    for r in [*records, *([pending] if pending else [])]:
        messages.append({"role": "user", "content": render_question(r["question"])})
        if r.get("error"):
            content = render_error(r["error"])
        elif r.get("answer"):
            content = render_answer(Answer.model_validate(r["answer"]), r.get("streaming", False))
        else:
            content = render_pending(loading)
        messages.append({"role": "assistant", "content": content})
    return messages


def chat_view(records: list[dict], pending: dict | None = None, loading=False):
    """The chat's messages, with the thumbs each answer was given (kept when the chat redraws)."""
    rows = [*records, *([pending] if pending else [])]
    thumbs = {"up": "Like", "down": "Dislike"}
    return gr.update(
        value=to_messages(records, pending, loading),
        feedback_value=[thumbs.get(r.get("rating")) for r in rows],
    )


def to_turns(records: list[dict]) -> list[Turn]:
    """The conversation so far, as the Assistant takes it: each question with its answer text."""
    return [
        Turn(question=r["question"], answer=r["answer"]["answer"] if r.get("answer") else None)
        for r in records
        if not r.get("error")
    ]


def build(service: Service) -> gr.Blocks:
    settings = service.settings
    feedback_on = service.feedback is not None

    with gr.Blocks(title=f"{TITLE} · LUMC – Nagasaki University") as demo:
        records = gr.State([])  # this session's conversation
        rated = gr.State(None)  # the feedback row a comment would go to

        gr.HTML(render_header(), elem_id="ea-header")
        with gr.Tabs(elem_id="ea-tabs"):
            with gr.Tab("Ask a question", id="ask"), gr.Row(equal_height=False, elem_id="ea-main"):
                with gr.Column(scale=7, min_width=360):
                    chatbot = gr.Chatbot(
                        value=[],
                        show_label=False,
                        elem_id="ea-chat",
                        height=560,
                        latex_delimiters=[],
                        sanitize_html=True,
                        allow_tags=False,
                        render_markdown=True,
                        buttons=[],
                        layout="bubble",
                        placeholder=render_placeholder(),
                        examples=[{"text": q, "display_text": q} for _, q in EXAMPLES],
                        feedback_options=("Like", "Dislike") if feedback_on else None,
                        group_consecutive_messages=False,
                    )
                    with gr.Row(elem_id="ea-ask-row"):
                        question = gr.Textbox(
                            show_label=False,
                            placeholder="Ask about the LUMC – Nagasaki exchange…",
                            lines=1,
                            max_lines=6,
                            scale=8,
                            container=False,
                            autofocus=True,
                            elem_id="ea-question",
                        )
                        ask = gr.Button(
                            "Ask", variant="primary", scale=1, min_width=90, elem_id="ea-ask"
                        )
                    notice = gr.HTML("", elem_id="ea-notice")
                    with gr.Group(visible=False, elem_id="ea-feedback") as feedback_box:
                        feedback_prompt = gr.Markdown("", elem_id="ea-feedback-prompt")
                        with gr.Row():
                            comment = gr.Textbox(
                                show_label=False,
                                placeholder="Optional: what was wrong or missing?",
                                lines=1,
                                max_lines=4,
                                scale=8,
                                container=False,
                                elem_id="ea-comment",
                            )
                            send_comment = gr.Button(
                                "Send", scale=1, min_width=80, elem_id="ea-send-comment"
                            )
                    with gr.Row(elem_id="ea-toolbar"):
                        new_chat = gr.Button(
                            "New conversation",
                            variant="secondary",
                            size="sm",
                            scale=0,
                            elem_id="ea-new",
                        )
                        gr.HTML(render_fineprint(settings, feedback_on), elem_id="ea-fine")
                with gr.Column(scale=3, min_width=260, elem_id="ea-side"):
                    glance = gr.HTML(render_glance_loading(), elem_id="ea-glance")
                    gr.HTML(render_contact(settings), elem_id="ea-contact")
            with gr.Tab("Sources", id="sources") as sources_tab:
                sources = gr.HTML(
                    '<p class="ea-muted">Reading the index…</p>', elem_id="ea-sources"
                )
            with gr.Tab("About", id="about"):
                gr.HTML(render_about(settings, feedback_on), elem_id="ea-about")

        # -- asking ------------------------------------------------------------------------

        def respond(text: str, convo: list[dict]) -> Iterator[tuple]:
            if not text or not text.strip():  # empty input does nothing
                yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
                return
            try:
                clean_question(text, settings.max_question_chars)
            except QuestionError as exc:
                yield gr.skip(), gr.skip(), gr.skip(), render_notice(str(exc))
                return
            convo = list(convo or [])
            pending = {
                "question": text,
                "history": [r["question"] for r in convo if not r.get("error")],
                "answer": None,
                "error": None,
            }
            loading = not service.ready.is_set()
            yield chat_view(convo, pending, loading), gr.skip(), "", ""
            try:
                service.wait()
                pending["streaming"] = True
                # Extractive answers come whole and are shown a sentence at a time; generated
                # ones stream at the model's own pace.
                pause = 0.0 if service.assistant.generative else STREAM_PAUSE
                for i, partial in enumerate(service.assistant.stream(text, to_turns(convo))):
                    if i and pause:
                        time.sleep(pause)  # let each sentence show before the next
                    pending["answer"] = partial.model_dump(
                        mode="json",
                        include={"answer", "abstained", "citations", "note", "removed_sentences"},
                    )
                    yield chat_view(convo, pending), gr.skip(), gr.skip(), gr.skip()
            except QuestionError as exc:
                yield chat_view(convo), gr.skip(), text, render_notice(str(exc))
                return
            except AssistantError as exc:
                pending["error"] = str(exc)
            except Exception:
                log.exception("answering failed")
                pending["error"] = "Something went wrong while answering; please try again."
            pending.pop("streaming", None)
            convo.append(pending)
            yield chat_view(convo), convo, gr.skip(), gr.skip()

        gr.on(
            [question.submit, ask.click],
            respond,
            inputs=[question, records],
            outputs=[chatbot, records, question, notice],
            api_name="ask",
            concurrency_limit=CONCURRENCY,
            show_progress="hidden",
            trigger_mode="always_last",  # a question sent while one is answered waits its turn
        )

        def pick_example(convo: list[dict], evt: gr.SelectData):
            value = evt.value or {}
            yield from respond(value.get("text", "") if isinstance(value, dict) else "", convo)

        chatbot.example_select(
            pick_example,
            inputs=[records],
            outputs=[chatbot, records, question, notice],
            concurrency_limit=CONCURRENCY,
            show_progress="hidden",
            api_visibility="private",
        )

        def start_over():
            return chat_view([]), [], "", "", None, gr.update(visible=False), ""

        for trigger in (new_chat.click, chatbot.clear):  # the button, or the chat's bin icon
            trigger(
                start_over,
                outputs=[chatbot, records, question, notice, rated, feedback_box, comment],
                api_visibility="private",
            )

        # -- feedback ------------------------------------------------------------------------

        if feedback_on:

            def on_like(convo: list[dict], evt: gr.LikeData):
                index = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
                i = int(index) // 2
                if not 0 <= i < len(convo) or not convo[i].get("answer"):
                    return gr.skip(), gr.skip(), gr.skip(), gr.skip()
                record = dict(convo[i])
                convo = [*convo[:i], record, *convo[i + 1 :]]
                if evt.liked not in (True, False):  # the rating was taken back
                    if record.get("feedback_id"):
                        service.feedback.remove(record["feedback_id"])
                    record["feedback_id"] = record["rating"] = None
                    return convo, None, gr.update(visible=False), ""
                rating = record["rating"] = "up" if evt.liked else "down"
                answer = record["answer"]
                if record.get("feedback_id"):
                    service.feedback.set_rating(record["feedback_id"], rating)
                else:
                    record["feedback_id"] = service.feedback.add(
                        question=record["question"],
                        history=record.get("history", []),
                        answer=answer["answer"],
                        abstained=answer["abstained"],
                        citations=answer["citations"],
                        rating=rating,
                    )
                prompt = (
                    "**Thank you.** Anything to add? *(optional)*"
                    if rating == "up"
                    else "**Thank you.** What was wrong or missing? *(optional)*"
                )
                return convo, record["feedback_id"], gr.update(visible=True), prompt

            chatbot.like(
                on_like,
                inputs=[records],
                outputs=[records, rated, feedback_box, feedback_prompt],
                api_visibility="private",
            )

            def on_comment(text: str, row_id: int | None):
                if row_id is None:
                    return gr.update(visible=False), "", gr.skip()
                if text and text.strip():
                    service.feedback.set_comment(row_id, text)
                    return (
                        gr.update(visible=False),
                        "",
                        render_notice_ok("Thanks, your comment was saved."),
                    )
                return gr.update(visible=False), "", ""

            gr.on(
                [comment.submit, send_comment.click],
                on_comment,
                inputs=[comment, rated],
                outputs=[feedback_box, comment, notice],
                api_visibility="private",
            )

        # -- panels that wait for the index --------------------------------------------------

        def load_glance() -> str:
            try:
                return service.glance_html()
            except AssistantError as exc:
                return render_notice(str(exc))

        def load_sources() -> str:
            try:
                return service.sources_html()
            except AssistantError as exc:
                return render_notice(str(exc))

        demo.load(load_glance, outputs=glance, api_visibility="private", show_progress="hidden")
        demo.load(load_sources, outputs=sources, api_visibility="private", show_progress="hidden")
        sources_tab.select(
            load_sources, outputs=sources, api_visibility="private", show_progress="hidden"
        )
    return demo


def render_notice_ok(message: str) -> str:
    return f'<div class="ea-notice ea-notice-ok" role="status">{esc(message)}</div>'


def render_header() -> str:
    return (
        '<header class="ea-header"><div class="ea-header-inner">'
        '<div class="ea-brand"><span class="ea-mark" aria-hidden="true"></span>'
        '<span class="ea-org">Leiden University Medical Center'
        '<span class="ea-sep">·</span>Nagasaki University</span></div>'
        f'<h1 class="ea-title">{TITLE}</h1>'
        '<p class="ea-lede">Questions about the Erasmus+ exchange between LUMC and Nagasaki '
        "University, answered from the programme's own documents. Every sentence names "
        'its source.</p></div></header><div class="ea-accent"></div>'
    )


def render_placeholder() -> str:
    return (
        '<div class="ea-empty"><p class="ea-empty-title">What would you like to know?</p>'
        '<p class="ea-empty-text">Ask about who can take part, the focus areas, whom to contact '
        "or the history of Leiden and Nagasaki. Pick an example below or type your own "
        "question.</p></div>"
    )


def render_contact(settings: Settings) -> str:
    return (
        '<div class="ea-panel ea-panel-quiet"><h2 class="ea-panel-title">Need a person?</h2>'
        f"<p>When the documents do not answer, the assistant says so. Please ask "
        f"{esc(settings.contact)}.</p></div>"
    )


def render_fineprint(settings: Settings, feedback_on: bool) -> str:
    rate = " Rate an answer with the thumbs to help us improve it." if feedback_on else ""
    return (
        '<p class="ea-fine">Answers quote the programme documents and may be incomplete; '
        f"check the linked source before you act on one.{rate}</p>"
    )


def render_about(settings: Settings, feedback_on: bool) -> str:
    if feedback_on:
        privacy = (
            "When you rate an answer, we store the question, the earlier questions of the "
            "conversation, the answer, its sources, your rating, your comment if you write one, "
            "and the time. We do not store your IP address or anything else about you."
        )
    else:
        privacy = "Ratings are switched off here; nothing you ask is stored."
    return (
        '<div class="ea-about">'
        "<h2>How the assistant answers</h2>"
        "<p>The assistant searches the programme documents listed under <em>Sources</em> and "
        "answers with sentences quoted from them. Each sentence carries a number; the card with "
        "the same number names the document, its section and the quoted sentence, and links to "
        "the original page.</p>"
        "<p>When the documents do not answer a question, the assistant says so instead of "
        f"guessing, and tells you whom to ask: {esc(settings.contact)}.</p>"
        "<p>Follow-up questions such as “and who coordinates it?” are understood in the context of "
        "the conversation. Start a new conversation to change the subject.</p>"
        "<h2>Your questions and ratings</h2>"
        f"<p>{privacy}</p>"
        f"<p>Questions are limited to {settings.max_question_chars:,} characters.</p>"
        "</div>"
    )


# -- look ------------------------------------------------------------------------------------

NAVY = gr.themes.Color(
    c50="#eef2f8",
    c100="#d9e1ee",
    c200="#b3c3dc",
    c300="#8aa1c6",
    c400="#5b79a8",
    c500="#2f5286",
    c600="#1d3d6e",
    c700="#14305b",
    c800="#0e2448",
    c900="#0a1b36",
    c950="#061126",
    name="lumc-navy",
)

FONT = [
    "Source Sans 3",
    "Source Sans Pro",
    "Segoe UI",
    "Helvetica Neue",
    "Liberation Sans",
    "Arial",
    "sans-serif",
]


def theme() -> gr.themes.Base:
    t = gr.themes.Base(
        primary_hue=NAVY,
        secondary_hue=NAVY,
        neutral_hue=gr.themes.colors.slate,
        radius_size=gr.themes.sizes.radius_sm,
        font=FONT,
        font_mono=["DejaVu Sans Mono", "Consolas", "monospace"],
    ).set(
        body_background_fill="#f6f7f9",
        body_text_color="#1b2230",
        block_border_width="1px",
        block_border_color="#dfe3ea",
        block_shadow="none",
        button_primary_background_fill="#0e2448",
        button_primary_background_fill_hover="#1d3d6e",
        button_primary_text_color="#ffffff",
        button_secondary_background_fill="#ffffff",
        button_secondary_border_color="#c9d1dd",
        input_border_color="#c9d1dd",
        input_border_color_focus="#2f5286",
        color_accent_soft="#eef2f8",
    )
    # A university page looks the same in a dark desktop theme: use the light values there too.
    for name in list(vars(t)):
        if name.endswith("_dark") and hasattr(t, name[: -len("_dark")]):
            setattr(t, name, getattr(t, name[: -len("_dark")]))
    return t


CSS = """
:root { --ea-navy: #0e2448; --ea-accent: #0b7a9e; --ea-line: #dfe3ea; --ea-muted: #5d6778; }
.gradio-container { max-width: none !important; margin: 0 !important; padding: 0 !important; }
.gradio-container > .main { max-width: 1200px; width: 100%; margin: 0 auto;
  padding-top: 0 !important; }
.block[id^="ea-"] .html-container { padding: 0 !important; }
footer { display: none !important; }
#ea-header { margin: 0 0 6px; }
.ea-header { background: var(--ea-navy); color: #fff; padding: 30px 0 28px;
  box-shadow: 0 0 0 100vmax var(--ea-navy); clip-path: inset(0 -100vmax); }
.ea-accent { height: 4px; background: var(--ea-accent);
  box-shadow: 0 0 0 100vmax var(--ea-accent); clip-path: inset(0 -100vmax); }
.ea-brand { display: flex; align-items: center; gap: 10px; }
.ea-org { font-size: 13px; letter-spacing: .08em; text-transform: uppercase;
  color: #c9d6ea !important; font-weight: 600; }
.ea-mark { flex: none; width: 20px; height: 20px; border-radius: 50%; background: var(--ea-accent);
  box-shadow: 0 0 0 3px var(--ea-navy), 0 0 0 5px #fff; margin: 0 4px 0 5px; }
.ea-sep { margin: 0 .55em; color: #7f95b8 !important; }
.ea-title { color: #fff !important; font-size: 30px !important; font-weight: 600 !important;
  margin: 10px 0 6px !important; letter-spacing: -.01em; }
.ea-lede { margin: 0 !important; max-width: 760px; color: #dbe4f1 !important; font-size: 16px;
  line-height: 1.5; }
#ea-tabs > .tab-wrapper button { font-size: 15px; }
#ea-chat { border-radius: 6px; background: #fff; }
#ea-chat .message-row.bot-row { width: calc(100% - 24px); max-width: calc(100% - 24px) !important; }
#ea-chat .bot-row > .role, #ea-chat .bot-row > .role > div,
#ea-chat .bot-row .message.bot { width: 100%; max-width: 100% !important; }
#ea-chat .message.bot { padding: 14px 18px !important; }
#ea-chat .message.user { padding: 9px 14px !important; }
#ea-chat .bot, #ea-chat .message.bot { background: #fff !important;
  border: 1px solid var(--ea-line) !important; }
#ea-chat .user, #ea-chat .message.user { background: #eef2f8 !important;
  border: 1px solid #d9e1ee !important; }
.ea-question { white-space: pre-wrap; word-break: break-word; }
.ea-text { margin: 0 0 4px; font-size: 15.5px; line-height: 1.6; }
.ea-ref { display: inline-block; min-width: 1.35em; padding: 0 .3em; margin: 0 .15em 0 .2em;
  border-radius: 9px; background: var(--ea-navy); color: #fff; font-size: 11px; line-height: 1.5;
  text-align: center; font-weight: 600; vertical-align: baseline; position: relative;
  top: -.45em; }
.ea-cards-label { margin: 14px 0 6px; font-size: 12px; letter-spacing: .06em;
  text-transform: uppercase; color: var(--ea-muted); font-weight: 600; }
ol.ea-cards { list-style: none; margin: 0 !important; padding: 0 !important; display: grid;
  gap: 8px; }
li.ea-card { display: flex; gap: 10px; margin: 0 !important; padding: 10px 12px;
  border: 1px solid var(--ea-line); border-left: 3px solid var(--ea-accent); border-radius: 4px;
  background: #fafbfc; }
li.ea-card::marker { content: none; }
.ea-card-n { flex: none; width: 22px; height: 22px; border-radius: 11px; background: var(--ea-navy);
  color: #fff; font-size: 12px; font-weight: 600; display: flex; align-items: center;
  justify-content: center; margin-top: 1px; }
.ea-card-body { min-width: 0; }
.ea-card-title { font-weight: 600; font-size: 14.5px; }
.ea-card-title a { color: var(--ea-navy) !important; text-decoration: underline;
  text-decoration-color: #9fb0c9; text-underline-offset: 2px; }
.ea-card-section { font-size: 13px; color: var(--ea-muted); margin-top: 1px; }
blockquote.ea-quote { margin: 6px 0 4px !important; padding: 0 0 0 10px !important;
  border-left: 2px solid #c9d1dd !important; color: #2c3646; font-size: 14px; font-style: italic;
  background: none !important; }
.ea-card-file { font-size: 12px; color: #8a93a3; }
.ea-note { margin: 6px 0 0; font-size: 13px; color: #5b6576; font-style: italic; }
.ea-streaming .ea-text::after { content: ""; display: inline-block; width: 7px; height: 1em;
  margin-left: 3px; vertical-align: -2px; background: var(--ea-accent);
  animation: ea-blink 1s infinite; }
.ea-abstained { border-left: 3px solid #c28a00; padding-left: 12px; }
.ea-abstain-label { font-size: 12px; letter-spacing: .06em; text-transform: uppercase;
  color: #8a6200; font-weight: 600; margin-bottom: 4px; }
.ea-abstain-text { margin: 0; font-size: 15.5px; line-height: 1.6; }
.ea-error { color: #8c1d18; }
.ea-pending { color: var(--ea-muted); display: flex; align-items: center; gap: 10px; }
.ea-dots { display: inline-flex; gap: 4px; }
.ea-dots i { width: 6px; height: 6px; border-radius: 3px; background: var(--ea-accent);
  animation: ea-blink 1.2s infinite ease-in-out; }
.ea-dots i:nth-child(2) { animation-delay: .2s; } .ea-dots i:nth-child(3) { animation-delay: .4s; }
@keyframes ea-blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }
.ea-empty { text-align: center; max-width: 460px; margin: 0 auto; }
.ea-empty-title { font-size: 20px; font-weight: 600; color: var(--ea-navy); margin: 0 0 6px; }
.ea-empty-text { color: var(--ea-muted); margin: 0; line-height: 1.5; }
#ea-ask-row { margin-top: 10px; gap: 8px; align-items: stretch; }
#ea-question textarea { font-size: 15.5px; padding: 11px 12px; }
.ea-notice { margin-top: 8px; padding: 9px 12px; border-radius: 4px; background: #fdf3f2;
  border: 1px solid #f1c9c5; color: #8c1d18; font-size: 14px; }
.ea-notice-ok { background: #eef7f1; border-color: #c4e3cf; color: #1d5b35; }
#ea-feedback { margin-top: 4px; padding: 12px 14px; border: 1px solid var(--ea-line);
  border-left: 3px solid var(--ea-accent); background: #fff !important; gap: 8px; }
#ea-feedback > *, #ea-feedback .form, #ea-feedback .row { background: transparent !important;
  border: none !important; box-shadow: none !important; }
#ea-feedback-prompt p { margin: 0; font-size: 14px; }
#ea-send-comment { border: 1px solid #c9d1dd !important; }
#ea-notice:not(:has(.ea-notice)) { display: none !important; }
#ea-toolbar { margin-top: 2px; align-items: center; gap: 14px; flex-wrap: nowrap; }
#ea-new { flex: none !important; width: auto !important; min-width: 0 !important;
  padding: 5px 12px !important; font-size: 13px !important; border: 1px solid #c9d1dd !important; }
#ea-fine { flex: 1 1 auto; }
#ea-side { gap: 12px; }
.ea-fine { margin: 0; font-size: 12.5px; color: var(--ea-muted); line-height: 1.45; }
.ea-panel { background: #fff; border: 1px solid var(--ea-line); border-radius: 6px;
  padding: 16px 18px; }
.ea-panel-quiet { background: #f0f3f7; }
.ea-panel-quiet p { margin: 0; font-size: 14px; line-height: 1.5; color: #2c3646; }
h2.ea-panel-title { font-size: 13px !important; letter-spacing: .07em; text-transform: uppercase;
  color: var(--ea-navy) !important; margin: 0 0 10px !important; font-weight: 700 !important; }
dl.ea-facts { margin: 0; }
.ea-fact { padding: 9px 0; border-top: 1px solid #edf0f4; }
.ea-fact:first-child { border-top: none; padding-top: 0; }
.ea-fact dt { font-size: 12px; font-weight: 600; color: var(--ea-accent); text-transform: uppercase;
  letter-spacing: .05em; }
.ea-fact dd { margin: 2px 0 0; font-size: 14px; line-height: 1.45; color: #1b2230; }
.ea-fact-src { display: block; font-size: 12px; margin-top: 2px; color: var(--ea-muted); }
.ea-fact-src a { color: var(--ea-muted) !important; margin: 0 !important; padding: 0 !important; }
.ea-muted { color: var(--ea-muted); } .ea-small { font-size: 12px; margin: 10px 0 0; }
.ea-sources { background: #fff; border: 1px solid var(--ea-line); border-radius: 6px;
  padding: 18px 20px; }
.ea-sources-intro { margin: 0 0 12px; color: #2c3646; }
table.ea-table { width: 100%; border-collapse: collapse; font-size: 14.5px;
  border: none !important; }
table.ea-table tr, table.ea-table th, table.ea-table td { border: none !important; }
table.ea-table th { text-align: left; font-size: 12px; text-transform: uppercase;
  letter-spacing: .05em; color: var(--ea-muted); border-bottom: 2px solid var(--ea-line) !important;
  padding: 8px 10px; background: none; }
table.ea-table td { padding: 9px 10px; border-bottom: 1px solid #edf0f4 !important; }
table.ea-table a { color: var(--ea-navy) !important; margin: 0 !important; padding: 0 !important; }
.ea-file { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 12.5px;
  color: var(--ea-muted); }
.ea-num { text-align: right !important; }
.ea-about { background: #fff; border: 1px solid var(--ea-line); border-radius: 6px;
  padding: 8px 24px 14px; max-width: 820px; }
.ea-about h2 { font-size: 18px; color: var(--ea-navy); margin: 16px 0 6px; }
.ea-about p { line-height: 1.6; margin: 0 0 10px; }
"""


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from assistant.errors import brief_request_errors

    brief_request_errors()  # a malformed API request is one line in the log, not a traceback
    settings = Settings()
    service = Service(settings)
    service.start()
    demo = build(service)
    demo.queue(default_concurrency_limit=CONCURRENCY)
    print(f"Exchange Assistant: http://{settings.host}:{settings.port}", file=sys.stderr)
    demo.launch(
        server_name=settings.host,
        server_port=settings.port,
        theme=theme(),
        css=CSS,
        footer_links=[],
        run_history=False,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        show_error=False,
        quiet=True,
        # Gradio keeps up to 10,000 sessions' state by default; memory grew under load with it.
        state_session_capacity=SESSION_CAPACITY,
    )


if __name__ == "__main__":
    main()
