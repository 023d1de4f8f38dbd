"""An answer as the terminal shows it (`ask`, `chat`) and as the JSON of `ask --json`."""

from __future__ import annotations

import sys


def answer_json(answer) -> dict:
    """The JSON contract of `ask --json`."""
    return {
        "answer": answer.answer,
        "abstained": answer.abstained,
        "outcome": answer.outcome,
        "mode": answer.mode,
        "citations": [
            c.model_dump(include={"n", "title", "source", "section", "url", "quote", "chunk_id"})
            for c in answer.citations
        ],
        "highlights": [h.model_dump() for h in answer.highlights],
        "retrieval": [r.model_dump() for r in answer.retrieval],
        "timings_ms": answer.timings_ms,
        "query": answer.query,
        "support": answer.support,
        "abstention": answer.abstention,
        "language": answer.language,
        "removed_sentences": answer.removed_sentences,
        "note": answer.note,
    }


def _bold(text: str) -> str:
    """Emphasis for the sentences that carry the answer: bold on a terminal, Markdown's
    **...** when the output goes to a file or another program."""
    if sys.stdout.isatty():
        return f"\033[1m{text}\033[0m"
    return f"**{text}**"


def render_text(answer, emphasis=_bold) -> str:
    text = answer.answer
    for h in answer.highlights:
        marked = f"{h.text} [{h.n}]"
        text = text.replace(marked, f"{emphasis(h.text)} [{h.n}]", 1)
    lines = [text]
    if answer.note:
        lines += ["", f"Note: {answer.note}"]
    if answer.citations:
        from assistant.pipeline.verify import normalise, strip_markers

        said = normalise(strip_markers(answer.answer))
        lines.append("")
        lines.append("Sources:")
        for c in answer.citations:
            where = " › ".join(p for p in (c.title, c.section) if p)
            link = f" <{c.url}>" if c.url else ""
            lines.append(f"[{c.n}] {where}{link}")
            if c.quote and normalise(c.quote) not in said:  # a generated answer: show the source
                lines.append(f'    "{c.quote}"')
    return "\n".join(lines)
