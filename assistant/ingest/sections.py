"""Markdown clean-ups by section: reference lists dropped, bold or standalone lines that act
as headings made headings."""

from __future__ import annotations

import re

from assistant.ingest.structure import BULLET, NUMBERED, SENTENCE_END, is_key_value

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_URL = re.compile(r"https?://|www\.")


def drop_reference_sections(text: str) -> str:
    """Drop sections that consist of citations (list items with URLs or `^` back-links).

    The structure, not the heading's wording, decides: a bibliography is a list whose items
    point elsewhere.
    """
    lines = text.split("\n")
    keep = [True] * len(lines)
    for i, line in enumerate(lines):
        match = _HEADING.match(line)
        if not match:
            continue
        level = len(match.group(1))
        j = i + 1
        while j < len(lines):
            other = _HEADING.match(lines[j])
            if other and len(other.group(1)) <= level:
                break
            j += 1
        own = next((k for k in range(i + 1, j) if _HEADING.match(lines[k])), j)
        body = [ln.strip() for ln in lines[i + 1 : own] if ln.strip()]
        if len(body) < 2:
            continue
        cited = [
            ln
            for ln in body
            if (BULLET.match(ln) or NUMBERED.match(ln))
            and (_URL.search(ln) or re.match(r"^\W*\d*\W*\^", ln))
        ]
        if len(cited) >= 0.6 * len(body):
            keep[i:j] = [False] * (j - i)
    return "\n".join(ln for ln, k in zip(lines, keep, strict=True) if k)


def bold_lines_to_headings(text: str) -> str:
    """A paragraph that is only bold text, and does not end a sentence, is a heading."""
    level = 1
    out = []
    for line in text.split("\n"):
        match = _HEADING.match(line)
        if match:
            level = len(match.group(1))
        bold = re.fullmatch(r"\s*(\*\*|__)([^*_\n]{2,100})\1\s*", line)
        if bold and not SENTENCE_END.search(bold.group(2).strip().rstrip("?")):
            out.append(f"{'#' * min(level + 1, 4)} {bold.group(2).strip()}")
            continue
        out.append(line)
    return "\n".join(out)


def standalone_lines_to_headings(text: str) -> str:
    """A paragraph of one short line without a final stop, followed by text, is a heading.

    Web pages mark some headings up as bold or plain paragraphs; left as text they would be
    quoted as if they were sentences.
    """
    blocks = text.split("\n\n")
    level = 1
    out = []
    for n, block in enumerate(blocks):
        line = block.strip()
        match = _HEADING.match(line)
        if match:
            level = len(match.group(1))
        following = next((b.strip() for b in blocks[n + 1 :] if b.strip()), "")
        if (
            line
            and "\n" not in line
            and len(line) <= 80
            and line[0].isupper()
            and not match
            and not BULLET.match(line)
            and not line.startswith("|")
            and not SENTENCE_END.search(line)
            and not is_key_value(line)
            and following
            and not _HEADING.match(following)
            and bool(SENTENCE_END.search(following.split("\n")[0]))
        ):
            out.append(f"{'#' * min(level + 1, 4)} {line}")
            continue
        out.append(block)
    return "\n\n".join(out)
