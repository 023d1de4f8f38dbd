"""Words: one tokenizer (lower case, English stop words, Snowball stems) for BM25 and overlap."""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache
from pathlib import Path

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from assistant.text.resources import language

_WORD = re.compile(r"\w+", re.UNICODE)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
# bm25s's English list is short (33 words); the English resource file adds pronouns,
# auxiliaries and question words.
_STOP = frozenset(STOPWORDS_EN) | language("en").stop_words
_stemmer = Stemmer.Stemmer("english")


def is_stop_word(word: str) -> bool:
    return word.lower() in _STOP


@lru_cache(maxsize=8192)
def tokenize(text: str) -> tuple[str, ...]:
    words = [
        w for w in _WORD.findall(text.lower()) if w not in _STOP and (len(w) > 1 or w.isdigit())
    ]
    return tuple(_stemmer.stemWords(words))


def content_words(text: str) -> dict[str, str]:
    """The text's words that tokenize keeps, each with its stem: {stem: first surface form}."""
    words = [
        w for w in _WORD.findall(text.lower()) if w not in _STOP and (len(w) > 1 or w.isdigit())
    ]
    out: dict[str, str] = {}
    for word, stem in zip(words, _stemmer.stemWords(words), strict=True):
        out.setdefault(stem, word)
    return out


class Bm25Index:
    """BM25 over chunk texts (bm25s), saved beside the Chroma data of one index generation."""

    def __init__(self, retriever, ids: list[str]) -> None:
        self._retriever = retriever
        self.ids = ids

    @classmethod
    def build(cls, ids: list[str], texts: list[str]) -> Bm25Index:
        import bm25s

        retriever = bm25s.BM25()
        if texts:
            retriever.index([list(tokenize(t)) or [""] for t in texts], show_progress=False)
        return cls(retriever, list(ids))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.ids:
            self._retriever.save(str(folder), show_progress=False)
        (folder / "ids.json").write_text(json.dumps(self.ids))

    @classmethod
    def load(cls, folder: Path) -> Bm25Index:
        import bm25s

        ids = json.loads((folder / "ids.json").read_text())
        retriever = bm25s.BM25.load(str(folder), show_progress=False) if ids else None
        return cls(retriever, ids)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        tokens = list(tokenize(query))
        if not tokens or not self.ids:
            return []
        k = min(k, len(self.ids))
        docs, scores = self._retriever.retrieve([tokens], k=k, show_progress=False)
        return [
            (self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0
        ]

    def knows(self, term: str) -> bool:
        """Whether the corpus uses this stem, or a longer form of it (a stem of six letters or
        more that begins a word of the corpus)."""
        vocab = getattr(self._retriever, "vocab_dict", None) or {}
        if term in vocab:
            return True
        return len(term) >= 6 and any(v.startswith(term[:6]) for v in self._prefixes(term[:3]))

    @lru_cache(maxsize=4096)  # noqa: B019 - computed once per loaded index
    def _prefixes(self, start: str) -> tuple[str, ...]:
        vocab = getattr(self._retriever, "vocab_dict", None) or {}
        return tuple(v for v in vocab if v.startswith(start))

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term; an unseen term weighs as much as the
        rarest seen one (df = 1), so one unknown word does not drown the rest."""
        import math

        n = len(self.ids) or 1
        vocab = getattr(self._retriever, "vocab_dict", None) or {}
        df = 1
        if term in vocab:
            df = max(1, int(self._document_frequencies()[vocab[term]]))
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    @lru_cache(maxsize=1)  # noqa: B019 - computed once per loaded index
    def _document_frequencies(self):
        import numpy as np

        # bm25s keeps a CSC matrix with one column a term: a column's length is its df.
        return np.diff(np.asarray(self._retriever.scores["indptr"]))
