"""HTML of an answer in the chat. Every text that comes from a person or a document is escaped.

The chat sanitizes what it shows (ids, data- and aria- attributes, roles and form fields are
removed), so the parts a script acts on are found by class, a turn by `ea-turn-N`, and names for
screen readers are visually hidden text (`ea-sr`) rather than attributes. page.js adds behaviour.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from assistant.types import Answer
from assistant.ui.html import MARKER, block, esc, host, link, safe_url, sr


def render_question(question: str) -> str:
    return block(esc(question).replace("\n", "<br>"), "ea-question")


# -- an answer ---------------------------------------------------------------------------------
# A turn is the dict the conversation keeps (see handlers.py); rendering reads it and nothing else.


def render_turn(turn: dict, i: int, *, feedback: bool, loading: bool = False) -> str:
    if turn.get("error"):
        return render_error(turn["error"])
    if not turn.get("answer"):
        return render_stopped_early() if turn.get("stopped") else render_pending(loading)
    answer = Answer.model_validate(turn["answer"])
    streaming = bool(turn.get("streaming"))
    if answer.status in ("waiting", "reading"):
        return render_reading(answer) if streaming else render_stopped_early()
    if answer.abstained:
        body = render_abstention(answer, turn.get("contact"))
    else:
        body = render_text(answer) + render_cards(
            answer, turn.get("contexts") or {}, turn.get("pages") or {}
        )
        if answer.note and not streaming:  # generated answers: what verification removed or why
            body += f'<p class="ea-note">{esc(answer.note)}</p>'
    body = render_language(answer) + body
    cls = "ea-answer ea-abstained" if answer.abstained else "ea-answer"
    cls += f" ea-mode-{answer.mode}"  # model or quotes: how the answer was made
    if streaming:
        return block(body, f"{cls} ea-streaming")
    if turn.get("stopped"):
        return block(body + render_stopped_note(), f"{cls} ea-stopped")
    body += render_actions(turn, i, feedback)
    body += render_next(turn.get("next") or [])
    copy = esc(plain_text(answer, turn.get("contact"))).replace("\n", "&#10;")  # kept by _block
    body += f'<div class="ea-copytext">{copy}</div>'
    return block(body, f"{cls} ea-turn-{i}")


def render_language(answer: Answer) -> str:
    """Which language this question was read as, when not English: each question's own."""
    if not answer.language:
        return ""
    from assistant.text.language import name_of

    return f'<p class="ea-lang">Read as {esc(name_of(answer.language))}</p>'


def render_stopped_early() -> str:
    """A turn stopped before any of its answer was shown."""
    return block(esc("You stopped this answer before it was ready."), "ea-answer ea-stopped")


def render_stopped_note() -> str:
    """Under the part of an answer that came before the person stopped it."""
    return f'<p class="ea-note">{esc("You stopped this answer; it may be incomplete.")}</p>'


def render_text(answer: Answer) -> str:
    """The answer's paragraphs, each sentence followed by its badge; the sentences that carry
    the answer (`highlights`) are marked."""
    marked = {(h.n, " ".join(h.text.split())) for h in answer.highlights}
    paragraphs = []
    for para in re.split(r"\n\s*\n", answer.answer.strip()):
        pieces, last = [], 0
        for m in MARKER.finditer(para):
            n = int(m.group(1))
            sentence = para[last : m.start()]
            if (n, " ".join(sentence.split())) in marked:
                lead = sentence[: len(sentence) - len(sentence.lstrip())]
                pieces.append(f'{esc(lead)}<mark class="ea-hl">{esc(sentence.strip())}</mark>')
            else:
                pieces.append(esc(sentence))
            pieces.append(f'<button type="button" class="ea-ref">{sr("Source ")}{n}</button>')
            last = m.end()
        pieces.append(esc(para[last:]))
        paragraphs.append(f"<p>{''.join(pieces).strip()}</p>")
    return f'<div class="ea-text">{"".join(paragraphs)}</div>'


def quoted(answer: Answer) -> dict[int, str]:
    """The answer's sentences under each citation number, joined: what it quotes of a source."""
    out: dict[int, list[str]] = {}
    for para in re.split(r"\n\s*\n", answer.answer.strip()):
        last = 0
        for m in MARKER.finditer(para):
            out.setdefault(int(m.group(1)), []).append(" ".join(para[last : m.start()].split()))
            last = m.end()
    return {n: " ".join(s for s in sentences if s) for n, sentences in out.items()}


def cited_numbers(answer: Answer) -> list[int]:
    return sorted({int(m.group(1)) for m in MARKER.finditer(answer.answer)})


def render_cards(answer: Answer, contexts: dict, pages: dict | None = None) -> str:
    """A card per cited source: document title and section, always shown; opened, the text
    around the quote (the quote itself is in the answer) and a link to the page."""
    shown = cited_numbers(answer)
    pages = pages or {}
    cards = [
        render_card(c, contexts.get(str(c.n)), pages.get(str(c.n)))
        for c in answer.citations
        if c.n in shown
    ]
    if not cards:
        return ""
    label = "Source" if len(cards) == 1 else "Sources"
    return f'<div class="ea-cards-label">{label}</div><ol class="ea-cards">{"".join(cards)}</ol>'


def page_link(url: str, page: int | None) -> str:
    """A PDF's link opens at the page the passage is on; other pages have no page to open."""
    if page and urlparse(url).path.lower().endswith(".pdf") and "#" not in url:
        return f"{url}#page={int(page)}"
    return url


def render_card(c, context: list[str] | None, page: int | None = None) -> str:
    section = f'<span class="ea-card-section">{esc(c.section)}</span>' if c.section else ""
    if context is None:  # not a quote of the answer (a generated answer): show what supports it
        passage = f'<blockquote class="ea-context">{esc(c.quote)}</blockquote>'
    elif any(context):
        before, after = context
        passage = (
            '<blockquote class="ea-context">'
            + (f"{esc(_tail(before))} " if before else "")
            + '<span class="ea-quoted">quoted in the answer</span>'
            + (f" {esc(_head(after))}" if after else "")
            + "</blockquote>"
        )
    else:
        passage = '<p class="ea-context-none">The answer quotes this section in full.</p>'
    url = safe_url(c.url)
    where = (
        link(page_link(url, page), f"Read it on {esc(host(url))}", "ea-card-link")
        if url
        else '<p class="ea-context-none">The document gives no web address.</p>'
    )
    return (
        f'<li class="ea-card ea-card-{int(c.n)}"><details><summary>'
        f'<span class="ea-card-n">{sr("Source ")}{int(c.n)}</span>'
        f'<span class="ea-card-head"><span class="ea-card-title">{esc(c.title)}</span>'
        f"{section}</span></summary>"
        f'<div class="ea-card-body">{passage}{where}</div></details></li>'
    )


def _tail(text: str, words: int = 40) -> str:
    w = text.split()
    return text if len(w) <= words else "… " + " ".join(w[-words:])


def _head(text: str, words: int = 40) -> str:
    w = text.split()
    return text if len(w) <= words else " ".join(w[:words]) + " …"


def render_abstention(answer: Answer, contact: dict | None) -> str:
    body = (
        '<div class="ea-abstain-label">Not in the programme documents</div>'
        f'<p class="ea-abstain-text">{esc(answer.answer)}</p>'
    )
    url = safe_url((contact or {}).get("url"))
    if contact and url:
        where = " › ".join(esc(p) for p in (contact.get("title"), contact.get("section")) if p)
        body += f'<p class="ea-contact">How to reach them: {link(url, where)}</p>'
    return body


def render_actions(turn: dict, i: int, feedback: bool) -> str:
    buttons = ['<button type="button" class="ea-copy">Copy answer</button>']
    extra = ""
    if feedback:
        rating = turn.get("rating")
        for value, name in (("up", "Helpful"), ("down", "Not helpful")):
            on = rating == value
            state = " ea-on" if on else ""
            buttons.append(
                f'<button type="button" class="ea-thumb ea-{value} ea-turn-{i}{state}">'
                f'<span class="ea-icon"></span>{esc(name)}'
                f"{sr(' (chosen)') if on else ''}</button>"
            )
        if turn.get("comment_open"):
            prompt = (
                "Thank you. Anything to add? (optional)"
                if rating == "up"
                else "Thank you. What was wrong or missing? (optional)"
            )
            extra = (
                f'<div class="ea-comment ea-turn-{i}">'
                f'<p class="ea-comment-prompt">{esc(prompt)}</p></div>'
            )
        if turn.get("notice"):
            extra += f'<p class="ea-fb-notice">{esc(turn["notice"])}</p>'
    return f'<div class="ea-actions">{"".join(buttons)}</div>{extra}'


def render_next(suggestions: list[dict]) -> str:
    """The next questions to ask, each answered by a section next to the ones cited; before
    questions were written for the index, the sections' headings (`phrased` False)."""
    if not suggestions:
        return ""
    phrased = all(s.get("phrased") for s in suggestions)
    buttons = []
    for s in suggestions:
        if phrased:
            name = s["question"]
            where = " › ".join(p for p in (s["title"], (s["name"] or "").split(" › ")[-1]) if p)
        else:
            name, where = s["name"] or s["title"], s["title"] if s["name"] else ""
        buttons.append(
            '<button type="button" class="ea-suggest">'
            f'<span class="ea-suggest-name">{esc(name)}</span>'
            f'<span class="ea-suggest-doc">{esc(where)}</span>'
            f'<span class="ea-suggest-ask">{esc(s["question"])}</span></button>'
        )
    label = "Ask next" if phrased else "Read next"
    return f'<div class="ea-next"><div class="ea-next-label">{label}</div>{"".join(buttons)}</div>'


def plain_text(answer: Answer, contact: dict | None = None) -> str:
    """What the copy button copies: the answer with its numbers, then the sources."""
    lines = [answer.answer.strip()]
    shown = cited_numbers(answer)
    sources = [c for c in answer.citations if c.n in shown]
    if sources:
        lines.append("")
        lines.append("Sources")
        for c in sources:
            where = ", ".join(p for p in (c.title, c.section) if p)
            lines.append(f"[{c.n}] {where}" + (f": {c.url}" if safe_url(c.url) else ""))
    if answer.abstained and contact and safe_url(contact.get("url")):
        lines.append(f"Contact: {contact['url']}")
    return "\n".join(lines)


def render_pending(loading: bool) -> str:
    text = (
        "Loading the assistant; the first question takes a little longer…"
        if loading
        else "Searching the programme documents…"
    )
    return block(f'<span class="ea-dots"><i></i><i></i><i></i></span>{text}', "ea-pending")


def render_reading(answer: Answer) -> str:
    """While the model reads: the sources it reads, and the place in the line when others are
    ahead."""
    if answer.status == "waiting" and answer.ahead:
        n = answer.ahead
        text = f"{n} question{'s' if n != 1 else ''} ahead of you; waiting for the model…"
    else:
        text = "Reading the documents…"
    items = "".join(
        f"<li>{esc(' › '.join(p for p in (c.title, c.section) if p))}</li>" for c in answer.sources
    )
    listing = f'<ol class="ea-reading-list">{items}</ol>' if items else ""
    return block(
        f'<span class="ea-dots"><i></i><i></i><i></i></span>{esc(text)}{listing}',
        "ea-pending ea-reading",
    )


def render_error(message: str) -> str:
    return block(esc(message), "ea-answer ea-error")
