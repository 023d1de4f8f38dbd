"""python -m evals [--suite NAME]... [--dataset FILE --corpus DIR --index DIR] [--mode extractive]
python -m evals calibrate [--suite NAME]... [--out FILE]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.calibration import DEFAULT_FILE
from assistant.config import Settings
from assistant.errors import AssistantError

from . import calibrate, runner
from .suites import DEFAULT_SUITES, load_suites


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    p.add_argument(
        "action", nargs="?", choices=["run", "calibrate", "calibrate-judge"], default="run"
    )
    p.add_argument("--suite", action="append", help="run only this suite (repeatable)")
    p.add_argument("--suites-file", type=Path, default=DEFAULT_SUITES)
    p.add_argument("--dataset", type=Path, help="cases of your own, instead of the suites")
    p.add_argument("--index", type=Path, help="index folder for --dataset")
    p.add_argument("--corpus", type=Path, help="corpus folder for --dataset")
    p.add_argument(
        "--mode",
        default=None,
        help="answerer: extractive (default), llm (the local model, or the EXCHANGE_LLM model "
        "when that is generative), or any EXCHANGE_LLM value (local, openai:MODEL, ...)",
    )
    p.add_argument(
        "--split", choices=["dev", "test"], help="run the cases of one split only (default both)"
    )
    p.add_argument(
        "--per-suite",
        type=int,
        metavar="N",
        help="at most N cases of each suite (a fixed sample; for the slow model runs)",
    )
    p.add_argument("--thresholds", type=Path, default=runner.DEFAULT_THRESHOLDS)
    p.add_argument("--reports", type=Path, default=runner.REPORTS, help="where reports go")
    p.add_argument("--no-baselines", action="store_true", help="run our pipeline only")
    p.add_argument("--out", type=Path, default=DEFAULT_FILE, help="calibrate: file to write")
    args = p.parse_args(argv)
    overrides = {}
    if args.mode:
        configured = Settings().llm
        generative = configured.split(":")[0] != "extractive"
        overrides["llm"] = (
            (configured if generative else "local") if args.mode == "llm" else args.mode
        )
    try:
        settings = Settings(**overrides)
        if args.dataset:
            suites = [runner.adhoc_suite(args.dataset, args.corpus, args.index)]
        else:
            suites = load_suites(args.suites_file, args.suite)
        if args.action == "calibrate":
            return calibrate.main(settings, suites, args.out)
        if args.action == "calibrate-judge":
            from . import calibrate_judge

            return calibrate_judge.main(settings, suites, args.out)
        return runner.run(
            settings,
            suites,
            args.thresholds,
            not args.no_baselines,
            args.reports,
            split=args.split,
            limit=args.per_suite,
        )
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
