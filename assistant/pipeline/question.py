"""Reading the question: the text to search with, its language, typos, and the conversation.

A question is cleaned (markup and control characters out, length checked), its language told
(text/language.py), spell-fixed when it is English (the fixer knows English words and would bend
Dutch ones into them), and a follow-up is also read together with the question before it.
"""

from __future__ import annotations

import re
import time

from assistant.errors import QuestionError
from assistant.types import Query, Request, Turn

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


def clean_question(question: str, max_chars: int) -> str:
    """The question as text to search with; empty and over-long questions are refused."""
    if len(question) > max_chars:
        raise QuestionError(
            f"The question is too long ({len(question):,} characters; the limit is {max_chars:,})."
        )
    # Markup pasted with a question is not part of it: scripts go whole, tags go, text stays.
    raw = " ".join(_CONTROL.sub(" ", question).split())
    text = " ".join(_TAG.sub(" ", _SCRIPT.sub(" ", raw)).split()) or raw
    if not text:
        raise QuestionError("Please type a question.")
    return text


def too_short_to_tell(text: str) -> bool:
    """Whether a text has too few letters for character n-gram language detection, which is
    unreliable below about twenty."""
    return sum(ch.isalpha() for ch in text) < 20


def language_of(text: str, speller) -> str | None:
    """The ISO code of the text's language when it is not English; None for English."""
    from assistant.text.language import detect

    # The model's WordPiece vocabulary holds many short words of other languages as whole
    # tokens (Dutch "de", "het", "wie"); its longer words are mostly English.
    return detect(text, lambda w: w in speller.words or (len(w) >= 4 and w in speller.dictionary))


def turns_of(history: list[Turn | str]) -> list[Turn]:
    turns = [t if isinstance(t, Turn) else Turn(question=str(t)) for t in history]
    return [t for t in turns if t.question.strip()]


def read_question(request: Request, max_chars: int, speller) -> Query:
    """The question as the pipeline reads it (a Query), with the time it took."""
    started = time.perf_counter()
    question = clean_question(request.question, max_chars)
    asked = question
    turns = turns_of(request.history)
    language = language_of(question, speller)
    if turns and too_short_to_tell(question):
        # Each question is read in its own language; only one too short for the detector to
        # tell is read in the language of the question before it.
        language = language_of(turns[-1].question, speller)
    fix = speller.fix if language is None else (lambda text: text)
    question = fix(question)
    contextual = f"{fix(turns[-1].question)} {question}" if turns else None
    return Query(
        question=question,
        asked=asked,
        turns=turns,
        contextual=contextual,
        language=language,
        started=started,
        timings_ms={"read": round((time.perf_counter() - started) * 1000, 2)},
    )
