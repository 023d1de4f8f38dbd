"""Incremental, atomic index build: add, update and delete by content hash.

Before building on the serving generation, ingest checks it as a reader would (manifest,
checksums of bm25/ and the vocabulary, the vector count in Chroma) and rebuilds what is
damaged: only bm25/ and the vocabulary when the vectors are whole, everything otherwise.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from pathlib import Path

from pydantic import Field

from . import generations
from .chunking import Chunker
from .config import Settings
from .errors import AssistantError, IndexDamagedError, LoadError, StoreUnavailableError
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


def model_identity(settings: Settings) -> str:
    """The embedding model as the manifest records it: its folder name and weights size."""
    from .embeddings import model_path

    path = model_path(settings)
    weights = path / "model.safetensors"
    size = weights.stat().st_size if weights.is_file() else 0
    return f"{path.name}:{size}"


def fingerprint(settings: Settings) -> str:
    """What the stored vectors depend on; when it changes, everything is embedded again."""
    from .e5_index import passage_model

    return (
        f"{model_identity(settings)}|chunk={settings.chunk_size}/{settings.chunk_overlap}"
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
    from .store import drop_generations, drop_orphans, server_mode

    with ingest_lock(index):
        generations.index_id(index, create=True)
        old_gen = current(index)
        repaired: list[str] = []
        if old_gen is None and (index / generations.POINTER).exists():
            repaired.append(f"everything: {generations.POINTER} did not name a generation")
        fp = fingerprint(settings)
        where = "server" if server_mode(settings) else "embedded"
        old, vectors_ok, renew = _inspect(settings, old_gen, fp, where, rebuild, repaired)
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


def _inspect(
    settings: Settings,
    gen: Path | None,
    fp: str,
    where: str,
    rebuild: bool,
    repaired: list[str],
) -> tuple[Manifest, bool, bool]:
    """Check the serving generation: its manifest, whether its vectors are whole and usable
    as a base (same model, chunking and store), and whether bm25/ and the vocabulary must be
    made again (damaged, or a manifest from before checksums were kept).

    Returns (manifest, vectors usable, renew the rest); what is damaged goes to `repaired`."""
    if gen is None:
        return Manifest(), False, False
    try:
        old = read_manifest(gen)
    except IndexDamagedError as exc:
        repaired.append(f"everything: {getattr(exc, 'what', exc)}")
        return Manifest(), False, False
    if rebuild:
        repaired.append("everything: --rebuild")
        return old, False, False
    if not (gen / "manifest.json").is_file():
        repaired.append(f"everything: {gen.name} has no manifest.json")
        return old, False, False
    if old.fingerprint != fp or old.store != where:
        return old, False, False  # another model, chunking or store: built anew, not damaged
    problem = _vectors_problem(settings, gen, old)
    if problem:
        repaired.append(f"everything: {problem}")
        return old, False, False
    try:
        generations.check_files(gen, old)
    except IndexDamagedError as exc:
        repaired.append(f"bm25/, e5/ and vocabulary.json: {getattr(exc, 'what', exc)}")
        return old, True, True
    return old, True, old.version < generations.MANIFEST_VERSION or not old.checksums


def _vectors_problem(settings: Settings, gen: Path, manifest: Manifest) -> str | None:
    """What is wrong with the vectors of `gen`, or None when Chroma holds what it should."""
    from .store import Store, collection_for, server_mode, sqlite_problem

    if not server_mode(settings):
        problem = sqlite_problem(gen)
        if problem:
            return problem
    try:
        # Opened by collection name: the files are checked apart, so that whole vectors are
        # kept even when bm25/ or the vocabulary is damaged.
        held = Store(settings, gen / "chroma", collection=collection_for(settings, gen)).count()
    except IndexDamagedError as exc:
        return getattr(exc, "what", str(exc))
    except StoreUnavailableError as exc:
        if server_mode(settings):
            raise  # a server that is down is not a damaged index
        return str(exc)
    expected = manifest.vectors if manifest.vectors is not None else manifest.chunk_count
    if held != expected:
        return f"the Chroma store of {gen.name} holds {held} vectors where {expected} belong"
    return None


def _plan(
    settings: Settings, corpus: Path, old: Manifest, fresh: bool
) -> tuple[Report, Manifest, dict[str, list[Chunk]]]:
    """Decide per file: unchanged, added, updated, removed or skipped (with the reason)."""
    report = Report()
    manifest = Manifest()
    changed: dict[str, list[Chunk]] = {}
    chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
    seen_hashes: dict[str, str] = {}
    max_bytes = int(settings.max_file_mb * 1_000_000)
    from .loaders import load_file

    hashed: list[tuple[Path, str, FileEntry | None, str]] = []
    listed: list[SkippedFile] = []
    files = _corpus_files(corpus, follow_symlinks=settings.follow_symlinks, skipped=listed)
    report.skipped.extend(listed)
    for path in files:
        source = path.relative_to(corpus).as_posix()
        if not _utf8(source):
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
    from .lexical import Bm25Index
    from .spelling import corpus_vocabulary
    from .store import Store, collection_for

    old_ids: set[str] = set()
    keep_ids = {cid for entry in manifest.files.values() for cid in entry.chunk_ids}
    if base_gen is not None:
        old_ids = {cid for entry in old.files.values() for cid in entry.chunk_ids}
        if settings.chroma_url:
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
            from .embeddings import Embedder

            embedder = Embedder(settings)
        _embed_into(store, embedder, new, settings.embed_batch_size * 8, progress)
    every = store.all_chunks()
    texts = [c.embedding_text() for c in every]
    Bm25Index.build([c.id for c in every], texts).save(gen / "bm25")
    (gen / "vocabulary.json").write_text(json.dumps(corpus_vocabulary(texts)))
    _build_e5(settings, gen, base_gen, old, every, texts, scorer)
    # What a reader checks before it answers from this generation.
    manifest.vectors = store.count()
    manifest.collection = store.name if settings.chroma_url else None
    manifest.model = model_identity(settings)
    manifest.checksums = generations.checksums(gen)
    return len(new)


def _build_e5(settings, gen, base_gen, old, chunks, texts, scorer) -> None:
    """The e5 index of the generation: vectors of chunks the previous generation had are
    taken from it when its e5 files are the ones its manifest records; the rest are encoded."""
    from .e5_index import FOLDER, E5Index

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
            from .passage_scorer import PassageScorer

            scorer = PassageScorer(threads=settings.scorer_threads)
        return scorer.encode_passages(batch)

    E5Index.build([c.id for c in chunks], texts, encode, known).save(gen / FOLDER)


def _embed_into(store, embedder, chunks: list[Chunk], batch: int, progress: bool) -> None:
    from tqdm import tqdm

    with tqdm(total=len(chunks), unit="chunk", desc="Embedding", disable=not progress) as bar:
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            store.upsert(part, embedder.embed_documents([c.embedding_text() for c in part]))
            bar.update(len(part))


def _corpus_files(
    corpus: Path, follow_symlinks: bool = False, skipped: list[SkippedFile] | None = None
) -> list[Path]:
    """The regular files of the corpus folder, sorted; the scan never leaves the folder.

    Symbolic links are skipped (a link to /etc/passwd must not be indexed and quoted); with
    `follow_symlinks` a link is followed only when its target stays inside the folder. Hidden
    files and folders (names starting with '.', '..' included) are skipped too. Each skipped
    entry goes to `skipped` with its reason."""
    root = Path(os.path.realpath(corpus))
    found: list[Path] = []

    def skip(path: Path, reason: str) -> None:
        if skipped is not None:
            source = printable(path.relative_to(corpus).as_posix())
            skipped.append(SkippedFile(source=source, reason=reason))

    def walk(folder: Path, seen: frozenset[str]) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skip(folder, f"folder cannot be read ({exc.strerror})")
            return
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                kind = "folder" if entry.is_dir(follow_symlinks=False) else "file"
                skip(path, f"hidden {kind} (its name starts with '.')")
            elif entry.is_symlink():
                target = os.path.realpath(path)
                if not follow_symlinks:
                    skip(
                        path,
                        "symbolic link, not followed (EXCHANGE_FOLLOW_SYMLINKS=true "
                        "follows links that stay inside the corpus folder)",
                    )
                elif not Path(target).is_relative_to(root):
                    skip(path, "symbolic link to outside the corpus folder")
                elif os.path.isdir(target):
                    if target in seen:
                        skip(path, "symbolic link that loops back to a folder above it")
                    else:
                        walk(path, seen | {target})
                elif os.path.isfile(target):
                    found.append(path)
                else:
                    skip(path, "broken symbolic link")
            elif entry.is_dir(follow_symlinks=False):
                walk(path, seen | {os.path.realpath(path)})
            elif entry.is_file(follow_symlinks=False):
                found.append(path)
            else:
                skip(path, "not a regular file (a pipe, socket or device)")

    walk(corpus, frozenset({str(root)}))
    return sorted(found)


def printable(name: str) -> str:
    """A file name as it can be printed on one line: control characters, and bytes that are
    not UTF-8, escaped as in Python ('a\\nb.md', '\\xff.md')."""
    out = []
    for ch in name:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as os.fsdecode keeps it
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch == "\\":
            out.append("\\\\")
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])
    return "".join(out)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_sha256 = generations.sha256_of  # a module name, so tests can stand in for it
