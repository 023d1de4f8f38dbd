"""Sweeps the abstention threshold over the cases and picks the one that best separates
answerable from unanswerable questions (Youden's J, with false abstention held to the target)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.chat import Assistant
from assistant.config import Settings

from .dataset import load_cases
from .systems import Ours

HERE = Path(__file__).parent


def sweep(supports: list[tuple[float, bool]], max_false_abstention: float = 0.05) -> dict:
    """supports: (support score, answerable). A case abstains when support < threshold."""
    answerable = [s for s, a in supports if a]
    unanswerable = [s for s, a in supports if not a]
    values = sorted({round(s, 4) for s, _ in supports})
    candidates = (
        [values[0] - 0.01]
        + [round((a + b) / 2, 4) for a, b in zip(values, values[1:], strict=False)]
        + [values[-1] + 0.01]
    )
    rows = []
    for t in candidates:
        recall = sum(s < t for s in unanswerable) / max(1, len(unanswerable))
        false = sum(s < t for s in answerable) / max(1, len(answerable))
        rows.append(
            {
                "threshold": t,
                "abstention_recall": recall,
                "false_abstention": false,
                "j": recall - false,
            }
        )
    allowed = [r for r in rows if r["false_abstention"] <= max_false_abstention] or rows
    best = max(allowed, key=lambda r: (r["j"], r["abstention_recall"], -r["threshold"]))
    return {
        "best": best,
        "rows": rows,
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
    }


def main(settings: Settings, dataset: Path, out: Path) -> int:
    cases = load_cases(dataset)
    settings = settings.model_copy(update={"abstain_threshold": -1e9})
    system = Ours(Assistant(settings))
    supports = []
    for case in cases:
        result = system.run(case)
        if result.support is not None:
            supports.append((result.support, case.answerable))
    outcome = sweep(supports)
    best = outcome["best"]
    print(f"{outcome['answerable']} answerable and {outcome['unanswerable']} unanswerable cases")
    print("threshold  abstention_recall  false_abstention")
    for row in outcome["rows"]:
        if abs(row["threshold"] - best["threshold"]) <= 0.08:
            mark = "  <- best" if row is best else ""
            print(
                f"{row['threshold']:9.4f}  {row['abstention_recall']:17.3f}  "
                f"{row['false_abstention']:16.3f}{mark}"
            )
    print(
        f"\nbest threshold: {best['threshold']} (abstention recall "
        f"{best['abstention_recall']:.3f}, false abstention {best['false_abstention']:.3f}); "
        "set it as abstain_threshold in assistant/config.py or EXCHANGE_ABSTAIN_THRESHOLD.",
        file=sys.stderr,
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "calibration.json").write_text(json.dumps(outcome, indent=1))
    return 0
