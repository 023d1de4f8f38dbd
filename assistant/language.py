"""Which language a question is written in (langdetect's character n-gram profiles).

Only the wording of an abstention depends on it: a question in another language is told that
questions are read in English for now, instead of being told that the documents are silent.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()  # langdetect's factory is shared and not thread-safe while loading


def detect(text: str, min_probability: float = 0.9) -> str | None:
    """The language code when langdetect is confident, else None (short questions often are
    not enough to tell)."""
    try:
        from langdetect import DetectorFactory, detect_langs
        from langdetect.lang_detect_exception import LangDetectException
    except ImportError:
        return None
    with _lock:
        DetectorFactory.seed = 0  # the same answer for the same question
        try:
            best = detect_langs(text)[0]
        except LangDetectException:
            return None
    return best.lang if best.prob >= min_probability else None
