"""Chroma: an embedded PersistentClient by default, an HttpClient when a server is named.

Embedded, each index generation keeps its Chroma data in its own folder (`gen-.../chroma`).
On a server, each generation is its own collection, `{collection}-{generation name}`; the
index folder still holds CURRENT, the manifest, BM25 and the vocabulary, so every process that
shares the server also shares the index folder.

A reader (`create=False`) checks the generation against its manifest before it answers from
it (integrity.py) and never writes to the index folder: Chroma's embedded client writes
to its SQLite file even to read, so a reader opens a private copy of the store when it may not
write to it (a shared, read-only folder).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from assistant.config import Settings
from assistant.errors import IndexDamagedError, StoreUnavailableError
from assistant.index import generations, integrity
from assistant.index.chroma import (
    OWNER,
    collection_for,
    embedded_reader,
    get_existing,
    http_client,
    why,
)
from assistant.types import Chunk

T = TypeVar("T")


def _guarded(method):
    """A server that stops answering mid-way is one clear error, not an httpx traceback; an
    embedded store that fails under a reader is a damaged index, not an unexpected failure."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if self.url is None:
            if not self.reader:
                return method(self, *args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except Exception as exc:
                raise generations.damaged(
                    f"the Chroma store {self.where} cannot be read ({why(exc)})"
                ) from exc
        import httpx
        from chromadb.errors import NotFoundError

        try:
            return method(self, *args, **kwargs)
        except httpx.HTTPError as exc:
            raise StoreUnavailableError(
                f"The Chroma server at {self.url} stopped answering ({type(exc).__name__}); "
                "check that it runs, or unset EXCHANGE_INDEX__CHROMA_URL."
            ) from exc
        except NotFoundError as exc:
            raise StoreUnavailableError(
                f"The collection '{self.name}' is gone from the Chroma server at {self.url}; "
                "run `exchange-assistant ingest` again."
            ) from exc

    return wrapper


class Store:
    """One Chroma collection of chunks, with embeddings we compute ourselves.

    The collection is opened with no embedding function, so Chroma never falls back to its
    default one (which would download a model). `Store(settings, gen / "chroma")` opens the
    collection of a generation, in embedded or server mode alike; a reader never creates a
    collection (`create=True` is for ingest), so a missing one is a clear error, and it opens
    a generation only after `verify_generation` has found it whole.
    """

    def __init__(
        self,
        settings: Settings,
        path: Path | None = None,
        collection: str | None = None,
        create: bool = False,
    ):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        self.name = collection or collection_for(settings, path)
        self.url = settings.index.chroma_url or None
        self.reader = not create
        gen = _generation(path)
        self.where = f"of {gen.name}" if gen is not None else f"in {path}"
        manifest = None
        if self.reader and gen is not None and collection is None:
            manifest = integrity.verify_generation(settings, gen)
        try:
            if self.url:
                self.client = http_client(
                    self.url, settings.index.chroma_timeout_s, chroma_settings
                )
                if create:
                    owner = generations.index_id(gen.parent) if gen is not None else None
                    self.collection = self.client.get_or_create_collection(
                        self.name,
                        embedding_function=None,
                        configuration=_CONFIG,
                        metadata={OWNER: owner} if owner else None,
                    )
                else:
                    self.collection = get_existing(self.client, self.name, self.url)
            elif path is None:
                raise ValueError("an embedded store needs a folder")
            elif create:
                self.client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
                self.collection = self.client.get_or_create_collection(
                    self.name, embedding_function=None, configuration=_CONFIG
                )
            else:
                self.client = embedded_reader(path, chroma_settings)
                self.collection = self.client.get_collection(self.name, embedding_function=None)
        except (StoreUnavailableError, IndexDamagedError):
            raise
        except Exception as exc:
            if self.reader and not self.url:
                raise generations.damaged(
                    f"the Chroma store {self.where} cannot be opened ({why(exc)})"
                ) from exc
            where = self.url or str(path)
            raise StoreUnavailableError(
                f"The Chroma index at {where} cannot be opened ({type(exc).__name__}: {exc})."
            ) from exc
        if manifest is not None and manifest.vectors is not None:
            held = self.count()
            if held != manifest.vectors:
                raise generations.damaged(
                    f"the Chroma store {self.where} holds {held} vectors where the manifest "
                    f"records {manifest.vectors}"
                )

    @_guarded
    def count(self) -> int:
        return self.collection.count()

    @_guarded
    def upsert(self, chunks: list[Chunk], vectors: list[list[float]], batch: int = 1000) -> None:
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[i : i + batch],
                documents=[c.text for c in part],
                metadatas=[c.to_metadata() for c in part],
            )

    @_guarded
    def update_metadata(self, chunks: list[Chunk], batch: int = 1000) -> None:
        """Refresh titles, urls and dates of chunks whose text (and so embedding) is unchanged."""
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            self.collection.update(
                ids=[c.id for c in part], metadatas=[c.to_metadata() for c in part]
            )

    @_guarded
    def delete(self, ids: list[str], batch: int = 5000) -> None:
        for i in range(0, len(ids), batch):
            self.collection.delete(ids=ids[i : i + batch])

    @_guarded
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

    @_guarded
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

    @_guarded
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

    @_guarded
    def copy_from(self, other: Store, keep: set[str], batch: int = 1000) -> int:
        """Copy the chunks of `other` whose ids are in `keep`, vectors included, in batches.

        On a server this is how a new generation starts from the previous one without
        embedding again (the embedded mode copies the folder instead).
        """
        copied = 0
        offset = 0
        while True:
            res = other.collection.get(
                include=["documents", "metadatas", "embeddings"], limit=batch, offset=offset
            )
            rows = [
                (cid, doc, meta, vec)
                for cid, doc, meta, vec in zip(
                    res["ids"], res["documents"], res["metadatas"], res["embeddings"], strict=True
                )
                if cid in keep
            ]
            if rows:
                self.collection.upsert(
                    ids=[r[0] for r in rows],
                    documents=[r[1] for r in rows],
                    metadatas=[r[2] for r in rows],
                    embeddings=[list(r[3]) for r in rows],
                )
                copied += len(rows)
            if len(res["ids"]) < batch:
                return copied
            offset += batch

    def as_langchain(self, embeddings):
        """The same collection as a LangChain vector store, for users of the ecosystem."""
        from langchain_chroma import Chroma

        return Chroma(client=self.client, collection_name=self.name, embedding_function=embeddings)


_CONFIG = {"hnsw": {"space": "cosine"}}


def _generation(path: Path | None) -> Path | None:
    """The generation folder of `path` (the folder or its `chroma` subfolder), if it is one."""
    if path is None:
        return None
    gen = path.parent if path.name == "chroma" else path
    return gen if gen.name.startswith("gen-") else None


def retrying(call: Callable[[], T], budget_s: float, sleep=time.sleep) -> T:
    """`call()`, retried with doubling pauses (0.5 s, 1 s, 2 s, ... at most 5 s) while the
    Chroma server does not answer, for at most `budget_s` seconds; then the last error.

    A server restart takes seconds; a batch of questions should wait for it, not end."""
    from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_exponential

    for attempt in Retrying(
        retry=retry_if_exception_type(StoreUnavailableError),
        wait=wait_exponential(multiplier=0.5, max=5.0),
        stop=stop_after_delay(budget_s),
        sleep=sleep,
        reraise=True,
    ):
        with attempt:
            return call()
    raise AssertionError("unreachable: tenacity returns or re-raises")
