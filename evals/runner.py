"""Runs the cases through our pipeline and the baselines, scores, reports, checks thresholds."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import defaultdict
from pathlib import Path

import yaml

from assistant.chat import Assistant
from assistant.config import Settings

from .dataset import Case, load_cases
from .metrics import CaseScore, GoldMatcher, aggregate, score_case
from .systems import Ours, bm25_only, dense_langchain_defaults

HERE = Path(__file__).parent
DEFAULT_DATASET = HERE / "cases.yaml"
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
    "followup_accuracy",
    "latency_p50_ms",
    "latency_p95_ms",
]


def evaluate(settings: Settings, cases: list[Case], baselines: bool = True, log=print) -> dict:
    assistant = Assistant(settings)
    assistant.warm_up()
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
        log(f"running {len(cases)} cases through {system.name}...", file=sys.stderr)
        supported = getattr(system, "supported", None)
        results[system.name] = [
            score_case(c, system.run(c), gold, **({"supported": supported} if supported else {}))
            for c in cases
        ]
    ours = results["ours"]
    by_category: dict[str, list[CaseScore]] = defaultdict(list)
    for s in ours:
        by_category[s.case.category].append(s)
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": settings.llm,
        "index": str(settings.index_dir),
        "abstain_threshold": settings.abstain_threshold,
        "unknown_gold_sources": unknown,
        "overall": {name: aggregate(scores) for name, scores in results.items()},
        "categories": {cat: aggregate(scores) for cat, scores in sorted(by_category.items())},
        "cases": [_case_row(s) for s in ours],
    }


def _case_row(s: CaseScore) -> dict:
    return {
        "id": s.case.id,
        "category": s.case.category,
        "question": s.case.question,
        "history": s.case.history,
        "answerable": s.case.answerable,
        "abstained": s.result.abstained,
        "support": s.result.support,
        "answer": s.result.answer,
        "passed": s.passed,
        "failures": s.failures,
        "known_failure": s.case.known_failure,
        "latency_ms": round(s.result.latency_ms, 1),
    }


def check_thresholds(report: dict, thresholds: dict) -> list[tuple[str, str, bool]]:
    """[(metric, rule, held)] for the report's mode."""
    rules = thresholds.get(report["mode"].split(":")[0], thresholds.get("extractive", {}))
    ours = report["overall"]["ours"]
    checks = []
    for metric, rule in rules.items():
        if metric == "beat_baselines":
            for name, other in report["overall"].items():
                if name == "ours":
                    continue
                for m in rule:
                    held = (ours[m] or 0) > (other[m] or 0)
                    checks.append((m, f"> {name} ({_fmt(other[m])})", held))
            continue
        value = ours.get(metric)
        if "min" in rule:
            checks.append((metric, f">= {rule['min']}", value is not None and value >= rule["min"]))
        if "max" in rule:
            checks.append((metric, f"<= {rule['max']}", value is not None and value <= rule["max"]))
    return checks


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.0f}"
    return str(value)


def overall_table(report: dict) -> str:
    names = list(report["overall"])
    lines = ["| metric | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for metric in ["cases", *SHOWN, "pass_rate"]:
        row = [_fmt(report["overall"][n].get(metric)) for n in names]
        lines.append(f"| {metric} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def category_table(report: dict) -> str:
    cols = [
        "cases",
        "pass_rate",
        "hit@3",
        "fact_recall",
        "citation_precision",
        "abstention_recall",
        "false_abstention_rate",
    ]
    lines = ["| category | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for cat, agg in report["categories"].items():
        lines.append(f"| {cat} | " + " | ".join(_fmt(agg.get(c)) for c in cols) + " |")
    return "\n".join(lines)


def markdown(report: dict, checks: list[tuple[str, str, bool]]) -> str:
    failing = [c for c in report["cases"] if not c["passed"]]
    fixed = [c for c in report["cases"] if c["passed"] and c["known_failure"]]
    parts = [
        f"# Eval report ({report['mode']})",
        "",
        f"{report['date']}; index `{report['index']}`; abstain threshold "
        f"{report['abstain_threshold']}.",
        "",
        "## Overall, beside the baselines",
        "",
        overall_table(report),
        "",
        "## Our pipeline by category",
        "",
        category_table(report),
        "",
        "## Thresholds",
        "",
        "| metric | rule | held |",
        "|---|---|---|",
        *[f"| {m} | {rule} | {'yes' if ok else '**NO**'} |" for m, rule, ok in checks],
        "",
        f"## Failing cases ({len(failing)})",
        "",
    ]
    if failing:
        parts += ["| id | question | what went wrong | known failure |", "|---|---|---|---|"]
        for c in failing:
            q = c["question"].replace("|", "\\|").replace("\n", " ")[:120]
            parts.append(
                f"| {c['id']} | {q} | {'; '.join(c['failures'])} | {c['known_failure'] or ''} |"
            )
    else:
        parts.append("None.")
    if fixed:
        parts += [
            "",
            "Marked as known failures but passing now (unmark them): "
            + ", ".join(c["id"] for c in fixed),
        ]
    others = _other_modes(report)
    if others:
        parts += ["", "## Answer modes side by side (latest report of each mode)", ""]
        parts.append(_modes_table({report["mode"]: report, **others}))
    if report["unknown_gold_sources"]:
        parts += [
            "",
            "Gold sources not found in the index: " + ", ".join(report["unknown_gold_sources"]),
        ]
    return "\n".join(parts) + "\n"


def _other_modes(report: dict, folder: Path = REPORTS) -> dict:
    out = {}
    for path in sorted(folder.glob("report-*.json")):
        try:
            other = json.loads(path.read_text())
        except ValueError:
            continue
        if other.get("mode") != report["mode"] and "ours" in other.get("overall", {}):
            out[other["mode"]] = other
    return out


def _modes_table(reports: dict) -> str:
    metrics = [
        "fact_recall",
        "citation_precision",
        "unsupported_sentence_rate",
        "abstention_recall",
        "false_abstention_rate",
        "followup_accuracy",
        "latency_p50_ms",
        "latency_p95_ms",
    ]
    names = list(reports)
    lines = ["| metric | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for m in metrics:
        lines.append(
            f"| {m} | "
            + " | ".join(_fmt(reports[n]["overall"]["ours"].get(m)) for n in names)
            + " |"
        )
    return "\n".join(lines)


def write_reports(report: dict, checks, folder: Path = REPORTS) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    mode = report["mode"].split(":")[0]
    json_path = folder / f"report-{mode}.json"
    md_path = folder / f"report-{mode}.md"
    payload = {
        **report,
        "thresholds": [{"metric": m, "rule": r, "held": ok} for m, r, ok in checks],
    }
    json_path.write_text(json.dumps(payload, indent=1, ensure_ascii=False))
    md_path.write_text(markdown(report, checks))
    return json_path, md_path


def run(
    settings: Settings,
    dataset: Path = DEFAULT_DATASET,
    thresholds_path: Path = DEFAULT_THRESHOLDS,
    baselines: bool = True,
    reports: Path = REPORTS,
) -> int:
    cases = load_cases(dataset)
    report = evaluate(settings, cases, baselines=baselines)
    thresholds = yaml.safe_load(thresholds_path.read_text()) if thresholds_path.is_file() else {}
    if not baselines:
        for rules in thresholds.values():
            rules.pop("beat_baselines", None)
    checks = check_thresholds(report, thresholds)
    json_path, md_path = write_reports(report, checks, reports)
    print(overall_table(report))
    print()
    print(category_table(report))
    print()
    for metric, rule, ok in checks:
        print(f"{'ok  ' if ok else 'FAIL'} {metric} {rule}")
    failing = [c for c in report["cases"] if not c["passed"]]
    print(
        f"\n{len(failing)} of {len(cases)} cases fail "
        f"({sum(bool(c['known_failure']) for c in failing)} known); reports: {md_path}, {json_path}"
    )
    return 0 if all(ok for _, _, ok in checks) else 1
