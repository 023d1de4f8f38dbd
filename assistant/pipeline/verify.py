"""Citation checks shared by every answerer: each sentence cited, and supported by its citation."""

from __future__ import annotations

import re

from pydantic import BaseModel

from assistant.text.resources import instruction_pattern
from assistant.types import Evidence

_SPACE = re.compile(r"\s+")
_MARKER = re.compile(r"\s*\[(\d+)\]")
_MARKERS = re.compile(r"((?:\s*\[\d+\])+)")
_MARKER_BEFORE_STOP = re.compile(r"\s*((?:\[\d+\]\s*)+)([.!?])")


class CitedSentence(BaseModel):
    text: str
    chunk_id: str | None
    quote: str | None = None


class Verdict(BaseModel):
    kept: list[CitedSentence]
    removed: list[tuple[str, str]]  # (sentence, reason)


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text).strip()


def quoted_in(quote: str, chunk_text: str) -> bool:
    return normalise(quote) in normalise(chunk_text)


def verify(sentences: list[CitedSentence], evidence: list[Evidence], support=None) -> Verdict:
    """Keep a sentence only if it cites a chunk of the evidence whose text contains its quote,
    and (when a support function is given) the cited chunk supports what the sentence says."""
    chunks = {e.chunk.id: e.chunk for e in evidence}
    kept, removed = [], []
    for s in sentences:
        chunk = chunks.get(s.chunk_id or "")
        if s.chunk_id is None:
            removed.append((s.text, "no citation"))
        elif chunk is None:
            removed.append((s.text, "cites a source outside the evidence"))
        elif s.quote is not None and not quoted_in(s.quote, chunk.text):
            removed.append((s.text, "quote not found in the cited source"))
        elif support is not None and not support(s.text, chunk):
            removed.append((s.text, "not supported by the cited source"))
        else:
            kept.append(s)
    return Verdict(kept=kept, removed=removed)


def cited_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """Sentences and the source numbers after each; "X [1]." is read as "X. [1]".

    'A. [1] B. [2][3] C.' -> [('A.', [1]), ('B.', [2, 3]), ('C.', [])]."""
    from assistant.text.sentences import split_sentences

    answer = _MARKER_BEFORE_STOP.sub(lambda m: f"{m.group(2)} {m.group(1).strip()}", answer)
    out: list[tuple[str, list[int]]] = []
    pieces = _MARKERS.split(answer)
    for i in range(0, len(pieces), 2):
        text = pieces[i].strip()
        markers = pieces[i + 1] if i + 1 < len(pieces) else ""
        numbers = [int(n) for n in re.findall(r"\d+", markers)]
        sentences = list(split_sentences(text)) if text else []
        for s in sentences[:-1]:
            out.append((s, []))
        if sentences:
            out.append((sentences[-1], numbers))
    return out


_NUMBER_TOKEN = re.compile(r"\b\d[\d.,]*\b")
_PROPER = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z]+(?:[-'][A-Za-z]+)*\b")


def _containment(sentence: str, chunk_text: str) -> float:
    """The share of the sentence's content words (stems) that the chunk also uses."""
    from assistant.index.lexical import tokenize

    words = set(tokenize(sentence))
    if len(words) < 3:
        return 0.0
    return len(words & set(tokenize(chunk_text))) / len(words)


class SupportScorer:
    """How well a chunk supports a sentence that is not quoted from it (generated text).

    A sentence is unsupported when it states a number or a name the chunk does not contain;
    otherwise its support is its best cosine similarity to one of the chunk's sentences, and
    that sentence becomes the citation's quote."""

    def __init__(self, embed, threshold: float) -> None:
        self._embed = embed  # list[str] -> list[vector], normalised
        self.threshold = threshold

    def best(self, sentence: str, chunk_text: str) -> tuple[float, str]:
        from assistant.index.lexical import is_stop_word
        from assistant.text.sentences import split_sentences

        body = normalise(chunk_text)
        for token in _NUMBER_TOKEN.findall(sentence):
            if token.strip(".,") not in body:
                return 0.0, ""
        for name in _PROPER.findall(sentence):
            # A capitalised stop word ("The" after a colon, "I") names nothing.
            if name.lower() not in body and not is_stop_word(name):
                return 0.0, ""
        candidates = list(split_sentences(chunk_text)) or [chunk_text]
        vectors = self._embed([sentence, *candidates])
        scores = [sum(a * b for a, b in zip(vectors[0], v, strict=True)) for v in vectors[1:]]
        i = max(range(len(scores)), key=scores.__getitem__)
        # A faithful paraphrase may embed far from its source yet use the source's words.
        return max(scores[i], _containment(sentence, chunk_text)), candidates[i]

    def relevance(self, question: str, sentence: str) -> float:
        """Cosine similarity of a sentence to the question: supported is not yet relevant."""
        q, v = self._embed([question, sentence])
        return sum(a * b for a, b in zip(q, v, strict=True))


def is_instruction(sentence: str) -> bool:
    """Whether a sentence of a document reads as an order to the assistant. Documents are
    data: such sentences are neither shown to a model nor quoted in an answer."""
    pattern = instruction_pattern()
    return bool(pattern and pattern.search(sentence))
