"""Heading-aware splitting into Chunks with stable ids derived from their content."""

from __future__ import annotations

import hashlib
import re

from langchain_core.documents import Document
from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from .models import Chunk

SECTION_SEPARATOR = " › "
_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3"), ("####", "h4")]
# A link's target may hold balanced parentheses (wiki/Leiden_(city)) and a "title".
_LINK = re.compile(r"!?\[([^\]]*)\]\((?:<[^<>]*>|(?:[^()\s]|\([^()\s]*\))*)(?:\s+\"[^\"]*\")?\s*\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)(.+?)\1")


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
            for section, text in self._sections(doc):
                for piece in self._pieces.split_text(text):
                    piece = piece.strip()
                    if not piece:
                        continue
                    chunk = _make_chunk(doc, section, piece, seen)
                    seen.add(chunk.id)
                    chunks.append(chunk)
        return chunks

    def _sections(self, doc: Document) -> list[tuple[str | None, str]]:
        title = doc.metadata.get("title", "")
        out = []
        for part in self._headings.split_text(_plain_markdown(doc.page_content)):
            path = [part.metadata[key] for _, key in _HEADERS if key in part.metadata]
            # The document's own H1 is its title; the section path starts below it.
            if path and path[0].strip().lower() == str(title).strip().lower():
                path = path[1:]
            section = SECTION_SEPARATOR.join(path) or None
            out.append((section, part.page_content))
        return out


def _plain_markdown(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    return _EMPHASIS.sub(r"\2", text)


def _make_chunk(doc: Document, section: str | None, text: str, seen: set[str]) -> Chunk:
    meta = doc.metadata
    key = "\n".join([meta["source"], section or "", str(meta.get("page") or ""), text])
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
        url=meta.get("url") or None,
        page=meta.get("page"),
        updated=meta.get("updated"),
    )
