"""Typo repair for questions: words that are neither in the corpus nor in the model's English
vocabulary are replaced by the nearest corpus word within one or two edits (an adjacent swap
counts as one: optimal string alignment, from rapidfuzz), the more frequent on a tie."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import OSA

_WORD = re.compile(r"[A-Za-z]+")


class SpellFixer:
    def __init__(self, corpus_words: dict[str, int], dictionary: frozenset[str]) -> None:
        self.words = corpus_words
        self.dictionary = dictionary
        self._by_initial: dict[str, list[str]] = {}
        for w in corpus_words:
            self._by_initial.setdefault(w[0], []).append(w)

    @classmethod
    def load(cls, vocab_file: Path, model_dir: Path | None) -> SpellFixer:
        import json

        words = json.loads(vocab_file.read_text()) if vocab_file.is_file() else {}
        return cls(words, model_dictionary(model_dir))

    def fix(self, text: str) -> str:
        return _WORD.sub(lambda m: self._fix_word(m.group(0)), text)

    def _fix_word(self, word: str) -> str:
        low = word.lower()
        if len(low) < 4 or low in self.words or low in self.dictionary:
            return word
        best = self._nearest(low)
        return best if best else word

    @lru_cache(maxsize=4096)  # noqa: B019 - one fixer per loaded index
    def _nearest(self, low: str) -> str | None:
        limit = 1 if len(low) <= 6 else 2
        best, best_key = None, None
        for cand in self._by_initial.get(low[0], ()):
            if abs(len(cand) - len(low)) > limit:
                continue
            if limit == 2 and cand[:2] != low[:2]:
                continue
            d = OSA.distance(low, cand, score_cutoff=limit)
            if d <= limit:
                key = (d, -self.words[cand])
                if best_key is None or key < best_key:
                    best, best_key = cand, key
        return best


def corpus_vocabulary(texts: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for text in texts:
        for w in _WORD.findall(text.lower()):
            if len(w) >= 2:
                counts[w] = counts.get(w, 0) + 1
    return counts


def model_dictionary(model_dir: Path | None) -> frozenset[str]:
    """The whole words of the model's WordPiece vocabulary: a list of real English words."""
    if model_dir is None or not (model_dir / "vocab.txt").is_file():
        return frozenset()
    words = (model_dir / "vocab.txt").read_text(encoding="utf-8").split("\n")
    return frozenset(w for w in words if w.isalpha() and w.islower())
