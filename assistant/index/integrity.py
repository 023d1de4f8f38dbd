"""Whether a generation may be answered from: its files against the manifest, and built for
these settings (embedded or server, the same embedding model)."""

from __future__ import annotations

from pathlib import Path

from assistant.config import Settings
from assistant.errors import IndexDamagedError
from assistant.index import generations
from assistant.index.chroma import collection_for, server_mode, sqlite_problem


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
                f"{manifest.collection or collection_for(settings, gen)}) but "
                "EXCHANGE_INDEX__CHROMA_URL is not set; set it to that server"
            )
        else:
            what = (
                f"it was built with embedded Chroma but EXCHANGE_INDEX__CHROMA_URL is set "
                f"({settings.index.chroma_url}); unset it"
            )
        raise IndexDamagedError(
            f"The index does not match the settings: {what}, or run "
            "`exchange-assistant ingest --rebuild`."
        )
    if manifest.model:
        from assistant.index.embeddings import model_identity

        model = model_identity(settings)
        if model != manifest.model:
            raise IndexDamagedError(
                f"The index does not match the settings: it was embedded with the model "
                f"{manifest.model}, not {model}; set EXCHANGE_INDEX__EMBEDDING_MODEL back, or run "
                "`exchange-assistant ingest --rebuild`."
            )
    if where == "embedded":
        problem = sqlite_problem(gen)
        if problem:
            raise generations.damaged(problem)
    return manifest
