"""What happens when a person asks, rates, comments or starts over.

A conversation is a list of turns in the session's gr.State, shown as chat messages:
turn = {"question": str, "history": [earlier questions], "answer": Answer dict | None,
        "error": str | None, "contexts": {n: [before, after]}, "next": [suggestion dicts],
        "contact": contact dict | None, "rating": "up" | "down" | None,
        "feedback_id": int | None, "comment_open": bool, "notice": str | None,
        "streaming": bool (being answered), "stopped": bool (the person stopped it)}
Handlers never change a turn in place: gradio may still hold the list it gave them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import gradio as gr

from assistant.errors import AssistantError, QuestionError
from assistant.pipeline.assistant import clean_question
from assistant.types import Answer, Turn
from assistant.ui import panels, render
from assistant.ui.service import Library, Service

log = logging.getLogger("exchange_assistant.ui")

ANSWER_FIELDS = {
    "answer",
    "abstained",
    "citations",
    "highlights",
    "note",
    "removed_sentences",
    "outcome",
    "mode",
    "status",
    "ahead",
    "sources",
    "language",
}
COMMENT_SAVED = "Thanks, your comment was saved."
# The Ask and Stop buttons' visibility while a question is answered, and otherwise.
BUSY = (gr.update(visible=False), gr.update(visible=True))
IDLE = (gr.update(visible=True), gr.update(visible=False))


def to_messages(
    turns: list[dict], pending: dict | None = None, *, loading=False, feedback=False
) -> list[dict]:
    messages = []
    for i, t in enumerate([*turns, *([pending] if pending else [])]):
        messages.append({"role": "user", "content": render.render_question(t["question"])})
        content = render.render_turn(t, i, feedback=feedback, loading=loading)
        messages.append({"role": "assistant", "content": content})
    return messages


def answered(turns: list[dict]) -> list[dict]:
    """The turns that got an answer: a failed or stopped one is no context for the next."""
    return [t for t in turns if not t.get("error") and not t.get("stopped")]


def to_turns(turns: list[dict]) -> list[Turn]:
    """The conversation so far, as the Assistant takes it: each question with its answer text."""
    return [
        Turn(question=t["question"], answer=t["answer"]["answer"] if t.get("answer") else None)
        for t in answered(turns)
    ]


def settled(turns: list[dict]) -> list[dict]:
    """The turns without last time's notices and open comment boxes: they belong to the moment
    they were shown, and a new action replaces them."""
    out = []
    for t in turns:
        if t.get("notice") or t.get("comment_open"):
            t = {**t, "notice": None, "comment_open": False}
        if t.get("streaming"):  # its answer was cancelled without Stop (a closed connection)
            t = {**{k: v for k, v in t.items() if k != "streaming"}, "stopped": True}
        out.append(t)
    return out


def extras(answer: Answer, library: Library | None, turns: list[dict]) -> dict:
    """What the page shows beside an answer, from the index: the text around each quote, the
    sections to read next, and for an abstention the contact route the documents give."""
    if library is None:
        return {}
    if answer.abstained:
        c = library.contact
        return {"contact": c and {"title": c.title, "section": c.section, "url": c.url}}
    contexts, pages = {}, {}
    said = render.quoted(answer)
    for c in answer.citations:
        ctx = library.context(c.chunk_id, said.get(c.n, ""))
        if ctx is not None:
            contexts[str(c.n)] = list(ctx)
        chunk = library.chunks.get(c.chunk_id)
        if chunk is not None and chunk.page:
            pages[str(c.n)] = chunk.page
    shown = set(render.cited_numbers(answer))
    seen = {t["question"] for t in turns}
    nxt = library.next_sections([c for c in answer.citations if c.n in shown], seen)
    phrased = library.questions is not None
    return {
        "contexts": contexts,
        "pages": pages,
        "next": [
            {"name": s.name, "title": s.title, "question": q, "phrased": phrased} for s, q in nxt
        ],
    }


class Handlers:
    """The page's event handlers over one Service; `feedback` says whether ratings are on."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.settings = service.settings
        self.feedback = service.feedback is not None

    def messages(self, turns, pending=None, loading=False) -> list[dict]:
        return to_messages(turns, pending, loading=loading, feedback=self.feedback)

    def _library(self) -> Library | None:
        try:
            return self.service.library()
        except Exception:  # the answer stands without its extras; the log says why
            log.exception("the index could not be read for the answer's sources")
            return None

    # -- asking ----------------------------------------------------------------------------

    def respond(self, text: str, convo: list[dict]) -> Iterator[tuple]:
        """Outputs: chat, conversation, question box, notice, Ask button, Stop button.

        While a question is answered the conversation holds it as a streaming turn, so that
        Stop (`stop`) finds what was shown so far; Stop takes the place of Ask meanwhile."""
        if not text or not text.strip():
            yield (*[gr.skip()] * 3, panels.render_notice("Please type a question."), *IDLE)
            return
        try:
            clean_question(text, self.settings.max_question_chars)
        except QuestionError as exc:
            yield (*[gr.skip()] * 3, panels.render_notice(str(exc)), *IDLE)
            return
        convo = settled(list(convo or []))
        pending = {
            "question": text,
            "history": [t["question"] for t in answered(convo)],
            "answer": None,
            "error": None,
            "streaming": True,
        }
        loading = not self.service.ready.is_set()
        yield self.messages(convo, pending, loading), [*convo, dict(pending)], "", "", *BUSY
        service = self.service
        try:
            service.wait()
            answer = None
            # The states come as they happen: the sources being read, the place in the line
            # for the model, the checked part of the answer, then the answer.
            for partial in service.assistant.stream(text, to_turns(convo)):
                answer = partial
                pending["answer"] = partial.model_dump(mode="json", include=ANSWER_FIELDS)
                yield self.messages(convo, pending), [*convo, dict(pending)], *[gr.skip()] * 4
            if answer is not None:
                pending.update(extras(answer, self._library(), [*convo, pending]))
                self._keep_unanswered(text, pending["history"], answer)
        except QuestionError as exc:
            yield self.messages(convo), convo, text, panels.render_notice(str(exc)), *IDLE
            return
        except AssistantError as exc:
            pending["error"] = str(exc)
        except Exception:
            log.exception("answering failed")
            pending["error"] = "Something went wrong while answering; please try again."
        pending.pop("streaming", None)
        convo.append(pending)
        yield self.messages(convo), convo, gr.skip(), gr.skip(), *IDLE

    def stop(self, convo: list[dict]) -> tuple:
        """The person stopped the answer being written: it stays as far as it came, marked as
        stopped. Outputs: chat, conversation, Ask button, Stop button."""
        convo = list(convo or [])
        if not convo or not convo[-1].get("streaming"):
            return gr.skip(), gr.skip(), *IDLE
        last = {k: v for k, v in convo[-1].items() if k != "streaming"}
        convo[-1] = {**last, "stopped": True}
        return self.messages(convo), convo, *IDLE

    def _keep_unanswered(self, question: str, history: list[str], answer: Answer) -> None:
        """For the staff page: a question the documents did not answer, or answered in part."""
        try:
            self.service.unanswered.add(question, answer.outcome or "", history, answer.missing)
        except AssistantError:
            log.exception("an unanswered question could not be kept")

    def pick_example(self, convo: list[dict], evt: gr.SelectData) -> Iterator[tuple]:
        value = evt.value or {}
        yield from self.respond(value.get("text", "") if isinstance(value, dict) else "", convo)

    def start_over(self):
        """Outputs: chat, conversation, question box, notice, Ask button, Stop button."""
        return [], [], "", "", *IDLE

    # -- rating ----------------------------------------------------------------------------

    def act(self, action: str, convo: list[dict]):
        """An action from a button inside an answer (page.js): {"do": "rate", "turn": i,
        "rating": "up" | "down"} or {"do": "comment", "turn": i, "text": str}.
        Outputs: chat, conversation, action box."""
        if self.service.feedback is None:
            return gr.skip(), gr.skip(), ""
        try:
            a = json.loads(action or "{}")
            i = int(a.get("turn", -1))
        except (ValueError, TypeError, AttributeError):
            return gr.skip(), gr.skip(), ""
        convo = settled(list(convo or []))
        if not 0 <= i < len(convo) or not convo[i].get("answer") or convo[i].get("error"):
            return gr.skip(), gr.skip(), ""
        turn = dict(convo[i])
        if a.get("do") == "rate" and a.get("rating") in ("up", "down"):
            self._rate(turn, a["rating"])
        elif a.get("do") == "comment" and turn.get("feedback_id"):
            text = str(a.get("text") or "").strip()[: self.settings.max_question_chars]
            if text:
                self.service.feedback.set_comment(turn["feedback_id"], text)
                turn["notice"] = COMMENT_SAVED
        else:
            return gr.skip(), gr.skip(), ""
        convo[i] = turn
        return self.messages(convo), convo, ""

    def _rate(self, turn: dict, rating: str) -> None:
        store = self.service.feedback
        if turn.get("rating") == rating:  # the same thumb again takes the rating back
            if turn.get("feedback_id"):
                store.remove(turn["feedback_id"])
            turn["feedback_id"] = turn["rating"] = None
            return
        turn["rating"] = rating
        if turn.get("feedback_id"):
            store.set_rating(turn["feedback_id"], rating)
        else:
            answer = turn["answer"]
            turn["feedback_id"] = store.add(
                question=turn["question"],
                history=turn.get("history", []),
                answer=answer["answer"],
                abstained=answer["abstained"],
                citations=answer["citations"],
                rating=rating,
            )
        turn["comment_open"] = True

    # -- panels that wait for the index ----------------------------------------------------

    def glance(self) -> str:
        try:
            return panels.render_glance(self.service.glance())
        except AssistantError as exc:
            return panels.render_notice(str(exc))

    def sources(self) -> str:
        try:
            return panels.render_sources(self.service.sources())
        except AssistantError as exc:
            return panels.render_notice(str(exc))

    def contact(self) -> str:
        route = None
        try:
            c = self.service.library().contact
            route = c and {"title": c.title, "section": c.section, "url": c.url}
        except AssistantError:
            pass  # the panel still names whom to ask
        try:
            who = self.service.assistant.contact()
        except AssistantError:
            who = self.settings.contact
        return panels.render_contact(who, route)
