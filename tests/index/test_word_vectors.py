"""Nearness of words by the embedding model's vectors, cached per word."""

import numpy as np

from assistant.index.word_vectors import WordVectors


class CountingEmbedder:
    """Unit vectors by the first letter: words that share it are the same."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def embed_documents(self, words):
        self.asked += list(words)
        out = np.zeros((len(words), 26), dtype=np.float32)
        for i, w in enumerate(words):
            out[i, (ord(w[0].lower()) - 97) % 26] = 1.0
        return out


def test_each_word_gets_its_nearest_similarity_among_others():
    wv = WordVectors(CountingEmbedder())
    assert wv.nearest(["grant", "deadline"], ["group", "amount"]) == [1.0, 0.0]
    assert wv.nearest([], ["x"]) == [] and wv.nearest(["x"], []) == [0.0]


def test_vectors_are_cached_and_the_cache_is_bounded():
    embedder = CountingEmbedder()
    wv = WordVectors(embedder, cache_size=2)
    wv.vectors(["a", "b"])
    wv.vectors(["a", "b"])
    assert embedder.asked == ["a", "b"]
    wv.vectors(["c"])
    wv.vectors(["a"])  # pushed out by "c": asked again
    assert embedder.asked == ["a", "b", "c", "a"]
