"""python -m evals [--dataset FILE] [--index DIR] [--mode extractive] | python -m evals calibrate"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.config import Settings
from assistant.errors import AssistantError

from . import calibrate, runner


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    p.add_argument("action", nargs="?", choices=["run", "calibrate"], default="run")
    p.add_argument("--dataset", type=Path, default=runner.DEFAULT_DATASET)
    p.add_argument(
        "--index", type=Path, help="index folder (default: EXCHANGE_INDEX_DIR or index/)"
    )
    p.add_argument("--corpus", type=Path, help="corpus folder, for the dense baseline")
    p.add_argument(
        "--mode",
        default=None,
        help="answerer: extractive (default), llm (the local model, or the EXCHANGE_LLM model "
        "when that is generative), or any EXCHANGE_LLM value (local, openai:MODEL, ...)",
    )
    p.add_argument("--thresholds", type=Path, default=runner.DEFAULT_THRESHOLDS)
    p.add_argument("--reports", type=Path, default=runner.REPORTS, help="where reports go")
    p.add_argument("--no-baselines", action="store_true", help="run our pipeline only")
    args = p.parse_args(argv)
    overrides = {}
    if args.index:
        overrides["index_dir"] = args.index
    if args.corpus:
        overrides["corpus_dir"] = args.corpus
    if args.mode:
        configured = Settings().llm
        generative = configured.split(":")[0] != "extractive"
        overrides["llm"] = (
            (configured if generative else "local") if args.mode == "llm" else args.mode
        )
    try:
        settings = Settings(**overrides)
        if args.action == "calibrate":
            return calibrate.main(settings, args.dataset, args.reports)
        return runner.run(
            settings, args.dataset, args.thresholds, not args.no_baselines, args.reports
        )
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
