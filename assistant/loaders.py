"""Files -> LangChain Documents: Markdown with front matter, plain text, HTML main text, PDF pages.

Each loader raises LoadError with one sentence when a file cannot be read; ingestion reports it
and goes on with the other files.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml
from langchain_core.documents import Document

from .errors import LoadError

SUPPORTED = {".md", ".markdown", ".txt", ".html", ".htm", ".pdf"}
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)


def load_file(path: Path, root: Path, max_bytes: int | None = None) -> list[Document]:
    """Read one file into Documents whose metadata carries source, title, url, updated, page."""
    source = path.relative_to(root).as_posix()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise LoadError(f"unsupported file type '{suffix or path.name}'")
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise LoadError(f"file is too large ({size / 1e6:.1f} MB)")
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"cannot read the file ({exc.strerror or exc})") from exc
    if not data.strip():
        raise LoadError("file is empty")
    base = {"source": source, "updated": _mtime(path)}
    if suffix == ".pdf":
        return _load_pdf(data, base, path)
    if b"\x00" in data[:8192]:
        raise LoadError("file is binary, not text")
    if suffix in {".html", ".htm"}:
        return [_load_html(data, base, path)]
    text = _decode(data)
    if suffix == ".txt":
        return [_document(text, {**base, "title": _title_from_text(text, path), "url": ""})]
    return [_load_markdown(text, base, path)]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"file is not valid UTF-8 text (bad byte at offset {exc.start})") from exc


def _document(text: str, metadata: dict) -> Document:
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise LoadError("file has no text")
    return Document(page_content=text, metadata=metadata)


def _load_markdown(text: str, base: dict, path: Path) -> Document:
    meta: dict = {}
    match = _FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if match:
        try:
            meta = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            raise LoadError("front matter is not valid YAML") from exc
        if not isinstance(meta, dict):
            raise LoadError("front matter is not a set of 'key: value' lines")
        text = text.replace("\r\n", "\n")[match.end() :]
    title = str(meta.get("title") or _title_from_text(text, path))
    updated = meta.get("updated")
    return _document(
        text,
        {
            **base,
            "title": title,
            "url": str(meta.get("url") or ""),
            "updated": str(updated) if updated else base["updated"],
            "origin": str(meta.get("source") or ""),
        },
    )


def _load_html(data: bytes, base: dict, path: Path) -> Document:
    import trafilatura

    try:
        text = trafilatura.extract(
            data, output_format="markdown", include_comments=False, include_tables=True
        )
        meta = trafilatura.extract_metadata(data)
    except Exception as exc:  # trafilatura raises many lxml errors on broken markup
        raise LoadError(f"HTML could not be parsed ({type(exc).__name__})") from exc
    if not text or not text.strip():
        raise LoadError("HTML page has no main text")
    title = (meta.title if meta and meta.title else None) or _title_from_text(text, path)
    url = meta.url if meta and meta.url and meta.url.startswith("http") else ""
    updated = meta.date if meta and meta.date else base["updated"]
    return _document(text, {**base, "title": title, "url": url, "updated": updated})


def _load_pdf(data: bytes, base: dict, path: Path) -> list[Document]:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # we report damage ourselves
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [(i + 1, page.extract_text() or "") for i, page in enumerate(reader.pages)]
        info_title = reader.metadata.title if reader.metadata else None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError("not a readable PDF (damaged or truncated)") from exc
    except Exception as exc:  # pypdf raises assorted errors on damaged files
        raise LoadError(f"not a readable PDF ({type(exc).__name__})") from exc
    pages = [(n, _clean_pdf_text(t)) for n, t in pages if t.strip()]
    if not pages:
        raise LoadError("PDF has no extractable text (scanned images?)")
    title = str(info_title or _title_from_text(pages[0][1], path))
    return [
        Document(page_content=t, metadata={**base, "title": title, "url": "", "page": n})
        for n, t in pages
    ]


def _clean_pdf_text(text: str) -> str:
    # PDF text breaks lines mid-sentence; join them, keep blank lines as paragraph breaks.
    text = re.sub(r"-\n(?=[a-z])", "", text)
    text = re.sub(r"(?<!\n)\n(?!\n)", " ", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _title_from_text(text: str, path: Path) -> str:
    match = _H1.search(text)
    if match:
        return match.group(1).strip()
    return path.stem.replace("-", " ").replace("_", " ").strip().capitalize() or path.name


def _mtime(path: Path) -> str:
    return dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
