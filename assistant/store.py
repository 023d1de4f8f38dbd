"""Chroma: an embedded PersistentClient by default, an HttpClient when a server is named.

Embedded, each index generation keeps its Chroma data in its own folder (`gen-.../chroma`).
On a server, each generation is its own collection, `{collection}-{generation name}`; the
index folder still holds CURRENT, the manifest, BM25 and the vocabulary, so every process that
shares the server also shares the index folder.

A reader (`create=False`) checks the generation against its manifest before it answers from it
(see `verify_generation`) and never writes to the index folder: Chroma's embedded client writes
to its SQLite file even to read, so a reader opens a private copy of the store when it may not
write to it (a shared, read-only folder).
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from . import generations
from .config import Settings
from .errors import IndexDamagedError, StoreUnavailableError
from .models import Chunk

T = TypeVar("T")
SQLITE = "chroma.sqlite3"
_SQLITE_MAGIC = b"SQLite format 3\x00"

_CLIENTS: dict[tuple[str, float], object] = {}
_CLIENTS_LOCK = threading.Lock()


def server_mode(settings: Settings) -> bool:
    return bool(settings.chroma_url)


def collection_for(settings: Settings, path: Path | None) -> str:
    """The collection that holds one generation: on a server `{collection}-{gen-...}`.

    `path` is the generation folder or its `chroma` subfolder, as chat.py passes it.
    """
    if not server_mode(settings) or path is None:
        return settings.collection
    gen = path.parent if path.name == "chroma" else path
    return f"{settings.collection}-{gen.name}"


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
                    f"the Chroma store {self.where} cannot be read ({_why(exc)})"
                ) from exc
        import httpx
        from chromadb.errors import NotFoundError

        try:
            return method(self, *args, **kwargs)
        except httpx.HTTPError as exc:
            raise StoreUnavailableError(
                f"The Chroma server at {self.url} stopped answering ({type(exc).__name__}); "
                "check that it runs, or unset EXCHANGE_CHROMA_URL."
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
        self.url = settings.chroma_url or None
        self.reader = not create
        gen = _generation(path)
        self.where = f"of {gen.name}" if gen is not None else f"in {path}"
        manifest = None
        if self.reader and gen is not None and collection is None:
            manifest = verify_generation(settings, gen)
        try:
            if self.url:
                self.client = _http_client(self.url, settings.chroma_timeout_s, chroma_settings)
                if create:
                    owner = generations.index_id(gen.parent) if gen is not None else None
                    self.collection = self.client.get_or_create_collection(
                        self.name,
                        embedding_function=None,
                        configuration=_CONFIG,
                        metadata={_OWNER: owner} if owner else None,
                    )
                else:
                    self.collection = _get_existing(self.client, self.name, self.url)
            elif path is None:
                raise ValueError("an embedded store needs a folder")
            elif create:
                self.client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
                self.collection = self.client.get_or_create_collection(
                    self.name, embedding_function=None, configuration=_CONFIG
                )
            else:
                self.client = _embedded_reader(path, chroma_settings)
                self.collection = self.client.get_collection(self.name, embedding_function=None)
        except (StoreUnavailableError, IndexDamagedError):
            raise
        except Exception as exc:
            if self.reader and not self.url:
                raise generations.damaged(
                    f"the Chroma store {self.where} cannot be opened ({_why(exc)})"
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
_OWNER = "exchange_index"  # collection metadata: the id of the index folder it belongs to


def _generation(path: Path | None) -> Path | None:
    """The generation folder of `path` (the folder or its `chroma` subfolder), if it is one."""
    if path is None:
        return None
    gen = path.parent if path.name == "chroma" else path
    return gen if gen.name.startswith("gen-") else None


def _why(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__


def verify_generation(settings: Settings, gen: Path) -> generations.Manifest:
    """Check a generation before answering from it: its manifest, bm25/ and the vocabulary
    against their checksums, and that it was built for these settings (embedded or server,
    the same embedding model); the Store checks its vector count once it is open. Anything
    wrong raises IndexDamagedError with one sentence: never an empty or a foreign index that
    would abstain on every question."""
    manifest = generations.read_manifest(gen)
    generations.check_files(gen, manifest)
    where = "server" if server_mode(settings) else "embedded"
    if manifest.store != where:
        if manifest.store == "server":
            what = (
                f"it was built on a Chroma server (collection "
                f"{manifest.collection or collection_for(settings, gen)}) but EXCHANGE_CHROMA_URL "
                "is not set; set it to that server"
            )
        else:
            what = (
                f"it was built with embedded Chroma but EXCHANGE_CHROMA_URL is set "
                f"({settings.chroma_url}); unset it"
            )
        raise IndexDamagedError(
            f"The index does not match the settings: {what}, or run "
            "`exchange-assistant ingest --rebuild`."
        )
    if manifest.model:
        from .ingest import model_identity

        model = model_identity(settings)
        if model != manifest.model:
            raise IndexDamagedError(
                f"The index does not match the settings: it was embedded with the model "
                f"{manifest.model}, not {model}; set EXCHANGE_MODEL_PATH back, or run "
                "`exchange-assistant ingest --rebuild`."
            )
    if where == "embedded":
        problem = sqlite_problem(gen)
        if problem:
            raise generations.damaged(problem)
    return manifest


def sqlite_problem(gen: Path) -> str | None:
    """What is wrong with the embedded Chroma file of `gen` at a glance, or None. Checked before
    Chroma opens it: Chroma would quietly make a new, empty store of a missing or empty file."""
    sqlite = gen / "chroma" / SQLITE
    try:
        with open(sqlite, "rb") as fh:
            head = fh.read(len(_SQLITE_MAGIC))
    except OSError:
        missing = "chroma" if not (gen / "chroma").is_dir() else f"chroma/{SQLITE}"
        return f"{gen.name}/{missing} is missing"
    if not head:
        return f"{gen.name}/chroma/{SQLITE} is empty"
    if head != _SQLITE_MAGIC:
        return f"{gen.name}/chroma/{SQLITE} is not an SQLite database"
    return None


def _writable(folder: Path) -> bool:
    """Whether this process may write every folder and file of a Chroma store."""
    for here, _, files in os.walk(folder):
        if not os.access(here, os.W_OK):
            return False
        if not all(os.access(os.path.join(here, f), os.W_OK) for f in files):
            return False
    return True


def _embedded_reader(path: Path, chroma_settings):
    """A PersistentClient over `path` for reading only.

    Chroma's embedded client opens its SQLite file read-write and writes to it while it opens
    ("attempt to write a readonly database" in a folder a reader may not write to). Where this
    process may not write, it reads a private copy in the temporary folder instead (removed at
    exit or when the client is dropped), so the shared index is read, never written."""
    import chromadb

    copy = None
    if not _writable(path):
        copy = tempfile.mkdtemp(prefix="exchange-index-")
        for here, dirs, files in os.walk(path):
            dest = Path(copy) / Path(here).relative_to(path)
            for name in dirs:
                (dest / name).mkdir(mode=0o700)
            for name in files:  # contents only: the copy must be writable, unlike the original
                shutil.copyfile(os.path.join(here, name), dest / name)
        path = Path(copy)
    client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    if copy is not None:  # runs when the client is collected, or at exit
        weakref.finalize(client, shutil.rmtree, copy, True)
    return client


def collection_exists(settings: Settings, gen: Path) -> bool:
    """Whether the server holds the collection of generation `gen` (embedded: its folder)."""
    if not server_mode(settings):
        return (gen / "chroma").is_dir()
    try:
        Store(settings, gen, collection=collection_for(settings, gen))
    except IndexDamagedError:
        return False
    return True


def retrying(call: Callable[[], T], budget_s: float, sleep=time.sleep) -> T:
    """`call()`, retried with doubling pauses (0.5 s, 1 s, 2 s, ... at most 5 s) while the
    Chroma server does not answer, for at most `budget_s` seconds; then the last error.

    A server restart takes seconds; a batch of questions should wait for it, not end."""
    deadline = time.monotonic() + budget_s
    pause = 0.5
    while True:
        try:
            return call()
        except StoreUnavailableError:
            left = deadline - time.monotonic()
            if left <= 0:
                raise
            sleep(min(pause, left))
            pause = min(pause * 2, 5.0)


def drop_orphans(settings: Settings, index_dir: Path) -> list[str]:
    """Delete the server collections of this index folder whose generation folder is gone
    (an ingest that died with the server, say), and return their names. Only collections
    that carry this folder's id are touched: other index folders may share the server."""
    if not server_mode(settings):
        return []
    owner = generations.index_id(index_dir)
    if owner is None:
        return []
    from chromadb.config import Settings as ChromaSettings

    client = _http_client(
        settings.chroma_url, settings.chroma_timeout_s, ChromaSettings(anonymized_telemetry=False)
    )
    prefix = f"{settings.collection}-gen-"
    dropped = []
    for col in client.list_collections():
        name = getattr(col, "name", str(col))
        if (
            not name.startswith(prefix)
            or (getattr(col, "metadata", None) or {}).get(_OWNER) != owner
        ):
            continue
        if (index_dir / name[len(settings.collection) + 1 :]).is_dir():
            continue
        try:
            client.delete_collection(name)
            dropped.append(name)
        except Exception:  # deleted meanwhile by another process: nothing to drop
            continue
    return dropped


def drop_generations(settings: Settings, names: list[str]) -> None:
    """Delete the server collections of removed generations (embedded data goes with the folder)."""
    if not server_mode(settings) or not names:
        return
    from chromadb.config import Settings as ChromaSettings

    client = _http_client(
        settings.chroma_url, settings.chroma_timeout_s, ChromaSettings(anonymized_telemetry=False)
    )
    for name in names:
        try:
            client.delete_collection(f"{settings.collection}-{name}")
        except Exception:  # already gone (or never made): nothing to drop
            continue


def _get_existing(client, name: str, url: str):
    from chromadb.errors import NotFoundError

    try:
        return client.get_collection(name, embedding_function=None)
    except (NotFoundError, ValueError) as exc:
        raise generations.damaged(
            f"the Chroma server at {url} has no collection '{name}' for it"
        ) from exc


def _http_client(url: str, timeout_s: float, chroma_settings):
    """A client for the server at `url`, after a heartbeat that gives up within seconds.

    chromadb's own HTTP session waits forever; the heartbeat here has a short timeout, and the
    session it opens is given `timeout_s`, so a server that stops answering is an error too.
    """
    from urllib.parse import urlparse

    import httpx

    parsed = urlparse(url if "://" in url else f"http://{url}")
    if not parsed.hostname or parsed.scheme not in {"http", "https"}:
        raise StoreUnavailableError(f"EXCHANGE_CHROMA_URL '{url}' is not a valid http://host:port.")
    try:
        port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    except ValueError as exc:
        raise StoreUnavailableError(
            f"EXCHANGE_CHROMA_URL '{url}' is not a valid http://host:port."
        ) from exc
    base = f"{parsed.scheme}://{parsed.hostname}:{port}"
    try:
        r = httpx.get(f"{base}/api/v2/heartbeat", timeout=min(5.0, timeout_s), trust_env=False)
        r.raise_for_status()
    except httpx.HTTPError as exc:
        if isinstance(exc, httpx.TimeoutException):
            why = f"no answer within {min(5.0, timeout_s):g} s"
        elif isinstance(exc, httpx.ConnectError):
            why = "cannot connect"
        else:
            why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StoreUnavailableError(
            f"The Chroma server at {url} does not answer ({why}); "
            "start it or unset EXCHANGE_CHROMA_URL."
        ) from exc
    key = (base, timeout_s)
    with _CLIENTS_LOCK:
        client = _CLIENTS.get(key)
        if client is None:
            import chromadb

            try:
                client = chromadb.HttpClient(
                    host=parsed.hostname,
                    port=port,
                    ssl=parsed.scheme == "https",
                    settings=chroma_settings,
                )
            except Exception as exc:
                raise StoreUnavailableError(
                    f"The Chroma server at {url} does not answer ({type(exc).__name__}); "
                    "start it or unset EXCHANGE_CHROMA_URL."
                ) from exc
            _set_timeout(client, timeout_s)
            _CLIENTS[key] = client
    return client


def _set_timeout(client, timeout_s: float) -> None:
    """chromadb's FastAPI client keeps an httpx session with no timeout; give it one."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(timeout_s, connect=min(5.0, timeout_s))
