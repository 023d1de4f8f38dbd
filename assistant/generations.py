"""The index folder: generations built aside and switched atomically.

    index/CURRENT            name of the generation that serves
    index/gen-.../chroma/    Chroma data of that generation (embedded mode)
    index/gen-.../bm25/      its BM25 index
    index/gen-.../manifest.json  what was ingested: files, their hashes and chunk ids

With a Chroma server (EXCHANGE_CHROMA_URL) a generation's vectors live in the server
collection `{collection}-{gen-...}` instead of `chroma/`; everything else stays here.

A reader follows CURRENT; an ingest builds a new generation beside it and replaces CURRENT
with one rename, so an ingest that dies half-way leaves the previous generation serving.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import secrets
import shutil
from pathlib import Path

from pydantic import BaseModel, Field

from .errors import AssistantError, IndexMissingError

POINTER = "CURRENT"


class FileEntry(BaseModel):
    sha256: str
    title: str
    updated: str | None = None
    url: str | None = None
    chunk_ids: list[str] = Field(default_factory=list)


class Manifest(BaseModel):
    version: int = 1
    fingerprint: str = ""
    built: str = ""
    store: str = Field("embedded", description="Where the vectors live: 'embedded' or 'server'.")
    files: dict[str, FileEntry] = Field(default_factory=dict)

    @property
    def chunk_count(self) -> int:
        return sum(len(f.chunk_ids) for f in self.files.values())


def current(index_dir: Path) -> Path | None:
    pointer = index_dir / POINTER
    if not pointer.is_file():
        return None
    gen = index_dir / pointer.read_text().strip()
    return gen if gen.is_dir() else None


def require_current(index_dir: Path) -> Path:
    gen = current(index_dir)
    if gen is None:
        raise IndexMissingError(
            f"No index was found in {index_dir}; build it with `exchange-assistant ingest`."
        )
    return gen


def read_manifest(gen: Path | None) -> Manifest:
    if gen is None or not (gen / "manifest.json").is_file():
        return Manifest()
    try:
        return Manifest.model_validate_json((gen / "manifest.json").read_text())
    except ValueError as exc:
        raise AssistantError(
            f"The index manifest in {gen} is damaged; delete {gen.parent} and ingest again."
        ) from exc


def write_manifest(gen: Path, manifest: Manifest) -> None:
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
