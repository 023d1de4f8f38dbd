"""Incremental, atomic index build: add, update and delete by content hash.

Before building on the serving generation, ingest checks it as a reader would (manifest,
checksums of bm25/ and the vocabulary, the vector count in Chroma) and rebuilds what is
damaged: only bm25/ and the vocabulary when the vectors are whole, everything otherwise.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import time
from pathlib import Path

from pydantic import Field

from assistant.config import Settings
from assistant.errors import AssistantError, IndexDamagedError, LoadError
from assistant.index import generations
from assistant.index.embeddings import model_identity
from assistant.index.generations import (
    FileEntry,
    Manifest,
    activate,
    current,
    ingest_lock,
    new_generation,
    prune,
    prune_unfinished,
    write_manifest,
)
from assistant.ingest import files as files_module
from assistant.ingest.checkup import inspect_generation
from assistant.ingest.chunking import Chunker
from assistant.ingest.files import is_utf8, printable
from assistant.types import Chunk, IngestReport, SkippedFile

CHUNKER_VERSION = "5"  # bump when what an index generation holds changes (5: the e5 index)


class Report(IngestReport):
    """The ingest report, with what was found damaged and rebuilt, and orphans removed."""

    repaired: list[str] = Field(
        default_factory=list, description="What was rebuilt and why (damage, --rebuild)."
    )
    orphans_removed: list[str] = Field(
        default_factory=list,
        description="Server collections of generations that no longer exist, now deleted.",
    )


def fingerprint(settings: Settings) -> str:
    """What the stored vectors depend on; when it changes, everything is embedded again."""
    from assistant.index.e5 import passage_model

    return (
        f"{model_identity(settings)}|chunk={settings.index.chunk_size}/{settings.index.chunk_overlap}"
        f"|chunker={CHUNKER_VERSION}|e5={passage_model()}"
    )


def ingest(
    settings: Settings,
    corpus_dir: Path | None = None,
    index_dir: Path | None = None,
    progress: bool = False,
    embedder=None,
    rebuild: bool = False,
    scorer=None,
) -> Report:
    """Bring the index in line with the corpus folder; embeds only chunks it has not seen.

    `rebuild` embeds everything again into a new generation, whatever the old one holds.
    `scorer` embeds the e5 index (a PassageScorer, made when needed; tests pass a fake)."""
    started = time.perf_counter()
    corpus = Path(corpus_dir or settings.corpus_dir)
    index = Path(index_dir or settings.index_dir)
    if not corpus.is_dir():
        raise AssistantError(f"The corpus folder {corpus} does not exist.")
    from assistant.index.chroma import drop_generations, drop_orphans, server_mode

    with ingest_lock(index):
        generations.index_id(index, create=True)
        old_gen = current(index)
        repaired: list[str] = []
        if old_gen is None and (index / generations.POINTER).exists():
            repaired.append(f"everything: {generations.POINTER} did not name a generation")
        fp = fingerprint(settings)
        where = "server" if server_mode(settings) else "embedded"
        old, vectors_ok, renew = inspect_generation(settings, old_gen, fp, where, rebuild, repaired)
        # A previous generation is a base to build on only if its vectors are whole and where
        # we store: same model and chunking, same kind of store, and (on a server) still there.
        fresh = not vectors_ok
        report, manifest, changed = _plan(settings, corpus, old, fresh)
        report.repaired = repaired
        if old.files and not manifest.files:
            # An emptied (or unmounted) corpus folder is far likelier a mistake than a wish to
            # serve nothing: the index that serves stays.
            raise AssistantError(
                f"The corpus folder {corpus} has no documents to index; the index keeps serving "
                f"its {len(old.files)} documents (delete {index} to start from nothing)."
            )
        report.chunks_total = manifest.chunk_count
        if not fresh and not renew and not changed and not report.removed:
            drop_generations(settings, prune_unfinished(index, old_gen))
            report.orphans_removed = drop_orphans(settings, index)
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
                scorer,
            )
            write_manifest(gen, manifest)
            activate(index, gen)
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            with contextlib.suppress(Exception):
                drop_generations(settings, [gen.name])
            raise
        # The generation before stays for readers still on it, unless it is damaged.
        keep_old = old_gen is not None and repaired in ([], ["everything: --rebuild"])
        keep = {gen} | ({old_gen} if keep_old else set())
        drop_generations(settings, prune(index, keep=keep))
        report.orphans_removed = drop_orphans(settings, index)
    report.seconds = time.perf_counter() - started
    return report


def _plan(
    settings: Settings, corpus: Path, old: Manifest, fresh: bool
) -> tuple[Report, Manifest, dict[str, list[Chunk]]]:
    """Decide per file: unchanged, added, updated, removed or skipped (with the reason)."""
    report = Report()
    manifest = Manifest()
    changed: dict[str, list[Chunk]] = {}
    chunker = Chunker(settings.index.chunk_size, settings.index.chunk_overlap)
    seen_hashes: dict[str, str] = {}
    max_bytes = int(settings.index.max_file_mb * 1_000_000)
    from assistant.ingest.loaders import load_file

    hashed: list[tuple[Path, str, FileEntry | None, str]] = []
    listed: list[SkippedFile] = []
    files = files_module.corpus_files(
        corpus, follow_symlinks=settings.index.follow_symlinks, skipped=listed
    )
    report.skipped.extend(listed)
    for path in files:
        source = path.relative_to(corpus).as_posix()
        if not is_utf8(source):
            report.skipped.append(
                SkippedFile(source=printable(source), reason="file name is not valid UTF-8")
            )
            continue
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
            contact=meta.get("contact") or None,
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
    scorer=None,
) -> int:
    from assistant.index.chroma import collection_for
    from assistant.index.lexical import Bm25Index
    from assistant.index.store import Store
    from assistant.text.spelling import corpus_vocabulary

    old_ids: set[str] = set()
    keep_ids = {cid for entry in manifest.files.values() for cid in entry.chunk_ids}
    if base_gen is not None:
        old_ids = {cid for entry in old.files.values() for cid in entry.chunk_ids}
        if settings.index.chroma_url:
            # One collection a generation on the server: copy what stays, vectors and all.
            store = Store(settings, gen / "chroma", create=True)
            base = Store(settings, base_gen, collection=collection_for(settings, base_gen))
            store.copy_from(base, keep_ids & old_ids)
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
            from assistant.index.embeddings import Embedder

            embedder = Embedder(settings)
        _embed_into(store, embedder, new, settings.index.embed_batch_size * 8, progress)
    every = store.all_chunks()
    texts = [c.embedding_text() for c in every]
    Bm25Index.build([c.id for c in every], texts).save(gen / "bm25")
    (gen / "vocabulary.json").write_text(json.dumps(corpus_vocabulary(texts)))
    _build_e5(settings, gen, base_gen, old, every, texts, scorer)
    # What a reader checks before it answers from this generation.
    manifest.vectors = store.count()
    manifest.collection = store.name if settings.index.chroma_url else None
    manifest.model = model_identity(settings)
    manifest.checksums = generations.checksums(gen)
    return len(new)


def _build_e5(settings, gen, base_gen, old, chunks, texts, scorer) -> None:
    """The e5 index of the generation: vectors of chunks the previous generation had are
    taken from it when its e5 files are the ones its manifest records; the rest are encoded."""
    from assistant.index.e5 import FOLDER, E5Index

    known = {}
    recorded = {k: v for k, v in old.checksums.items() if k.startswith(f"{FOLDER}/")}
    if base_gen is not None and recorded:
        try:
            if all(
                generations.sha256_of(base_gen / rel) == digest for rel, digest in recorded.items()
            ):
                known = E5Index.load(base_gen / FOLDER).as_dict()
        except (OSError, IndexDamagedError):
            known = {}

    def encode(batch: list[str]):
        nonlocal scorer
        if scorer is None:
            from assistant.index.passage_scorer import PassageScorer

            scorer = PassageScorer(threads=settings.retrieval.scorer_threads)
        return scorer.encode_passages(batch)

    E5Index.build([c.id for c in chunks], texts, encode, known).save(gen / FOLDER)


def _embed_into(store, embedder, chunks: list[Chunk], batch: int, progress: bool) -> None:
    from tqdm import tqdm

    with tqdm(total=len(chunks), unit="chunk", desc="Embedding", disable=not progress) as bar:
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            store.upsert(part, embedder.embed_documents([c.embedding_text() for c in part]))
            bar.update(len(part))


_sha256 = generations.sha256_of  # a module name, so tests can stand in for it
