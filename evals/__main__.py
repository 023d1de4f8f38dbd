"""python -m evals [--suite NAME]... [--dataset FILE --corpus DIR --index DIR] [--mode extractive]
python -m evals --split dev --replay evals/reports/calls-local-dev.json.gz   # no model
python -m evals --split dev --replay evals/reports/calls-local-dev.json.gz --ask-on-miss
python -m evals calibrate [--suite NAME]... [--out FILE]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.pipeline.calibration import DEFAULT_FILE

from . import calibrate, runner
from .suites import DEFAULT_SUITES, load_suites


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    p.add_argument(
        "action",
        nargs="?",
        choices=["run", "calibrate", "calibrate-decision"],
        default="run",
        help="run the cases; calibrate the quote path (no model) on dev; or fit the model "
        "path's decision from a report of a dev run (--from)",
    )
    p.add_argument("--suite", action="append", help="run only this suite (repeatable)")
    p.add_argument("--suites-file", type=Path, default=DEFAULT_SUITES)
    p.add_argument("--dataset", type=Path, help="cases of your own, instead of the suites")
    p.add_argument("--index", type=Path, help="index folder for --dataset")
    p.add_argument("--corpus", type=Path, help="corpus folder for --dataset")
    p.add_argument(
        "--mode",
        default=None,
        help="the model that reads: an EXCHANGE_LLM value (local, local:qwen2.5-0.5b, "
        "openai:MODEL, ...; default EXCHANGE_LLM, else local), or none for the quote path",
    )
    p.add_argument(
        "--from",
        dest="from_report",
        type=Path,
        help="calibrate-decision: the JSON report of a dev run in the model's mode",
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
    p.add_argument(
        "--replay",
        type=Path,
        action="append",
        metavar="CALLS",
        help="answer from the model replies a run recorded (evals/reports/calls-*.json.gz) "
        "instead of a model: what a change after the model's read does, in minutes; "
        "repeatable, for a split recorded in parts",
    )
    p.add_argument(
        "--ask-on-miss",
        action="store_true",
        help="with --replay: the model answers the calls the recordings do not hold (a "
        "changed prompt of one read: only that read is asked anew); the run's calls, replayed "
        "and new, are kept in calls-<mode>[-<split>]-filled.json.gz",
    )
    p.add_argument("--out", type=Path, default=DEFAULT_FILE, help="calibrate: file to write")
    args = p.parse_args(argv)
    overrides = {"llm": args.mode} if args.mode else {}
    try:
        settings = Settings(**overrides)
        if args.dataset:
            suites = [runner.adhoc_suite(args.dataset, args.corpus, args.index)]
        else:
            suites = load_suites(args.suites_file, args.suite)
        if args.action == "calibrate":
            return calibrate.main(settings.model_copy(update={"llm": "none"}), suites, args.out)
        if args.action == "calibrate-decision":
            from . import calibrate_decision

            if not args.from_report:
                raise AssistantError("calibrate-decision needs --from REPORT.json (a dev run).")
            return calibrate_decision.main(settings, args.from_report, args.out)
        if args.ask_on_miss and not args.replay:
            raise AssistantError("--ask-on-miss goes with --replay (the recordings to replay).")
        return runner.run(
            settings,
            suites,
            args.thresholds,
            not args.no_baselines,
            args.reports,
            split=args.split,
            limit=args.per_suite,
            replay=args.replay,
            ask_on_miss=args.ask_on_miss,
        )
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
