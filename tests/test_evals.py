"""The eval suite's own logic: datasets, metrics, thresholds, calibration, and a small run."""

import json

import pytest
from conftest import FIXTURES

from assistant.errors import AssistantError
from assistant.models import Chunk
from evals.calibrate import sweep
from evals.dataset import Case, GoldSource, load_cases
from evals.metrics import (
    Cited,
    GoldMatcher,
    Retrieved,
    SystemResult,
    aggregate,
    fact_stated,
    score_case,
)
from evals.runner import check_thresholds

CHUNKS = [
    Chunk(
        id="a",
        text="NUSM was founded in 1857. It is the oldest.",
        source="h.md",
        title="H",
        section="Founding",
    ),
    Chunk(
        id="b",
        text="The coordinator is Maria Yazdanbakhsh.",
        source="p.md",
        title="P",
        section="Key facts",
    ),
]
CASE = Case(
    id="c1",
    category="history",
    question="When was NUSM founded?",
    answerable=True,
    facts=[["1857"]],
    sources=[GoldSource(file="h.md", section="Founding")],
)
NO_CASE = Case(id="u1", category="unanswerable", question="Visa?", answerable=False)


def _result(answer, quote="NUSM was founded in 1857.", source="h.md", abstained=False):
    return SystemResult(
        answer=answer,
        abstained=abstained,
        retrieved=[Retrieved("p.md", CHUNKS[1].text), Retrieved("h.md", CHUNKS[0].text)],
        citations=[] if abstained else [Cited(1, source, quote, CHUNKS[0].text)],
        latency_ms=10.0,
    )


def test_facts_match_any_phrasing_ignoring_case_spaces_and_dashes():
    assert fact_stated(["2020-2023"], "It runs  2020–2023.")
    assert fact_stated(["ageing", "aging"], "AGING research")
    assert not fact_stated(["1857"], "founded in 1858")


def test_a_correct_cited_answer_scores_fully():
    gold = GoldMatcher(CHUNKS)
    s = score_case(CASE, _result("NUSM was founded in 1857. [1]"), gold)
    assert s.hit_rank == 2 and s.recall5 == 1.0
    assert s.facts_stated == 1 and s.citations_ok == 1 and s.unsupported == 0 and s.passed


def test_wrong_citations_and_unsupported_sentences_are_counted():
    gold = GoldMatcher(CHUNKS)
    s = score_case(CASE, _result("NUSM was founded in 1900. [1]", quote="It is the oldest."), gold)
    assert s.facts_stated == 0 and s.citations_ok == 0 and s.unsupported == 1
    assert any("missing" in f for f in s.failures)


def test_abstention_metrics():
    gold = GoldMatcher(CHUNKS)
    scores = [
        score_case(NO_CASE, _result("I do not know.", abstained=True), gold),
        score_case(CASE, _result("No.", abstained=True), gold),
        score_case(CASE, _result("NUSM was founded in 1857. [1]"), gold),
    ]
    agg = aggregate(scores)
    assert agg["abstention_recall"] == 1.0
    assert agg["abstention_precision"] == 0.5
    assert agg["false_abstention_rate"] == 0.5
    assert agg["fact_recall"] == 0.5


def test_thresholds_and_baselines_are_checked():
    report = {
        "mode": "extractive",
        "overall": {
            "ours": {"fact_recall": 0.95, "hit@3": 0.9},
            "bm25 only": {"fact_recall": 0.96, "hit@3": 0.5},
        },
    }
    rules = {
        "extractive": {
            "fact_recall": {"min": 0.9},
            "hit@3": {"min": 0.95},
            "beat_baselines": ["fact_recall"],
        }
    }
    held = {(m, ok) for m, _, ok in check_thresholds(report, rules)}
    assert held == {("fact_recall", True), ("hit@3", False), ("fact_recall", False)}


def test_calibration_picks_the_threshold_that_separates_best():
    supports = [(0.9, True), (0.8, True), (0.7, True), (0.3, False), (0.2, False), (0.75, False)]
    best = sweep(supports, max_false_abstention=0.0)["best"]
    assert 0.3 < best["threshold"] <= 0.7
    assert best["false_abstention"] == 0 and best["abstention_recall"] == pytest.approx(2 / 3)


def test_datasets_load_from_yaml_and_jsonl_and_bad_ones_are_one_error(tmp_path):
    row = {"id": "x", "category": "c", "question": "q?", "answerable": False}
    (tmp_path / "d.jsonl").write_text(json.dumps(row) + "\n")
    (tmp_path / "d.yaml").write_text("- " + json.dumps(row) + "\n")
    assert load_cases(tmp_path / "d.jsonl")[0].id == load_cases(tmp_path / "d.yaml")[0].id
    (tmp_path / "bad.yaml").write_text("- {id: x}\n")
    with pytest.raises(AssistantError, match="not valid"):
        load_cases(tmp_path / "bad.yaml")
    (tmp_path / "dup.jsonl").write_text((json.dumps(row) + "\n") * 2)
    with pytest.raises(AssistantError, match="repeats"):
        load_cases(tmp_path / "dup.jsonl")


def test_the_shipped_dataset_is_valid_and_covers_what_the_issue_asks():
    from evals.runner import DEFAULT_DATASET

    cases = load_cases(DEFAULT_DATASET)
    assert len(cases) >= 80
    assert sum(not c.answerable for c in cases) >= 20
    assert sum(bool(c.history) for c in cases) >= 10
    assert sum(c.category == "adversarial" for c in cases) >= 5


def test_a_run_on_the_fixture_index_writes_both_reports(fixture_index, embedder, tmp_path):
    from assistant.config import Settings
    from evals.runner import run

    dataset = tmp_path / "cases.yaml"
    dataset.write_text(
        "- {id: a, category: k, question: 'Who coordinates the exchange?', answerable: true,\n"
        "   facts: [[Yazdanbakhsh]], sources: [{file: exchange.md, section: Key facts}]}\n"
        "- {id: b, category: u, question: 'Who won the 2022 World Cup?', answerable: false}\n"
    )
    thresholds = tmp_path / "t.yaml"
    thresholds.write_text(
        "extractive:\n  fact_recall: {min: 1.0}\n  abstention_recall: {min: 1.0}\n"
    )
    settings = Settings(index_dir=fixture_index, corpus_dir=FIXTURES / "corpus")
    code = run(settings, dataset, thresholds, baselines=True, reports=tmp_path / "reports")
    assert code == 0
    report = json.loads((tmp_path / "reports" / "report-extractive.json").read_text())
    assert set(report["overall"]) == {"ours", "dense (langchain defaults)", "bm25 only"}
    assert (tmp_path / "reports" / "report-extractive.md").read_text().startswith("# Eval report")
