"""Setting up and checking the local model runtime (what `make setup` runs):

python -m assistant.backends build [--prefix DIR] [--force] [--all-variants]   # llama-server, once
python -m assistant.backends info       # the build, the CPU variant
python -m assistant.backends model      # the local model's GGUF file
python -m assistant.backends check      # start it, read a long prompt
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from assistant.backends import kind, local_key, make_backend
from assistant.backends.catalog import local_model_path
from assistant.backends.runtime import (
    LLAMA_CPP_BUILD,
    build,
    built,
    chosen_variant,
    default_prefix,
    read_info,
)
from assistant.config import Settings
from assistant.errors import AssistantError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m assistant.backends")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build llama-server into the environment (once)")
    b.add_argument("--prefix", type=Path, default=None)
    b.add_argument("--jobs", type=int, default=None)
    b.add_argument("--force", action="store_true", help="build even when the build is current")
    b.add_argument(
        "--all-variants",
        action="store_true",
        help="build the kernels of every CPU level (but AMX), for a runtime moved between machines",
    )
    i = sub.add_parser("info", help="print the build and the CPU variant this machine loads")
    i.add_argument("--prefix", type=Path, default=None)
    sub.add_parser("model", help="assemble and check the local model's GGUF file (once)")
    sub.add_parser(
        "check", help="start the local model's server and read a prompt of a few hundred tokens"
    )
    args = parser.parse_args(argv)
    if args.command == "model":
        return _assemble_model()
    if args.command == "check":
        return _check()
    prefix = args.prefix or default_prefix()
    if args.command == "build":
        if built(prefix) and not args.force:
            print(f"llama-server {LLAMA_CPP_BUILD} is already built in {prefix}.")
            return 0
        try:
            build(prefix, args.jobs, all_variants=args.all_variants)
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0
    info = read_info(prefix)
    if info is None:
        print(f"error: no runtime in {prefix}; run `make setup`.", file=sys.stderr)
        return 1
    print(json.dumps({**info.model_dump(), "loads": chosen_variant(prefix / "bin")}, indent=2))
    return 0


def _assemble_model() -> int:

    settings = Settings()
    if kind(settings) != "local":
        print(f"EXCHANGE_LLM={settings.llm}: no local model to assemble.")
        return 0
    try:
        path = local_model_path(settings, local_key(settings))
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"local model ready: {path}")
    return 0


def _check() -> int:
    """The model server started as the assistant starts it, its start-up check included (with
    the filler prompt: the pipeline's opening is the pipeline's, not the runtime's)."""

    settings = Settings()
    if kind(settings) != "local":
        print(f"EXCHANGE_LLM={settings.llm}: no local model to check.")
        return 0
    backend = make_backend(settings)
    started = time.monotonic()
    try:
        ok = backend.ready(settings.server.start_timeout_s + 30)
        status = backend.status()
    finally:
        backend.stop()
    if not ok:
        print(f"error: {status.reason}", file=sys.stderr)
        return 1
    print(
        f"{backend.label} answered a prompt of a few hundred tokens "
        f"({time.monotonic() - started:.1f} s from start)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
