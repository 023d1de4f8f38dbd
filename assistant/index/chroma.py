"""Chroma itself: which collection holds a generation, a client for a server (with a heartbeat
and timeouts chromadb lacks) or for an embedded store (a private copy where this process may not
write), a first look at an embedded store's file, and dropping the server collections of
generations that are gone."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import weakref
from pathlib import Path

from assistant.config import Settings
from assistant.errors import StoreUnavailableError
from assistant.index import generations

SQLITE = "chroma.sqlite3"
_SQLITE_MAGIC = b"SQLite format 3\x00"
# One HTTP client per server and timeout for the whole process: chromadb's clients are heavy.
_CLIENTS: dict[tuple[str, float], object] = {}
_CLIENTS_LOCK = threading.Lock()


def server_mode(settings: Settings) -> bool:
    return bool(settings.index.chroma_url)


def collection_for(settings: Settings, path: Path | None) -> str:
    """The collection that holds one generation: on a server `{collection}-{gen-...}`.

    `path` is the generation folder or its `chroma` subfolder, as the pipeline passes it.
    """
    if not server_mode(settings) or path is None:
        return settings.index.collection
    gen = path.parent if path.name == "chroma" else path
    return f"{settings.index.collection}-{gen.name}"


OWNER = "exchange_index"  # collection metadata: the id of the index folder it belongs to


def why(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__


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


def embedded_reader(path: Path, chroma_settings):
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


def get_existing(client, name: str, url: str):
    from chromadb.errors import NotFoundError

    try:
        return client.get_collection(name, embedding_function=None)
    except (NotFoundError, ValueError) as exc:
        raise generations.damaged(
            f"the Chroma server at {url} has no collection '{name}' for it"
        ) from exc


def http_client(url: str, timeout_s: float, chroma_settings):
    """A client for the server at `url`, after a heartbeat that gives up within seconds.

    chromadb's own HTTP session waits forever; the heartbeat here has a short timeout, and the
    session it opens is given `timeout_s`, so a server that stops answering is an error too.
    """
    from urllib.parse import urlparse

    import httpx

    parsed = urlparse(url if "://" in url else f"http://{url}")
    if not parsed.hostname or parsed.scheme not in {"http", "https"}:
        raise StoreUnavailableError(
            f"EXCHANGE_INDEX__CHROMA_URL '{url}' is not a valid http://host:port."
        )
    try:
        port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    except ValueError as exc:
        raise StoreUnavailableError(
            f"EXCHANGE_INDEX__CHROMA_URL '{url}' is not a valid http://host:port."
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
            "start it or unset EXCHANGE_INDEX__CHROMA_URL."
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
                    "start it or unset EXCHANGE_INDEX__CHROMA_URL."
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

    client = http_client(
        settings.index.chroma_url,
        settings.index.chroma_timeout_s,
        ChromaSettings(anonymized_telemetry=False),
    )
    prefix = f"{settings.index.collection}-gen-"
    dropped = []
    for col in client.list_collections():
        name = getattr(col, "name", str(col))
        if (
            not name.startswith(prefix)
            or (getattr(col, "metadata", None) or {}).get(OWNER) != owner
        ):
            continue
        if (index_dir / name[len(settings.index.collection) + 1 :]).is_dir():
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

    client = http_client(
        settings.index.chroma_url,
        settings.index.chroma_timeout_s,
        ChromaSettings(anonymized_telemetry=False),
    )
    for name in names:
        try:
            client.delete_collection(f"{settings.index.collection}-{name}")
        except Exception:  # already gone (or never made): nothing to drop
            continue
