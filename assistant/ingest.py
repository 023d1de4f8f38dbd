"""Incremental, atomic index build: add, update and delete by content hash."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import time
from pathlib import Path

from .chunking import Chunker
from .config import Settings
from .errors import AssistantError, LoadError
from .generations import (
    FileEntry,
    Manifest,
    activate,
    current,
    ingest_lock,
    new_generation,
    prune,
    prune_unfinished,
    read_manifest,
    write_manifest,
)
from .models import Chunk, IngestReport, SkippedFile

CHUNKER_VERSION = "3"  # bump when what an index generation holds changes


def fingerprint(settings: Settings) -> str:
    """What the stored vectors depend on; when it changes, everything is embedded again."""
    from .embeddings import model_path

    path = model_path(settings)
    weights = path / "model.safetensors"
    size = weights.stat().st_size if weights.is_file() else 0
    return (
        f"{path.name}:{size}|chunk={settings.chunk_size}/{settings.chunk_overlap}"
        f"|chunker={CHUNKER_VERSION}"
    )


def ingest(
    settings: Settings,
    corpus_dir: Path | None = None,
    index_dir: Path | None = None,
    progress: bool = False,
    embedder=None,
) -> IngestReport:
    """Bring the index in line with the corpus folder; embeds only chunks it has not seen."""
    started = time.perf_counter()
    corpus = Path(corpus_dir or settings.corpus_dir)
    index = Path(index_dir or settings.index_dir)
    if not corpus.is_dir():
        raise AssistantError(f"The corpus folder {corpus} does not exist.")
    from .store import collection_exists, drop_generations, server_mode

    with ingest_lock(index):
        old_gen = current(index)
        old = read_manifest(old_gen)
        fp = fingerprint(settings)
        where = "server" if server_mode(settings) else "embedded"
        # A previous generation is a base to build on only if its vectors are where we store:
        # same model and chunking, same kind of store, and (on a server) still there.
        fresh = (
            old_gen is None
            or old.fingerprint != fp
            or old.store != where
            or not collection_exists(settings, old_gen)
        )
        report, manifest, changed = _plan(settings, corpus, old, fresh)
        if old.files and not manifest.files:
            # An emptied (or unmounted) corpus folder is far likelier a mistake than a wish to
            # serve nothing: the index that serves stays.
            raise AssistantError(
                f"The corpus folder {corpus} has no documents to index; the index keeps serving "
                f"its {len(old.files)} documents (delete {index} to start from nothing)."
            )
        report.chunks_total = manifest.chunk_count
        if not fresh and not changed and not report.removed:
            drop_generations(settings, prune_unfinished(index, old_gen))
            report.seconds = time.perf_counter() - started
            return report
        manifest.fingerprint = fp
        manifest.store = where
        gen = new_generation(index)
        try:
            report.chunks_embedded = _build(
                settings,
                gen,
                old_gen if not fresh else None,
                old,
                manifest,
                changed,
                progress,
                embedder,
            )
            write_manifest(gen, manifest)
            activate(index, gen)
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            with contextlib.suppress(Exception):
                drop_generations(settings, [gen.name])
            raise
        removed = prune(index, keep={p for p in (gen, old_gen) if p is not None})
        drop_generations(settings, removed)
    report.seconds = time.perf_counter() - started
    return report


def _plan(
    settings: Settings, corpus: Path, old: Manifest, fresh: bool
) -> tuple[IngestReport, Manifest, dict[str, list[Chunk]]]:
    """Decide per file: unchanged, added, updated, removed or skipped (with the reason)."""
    report = IngestReport()
    manifest = Manifest()
    changed: dict[str, list[Chunk]] = {}
    chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
    seen_hashes: dict[str, str] = {}
    max_bytes = int(settings.max_file_mb * 1_000_000)
    from .loaders import load_file

    hashed: list[tuple[Path, str, FileEntry | None, str]] = []
    for path in _corpus_files(corpus):
        source = path.relative_to(corpus).as_posix()
        prev = None if fresh else old.files.get(source)
        keep_note = "; the version already indexed keeps serving" if prev else ""
        try:
            hashed.append((path, source, prev, _sha256(path)))
        except OSError as exc:
            report.skipped.append(
                SkippedFile(
                    source=source, reason=f"cannot read the file ({exc.strerror}){keep_note}"
                )
            )
            if prev:
                manifest.files[source] = prev
    # Of files with the same content, the one already indexed stays; a new copy is the duplicate.
    hashed.sort(key=lambda item: (not (item[2] and item[2].sha256 == item[3]), item[1]))
    for path, source, prev, digest in hashed:
        keep_note = "; the version already indexed keeps serving" if prev else ""
        if digest in seen_hashes:
            report.skipped.append(
                SkippedFile(source=source, reason=f"same content as {seen_hashes[digest]}")
            )
            continue
        seen_hashes[digest] = source
        if prev and prev.sha256 == digest:
            manifest.files[source] = prev
            report.unchanged.append(source)
            continue
        try:
            docs = load_file(path, corpus, max_bytes=max_bytes)
            chunks = chunker.split(docs)
            if not chunks:
                raise LoadError("file has no text to index")
        except LoadError as exc:
            report.skipped.append(SkippedFile(source=source, reason=f"{exc}{keep_note}"))
            if prev:
                manifest.files[source] = prev
            continue
        meta = docs[0].metadata
        manifest.files[source] = FileEntry(
            sha256=digest,
            title=meta.get("title") or source,
            updated=meta.get("updated") or None,
            url=meta.get("url") or None,
            chunk_ids=[c.id for c in chunks],
        )
        changed[source] = chunks
        (report.updated if source in old.files and not fresh else report.added).append(source)
    if not fresh:
        report.removed = sorted(s for s in old.files if s not in manifest.files)
    return report, manifest, changed


def _build(
    settings: Settings,
    gen: Path,
    base_gen: Path | None,
    old: Manifest,
    manifest: Manifest,
    changed: dict[str, list[Chunk]],
    progress: bool,
    embedder,
) -> int:
    from .lexical import Bm25Index
    from .spelling import corpus_vocabulary
    from .store import Store

    old_ids: set[str] = set()
    keep_ids = {cid for entry in manifest.files.values() for cid in entry.chunk_ids}
    if base_gen is not None:
        old_ids = {cid for entry in old.files.values() for cid in entry.chunk_ids}
        if settings.chroma_url:
            # One collection a generation on the server: copy what stays, vectors and all.
            store = Store(settings, gen / "chroma", create=True)
            store.copy_from(Store(settings, base_gen / "chroma"), keep_ids & old_ids)
            old_ids &= keep_ids
        else:
            shutil.copytree(base_gen / "chroma", gen / "chroma")
    store = Store(settings, gen / "chroma", create=True)
    store.delete(sorted(old_ids - keep_ids))

    candidates = [c for chunks in changed.values() for c in chunks]
    reused = [c for c in candidates if c.id in old_ids]
    new = [c for c in candidates if c.id not in old_ids]
    store.update_metadata(reused)
    if new:
        if embedder is None:
            from .embeddings import Embedder

            embedder = Embedder(settings)
        _embed_into(store, embedder, new, settings.embed_batch_size * 8, progress)
    every = store.all_chunks()
    texts = [c.embedding_text() for c in every]
    Bm25Index.build([c.id for c in every], texts).save(gen / "bm25")
    (gen / "vocabulary.json").write_text(json.dumps(corpus_vocabulary(texts)))
    return len(new)


def _embed_into(store, embedder, chunks: list[Chunk], batch: int, progress: bool) -> None:
    from tqdm import tqdm

    with tqdm(total=len(chunks), unit="chunk", desc="Embedding", disable=not progress) as bar:
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            store.upsert(part, embedder.embed_documents([c.embedding_text() for c in part]))
            bar.update(len(part))


def _corpus_files(corpus: Path) -> list[Path]:
    return sorted(
        p
        for p in corpus.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(corpus).parts)
    )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
