"""Helpers of the page's tests: a citation to render, the text of an HTML fragment, the last
state a streaming handler leaves."""

from __future__ import annotations

import html
import re

from assistant.types import Citation


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


def final(gen):
    *_, last = list(gen)
    return last
