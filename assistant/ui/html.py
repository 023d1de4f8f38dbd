"""Escaping and the small HTML pieces every part of the page is made of."""

from __future__ import annotations

import html
import re
from urllib.parse import urlparse

TITLE = "Exchange Assistant"
MARKER = re.compile(r"\s*\[(\d+)\]")


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def safe_url(url: str | None) -> str | None:
    """Only web links become links; anything else (javascript:, data:) is shown as text."""
    if url and re.match(r"^https?://", url.strip(), re.IGNORECASE):
        return url.strip()
    return None


def block(inner: str, cls: str) -> str:
    # One line: in the chat's Markdown an HTML block ends at a blank line.
    return f'<div class="{cls}">{inner}</div>'.replace("\n", " ")


def sr(text: str) -> str:
    return f'<span class="ea-sr">{esc(text)}</span>'


def link(url: str, inner: str, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return (
        f'<a{klass} href="{esc(url)}" target="_blank" rel="noopener noreferrer">{inner}'
        f"{sr(' (opens in a new tab)')}</a>"
    )


def host(url: str) -> str:
    name = urlparse(url).hostname or url
    return name.removeprefix("www.")
