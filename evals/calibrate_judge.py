"""`python -m evals calibrate-judge [--mode local:MODEL]`: fit the judged abstention for a local
model on the dev split, never on test.

For each dev case the pipeline reads, retrieves and chooses passages as it does when answering;
the model then judges whether those passages answer the question as the writer would see it.
A logistic model over the extractive support and the judge's score (both as logits) is fitted,
answerable against unanswerable, and its threshold is the best separation with false
abstention held at 5% or less. The result is stored under `judges` in calibration.json, keyed
by the model, beside the extractive values (which it leaves as they are).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

from assistant.abstain import JUDGED_FEATURES, AbstentionModel, choose_threshold, judged_row
from assistant.calibration import DEFAULT_FILE, Calibration
from assistant.chat import Assistant
from assistant.config import Settings
from assistant.errors import AssistantError, QuestionError
from assistant.llm import local_key
from assistant.logistic import fit_logistic
from assistant.models import Request

from .suites import Suite, ensure_index

MAX_FALSE_ABSTENTION = 0.05


def judged_dev_cases(base: Settings, suites: list[Suite], log=print) -> list[dict]:
    """For each dev case: its label, the extractive support and the judge's score."""
    rows: list[dict] = []
    for suite in suites:
        settings = suite.settings(base)
        ensure_index(settings)
        assistant = Assistant(settings)
        assistant.warm_up()
        if assistant.judge is None:
            raise AssistantError("The judge is off: set EXCHANGE_JUDGE=local or auto.")
        cases = suite.load("dev")
        log(f"[{suite.name}] judging {len(cases)} dev cases...", file=sys.stderr)
        started = time.perf_counter()
        for n, case in enumerate(cases, start=1):
            if n % 25 == 0:
                log(f"[{suite.name}] {n} of {len(cases)}", file=sys.stderr)
            try:
                query = assistant._read(Request(question=case.question, history=case.history))
            except QuestionError:
                continue
            draft = assistant._choose(assistant._retrieve(query))
            if not draft.passages:
                continue
            p = assistant.judge.answers(
                assistant._sources(draft), assistant._prompt_question(query, draft)
            )
            rows.append(
                {
                    "suite": suite.name,
                    "id": case.id,
                    "answerable": case.answerable,
                    "support": draft.support,
                    "judged": p,
                }
            )
        log(f"[{suite.name}] {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return rows


def fit_judgement(rows: list[dict], model_key: str) -> tuple[AbstentionModel, dict]:
    labels = [r["answerable"] for r in rows]
    features = [judged_row(r["support"], r["judged"]) for r in rows]
    model = AbstentionModel(**fit_logistic(JUDGED_FEATURES, features, labels).model_dump())
    probabilities = [model.probability(f) for f in features]
    threshold, recall, false = choose_threshold(probabilities, labels, MAX_FALSE_ABSTENTION)
    fitted_on = (
        f"dev split: {len(rows)} cases ({sum(labels)} answerable), {model_key}, "
        f"{dt.date.today().isoformat()}"
    )
    model = model.model_copy(update={"threshold": threshold, "fitted_on": fitted_on})
    judge_only = choose_threshold([r["judged"] for r in rows], labels, MAX_FALSE_ABSTENTION)
    support_only = choose_threshold([r["support"] for r in rows], labels, MAX_FALSE_ABSTENTION)
    summary = {
        "model": model_key,
        "cases": len(rows),
        "threshold": threshold,
        "weights": dict(zip(model.features, model.weights, strict=True)),
        "dev_abstention_recall": round(recall, 3),
        "dev_false_abstention": round(false, 3),
        "judge_alone": {"recall": round(judge_only[1], 3), "false": round(judge_only[2], 3)},
        "support_alone": {"recall": round(support_only[1], 3), "false": round(support_only[2], 3)},
        "auc_judge": round(_auc([r["judged"] for r in rows], labels), 3),
        "auc_support": round(_auc([r["support"] for r in rows], labels), 3),
        "auc_combined": round(_auc(probabilities, labels), 3),
    }
    return model, summary


def _auc(scores: list[float], labels: list[bool]) -> float:
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def main(base: Settings, suites: list[Suite], out: Path = DEFAULT_FILE) -> int:
    settings = base if base.llm.startswith("local") else base.model_copy(update={"llm": "local"})
    key = local_key(settings)
    rows = judged_dev_cases(settings, suites)
    # Kept beside the reports: the judge's scores are slow to get and worth reading.
    import json

    from .runner import REPORTS

    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"judge-dev-{key}.json").write_text(json.dumps(rows, indent=1))
    model, summary = fit_judgement(rows, key)
    calibration = Calibration.load(out if Path(out).exists() else None)
    calibration.judges[key] = model
    summary["file"] = str(calibration.save(out))
    for name, value in summary.items():
        print(f"{name}: {value}")
    return 0
