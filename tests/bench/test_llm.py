"""The latency bench's summary and its table (bench/llm.py, bench/report.py), on made-up rows."""

from __future__ import annotations

from bench.llm import summarise
from bench.report import latency_section


def _row(first_word_ms: float, bare_ms: float) -> dict:
    return {
        "question": "q",
        "outcome": "answered",
        "mode": "model",
        "sources_ms": 80.0,
        "first_word_ms": first_word_ms,
        "total_ms": first_word_ms,
        "bare_first_token_ms": bare_ms,
        "prompt_tokens": 800,
        "second_read": True,
    }


def test_a_ratio_just_over_the_target_is_never_shown_as_met():
    # every answer's first word at 1.549x the bare first token: one decimal would give 1.5
    summary = summarise([_row(1549.0 * k, 1000.0 * k) for k in range(1, 11)])
    assert summary["first_word_over_bare"]["p50"] == 1.55
    table = latency_section({"date": "today", "questions": 10, "summary": summary})
    assert "| first verified word / bare first token | 1.55x | 1.55x | ≤ 1.5x |" in table


def test_the_steps_are_summarised_by_their_own_percentiles():
    summary = summarise([_row(2000.0 + 100 * i, 1000.0) for i in range(21)])
    assert summary["first_word_ms"] == {"p50": 3000.0, "p95": 3900.0}
    assert summary["model_share"] == 1.0 and summary["second_read_share"] == 1.0
