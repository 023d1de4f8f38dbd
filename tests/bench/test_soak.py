"""The soak's verdict and its report (bench/soak.py, bench/report.py), on made-up samples."""

from __future__ import annotations

from bench.report import soak_section
from bench.soak import summarise


def _samples(ui_end: float, model_end: float, minutes: int = 30):
    out = []
    for t in range(0, minutes * 60 + 1, 10):
        share = min(1.0, t / (minutes * 60))
        out.append((float(t), 700 + (ui_end - 700) * share, 1900 + (model_end - 1900) * share))
    return out


def test_growth_is_measured_from_minute_5_to_the_last_minute():
    flat = summarise(_samples(710, 1900), [{"ms": 5000, "mode": "model"}], [], 30, 3)
    assert flat["passed"] and 0 < flat["growth_from_minute_5"]["ui"]["growth"] < 0.05
    leaking = summarise(_samples(900, 1900), [{"ms": 5000, "mode": "model"}], [], 30, 3)
    assert not leaking["passed"] and leaking["growth_from_minute_5"]["ui"]["growth"] > 0.05
    short = summarise(_samples(700, 1900, minutes=2), [], [], 2, 3)
    assert not short["passed"]  # no minute 5: no verdict can pass


def test_the_report_gives_both_processes_and_the_verdict():
    text = soak_section(summarise(_samples(710, 1900), [], [], 30, 3))
    assert "| web UI |" in text and "| model server |" in text and "Result: passed." in text
