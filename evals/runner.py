"""Runs every suite's cases through our pipeline and the baselines, scores them by split,
reports, and checks the thresholds (on the test split)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import defaultdict
from pathlib import Path

import yaml

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.pipeline.assistant import build_assistant
from assistant.pipeline.reading import Prompts

from .calls import Recorder, Replayer
from .metrics import CaseScore, GoldMatcher, aggregate, score_case
from .suites import DEFAULT_SUITES, SPLITS, Suite, ensure_index, load_suites, split_of
from .systems import Ours, bm25_only, dense_langchain_defaults

HERE = Path(__file__).parent
DEFAULT_THRESHOLDS = HERE / "thresholds.yaml"
REPORTS = HERE / "reports"
SHOWN = [
    "hit@1",
    "hit@3",
    "recall@5",
    "mrr",
    "fact_recall",
    "citation_precision",
    "unsupported_sentence_rate",
    "abstention_precision",
    "abstention_recall",
    "false_abstention_rate",
    "partial_rate_answerable",
    "partial_rate_unanswerable",
    "model_share",
    "followup_accuracy",
    "answer_words_p50",
    "answer_words_p95",
    "latency_p50_ms",
    "latency_p95_ms",
    "first_token_p50_ms",
]
GATED_SPLIT = "test"
POOLED = "pooled"


def sample(cases: list, split: str | None, limit: int | None) -> list:
    """The cases of one split (or all), at most `limit` of them: a spread sample in the order
    of a hash of their ids, the same on every run."""
    import hashlib

    chosen = [c for c in cases if split is None or split_of(c.id) == split]
    if limit is not None and len(chosen) > limit:
        order = sorted(chosen, key=lambda c: hashlib.sha256(f"sample:{c.id}".encode()).digest())
        keep = {id(c) for c in order[:limit]}
        chosen = [c for c in chosen if id(c) in keep]
    return chosen


def evaluate_suite(
    suite: Suite,
    base: Settings,
    baselines: bool = True,
    embedder=None,
    log=print,
    split: str | None = None,
    limit: int | None = None,
    backend=None,
) -> tuple[dict, list[CaseScore]]:
    """The suite's report, and our pipeline's scores on its cases (for the pooled figures)."""
    settings = suite.settings(base)
    if suite.build:
        ensure_index(settings, embedder)
    assistant = build_assistant(settings, embedder=embedder, backend=backend)
    assistant.warm_up()
    cases = sample(suite.load(), split, limit)
    chunks = assistant.retriever.store.all_chunks()
    gold = GoldMatcher(chunks)
    unknown = sorted(
        {f"{g.file} › {g.section}" for c in cases for g in c.sources if not gold.known(g)}
    )
    systems = [Ours(assistant)]
    if baselines:
        systems += [
            dense_langchain_defaults(Path(settings.corpus_dir), assistant.embedder),
            bm25_only(chunks),
        ]
    results: dict[str, list[CaseScore]] = {}
    for system in systems:
        log(f"[{suite.name}] {len(cases)} cases through {system.name}...", file=sys.stderr)
        supported = getattr(system, "supported", None)
        results[system.name] = [
            score_case(c, system.run(c), gold, **({"supported": supported} if supported else {}))
            for c in cases
        ]
    ours = results["ours"]
    by_category: dict[str, list[CaseScore]] = defaultdict(list)
    for s in ours:
        if split_of(s.case.id) == GATED_SPLIT:
            by_category[s.case.category].append(s)
    report = {
        "about": suite.about,
        "corpus": str(suite.corpus),
        "unknown_gold_sources": unknown,
        "splits": {
            split: {
                name: aggregate([s for s in scores if split_of(s.case.id) == split])
                for name, scores in results.items()
            }
            for split in SPLITS
        },
        "categories": {cat: aggregate(scores) for cat, scores in sorted(by_category.items())},
        "cases": [_case_row(s) for s in ours],
    }
    return report, ours


def evaluate(
    base: Settings,
    suites: list[Suite],
    baselines: bool = True,
    embedder=None,
    log=print,
    split: str | None = None,
    limit: int | None = None,
    record: Path | None = None,
    replayer: Replayer | None = None,
    ask_on_miss: bool = False,
) -> dict:
    """Every suite's cases through our pipeline (and the baselines). `record`: keep the model's
    replies in that file; `replayer`: answer from recorded replies instead of a model
    (evals.calls); `ask_on_miss`: with it, the model answers the calls it does not hold."""
    from assistant.backends import ModelBackend, make_backend

    recorder = None
    if replayer is not None:
        # the report is of the recorded run's mode, and is held to that mode's thresholds
        base = base.model_copy(update={"llm": replayer.mode or base.llm})
        backend = ModelBackend(replayer, "replay of " + replayer.source)
        if ask_on_miss:
            backend = make_backend(base, opening=Prompts().opening())
            if backend is None:
                raise AssistantError("The recordings are of no model, so none can be asked.")
            replayer.fallback = backend.client
            backend.client = replayer
    else:
        # One model process for every suite: the model is the same, only the corpus changes.
        backend = make_backend(base, opening=Prompts().opening())
    if backend is not None and record is not None:
        backend.client = recorder = Recorder(backend.client)
    try:
        if backend is not None:
            backend.start()
            if not backend.ready(base.reading.load_wait_s):
                status = backend.status()
                log(f"warning: the model is not ready ({status.reason}); answers will quote.")
        suites_out, ours = {}, []
        for s in suites:
            suites_out[s.name], scores = evaluate_suite(
                s, base, baselines, embedder, log, split, limit, backend
            )
            ours += scores
    finally:
        if backend is not None:
            backend.stop()
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": base.llm,
        "sample": {"split": split, "per_suite": limit} if split or limit else None,
        "suites": suites_out,
        # Every suite's cases together: a small sample holds few unanswerable cases a suite, and
        # a rate over all of them is the one a gate can rest on.
        "pooled": {sp: aggregate([s for s in ours if split_of(s.case.id) == sp]) for sp in SPLITS},
    }
    if recorder is not None:
        recorder.save(
            record, {"date": report["date"], "mode": base.llm, "sample": report["sample"]}
        )
        log(f"{len(recorder.calls)} model calls recorded in {record}", file=sys.stderr)
    if replayer is not None:
        report["replay"] = {
            "from": replayer.source,
            "replayed": replayer.replayed,
            "missed": replayer.missed,
            "asked": replayer.asked,
        }
    return report


def _case_row(s: CaseScore) -> dict:
    return {
        "id": s.case.id,
        "split": split_of(s.case.id),
        "category": s.case.category,
        "question": s.case.question,
        "history": s.case.history,
        "answerable": s.case.answerable,
        "abstained": s.result.abstained,
        "outcome": s.result.outcome,
        "mode": s.result.mode,
        "support": s.result.support,
        "signals": s.result.signals,
        "model_reply": s.result.model_reply,
        "entailment_read": s.result.entailment_read,
        "draft_answer": s.result.draft_answer,
        "gap_read": s.result.gap_read,
        "facts": len(s.case.facts),
        "facts_stated": s.facts_stated,
        "first_token_ms": s.result.first_token_ms,
        "answer": s.result.answer,
        "words": s.words,
        "passed": s.passed,
        "failures": s.failures,
        "known_failure": s.case.known_failure,
        "latency_ms": round(s.result.latency_ms, 1),
    }


def check_thresholds(report: dict, thresholds: dict) -> list[tuple[str, str, bool]]:
    """[(suite metric, rule, held)] on the gated split, for the report's mode. Rules under
    `all:` apply to every suite; rules under a suite's name to that suite; rules under
    `pooled:` to every suite's cases together (the report's `pooled` figures)."""
    kind = report["mode"].split(":")[0].strip().lower()
    kind = "none" if kind == "extractive" else kind
    rules_by_suite = thresholds.get(kind, {})
    checks = []
    for name, suite in report["suites"].items():
        rules = {**rules_by_suite.get("all", {}), **rules_by_suite.get(name, {})}
        overall = suite["splits"][GATED_SPLIT]
        ours = overall["ours"]
        for metric, rule in rules.items():
            label = f"{name} {metric}"
            if metric == "beat_baselines":
                for other_name, other in overall.items():
                    if other_name == "ours":
                        continue
                    for m in rule:
                        held = (ours[m] or 0) > (other[m] or 0)
                        checks.append((f"{name} {m}", f"> {other_name} ({_fmt(other[m])})", held))
                continue
            value = ours.get(metric)
            if value is None:
                continue  # the suite has no case the metric counts (e.g. no follow-ups)
            checks += _bounds(label, value, rule)
    pooled = (report.get("pooled") or {}).get(GATED_SPLIT)
    for metric, rule in rules_by_suite.get(POOLED, {}).items():
        value = pooled.get(metric) if pooled else None
        if value is not None:
            checks += _bounds(f"{POOLED} {metric}", value, rule)
    return checks


def _bounds(label: str, value: float, rule: dict) -> list[tuple[str, str, bool]]:
    checks = []
    if "min" in rule:
        checks.append((label, f">= {rule['min']} ({_fmt(value)})", value >= rule["min"]))
    if "max" in rule:
        checks.append((label, f"<= {rule['max']} ({_fmt(value)})", value <= rule["max"]))
    return checks


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.0f}"
    return str(value)


def split_table(suite: dict) -> str:
    """Our pipeline on dev beside test, and the baselines on test."""
    dev, test = suite["splits"]["dev"], suite["splits"]["test"]
    columns = [("ours, dev", dev["ours"]), ("ours, test", test["ours"])]
    columns += [(f"{name}, test", agg) for name, agg in test.items() if name != "ours"]
    lines = [
        "| metric | " + " | ".join(c for c, _ in columns) + " |",
        "|---" * (len(columns) + 1) + "|",
    ]
    for metric in ["cases", *SHOWN, "pass_rate"]:
        lines.append(f"| {metric} | " + " | ".join(_fmt(a.get(metric)) for _, a in columns) + " |")
    return "\n".join(lines)


def summary_table(report: dict) -> str:
    """One line a suite: the figures that matter most, dev and test."""
    metrics = [
        "fact_recall",
        "abstention_recall",
        "false_abstention_rate",
        "partial_rate_answerable",
        "model_share",
        "followup_accuracy",
        "answer_words_p50",
    ]
    head = "| suite | split | cases | " + " | ".join(metrics) + " |"
    lines = [head, "|---" * (len(metrics) + 3) + "|"]
    rows = {
        name: {sp: suite["splits"][sp]["ours"] for sp in SPLITS}
        for name, suite in report["suites"].items()
    }
    if len(rows) > 1 and report.get("pooled"):
        rows[f"{POOLED} (every suite)"] = report["pooled"]
    for name, by_split in rows.items():
        for split in SPLITS:
            agg = by_split[split]
            lines.append(
                f"| {name} | {split} | {agg['cases']} | "
                + " | ".join(_fmt(agg.get(m)) for m in metrics)
                + " |"
            )
    return "\n".join(lines)


def category_table(suite: dict) -> str:
    cols = [
        "cases",
        "pass_rate",
        "hit@3",
        "fact_recall",
        "abstention_recall",
        "false_abstention_rate",
        "answer_words_p50",
    ]
    lines = ["| category (test) | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for cat, agg in suite["categories"].items():
        lines.append(f"| {cat} | " + " | ".join(_fmt(agg.get(c)) for c in cols) + " |")
    return "\n".join(lines)


def markdown(report: dict, checks: list[tuple[str, str, bool]]) -> str:
    parts = [
        f"# Eval report ({report['mode']})",
        "",
        f"{report['date']}. Cases are split once into dev (fitting and calibration) and test "
        "(this report's gate) by a hash of their id; thresholds hold on test.",
        "",
        *([replay_line(report["replay"]), ""] if report.get("replay") else []),
        "## Summary",
        "",
        summary_table(report),
        "",
        "## Thresholds (test split)",
        "",
        "| check | rule (value) | held |",
        "|---|---|---|",
        *[f"| {m} | {rule} | {'yes' if ok else '**NO**'} |" for m, rule, ok in checks],
    ]
    for name, suite in report["suites"].items():
        failing = [c for c in suite["cases"] if not c["passed"]]
        fixed = [c for c in suite["cases"] if c["passed"] and c["known_failure"]]
        parts += [
            "",
            f"## {name}: {suite['about']}",
            "",
            f"Corpus `{suite['corpus']}`.",
            "",
            split_table(suite),
            "",
            category_table(suite),
            "",
            f"### Failing cases ({len(failing)})",
            "",
        ]
        if failing:
            parts += [
                "| id | split | question | what went wrong | known failure |",
                "|---|---|---|---|---|",
            ]
            for c in failing:
                q = c["question"].replace("|", "\\|").replace("\n", " ")[:120]
                parts.append(
                    f"| {c['id']} | {c['split']} | {q} | {'; '.join(c['failures'])} | "
                    f"{c['known_failure'] or ''} |"
                )
        else:
            parts.append("None.")
        if fixed:
            parts += [
                "",
                "Marked as known failures but passing now (unmark them): "
                + ", ".join(c["id"] for c in fixed),
            ]
        if suite["unknown_gold_sources"]:
            parts += [
                "",
                "Gold sources not found in the index: " + ", ".join(suite["unknown_gold_sources"]),
            ]
    return "\n".join(parts) + "\n"


def run_name(mode: str, split: str | None) -> str:
    mode = mode.replace(":", "-")
    return f"{mode}-{split}" if split else mode


def replay_line(replay: dict) -> str:
    if replay.get("asked"):
        return (
            f"Replayed from `{replay['from']}`: {replay['replayed']} model calls replayed, "
            f"{replay['asked']} not in the recording asked of the model. Latencies are the "
            "replay's, not the model's."
        )
    return (
        f"Replayed from `{replay['from']}`, no model: {replay['replayed']} model calls replayed, "
        f"{replay['missed']} not in the recording (those answers quote). Latencies are the "
        "replay's, not the model's."
    )


def write_reports(report: dict, checks, folder: Path = REPORTS) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    split = (report.get("sample") or {}).get("split")
    name = "report-" + run_name(report["mode"], split)
    name += "-replay" if report.get("replay") else ""  # never in place of the model's own
    json_path = folder / f"{name}.json"
    md_path = folder / f"{name}.md"
    payload = {
        **report,
        "thresholds": [{"check": m, "rule": r, "held": ok} for m, r, ok in checks],
    }
    json_path.write_text(json.dumps(payload, indent=1, ensure_ascii=False))
    md_path.write_text(markdown(report, checks))
    return json_path, md_path


def run(
    settings: Settings,
    suites: list[Suite] | None = None,
    thresholds_path: Path = DEFAULT_THRESHOLDS,
    baselines: bool = True,
    reports: Path = REPORTS,
    suites_file: Path = DEFAULT_SUITES,
    split: str | None = None,
    limit: int | None = None,
    replay: list[Path] | None = None,
    ask_on_miss: bool = False,
) -> int:
    """Runs and reports; a run in which a model reads keeps its replies in
    `calls-<mode>[-<split>].json.gz` beside the report, for `replay` (a replay that asked the
    model for what it missed keeps them in `calls-<mode>[-<split>]-filled.json.gz`: the
    recorded calls it replayed and the new ones)."""
    from assistant.backends import kind

    suites = suites if suites is not None else load_suites(suites_file)
    record = replayer = None
    if replay:
        replayer = Replayer.load_all(replay)
        if ask_on_miss:
            mode = replayer.mode or settings.llm
            record = reports / f"calls-{run_name(mode, split)}-filled.json.gz"
    elif kind(settings) != "none":
        record = reports / f"calls-{run_name(settings.llm, split)}.json.gz"
    report = evaluate(
        settings,
        suites,
        baselines=baselines,
        split=split,
        limit=limit,
        record=record,
        replayer=replayer,
        ask_on_miss=ask_on_miss,
    )
    thresholds = yaml.safe_load(thresholds_path.read_text()) if thresholds_path.is_file() else {}
    if not baselines:
        for by_suite in thresholds.values():
            for rules in by_suite.values():
                rules.pop("beat_baselines", None)
    checks = check_thresholds(report, thresholds)
    json_path, md_path = write_reports(report, checks, reports)
    print(summary_table(report))
    print()
    for name, suite in report["suites"].items():
        print(f"{name} ({suite['about']})")
        print(split_table(suite))
        print()
    for check, rule, ok in checks:
        print(f"{'ok  ' if ok else 'FAIL'} {check} {rule}")
    failing = sum(not c["passed"] for s in report["suites"].values() for c in s["cases"])
    total = sum(len(s["cases"]) for s in report["suites"].values())
    print(f"\n{failing} of {total} cases fail; reports: {md_path}, {json_path}")
    if report.get("replay"):
        print(replay_line(report["replay"]))
    return 0 if all(ok for _, _, ok in checks) else 1


def adhoc_suite(dataset: Path, corpus: Path | None, index: Path | None) -> Suite:
    """A suite from --dataset (and --corpus / --index), for cases of one's own. With --index
    and no --corpus, the index is used as it is."""

    if not Path(dataset).is_file():
        raise AssistantError(f"The eval dataset {dataset} does not exist.")
    settings = Settings()
    return Suite(
        name=Path(dataset).stem,
        corpus=corpus or settings.corpus_dir,
        cases=dataset,
        about=f"cases from {dataset}",
        index=index or settings.index_dir,
        build=corpus is not None or index is None,
    )
