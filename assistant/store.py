"""Chroma: an embedded PersistentClient by default, an HttpClient when a server is named."""

from __future__ import annotations

from pathlib import Path

from .config import Settings
from .errors import StoreUnavailableError
from .models import Chunk


class Store:
    """One Chroma collection of chunks, with embeddings we compute ourselves.

    The collection is opened with no embedding function, so Chroma never falls back to its
    default one (which would download a model).
    """

    def __init__(self, settings: Settings, path: Path | None = None, collection: str | None = None):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        self.name = collection or settings.collection
        try:
            if settings.chroma_url:
                self.client = _http_client(settings.chroma_url, chroma_settings)
            else:
                if path is None:
                    raise ValueError("an embedded store needs a folder")
                self.client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            self.collection = self.client.get_or_create_collection(
                self.name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
        except StoreUnavailableError:
            raise
        except Exception as exc:
            where = settings.chroma_url or str(path)
            raise StoreUnavailableError(
                f"The Chroma index at {where} cannot be opened ({type(exc).__name__}: {exc})."
            ) from exc

    def count(self) -> int:
        return self.collection.count()

    def upsert(self, chunks: list[Chunk], vectors: list[list[float]], batch: int = 1000) -> None:
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[i : i + batch],
                documents=[c.text for c in part],
                metadatas=[c.to_metadata() for c in part],
            )

    def update_metadata(self, chunks: list[Chunk], batch: int = 1000) -> None:
        """Refresh titles, urls and dates of chunks whose text (and so embedding) is unchanged."""
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            self.collection.update(
                ids=[c.id for c in part], metadatas=[c.to_metadata() for c in part]
            )

    def delete(self, ids: list[str], batch: int = 5000) -> None:
        for i in range(0, len(ids), batch):
            self.collection.delete(ids=ids[i : i + batch])

    def query(self, vector: list[float], k: int) -> list[tuple[Chunk, float]]:
        k = min(k, self.count())
        if k <= 0:
            return []
        res = self.collection.query(
            query_embeddings=[vector], n_results=k, include=["documents", "metadatas", "distances"]
        )
        return [
            (Chunk.from_metadata(cid, doc, meta), 1.0 - dist)
            for cid, doc, meta, dist in zip(
                res["ids"][0],
                res["documents"][0],
                res["metadatas"][0],
                res["distances"][0],
                strict=True,
            )
        ]

    def get(self, ids: list[str]) -> list[tuple[Chunk, list[float]]]:
        """Chunks by id, with their stored vectors, in the order asked (missing ids left out)."""
        if not ids:
            return []
        res = self.collection.get(ids=ids, include=["documents", "metadatas", "embeddings"])
        found = {
            cid: (Chunk.from_metadata(cid, doc, meta), list(vec))
            for cid, doc, meta, vec in zip(
                res["ids"], res["documents"], res["metadatas"], res["embeddings"], strict=True
            )
        }
        return [found[i] for i in ids if i in found]

    def all_chunks(self, batch: int = 5000) -> list[Chunk]:
        out: list[Chunk] = []
        offset = 0
        while True:
            res = self.collection.get(
                include=["documents", "metadatas"], limit=batch, offset=offset
            )
            out += [
                Chunk.from_metadata(cid, doc, meta)
                for cid, doc, meta in zip(
                    res["ids"], res["documents"], res["metadatas"], strict=True
                )
            ]
            if len(res["ids"]) < batch:
                return out
            offset += batch

    def as_langchain(self, embeddings):
        """The same collection as a LangChain vector store, for users of the ecosystem."""
        from langchain_chroma import Chroma

        return Chroma(client=self.client, collection_name=self.name, embedding_function=embeddings)


def _http_client(url: str, chroma_settings):
    from urllib.parse import urlparse

    import chromadb

    parsed = urlparse(url if "://" in url else f"http://{url}")
    if not parsed.hostname:
        raise StoreUnavailableError(f"EXCHANGE_CHROMA_URL '{url}' is not a valid http://host:port.")
    try:
        client = chromadb.HttpClient(
            host=parsed.hostname,
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            settings=chroma_settings,
        )
        client.heartbeat()
    except Exception as exc:
        raise StoreUnavailableError(
            f"The Chroma server at {url} does not answer; start it or unset EXCHANGE_CHROMA_URL."
        ) from exc
    return client
