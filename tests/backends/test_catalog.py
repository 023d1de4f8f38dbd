"""Assembling a local model from its part packages: order, checksum, the GGUF's own name, and a
half-written file never taken for the model. Runs on tiny fake part packages."""

import hashlib
import struct
import uuid

import pytest

from assistant.backends.catalog import MODELS, LocalModel, gguf_name, installed, model_file
from assistant.errors import AssistantError


def _gguf(name: str) -> bytes:
    def string(s: str) -> bytes:
        data = s.encode()
        return struct.pack("<Q", len(data)) + data

    kv = [
        string("general.architecture") + struct.pack("<I", 8) + string("llama"),
        string("general.alignment") + struct.pack("<I", 4) + struct.pack("<I", 32),
        string("tokenizer.ggml.tokens")
        + struct.pack("<I", 9)
        + struct.pack("<IQ", 8, 2)
        + string("a")
        + string("b"),
        string("general.name") + struct.pack("<I", 8) + string(name),
    ]
    return b"GGUF" + struct.pack("<IQQ", 3, 0, len(kv)) + b"".join(kv) + b"\0" * 64


@pytest.fixture
def parts(tmp_path, monkeypatch):
    """A GGUF split into three fake part packages; returns (model, whole file bytes)."""
    data = _gguf("Tiny Test GGUF")
    pieces = [data[:20], data[20:70], data[70:]]
    packages = tmp_path / "site"
    packages.mkdir()
    prefix = f"fake_{uuid.uuid4().hex}_part"  # modules are cached by name across tests
    for i, piece in enumerate(pieces, start=1):
        (tmp_path / f"part{i}.bin").write_bytes(piece)
        (packages / f"{prefix}{i}.py").write_text(
            f"def get_part_path():\n    return {str(tmp_path / f'part{i}.bin')!r}\n"
        )
    monkeypatch.syspath_prepend(str(packages))
    model = LocalModel(
        key="tiny",
        label="Tiny",
        file_name="tiny.gguf",
        sha256=hashlib.sha256(data).hexdigest(),
        general_name="tiny test gguf",
        part_modules=[f"{prefix}{i}" for i in range(1, 4)],
    )
    return model, data


def test_parts_are_joined_in_order_checked_and_kept(parts, tmp_path):
    model, data = parts
    assert installed(model)
    path = model_file(model, tmp_path / "cache")
    assert path.read_bytes() == data and gguf_name(path) == "tiny test gguf"
    (tmp_path / "part1.bin").write_bytes(b"changed")  # assembled once: the parts are not reread
    assert model_file(model, tmp_path / "cache") == path


def test_a_wrong_checksum_or_name_is_refused_and_leaves_no_file(parts, tmp_path):
    model, _ = parts
    cache = tmp_path / "cache"
    with pytest.raises(AssistantError, match="do not add up"):
        model_file(model.model_copy(update={"sha256": "0" * 64}), cache)
    with pytest.raises(AssistantError, match="names itself 'tiny test gguf'"):
        model_file(model.model_copy(update={"general_name": "qwen"}), cache)
    assert list(cache.iterdir()) == []


def test_a_missing_part_package_says_how_to_install(parts, tmp_path):
    model, _ = parts
    broken = model.model_copy(update={"part_modules": [*model.part_modules, "no_such_part"]})
    assert not installed(broken)
    with pytest.raises(AssistantError, match=r"pip install -e '\.\[local-llm\]'"):
        model_file(broken, tmp_path / "cache")


def test_the_shipped_models_are_pinned_by_checksum():
    qwen = [m for m in MODELS.values() if m.part_modules]
    assert {m.key for m in qwen} == {"qwen2.5-1.5b", "qwen2.5-0.5b"}
    assert all(m.sha256 and len(m.sha256) == 64 and m.general_name for m in qwen)
