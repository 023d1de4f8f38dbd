"""Exchange Assistant: cited answers about the LUMC - Nagasaki University Erasmus+ exchange.

The public API, importable from here:

    from assistant import Settings, build_assistant
    answer = build_assistant(Settings()).ask("What does the programme cover?")   # an Answer

(The index is built with `assistant.ingest.build.ingest(settings)`, or `exchange-assistant
ingest`.)

Heavy libraries (sentence-transformers, chromadb, gradio) are imported inside the modules that
need them, and the names below only when first used, so that `import assistant` and the CLI
start fast.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_PUBLIC = {
    "Settings": "assistant.config",
    "Assistant": "assistant.pipeline.assistant",
    "build_assistant": "assistant.pipeline.assistant",
    "Answer": "assistant.types",
    "Citation": "assistant.types",
    "Request": "assistant.types",
    "AssistantError": "assistant.errors",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
