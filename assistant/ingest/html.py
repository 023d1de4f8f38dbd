"""An HTML page's citation metadata and its clean-up before main-text extraction.

The page's own markup says what a reader would call it (`<title>` less the site's name), where it
lives (canonical link) and when it last changed (`dateModified`, `last-modified` meta). Footnote
markers, edit links and citation lists are recognised by their markup (in-page links, bracketed
links, lists of outside links), which the extracted text no longer shows.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from email.utils import parsedate_to_datetime
from urllib.parse import urlparse

from pydantic import BaseModel

_SEPARATORS = re.compile(r"\s+[-|–—·:•»]\s+")
_BRACKETED = re.compile(r"^\s*\[[^\[\]]{1,30}\]\s*$")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_MODIFIED_META = (
    ("property", "article:modified_time"),
    ("property", "og:updated_time"),
    ("name", "last-modified"),
    ("http-equiv", "last-modified"),
    ("name", "dcterms.modified"),
    ("name", "dc.date.modified"),
    ("itemprop", "dateModified"),
)


class PageMeta(BaseModel):
    title: str = ""
    url: str = ""
    updated: str = ""


def prepare(data: bytes) -> tuple[bytes, PageMeta]:
    """Metadata of the page, and the page without footnote markers, edit links and citations."""
    from lxml import etree
    from lxml import html as lhtml

    try:
        parser = lhtml.HTMLParser(encoding=encoding_of(data))
        root = lhtml.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):
        return data, PageMeta()
    meta = PageMeta(title=_title(root), url=_canonical(root), updated=_modified(root))
    _drop_markers(root)
    _drop_citation_sections(root, urlparse(meta.url).netloc)
    return lhtml.tostring(root, encoding="utf-8"), meta


_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def encoding_of(data: bytes) -> str:
    """How the page's bytes are to be read, as a browser reads a saved page: its byte-order
    mark, else the charset its markup declares, else UTF-8 when the bytes are valid UTF-8,
    else Windows-1252. (Left to itself, lxml reads an undeclared page as Latin-1, so a UTF-8
    "€350" became "â¬350".)"""
    import codecs

    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    declared = _DECLARED.search(data[:4096])
    if declared:
        try:
            return codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            pass
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _text(el) -> str:
    return " ".join(el.text_content().split())


def _title(root) -> str:
    title = " ".join(root.findtext(".//title", "").split())
    og = _meta(root, "property", "og:title")
    h1 = next((_text(h) for h in root.iter("h1") if _text(h)), "")
    site = _meta(root, "property", "og:site_name")
    for candidate in (title, og):
        if candidate:
            return strip_site_name(candidate, h1, site)
    return h1


def strip_site_name(title: str, heading: str, site: str = "") -> str:
    """ "Page - Site" -> the part that is the page's own heading, else all but the site's name."""
    parts = [p for p in _SEPARATORS.split(title) if p]
    if heading and heading in parts:
        return heading
    if site and site in parts and len(parts) > 1:
        return " - ".join(p for p in parts if p != site)
    return title


def _meta(root, attr: str, value: str) -> str:
    for el in root.iter("meta"):
        if (el.get(attr) or "").lower() == value.lower() and el.get("content"):
            return el.get("content").strip()
    return ""


def _canonical(root) -> str:
    for el in root.iter("link"):
        rel = (el.get("rel") or "").lower().split()
        if "canonical" in rel and (el.get("href") or "").startswith("http"):
            return el.get("href").strip()
    og = _meta(root, "property", "og:url")
    return og if og.startswith("http") else ""


def _modified(root) -> str:
    """A real modification date from the markup, never a date guessed from the text."""
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json":
            continue
        try:
            found = _find_key(json.loads(script.text or ""), "dateModified")
        except ValueError:
            continue
        if found and (day := iso_day(found)):
            return day
    for attr, value in _MODIFIED_META:
        if day := iso_day(_meta(root, attr, value)):
            return day
    for el in root.iter("time"):
        if el.get("itemprop") == "dateModified" and (day := iso_day(el.get("datetime") or "")):
            return day
    return ""


def _find_key(obj, key: str):
    if isinstance(obj, dict):
        if isinstance(obj.get(key), str):
            return obj[key]
        obj = list(obj.values())
    if isinstance(obj, list):
        for item in obj:
            if (found := _find_key(item, key)) is not None:
                return found
    return None


def iso_day(value: str) -> str:
    """'2026-10-03T11:20:41Z' or an HTTP date -> '2026-10-03'; '' when it is not a date."""
    value = (value or "").strip()
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    try:
        if match:
            return dt.date(*map(int, match.groups())).isoformat()
        if value:
            return parsedate_to_datetime(value).date().isoformat()
    except (ValueError, TypeError):
        pass
    return ""


def _drop_markers(root) -> None:
    # Footnote markers: superscripts that link inside the page or read "[…]".
    for sup in list(root.iter("sup")):
        links = [a.get("href") or "" for a in sup.iter("a")]
        if any(h.startswith("#") for h in links) or _BRACKETED.match(sup.text_content()):
            _drop(sup)
    # Edit links and the like: a link whose whole visible text is one bracketed word or two.
    for el in list(root.iter("span", "a", "small")):
        if el.getparent() is None:
            continue
        has_link = el.tag == "a" or el.find(".//a") is not None
        if has_link and _BRACKETED.match(el.text_content()):
            _drop(el)


def _drop(el) -> None:
    el.drop_tree()  # keeps the tail text (the words after the marker)


def _drop_citation_sections(root, host: str) -> None:
    """Drop a section whose body is mostly a list of citations or outside links."""
    for heading in list(root.iter(*_HEADINGS)):
        if heading.getparent() is None:
            continue
        level = int(heading.tag[1])
        anchor = heading
        parent = heading.getparent()
        # Some sites wrap a heading in a div of its own; the section's body follows the wrapper.
        if parent is not None and parent.tag == "div" and _text(parent) == _text(heading):
            anchor = parent
        body = []
        for sib in anchor.itersiblings():
            if not isinstance(sib.tag, str):
                continue
            inner = [sib] if sib.tag in _HEADINGS else list(sib.iter(*_HEADINGS))
            if any(int(h.tag[1]) <= level for h in inner):
                break
            if sib.tag != "nav" and sib.get("role") != "navigation":  # menus are not the body
                body.append(sib)
        items = [li for el in body for li in el.iter("li")]
        if not items:
            continue
        total = sum(len(_text(el)) for el in body) or 1
        listed = sum(len(_text(li)) for li in items)
        cited = [li for li in items if _is_citation(li, host)]
        if listed >= 0.6 * total and len(cited) >= 0.6 * len(items):
            for el in body:
                el.drop_tree()
            anchor.drop_tree()


def _is_citation(li, host: str) -> bool:
    if li.find(".//cite") is not None:
        return True
    for a in li.iter("a"):
        href = a.get("href") or ""
        if href.startswith("#"):
            return True  # a back-link from a note to the text
        netloc = urlparse(href).netloc
        if href.startswith("http") and netloc and netloc != host:
            return True
    return False
