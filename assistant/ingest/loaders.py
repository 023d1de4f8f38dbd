"""Files -> LangChain Documents: Markdown with front matter, plain text, HTML main text, PDFs.

Every format comes out as the same light Markdown (see structure.py), with metadata a citation
needs: a title a person would use, the URL where the text is published and the date it was last
modified, when the file says so. Each loader raises LoadError with one sentence when a file cannot
be read; ingestion reports it and goes on with the other files.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from langchain_core.documents import Document

from assistant.errors import LoadError
from assistant.ingest import markers, sections, tables
from assistant.ingest import structure as ts
from assistant.ingest.html import iso_day, strip_site_name

SUPPORTED = {".md", ".markdown", ".txt", ".html", ".htm", ".pdf"}
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
# File-name-like titles that word processors and PDF tools write when nobody sets a title.
_FILE_NAME = re.compile(r"\.[A-Za-z0-9]{2,5}$|[\\/]|^\S*_\S*$")


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
    base = {"source": source}
    if suffix == ".pdf":
        return [_load_pdf(data, base, path)]
    if b"\x00" in data[:8192]:
        raise LoadError("file is binary, not text")
    if suffix in {".html", ".htm"}:
        return [_load_html(data, base, path)]
    text = _decode(data).replace("\r\n", "\n")
    if suffix == ".txt":
        return [_load_text(text, base, path)]
    return [_load_markdown(text, base, path)]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"file is not valid UTF-8 text (bad byte at offset {exc.start})") from exc


def _document(text: str, metadata: dict) -> Document:
    text = re.sub(r"\n{3,}", "\n\n", text.replace("\r\n", "\n")).strip()
    if not text or not ts.PAGE_MARK_RE.sub("", text).strip():
        raise LoadError("file has no text")
    return Document(page_content=text, metadata=metadata)


def _load_markdown(text: str, base: dict, path: Path) -> Document:
    meta: dict = {}
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            meta = yaml.safe_load(match.group(1)) or {}
        except yaml.YAMLError as exc:
            raise LoadError("front matter is not valid YAML") from exc
        if not isinstance(meta, dict):
            raise LoadError("front matter is not a set of 'key: value' lines")
        text = text[match.end() :]
    url, text = ts.take_source_line(text)
    text = _clean_markdown(text)
    updated = meta.get("updated")
    return _document(
        text,
        {
            **base,
            "title": str(meta.get("title") or "").strip() or _first_heading_or_line(text, path),
            "url": str(meta.get("url") or url or ""),
            "updated": iso_day(str(updated)) or str(updated) if updated else "",
            "origin": str(meta.get("source") or ""),
            "contact": " ".join(str(meta.get("contact") or "").split()),
        },
    )


def _clean_markdown(text: str, glued_digits: bool = False) -> str:
    text = markers.remove_markers(text, glued_digits=glued_digits)
    text = tables.pipe_tables(text)
    text = sections.bold_lines_to_headings(text)
    return sections.drop_reference_sections(text)


def _load_text(text: str, base: dict, path: Path) -> Document:
    url, text = ts.take_source_line(text)
    text = markers.remove_markers(text)
    markdown, heading = ts.structure_plain_text([ts.Line(line) for line in text.split("\n")])
    markdown = sections.drop_reference_sections(markdown)
    title = heading or _first_heading_or_line(markdown, path)
    return _document(markdown, {**base, "title": title, "url": url, "updated": ""})


def _load_html(data: bytes, base: dict, path: Path) -> Document:
    import trafilatura

    from assistant.ingest.html import prepare

    try:
        cleaned, meta = prepare(data)
        # Main text only (no menus, banners, footers). Its metadata is not used: trafilatura
        # guesses dates from the text (a founding year becomes "updated").
        text = trafilatura.extract(
            cleaned, output_format="markdown", include_comments=False, include_tables=True
        )
    except Exception as exc:  # trafilatura and lxml raise many errors on broken markup
        raise LoadError(f"HTML could not be parsed ({type(exc).__name__})") from exc
    if not text or not text.strip():
        raise LoadError("HTML page has no main text")
    text = sections.standalone_lines_to_headings(_drop_kickers(_clean_markdown(text)))
    heading = _HEADING.search(text)
    if heading:
        # An infobox named like the page needs no lead-in: the title already says whose rows
        # they are, and a lone "<page title>:" line would read as a sentence.
        text = re.sub(rf"(?m)^{re.escape(heading.group(1).strip())}:\n(?=- )", "", text)
    title = meta.title or _first_heading_or_line(text, path)
    return _document(text, {**base, "title": title, "url": meta.url, "updated": meta.updated})


def _drop_kickers(text: str) -> str:
    """Short labels above a page's first heading (a section name, "News") are not text."""
    lines = text.split("\n")
    first = next((i for i, ln in enumerate(lines) if _HEADING.match(ln)), 0)
    head = [
        ln
        for ln in lines[:first]
        if len(ln) > 60 or ln.startswith(("- ", "|")) or re.search(r"[.!?]\s*$", ln)
    ]
    return "\n".join(head + lines[first:])


def _load_pdf(data: bytes, base: dict, path: Path) -> Document:
    """One Document for the whole PDF, with `<!-- page: N -->` where each page begins.

    Reading the pages as one text keeps a sentence that runs across a page break whole; the
    marks let each chunk still give the page it starts on.
    """
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # we report damage ourselves
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [_page_text(page) for page in reader.pages]
        info = reader.metadata or {}
        info_title = str(info.get("/Title") or "").strip()
        modified = str(info.get("/ModDate") or info.get("/CreationDate") or "")
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError("not a readable PDF (damaged or truncated)") from exc
    except Exception as exc:  # pypdf raises assorted errors on damaged files
        raise LoadError(f"not a readable PDF ({type(exc).__name__})") from exc
    if not any(t.strip() for t in pages):
        raise LoadError("PDF has no extractable text (scanned images?)")
    lines, running = _pdf_lines(pages)
    for line in lines:
        line.text = markers.remove_markers(line.text, glued_digits=True)
    markdown, heading = ts.structure_plain_text(lines)
    markdown = sections.drop_reference_sections(markdown)
    if _real_title(info_title, markdown):
        title = strip_site_name(info_title, heading or "")
    else:
        title = heading or _first_heading_or_line(markdown, path)
    # A browser's print of a web page repeats the page's address in its running footer.
    urls = [m.group(0) for line in running for m in [re.search(r"https?://\S+", line)] if m]
    first_page = next((n for n, t in enumerate(pages, start=1) if t.strip()), 1)
    return _document(
        markdown,
        {
            **base,
            "title": title,
            "url": urls[0] if urls else "",
            "updated": _pdf_date(modified),
            "page": first_page,
        },
    )


def _page_text(page) -> str:
    # Layout mode keeps blank lines between paragraphs and the columns of tables.
    try:
        return page.extract_text(extraction_mode="layout") or ""
    except Exception:  # layout mode fails on some fonts; plain mode still gives the words
        return page.extract_text() or ""


def _pdf_lines(pages: list[str]) -> tuple[list[ts.Line], list[str]]:
    """Lines of all pages without running headers, footers and page numbers, left margin cut;
    and the running lines that were removed."""
    split = [[ln.rstrip() for ln in text.split("\n")] for text in pages]
    edges: dict[str, set[int]] = {}
    for n, page in enumerate(split):
        filled = [ln for ln in page if ln.strip()]
        for ln in filled[:2] + filled[-2:]:
            edges.setdefault(_edge_key(ln), set()).add(n)
    counted = len([p for p in split if any(ln.strip() for ln in p)])
    repeated = {k for k, seen in edges.items() if counted >= 2 and len(seen) >= max(2, counted / 2)}
    lines: list[ts.Line] = []
    running = [ln for ln in (split[0] if split else []) if ln.strip() and _edge_key(ln) in repeated]
    for n, page in enumerate(split, start=1):
        body = [
            ln
            for ln in page
            if not ln.strip()
            or (_edge_key(ln) not in repeated and not re.fullmatch(r"\W*\d{1,4}\W*", ln.strip()))
        ]
        if not any(ln.strip() for ln in body):
            continue
        margin = min(len(ln) - len(ln.lstrip()) for ln in body if ln.strip())
        body = [ln[margin:] if ln.strip() else "" for ln in body]
        while not body[0].strip():
            body.pop(0)
        while not body[-1].strip():
            body.pop()
        lines += [ts.Line(ln, n) for ln in body]
    return lines, running


def _edge_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def _pdf_date(value: str) -> str:
    match = re.match(r"D:(\d{4})(\d{2})(\d{2})", value)
    return iso_day("-".join(match.groups())) if match else ""


def _real_title(title: str, text: str) -> bool:
    """False for what PDF tools write when nobody set a title ("Microsoft Word - x.docx")."""
    if not title or not re.search(r"[^\W\d_]", title):
        return False
    if title.startswith("(") and title.endswith(")"):  # "(anonymous)", "(untitled)"
        return False
    if _FILE_NAME.search(title):
        return False
    # A one-word title that the document never uses ("Untitled", "Document1") is a placeholder.
    return " " in title or title.lower() in text.lower()


def _first_heading_or_line(text: str, path: Path) -> str:
    match = _HEADING.search(text)
    if match:
        return match.group(1).strip()
    for line in text.split("\n"):
        line = ts.PAGE_MARK_RE.sub("", line).strip().lstrip("-* ").strip()
        if re.search(r"[^\W\d_]", line):
            return line if len(line) <= 80 else line[:80].rsplit(" ", 1)[0] + " …"
    return path.stem.replace("-", " ").replace("_", " ").strip().capitalize() or path.name
