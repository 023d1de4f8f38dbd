"""Footnote and reference markers that would clash with the assistant's citation numbers
("[1]", "[citation needed]", superscripts, Markdown footnotes), taken out of a text."""

from __future__ import annotations

import re

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
