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
from dataclasses import dataclass

PAGE_MARK = "<!-- page: {} -->"
PAGE_MARK_RE = re.compile(r"<!-- page: (\d+) -->")
URL_COMMENT_RE = re.compile(r"^\s*<!--\s*url:\s*(\S+?)\s*-->\s*$")

_SOURCE_LINE = re.compile(r"^\s*(?:source|url)\s*:\s*<?(https?://[^\s>]+)>?\s*$", re.I)
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
# A list item: a bullet-like symbol (PDFs also give lost glyphs such as U+007F or private-use
# characters) or "a)" before the text.
_BULLET = re.compile(r"^\s*(?:[^\w\s\"'“‘(\[$€£#]|\(?[a-z]\))\s+")
_NUMBERED = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})*[.)]?\s+(?=\S)")
_KEY_VALUE = re.compile(r"^([A-Z][^:.!?]{0,40}):\s+\S")
_CELL_GAP = re.compile(r"\t+| {2,}")


@dataclass
class Line:
    text: str
    page: int | None = None
    kind: str = "text"  # text | blank | row (a table row already rendered)
    indent: int = 0  # leading spaces, measured when the line is read


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


# --- markers that clash with citation numbers -------------------------------------------------

# "[1]", "[12]", "[a]", "[citation needed]", "[*citation needed*]", also Markdown-escaped
# "\[1\]", when glued to the word or punctuation before them; never a Markdown link "[x](…)".
_FOOTNOTE = re.compile(
    r"(?<=[^\s\[(])\\?\[\s*(?:\d{1,3}|[a-z]|[*_]*[a-z][a-z ]{1,28}[*_]*)\s*\\?\](?!\()"
)
_MD_FOOTNOTE_REF = re.compile(r"\[\^[^\]\s]{1,20}\]")
_MD_FOOTNOTE_DEF = re.compile(r"^\[\^[^\]\s]{1,20}\]:.*$", re.M)
_SUP = re.compile(r"<sup>(.*?)</sup>", re.S)
# After a word of three letters or more, or punctuation: "km²" keeps its unit.
_UNICODE_SUP = re.compile(r"(?:(?<=[^\W\d_]{3})|(?<=[.,;:)\]]))[¹²³⁴⁵⁶⁷⁸⁹⁰]+")
# A bracketed word alone on a line or at the end of a heading: an "[edit]" link.
_BRACKET_LINE = re.compile(r"^[ \t]*\\?\[[^\[\]\n]{1,24}?\\?\][ \t]*$", re.M)
_HEADING_BRACKET = re.compile(r"^(#{1,6} .*?)\s*\\?\[[^\[\]\n]{1,24}?\\?\]\s*$", re.M)
_GLUED_DIGITS = re.compile(r"(?<=[a-z]{4})\d{1,2}(?=[\s.,;:]|$)", re.M)


def remove_markers(text: str, glued_digits: bool = False) -> str:
    """Drop footnote markers, edit links and Markdown footnotes; they are not the document's words.

    `glued_digits` also drops footnote numbers that a PDF's superscript leaves glued to a word
    ("School1 was"), which only PDF text produces.
    """
    text = _SUP.sub(lambda m: "" if _is_marker(m.group(1)) else m.group(1), text)
    text = _MD_FOOTNOTE_DEF.sub("", text)
    text = _MD_FOOTNOTE_REF.sub("", text)
    text = _HEADING_BRACKET.sub(r"\1", text)
    text = _BRACKET_LINE.sub("", text)
    text = _FOOTNOTE.sub("", text)
    text = _UNICODE_SUP.sub("", text)
    if glued_digits:
        text = _GLUED_DIGITS.sub("", text)
    return text


def _is_marker(inner: str) -> bool:
    inner = inner.strip().replace("\\", "")
    return bool(re.fullmatch(r"\[.*\]|\d{1,3}|[a-z*†‡§]", inner))


# --- tables -----------------------------------------------------------------------------------


def render_row(header: list[str], row: list[str]) -> str:
    """One table row as one line that names its columns: `- H1: c1; H2: c2`."""
    if len(header) == len(row) and any(header):
        parts = [f"{h}: {c}" if h else c for h, c in zip(header, row, strict=True) if c]
    else:
        parts = [c for c in row if c]
    return "- " + "; ".join(parts)


def pipe_tables(text: str) -> str:
    """Markdown pipe tables (also trafilatura's) become one line per row with its header.

    A table whose first row fills every cell and is followed by a `|---|` line has a header; a
    table without one (an infobox: label cells beside value cells) becomes `- Label: value`
    lines, with a row that names the table (one filled cell) kept as its lead-in.
    """
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith("|"):
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].lstrip().startswith("|"):
            j += 1
        out += _render_pipe_block(lines[i:j])
        i = j
    return "\n".join(out)


def _render_pipe_block(block: list[str]) -> list[str]:
    rows: list[tuple[list[str], bool]] = []  # cells, followed by a separator line
    for line in block:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if all(re.fullmatch(r":?-{2,}:?|", c) for c in cells):
            if rows:
                rows[-1] = (rows[-1][0], True)
            continue
        rows.append((cells, False))
    if not rows:
        return []
    first, separated = rows[0]
    if separated and len(first) >= 2 and all(first):
        return [render_row(first, cells) for cells, _ in rows[1:] if any(cells)]
    out = []
    for cells, _ in rows:
        filled = [c for c in cells if c]
        if len(filled) == 1 and not out:
            out.append(f"{filled[0]}:")  # the table's name, as the lead-in of its rows
        elif len(filled) == 2 and len(cells) == 2:
            out.append(f"- {filled[0]}: {filled[1]}")
        elif len(filled) >= 2:
            out.append(render_row([], filled))
    return out


def _split_cells(text: str) -> list[tuple[int, str]]:
    """Cells of a line laid out in columns (tabs or runs of spaces), with their start columns."""
    cells, pos = [], 0
    for part in _CELL_GAP.split(text):
        start = text.index(part, pos) if part else pos
        if part.strip():
            cells.append((start, part.strip()))
        pos = start + len(part)
    return cells


def layout_tables(lines: list[Line]) -> list[Line]:
    """Runs of lines laid out in the same columns become table rows rendered with their header.

    Tab-separated runs need two lines (header and a row); space-aligned runs, as PDF layout
    text gives them, need three lines whose columns start at the same places.
    """
    out: list[Line] = []
    i = 0
    while i < len(lines):
        cells = _split_cells(lines[i].text) if lines[i].kind == "text" else []
        if len(cells) < 2:
            out.append(lines[i])
            i += 1
            continue
        tabbed = "\t" in lines[i].text
        j = i + 1
        while j < len(lines) and lines[j].kind == "text":
            other = _split_cells(lines[j].text)
            if len(other) != len(cells) or ("\t" in lines[j].text) != tabbed:
                break
            # Layout text places columns only roughly (right-aligned numbers shift them).
            if not tabbed and any(
                abs(a - b) > max(4, 0.12 * a) for (a, _), (b, _) in zip(cells, other, strict=True)
            ):
                break
            j += 1
        if j - i < (2 if tabbed else 3):
            out.append(lines[i])
            i += 1
            continue
        header = [c for _, c in cells]
        for line in lines[i + 1 : j]:
            row = [c for _, c in _split_cells(line.text)]
            out.append(Line(render_row(header, row), line.page, "row"))
        i = j
    return out


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
        return bool(_BULLET.match(t) or _is_key_value(t) or _SENTENCE_END.search(t) or not short(t))

    def next_text(i: int) -> int | None:
        for j in range(i + 1, len(lines)):
            if lines[j].kind != "blank":
                return j
        return None

    heading = [False] * len(lines)

    def candidate(i: int) -> bool:
        ln = lines[i]
        t = ln.text
        if ln.kind != "text" or not short(t) or _BULLET.match(t) or _is_key_value(t):
            return False
        if not re.search(r"[^\W\d_]", t) or not (t[0].isupper() or t[0].isdigit()):
            return False
        prev = lines[i - 1] if i > 0 else None
        after_break = prev is None or prev.kind == "blank" or heading[i - 1]
        if t.endswith("?"):
            if not (_NUMBERED.match(t) or after_break):
                return False
        elif _SENTENCE_END.search(t) or t.endswith(","):
            return False
        # A heading follows the end of a paragraph, never the middle of one.
        return after_break or prev.kind == "row" or bool(_SENTENCE_END.search(prev.text))

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
        if t and short(t) and re.search(r"[^\W\d_]", t) and not _SENTENCE_END.search(t):
            heading[above[-1]] = not _BULLET.match(t)

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
        if _BULLET.match(ln.text):
            return True
        return ln.indent >= body + 2 and (
            prev is None or prev.kind == "blank" or bool(_SENTENCE_END.search(prev.text))
        )

    items = [item(i) for i in range(len(lines))]
    text = _emit(
        lines[start:end], heading[start:end], items[start:end], short, body, title is not None
    )
    return text, title


def _is_key_value(t: str) -> bool:
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
            out.append(f"- {_BULLET.sub('', text)}" if in_item else text)
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
            elif after_title and lines[i - 1].kind != "blank" and not _NUMBERED.match(ln.text):
                after_title = False  # a subtitle right under the title: not a section
            else:
                after_title = False
                out.append(f"## {ln.text}")
            seen_heading = True
            continue
        after_title = False
        prev = lines[i - 1] if i > 0 else None
        kv = _is_key_value(ln.text)
        joins = (
            paragraph
            and ln.kind == "text"
            and not items[i]
            and not kv
            and prev is not None
            and prev.kind == "text"
            and not _is_key_value(prev.text)
            # "…areas:" then short lines: a list without bullets, one item a line.
            and not (prev.text.endswith(":") and short(ln.text))
            and (
                # An item goes on in lines indented past the text or after an unfinished line.
                (ln.indent > body or not _SENTENCE_END.search(prev.text))
                if in_item
                else (
                    prev.page != ln.page  # a paragraph runs on to the next page
                    or not short(prev.text)
                    or bool(_SENTENCE_END.search(prev.text))
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
    return t.startswith("- ") or _is_key_value(t) or t.endswith(":")


# --- reference sections -----------------------------------------------------------------------

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
            if (_BULLET.match(ln) or _NUMBERED.match(ln))
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
        if bold and not _SENTENCE_END.search(bold.group(2).strip().rstrip("?")):
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
            and not _BULLET.match(line)
            and not line.startswith("|")
            and not _SENTENCE_END.search(line)
            and not _is_key_value(line)
            and following
            and not _HEADING.match(following)
            and bool(_SENTENCE_END.search(following.split("\n")[0]))
        ):
            out.append(f"{'#' * min(level + 1, 4)} {line}")
            continue
        out.append(block)
    return "\n\n".join(out)
