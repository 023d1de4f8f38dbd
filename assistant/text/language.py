"""Whether a question is written in another language than the documents' English.

A question in another language is retrieved with the multilingual e5 ranking weighing most,
is not spell-fixed, is answered or not by the cross-language abstention model, and its quoted
answer carries a note that the quotes are in English. Two signals must agree, since each alone
misreads short questions: langdetect's character n-gram profiles name another language, and
most of the words are unknown to the embedding model's vocabulary and the corpus (langdetect
reads many short English questions, typos included, as another language, while their words
are known).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

_lock = threading.Lock()  # langdetect's factory is shared and not thread-safe while loading
_LETTERS = re.compile(r"[^\W\d_]+")


def detect(text: str, known: Callable[[str], bool] | None = None) -> str | None:
    """The language code of a question not in English, or None (English, or cannot tell)."""
    words = [w.lower() for w in _LETTERS.findall(text)]
    if not words:
        return None
    if known is not None and sum(map(known, words)) * 2 >= len(words):
        return None
    try:
        from langdetect import DetectorFactory, detect_langs
        from langdetect.lang_detect_exception import LangDetectException
    except ImportError:
        return None
    with _lock:
        DetectorFactory.seed = 0  # the same answer for the same question
        try:
            found = detect_langs(text)
        except LangDetectException:
            return None
    english = sum(x.prob for x in found if x.lang == "en")
    return found[0].lang if found[0].lang != "en" and english < 0.1 else None


def answer_language(code: str | None) -> str:
    """The language a reply is written in, by name, for a question read as `code` (English
    when it is not known)."""
    return name_of(code) if code else "English"


def name_of(code: str) -> str:
    """The English name of a language code ('nl' -> 'Dutch'); the code itself when unknown."""
    try:
        from babel import Locale, UnknownLocaleError
    except ImportError:
        return code
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name("en") or code
    except (UnknownLocaleError, ValueError):
        return code
