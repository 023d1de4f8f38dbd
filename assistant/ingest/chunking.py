"""Heading-aware splitting into Chunks with stable ids derived from their content.

The loaders' Markdown carries two kinds of marks that are not text: `<!-- url: ... -->` under a
heading gives that section (and its subsections) its own citation URL, and `<!-- page: N -->`
says where a PDF page begins. A chunk is cited with the page it starts on.
"""

from __future__ import annotations

import hashlib
import re

from langchain_core.documents import Document
from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from assistant.ingest.structure import PAGE_MARK_RE, URL_COMMENT_RE
from assistant.types import Chunk

SECTION_SEPARATOR = " › "
_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3"), ("####", "h4")]
# A link's target may hold balanced parentheses (wiki/Leiden_(city)) and a "title".
_LINK = re.compile(r"!?\[([^\]]*)\]\((?:<[^<>]*>|(?:[^()\s]|\([^()\s]*\))*)(?:\s+\"[^\"]*\")?\s*\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)(.+?)\1")
_ITALIC = re.compile(r"(?<![\w*])([*_])(?=\S)([^*_\n]+?)(?<=\S)\1(?![\w*])")
# Comment lines are not text; page marks are read (and removed) separately.
_COMMENT_LINE = re.compile(r"^[ \t]*<!--(?!\s*page:).*?-->[ \t]*$", re.M)


class Chunker:
    """Splits Documents by their Markdown headings, then long sections by paragraphs/sentences."""

    def __init__(self, chunk_size: int = 900, chunk_overlap: int = 150) -> None:
        self._headings = MarkdownHeaderTextSplitter(_HEADERS, strip_headers=True)
        self._pieces = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size,
            chunk_overlap=chunk_overlap,
            separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
            keep_separator="end",
        )

    def split(self, documents: list[Document]) -> list[Chunk]:
        chunks: list[Chunk] = []
        seen: set[str] = set()
        for doc in documents:
            page = doc.metadata.get("page")
            urls: dict[tuple[str, ...], str] = {}
            for path, section, text in self._sections(doc):
                url, text = _own_url(text)
                if url:
                    urls[path] = url
                else:
                    url = _inherited_url(urls, path) or doc.metadata.get("url") or None
                text, marks = _page_marks(_COMMENT_LINE.sub("", text))
                pos = 0
                for piece in self._pieces.split_text(text):
                    start = text.find(piece, pos)
                    start = pos if start < 0 else start
                    pos = start + 1
                    piece = piece.strip()
                    if not piece:
                        continue
                    at = next((p for off, p in reversed(marks) if off <= start), page)
                    chunk = _make_chunk(doc, section, piece, seen, url=url, page=at)
                    seen.add(chunk.id)
                    chunks.append(chunk)
                if marks:
                    page = marks[-1][1]  # the next section starts on the last page seen here
        return chunks

    def _sections(self, doc: Document) -> list[tuple[tuple[str, ...], str | None, str]]:
        title = doc.metadata.get("title", "")
        out = []
        for part in self._headings.split_text(_plain_markdown(doc.page_content)):
            path = [part.metadata[key] for _, key in _HEADERS if key in part.metadata]
            full = tuple(path)
            # The document's own H1 is its title; the section path starts below it.
            if path and path[0].strip().lower() == str(title).strip().lower():
                path = path[1:]
            section = SECTION_SEPARATOR.join(path) or None
            out.append((full, section, part.page_content))
        return out


def _own_url(text: str) -> tuple[str | None, str]:
    """A `<!-- url: ... -->` line right under the heading (blank lines allowed) and the rest."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        match = URL_COMMENT_RE.match(line)
        if match:
            return match.group(1), "\n".join(lines[:i] + lines[i + 1 :])
        break
    return None, text


def _inherited_url(urls: dict[tuple[str, ...], str], path: tuple[str, ...]) -> str | None:
    for n in range(len(path) - 1, -1, -1):
        if path[:n] in urls:
            return urls[path[:n]]
    return None


def _page_marks(text: str) -> tuple[str, list[tuple[int, int]]]:
    """Text without page marks, and (offset in that text, page) where each page begins."""
    out: list[str] = []
    marks: list[tuple[int, int]] = []
    length = last = 0
    for match in PAGE_MARK_RE.finditer(text):
        segment = text[last : match.start()]
        out.append(segment)
        length += len(segment)
        marks.append((length, int(match.group(1))))
        last = match.end()
        # The mark stood between two words: keep one space, not two.
        if (not segment or segment[-1].isspace()) and text[last : last + 1] in (" ", "\t"):
            last += len(text[last:]) - len(text[last:].lstrip(" \t"))
    out.append(text[last:])
    return "".join(out), marks


def strip_marks(text: str) -> str:
    """Document text without page and URL marks, for code that reads a Document's text as is."""
    return _page_marks(_COMMENT_LINE.sub("", text))[0]


def _plain_markdown(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    return _ITALIC.sub(r"\2", text)


def _make_chunk(
    doc: Document,
    section: str | None,
    text: str,
    seen: set[str],
    url: str | None = None,
    page: int | None = None,
) -> Chunk:
    meta = doc.metadata
    key = "\n".join([meta["source"], section or "", str(page or ""), text])
    chunk_id = hashlib.sha256(key.encode()).hexdigest()[:20]
    n = 2
    base = chunk_id
    while chunk_id in seen:  # the same text twice in one section keeps two distinct ids
        chunk_id = f"{base}-{n}"
        n += 1
    return Chunk(
        id=chunk_id,
        text=text,
        source=meta["source"],
        title=meta.get("title") or meta["source"],
        section=section,
        url=url,
        page=page,
        updated=meta.get("updated"),
    )
