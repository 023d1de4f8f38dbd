"""Structure that plain text and PDF text lose, recovered from layout: headings, tables, chrome.

Every loader hands the chunker the same light Markdown:

- `#` the document title, `##` the sections below it;
- prose paragraphs as lines; list items as `- ` lines;
- each table row as one line that carries its header: `- Distance band: 8000 km and above;
  Travel grant: 1.500 €`, so a row can be quoted alone;
- `<!-- page: N -->` where PDF page N begins, inline when a paragraph runs across the break;
- `<!-- url: ... -->` under a heading for a section's own source (Markdown files only).

Headings are found from general layout statistics, not from word lists: a heading is a line that
is short for this document, does not end a sentence, follows the end of a paragraph and is
followed by text. Menus and footers of web exports are the short lines before the first heading
or text and after the last paragraph.
"""

from __future__ import annotations

import re

from assistant.ingest.lines import Line
from assistant.ingest.tables import layout_tables

PAGE_MARK = "<!-- page: {} -->"
PAGE_MARK_RE = re.compile(r"<!-- page: (\d+) -->")
URL_COMMENT_RE = re.compile(r"^\s*<!--\s*url:\s*(\S+?)\s*-->\s*$")

_SOURCE_LINE = re.compile(r"^\s*(?:source|url)\s*:\s*<?(https?://[^\s>]+)>?\s*$", re.I)
SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
# A list item: a bullet-like symbol (PDFs also give lost glyphs such as U+007F or private-use
# characters) or "a)" before the text.
BULLET = re.compile(r"^\s*(?:[^\w\s\"'“‘(\[$€£#]|\(?[a-z]\))\s+")
NUMBERED = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})*[.)]?\s+(?=\S)")
_KEY_VALUE = re.compile(r"^([A-Z][^:.!?]{0,40}):\s+\S")


# --- source line ------------------------------------------------------------------------------


def take_source_line(text: str) -> tuple[str, str]:
    """A `Source: https://…` or `URL: …` line among the first lines gives the URL; it is removed."""
    lines = text.split("\n")
    seen = 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        match = _SOURCE_LINE.match(line)
        if match:
            return match.group(1), "\n".join(lines[:i] + lines[i + 1 :])
        seen += 1
        if seen >= 3:  # only at the top of the file
            break
    return "", text


# --- headings in plain text -------------------------------------------------------------------


def structure_plain_text(lines: list[Line]) -> tuple[str, str | None]:
    """Plain-text or PDF lines -> (light Markdown with headings and page marks, title or None)."""
    lines = layout_tables([Line(ln.text.rstrip(), ln.page, ln.kind) for ln in lines])
    for ln in lines:
        if ln.kind == "text" and not ln.text.strip():
            ln.kind = "blank"
        elif ln.kind == "text":
            ln.indent = len(ln.text) - len(ln.text.lstrip())
            ln.text = ln.text.strip()
    prose = [len(ln.text) for ln in lines if ln.kind == "text"]
    if not prose:
        return "", None
    # The width of a full line of this document: PDF lines wrap near it, unwrapped text runs
    # far past it. A heading is well short of it.
    width = sorted(prose)[int(0.9 * (len(prose) - 1))]
    short_limit = min(max(0.75 * width, 30), 100)

    def short(t: str) -> bool:
        return len(t) <= short_limit and len(t.split()) <= 14

    def content(i: int) -> bool:
        ln = lines[i]
        if ln.kind == "row":
            return True
        t = ln.text
        return bool(BULLET.match(t) or is_key_value(t) or SENTENCE_END.search(t) or not short(t))

    def next_text(i: int) -> int | None:
        for j in range(i + 1, len(lines)):
            if lines[j].kind != "blank":
                return j
        return None

    heading = [False] * len(lines)

    def candidate(i: int) -> bool:
        ln = lines[i]
        t = ln.text
        if ln.kind != "text" or not short(t) or BULLET.match(t) or is_key_value(t):
            return False
        if not re.search(r"[^\W\d_]", t) or not (t[0].isupper() or t[0].isdigit()):
            return False
        prev = lines[i - 1] if i > 0 else None
        after_break = prev is None or prev.kind == "blank" or heading[i - 1]
        if t.endswith("?"):
            if not (NUMBERED.match(t) or after_break):
                return False
        elif SENTENCE_END.search(t) or t.endswith(","):
            return False
        # A heading follows the end of a paragraph, never the middle of one.
        return after_break or prev.kind == "row" or bool(SENTENCE_END.search(prev.text))

    def mark_headings() -> None:
        for i in range(len(lines)):
            if i != first:
                j = next_text(i)
                heading[i] = candidate(i) and j is not None and content(j)

    # The title line may stand right above a subtitle or the first section heading, which is a
    # heading only if the title is one: try the first line as a heading, then confirm it.
    first = next((i for i, ln in enumerate(lines) if ln.kind != "blank"), None)
    if first is not None:
        heading[first] = candidate(first)
        mark_headings()
        j = next_text(first)
        heading[first] = heading[first] and j is not None and (content(j) or heading[j])
        if not heading[first]:
            mark_headings()

    def paragraph(ln: Line) -> bool:
        if ln.kind == "row":
            return True
        ended = bool(re.search(r"[.!?][\"'”’)\]]*$", ln.text)) and len(ln.text.split()) >= 2
        return ln.kind == "text" and (ended or not short(ln.text))

    # No heading above the first paragraph: the line right above it names the document, even
    # when it has a "Label: value" shape ("Country: Partner A and Partner B").
    first_text = next((i for i in range(len(lines)) if paragraph(lines[i])), len(lines))
    if not any(heading[:first_text]):
        above = [i for i in range(first_text) if lines[i].kind == "text"]
        t = lines[above[-1]].text if above else ""
        if t and short(t) and re.search(r"[^\W\d_]", t) and not SENTENCE_END.search(t):
            heading[above[-1]] = not BULLET.match(t)

    # Menus before the first heading or text, footers after the last paragraph: page chrome.
    start = next((i for i in range(len(lines)) if heading[i] or paragraph(lines[i])), len(lines))
    end = _end_of_text(lines, heading, paragraph)
    if start >= end:  # no paragraph at all (a bare list): keep every line, drop nothing
        start, end = 0, len(lines)
    title = lines[start].text if start < len(lines) and heading[start] else None
    indents = [ln.indent for ln in lines if ln.kind == "text"]
    body = max(set(indents), key=indents.count)  # where the document's paragraphs start

    def item(i: int) -> bool:
        """A list item: a bullet, or (in PDFs whose bullet glyphs are lost) a line indented
        past the paragraphs that starts after the end of a paragraph, a ':' or a ';'."""
        ln, prev = lines[i], lines[i - 1] if i > 0 else None
        if ln.kind != "text" or heading[i]:
            return False
        if BULLET.match(ln.text):
            return True
        return ln.indent >= body + 2 and (
            prev is None or prev.kind == "blank" or bool(SENTENCE_END.search(prev.text))
        )

    items = [item(i) for i in range(len(lines))]
    text = _emit(
        lines[start:end], heading[start:end], items[start:end], short, body, title is not None
    )
    return text, title


def is_key_value(t: str) -> bool:
    match = _KEY_VALUE.match(t)
    return bool(match) and len(match.group(1).split()) <= 3


def _end_of_text(lines: list[Line], heading: list[bool], paragraph) -> int:
    """Index after the last block that is text, or that a heading introduces."""
    blocks: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if lines[i].kind == "blank":
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].kind != "blank":
            j += 1
        blocks.append((i, j))
        i = j
    end = 0
    for n, (a, b) in enumerate(blocks):
        introduced = any(heading[a:b]) or (n > 0 and heading[blocks[n - 1][1] - 1])
        if introduced or any(paragraph(ln) for ln in lines[a:b]):
            end = b
    return end


def _emit(
    lines: list[Line], heading: list[bool], items: list[bool], short, body: int, has_title: bool
) -> str:
    out: list[str] = []
    paragraph: list[str] = []
    in_item = False
    page = next((ln.page for ln in lines if ln.page is not None), None)
    mark = ""
    seen_heading = False
    after_title = False

    def flush() -> None:
        nonlocal in_item
        if paragraph:
            text = " ".join(paragraph)
            out.append(f"- {BULLET.sub('', text)}" if in_item else text)
            paragraph.clear()
        in_item = False

    for i, ln in enumerate(lines):
        if ln.page is not None and ln.page != page:
            page, mark = ln.page, PAGE_MARK.format(ln.page)
        if ln.kind == "blank":
            flush()
            continue
        if heading[i]:
            flush()
            if mark:
                out.append(mark)
                mark = ""
            if has_title and not seen_heading:
                out.append(f"# {ln.text}")
                after_title = True
            elif after_title and lines[i - 1].kind != "blank" and not NUMBERED.match(ln.text):
                after_title = False  # a subtitle right under the title: not a section
            else:
                after_title = False
                out.append(f"## {ln.text}")
            seen_heading = True
            continue
        after_title = False
        prev = lines[i - 1] if i > 0 else None
        kv = is_key_value(ln.text)
        joins = (
            paragraph
            and ln.kind == "text"
            and not items[i]
            and not kv
            and prev is not None
            and prev.kind == "text"
            and not is_key_value(prev.text)
            # "…areas:" then short lines: a list without bullets, one item a line.
            and not (prev.text.endswith(":") and short(ln.text))
            and (
                # An item goes on in lines indented past the text or after an unfinished line.
                (ln.indent > body or not SENTENCE_END.search(prev.text))
                if in_item
                else (
                    prev.page != ln.page  # a paragraph runs on to the next page
                    or not short(prev.text)
                    or bool(SENTENCE_END.search(prev.text))
                )
            )
        )
        if joins:
            last = paragraph[-1]
            if last.endswith("-") and ln.text[:1].islower():  # a word hyphenated at the line end
                paragraph[-1] = last[:-1] + mark + ln.text
            else:
                paragraph.append(mark + ln.text)
            mark = ""
            continue
        flush()
        if mark:
            out.append(mark)
            mark = ""
        if ln.kind == "text" and not kv:
            paragraph.append(ln.text)
            in_item = items[i]
        else:
            out.append(ln.text)
    flush()
    return "\n\n".join(_group_lists(out))


def _group_lists(out: list[str]) -> list[str]:
    # A lead-in ending in ":" and the list items, table rows or "label: value" lines of one run
    # stay on consecutive lines, so the chunker keeps them together.
    grouped: list[str] = []
    for item in out:
        if grouped and _listy(item) and _listy(grouped[-1].split("\n")[-1]):
            grouped[-1] += "\n" + item
        else:
            grouped.append(item)
    return grouped


def _listy(t: str) -> bool:
    return t.startswith("- ") or is_key_value(t) or t.endswith(":")
