"""The index folder: generations built aside and switched atomically.

    index/CURRENT            name of the generation that serves
    index/gen-.../chroma/    Chroma data of that generation (embedded mode)
    index/gen-.../bm25/      its BM25 index
    index/gen-.../e5/        its chunks' multilingual e5 vectors (the cross-language ranking)
    index/gen-.../vocabulary.json  corpus words, for typo repair
    index/gen-.../manifest.json  what was ingested: files, their hashes and chunk ids, and
                                 what the generation holds (vector count, embedding model,
                                 store kind and collection, checksums of bm25/, e5/ and the
                                 vocabulary), so that damage is found when it is opened

With a Chroma server (EXCHANGE_INDEX__CHROMA_URL) a generation's vectors live in the server
collection `{collection}-{gen-...}` instead of `chroma/`; everything else stays here.

A reader follows CURRENT; an ingest builds a new generation beside it and replaces CURRENT
with one rename, so an ingest that dies half-way leaves the previous generation serving.
A CURRENT that does not name a generation folder counts as no index at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.errors import AssistantError, IndexDamagedError, IndexMissingError

POINTER = "CURRENT"
INDEX_ID = "INDEX-ID"
MANIFEST_VERSION = 2
_GEN_NAME = re.compile(r"gen-[A-Za-z0-9-]{1,80}")


class FileEntry(BaseModel):
    sha256: str
    title: str
    updated: str | None = None
    url: str | None = None
    contact: str | None = Field(
        None,
        description="Whom to ask when the documents do not answer, from the front matter "
        "`contact:` of a document that names the programme's contact.",
    )
    chunk_ids: list[str] = Field(default_factory=list)


class Manifest(BaseModel):
    version: int = MANIFEST_VERSION
    fingerprint: str = ""
    built: str = ""
    store: str = Field("embedded", description="Where the vectors live: 'embedded' or 'server'.")
    collection: str | None = Field(None, description="The Chroma collection of the vectors.")
    model: str = Field("", description="The embedding model: its folder name and weights size.")
    vectors: int | None = Field(
        None, description="Vectors in the store when the generation was built (None: not kept)."
    )
    checksums: dict[str, str] = Field(
        default_factory=dict,
        description="sha256 of each file of bm25/ and e5/ and of vocabulary.json, by relative "
        "path.",
    )
    files: dict[str, FileEntry] = Field(default_factory=dict)

    @property
    def chunk_count(self) -> int:
        return sum(len(f.chunk_ids) for f in self.files.values())


def current(index_dir: Path) -> Path | None:
    """The serving generation, or None when CURRENT is missing, junk or names no folder."""
    try:
        raw = (index_dir / POINTER).read_bytes()[:200]
    except OSError:
        return None
    name = raw.decode("ascii", "replace").strip()
    if not _GEN_NAME.fullmatch(name):
        return None
    gen = index_dir / name
    return gen if gen.is_dir() else None


def require_current(index_dir: Path) -> Path:
    gen = current(index_dir)
    if gen is None:
        raise IndexMissingError(
            f"No index was found in {index_dir}; build it with `exchange-assistant ingest`."
        )
    return gen


def damaged(what: str) -> IndexDamagedError:
    """The one sentence for any damage; `.what` keeps the part ingest reports as repaired."""
    exc = IndexDamagedError(
        f"The index is damaged: {what}; run `exchange-assistant ingest --rebuild`."
    )
    exc.what = what
    return exc


def read_manifest(gen: Path | None) -> Manifest:
    """The manifest of `gen`; an empty one when there is no generation or it has none yet."""
    if gen is None or not (gen / "manifest.json").is_file():
        return Manifest()
    try:
        return Manifest.model_validate_json((gen / "manifest.json").read_bytes())
    except (ValueError, OSError) as exc:
        raise damaged(f"the manifest of {gen.name} cannot be read") from exc


def checksums(gen: Path) -> dict[str, str]:
    """sha256 of the files a reader loads besides Chroma: bm25/, e5/ and vocabulary.json."""
    paths = sorted(p for d in ("bm25", "e5") for p in (gen / d).rglob("*") if p.is_file())
    paths.append(gen / "vocabulary.json")
    return {p.relative_to(gen).as_posix(): sha256_of(p) for p in paths if p.is_file()}


def check_files(gen: Path, manifest: Manifest) -> None:
    """Raise IndexDamagedError unless the manifest is there and bm25/, e5/ and the vocabulary
    are the files it records. Manifests written before checksums were kept pass (ingest renews
    them)."""
    if not (gen / "manifest.json").is_file():
        raise damaged(f"{gen.name} has no manifest.json")
    for rel, digest in sorted(manifest.checksums.items()):
        path = gen / rel
        if not path.is_file():
            raise damaged(f"{gen.name}/{rel} is missing")
        try:
            ok = sha256_of(path) == digest
        except OSError as exc:
            raise damaged(f"{gen.name}/{rel} cannot be read ({exc.strerror})") from exc
        if not ok:
            raise damaged(f"{gen.name}/{rel} is not the file that was built")
    for folder in ("bm25", "e5"):
        if not (gen / folder / "ids.json").is_file():
            raise damaged(f"{gen.name}/{folder} is missing")
    if not manifest.checksums:  # an older manifest: at least the JSON files must parse
        for rel in ("bm25/ids.json", "vocabulary.json"):
            try:
                json.loads((gen / rel).read_bytes())
            except (OSError, ValueError) as exc:
                raise damaged(f"{gen.name}/{rel} cannot be read") from exc


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(gen: Path, manifest: Manifest) -> None:
    manifest.version = MANIFEST_VERSION
    manifest.built = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    tmp = gen / "manifest.json.tmp"
    tmp.write_text(manifest.model_dump_json(indent=1))
    os.replace(tmp, gen / "manifest.json")


def new_generation(index_dir: Path) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    gen = index_dir / f"gen-{stamp}-{secrets.token_hex(3)}"
    gen.mkdir(parents=True)
    return gen


def activate(index_dir: Path, gen: Path) -> None:
    """Make `gen` the serving generation with one atomic rename."""
    tmp = index_dir / f".{POINTER}.tmp"
    tmp.write_text(gen.name + "\n")
    with open(tmp) as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / POINTER)


def prune(index_dir: Path, keep: set[Path]) -> list[str]:
    """Remove generations other than `keep` (unfinished builds and superseded ones)."""
    removed = []
    for path in index_dir.glob("gen-*"):
        if path.is_dir() and path not in keep:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


def prune_unfinished(index_dir: Path, serving: Path | None) -> list[str]:
    """Remove builds that never finished (no manifest: a killed ingest), except `serving`."""
    removed = []
    for path in index_dir.glob("gen-*"):
        if path.is_dir() and path != serving and not (path / "manifest.json").is_file():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed


def index_id(index_dir: Path, create: bool = False) -> str | None:
    """A random id of this index folder, written once by ingest. Server collections carry it,
    so that an ingest removes only orphans of its own index, never another folder's."""
    path = index_dir / INDEX_ID
    try:
        value = path.read_text(encoding="ascii").strip()
        if re.fullmatch(r"[0-9a-f]{32}", value):
            return value
    except (OSError, UnicodeDecodeError):
        pass
    if not create:
        return None
    value = secrets.token_hex(16)
    tmp = index_dir / f".{INDEX_ID}.tmp"
    tmp.write_text(value + "\n")
    os.replace(tmp, path)
    return value


@contextlib.contextmanager
def ingest_lock(index_dir: Path):
    """One ingest at a time per index folder."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise AssistantError(f"Another ingest is already updating {index_dir}.") from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
