"""HTML of the page's fixed parts: header, side panels, Sources, About and notices."""

from __future__ import annotations

from assistant.types import Answer
from assistant.ui.html import MARKER, TITLE, esc, link, safe_url


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
            url, doc = safe_url(c.url), esc(c.title or "the document")
            links.append(link(url, doc) if url else f"<span>{doc}</span>")
        text = esc(" ".join(MARKER.sub("", answer.answer).split()))
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
            title = link(url, title)
        body.append(
            f"<tr><td>{title}<span class='ea-file'>{esc(r.get('source'))}</span></td>"
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
        '<div class="ea-table-wrap"><table class="ea-table"><thead><tr><th>Document (file)</th>'
        '<th>Updated</th><th class="ea-num">Passages</th></tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div></div>"
    )


def render_notice(message: str) -> str:
    return f'<div class="ea-notice" role="alert">{esc(message)}</div>'


def render_header() -> str:
    return (
        '<header class="ea-header"><div class="ea-header-inner">'
        '<div class="ea-brand"><span class="ea-mark"></span>'
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
        '<p class="ea-empty-text">Ask anything the programme\'s documents may answer. The '
        "examples below are questions the documents answer; pick one or type your own."
        "</p></div>"
    )


def render_contact(contact_name: str | None, contact: dict | None) -> str:
    url = safe_url((contact or {}).get("url"))
    route = ""
    if contact and url:
        where = " › ".join(esc(p) for p in (contact.get("title"), contact.get("section")) if p)
        route = f" The documents say how: {link(url, where)}."
    return (
        '<div class="ea-panel ea-panel-quiet"><h2 class="ea-panel-title">Need a person?</h2>'
        "<p>When the documents do not answer, the assistant says so."
        + (f" Please ask {esc(contact_name)}." if contact_name else "")
        + f"{route}</p></div>"
    )


def render_fineprint(feedback_on: bool) -> str:
    rate = " Rate an answer to help us improve it." if feedback_on else ""
    return (
        '<p class="ea-fine">Answers quote the programme documents and may be incomplete; '
        f"check the linked source before you act on one.{rate}</p>"
    )


def render_about(contact: str | None, max_chars: int, feedback_on: bool) -> str:
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
        "<p>The assistant searches the programme documents listed under <em>Sources</em>. A "
        "language model reads the passages it finds; the answer opens with one sentence that "
        "answers your question, followed by the documents' own words that support it. When the "
        "model is not available, the answer quotes the passages, and a note says so. Each "
        "sentence carries a number: select it to open the source with the same number, which "
        "names the document and its section, shows the text around the quote, and links to "
        "the page.</p>"
        "<p>Under each answer, <em>Read next</em> offers the sections next to the ones it quotes."
        "</p>"
        "<p>When the documents do not answer a question, the assistant says so instead of "
        "guessing"
        + (f", and tells you whom to ask: {esc(contact)}.</p>" if contact else ".</p>")
        + "<p>A follow-up question that leans on the one before is understood in the "
        "context of the conversation. Start a new conversation to change the subject.</p>"
        "<h2>Your questions and ratings</h2>"
        f"<p>{privacy}</p>"
        f"<p>Questions are limited to {max_chars:,} characters.</p>"
        "</div>"
    )
