"""Checking the serving generation before an ingest builds on it: its manifest, whether its
vectors are whole and usable as a base, and what must be made again."""

from __future__ import annotations

from pathlib import Path

from assistant.config import Settings
from assistant.errors import IndexDamagedError, StoreUnavailableError
from assistant.index import generations
from assistant.index.generations import Manifest, read_manifest


def inspect_generation(
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
    problem = vectors_problem(settings, gen, old)
    if problem:
        repaired.append(f"everything: {problem}")
        return old, False, False
    try:
        generations.check_files(gen, old)
    except IndexDamagedError as exc:
        repaired.append(f"bm25/, e5/ and vocabulary.json: {getattr(exc, 'what', exc)}")
        return old, True, True
    return old, True, old.version < generations.MANIFEST_VERSION or not old.checksums


def vectors_problem(settings: Settings, gen: Path, manifest: Manifest) -> str | None:
    """What is wrong with the vectors of `gen`, or None when Chroma holds what it should."""
    from assistant.index.chroma import collection_for, server_mode, sqlite_problem
    from assistant.index.store import Store

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
