"""The web page over the pipeline's `Assistant` (gradio is imported only in this package).

- service.py   the Assistant of the process, loaded in the background; the index as sections
- render.py    HTML of every part of the page (escaped), no gradio
- handlers.py  what asking, rating and commenting do to a conversation
- layout.py    the gradio page, and `main`, which serves it
- theme.py, style.css, page.js   how it looks and what the buttons inside answers do
"""

from __future__ import annotations


def main() -> None:
    from assistant.ui.layout import main as serve

    serve()
