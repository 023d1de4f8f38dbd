"""`python -m evals calibrate-decision --from REPORT.json`: fit the model path's decision on dev.

The report of a run on the dev split in the model's mode holds, for every case, the signals the
decision reads (assistant/pipeline/decide.py); they do not depend on the decision itself. From
them, on the dev cases only:

1. a logistic regression (scikit-learn, features standardised) of whether the documents answer
   the question: answerable cases against unanswerable ones, every suite together, so that the
   real-shaped pages weigh as much as the project's own corpus;
2. the two thresholds, `answer` and `partial`, searched on a grid: the pair that declines (or
   answers partly) the most unanswerable dev cases minus the answerable ones it declines, with
   at most MAX_FALSE false abstention and at most MAX_PARTIAL of the answerable cases answered
   partly ("partial" is not a blanket hedge);
3. `off_topic_below`: an e5 similarity under that of every answerable dev question's best
   passage; a declined question whose best passage is less similar is called off-topic.

Writes the model's entry in calibration.json (`decisions`) and prints what it chose.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from itertools import product
from pathlib import Path

import numpy as np

from assistant.backends import kind, local_key
from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.pipeline.calibration import Calibration
from assistant.pipeline.decide import FEATURES, DecisionModel

from .suites import split_of

MAX_FALSE = 0.06
MAX_PARTIAL = 0.08
GRID = [round(x, 3) for x in np.linspace(0.05, 0.95, 37)]


def rows(report: dict, split: str = "dev") -> list[dict]:
    """The dev cases of every suite that the model read (its signals are known), each with the
    facts the answer it gave, or would have given, states."""
    from .metrics import fact_stated
    from .suites import load_suites

    facts = {}
    for suite in load_suites():
        if suite.name in report["suites"]:
            facts.update({(suite.name, c.id): c.facts for c in suite.load()})
    out = []
    for suite, body in report["suites"].items():
        for c in body["cases"]:
            if not c.get("signals") or split_of(c["id"]) != split:
                continue
            if c.get("entailment_read") is False:
                raise AssistantError(
                    f"Case {c['id']} of the dev report skipped the model's second read, so "
                    "its signals are incomplete; run the dev split with "
                    "EXCHANGE_READING__SETTLE_EARLY=false (`make evals-dev` does)."
                )
            lacking = [f for f in FEATURES if f not in c["signals"]]
            if lacking:
                raise AssistantError(
                    f"Case {c['id']} of the dev report has no {', '.join(lacking)} signal: the "
                    "report predates it. Run the dev split again, or replay its recording "
                    "(`python -m evals --split dev --replay CALLS`), and fit from that report."
                )
            case_facts = facts.get((suite, c["id"]), [])
            text = c.get("answer") if not c.get("abstained") else c.get("draft_answer") or ""
            would = sum(fact_stated(f, text or "") for f in case_facts)
            out.append({**c, "suite": suite, "facts": len(case_facts), "would_state": would})
    return out


def fit(items: list[dict]) -> DecisionModel:
    from assistant.pipeline.logistic import fit_logistic

    rows = [c["signals"] for c in items]
    labels = [bool(c["answerable"]) for c in items]
    if len(set(labels)) < 2:
        raise AssistantError("The dev report needs both answerable and unanswerable cases.")
    return DecisionModel(**fit_logistic(FEATURES, rows, labels).model_dump())


def replay(model: DecisionModel, items: list[dict]) -> list[str]:
    """The outcome each case would get: as the pipeline decides (no passage located means
    declined, whatever the probability)."""
    from assistant.pipeline.decide import Signals

    out = []
    for c in items:
        s = Signals.model_validate(c["signals"])
        located = s.quoted > 0 or s.sentence_support > 0
        outcome, _ = model.decide(s)
        out.append("not_covered" if not located else outcome)
    return out


def rates(outcomes: list[str], items: list[dict]) -> dict:
    ans = [(o, c) for o, c in zip(outcomes, items, strict=True) if c["answerable"]]
    una = [o for o, c in zip(outcomes, items, strict=True) if not c["answerable"]]
    facts = sum(c.get("facts", 0) for _, c in ans)
    stated = sum(c.get("would_state", 0) for o, c in ans if o != "not_covered")
    return {
        "abstention_recall": sum(o != "answered" for o in una) / max(1, len(una)),
        "false_abstention": sum(o == "not_covered" for o, _ in ans) / max(1, len(ans)),
        "partial_answerable": sum(o == "partial" for o, _ in ans) / max(1, len(ans)),
        "fact_recall": stated / facts if facts else None,
    }


def excess(r: dict) -> float:
    """How far the rates go past the caps on false abstention and partial answers (0 within)."""
    return max(0.0, r["false_abstention"] - MAX_FALSE) + max(
        0.0, r["partial_answerable"] - MAX_PARTIAL
    )


def thresholds(model: DecisionModel, items: list[dict]) -> tuple[float, float, dict]:
    """The pair that declines the most unanswerable cases net of the answerable ones it
    declines, within the caps. When no pair keeps within them (answerable cases the model
    located nothing for are declined whatever the thresholds), the pair that exceeds them
    least: the caller sees it in the rates returned."""
    best = None
    for hi, lo in product(GRID, GRID):
        if lo > hi:
            continue
        trial = model.model_copy(update={"answer": hi, "partial": lo})
        r = rates(replay(trial, items), items)
        score = r["abstention_recall"] - r["false_abstention"]
        key = (-round(excess(r), 6), round(score, 6), -r["partial_answerable"], hi)
        if best is None or key > best[0]:
            best = (key, hi, lo, r)
    _, hi, lo, r = best
    return hi, lo, r


def cross_validated(items: list[dict], folds: int = 5) -> dict:
    """The rates on each fold of the dev cases with the decision fitted on the other folds: a
    fair comparison of two designs without the test split."""
    import hashlib

    order = sorted(items, key=lambda c: hashlib.sha256(f"fold:{c['id']}".encode()).digest())
    outcomes: dict[str, str] = {}
    for k in range(folds):
        held = [c for i, c in enumerate(order) if i % folds == k]
        rest = [c for i, c in enumerate(order) if i % folds != k]
        model = fit(rest)
        hi, lo, _ = thresholds(model, rest)
        trial = model.model_copy(update={"answer": hi, "partial": lo})
        for c, o in zip(held, replay(trial, held), strict=True):
            outcomes[c["suite"] + "/" + c["id"]] = o
    ordered = [outcomes[c["suite"] + "/" + c["id"]] for c in items]
    return rates(ordered, items)


def main(settings: Settings, report_path: Path, out: Path) -> int:
    report = json.loads(Path(report_path).read_text())
    name = local_key(settings) if kind(settings) == "local" else settings.llm.split(":", 1)[-1]
    if report.get("mode") != settings.llm:
        print(
            f"note: the report was made with EXCHANGE_LLM={report.get('mode')}, fitting it for "
            f"{settings.llm} ({name})",
            file=sys.stderr,
        )
    items = rows(report)
    model = fit(items)
    hi, lo, r = thresholds(model, items)
    best_answerable = [c["signals"]["best"] for c in items if c["answerable"]]
    off_topic = round(min(best_answerable) - 0.005, 4) if best_answerable else 0.0
    counts = {s: sum(c["suite"] == s for c in items) for s in sorted({c["suite"] for c in items})}
    per_suite = ", ".join(f"{k} {v}" for k, v in counts.items())
    model = model.model_copy(
        update={
            "answer": hi,
            "partial": lo,
            "off_topic_below": off_topic,
            "fitted_on": f"{len(items)} dev cases ({per_suite}), {dt.date.today().isoformat()}",
        }
    )
    calibration = Calibration.load(out if Path(out).is_file() else None)
    calibration.decisions[name] = model
    calibration.save(out)
    weights = ", ".join(f"{f} {w:+.2f}" for f, w in zip(model.features, model.weights, strict=True))
    print(f"decision for {name}: {weights}; bias {model.bias:+.2f}")
    print(
        f"thresholds: answer {hi}, partial {lo}, off-topic below e5 {off_topic}; on dev: "
        f"abstention recall {r['abstention_recall']:.3f}, false abstention "
        f"{r['false_abstention']:.3f}, partial on answerable {r['partial_answerable']:.3f}"
    )
    if r.get("fact_recall") is not None:
        print(f"fact recall on dev with this decision: {r['fact_recall']:.3f}")
    if excess(r) > 0:
        print(
            f"warning: no thresholds keep false abstention within {MAX_FALSE} and partial "
            f"answers within {MAX_PARTIAL} on dev; these exceed them least.",
            file=sys.stderr,
        )
    cv = cross_validated(items)
    print(
        "5-fold cross-validated on dev: "
        + ", ".join(f"{k} {v:.3f}" for k, v in cv.items() if v is not None)
    )
    print(f"written to {out}")
    return 0
