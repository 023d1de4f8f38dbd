"""The eval suite's own logic: datasets, metrics, the dev/test split, thresholds on test,
reports, and one small run on the real models."""

import json
import string

import pytest
from conftest import FIXTURES

from assistant.errors import AssistantError
from assistant.types import Chunk
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
from evals.runner import check_thresholds, markdown, summary_table, write_reports
from evals.suites import SPLITS, load_suites, split_of

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


def test_the_split_is_fixed_by_the_id_and_about_half_and_half():
    ids = [f"{word}-{n:03d}" for word in ("page", "case", "realistic") for n in range(400)]
    splits = [split_of(i) for i in ids]
    assert set(splits) == set(SPLITS)
    assert splits == [split_of(i) for i in ids]  # the same every time
    assert 0.45 < splits.count("dev") / len(ids) < 0.55
    for letter in string.ascii_lowercase:  # no family of ids lands on one side
        family = [split_of(f"{letter}-{n}") for n in range(100)]
        assert 0.3 < family.count("dev") / 100 < 0.7


def _report(dev_recall: float, test_recall: float, baseline_recall: float) -> dict:
    """A report as the runner writes it, for one suite, with made-up figures."""

    def agg(recall):
        return {"cases": 10, "fact_recall": recall, "hit@3": 0.9, "answer_words_p50": 40}

    rows = [
        {
            "id": "c1",
            "split": "test",
            "category": "history",
            "question": "When | why?",
            "history": [],
            "answerable": True,
            "abstained": False,
            "support": 0.9,
            "answer": "x [1]",
            "words": 1,
            "passed": False,
            "failures": ["missing: 1857"],
            "known_failure": None,
            "latency_ms": 3.0,
        },
    ]
    return {
        "date": "2026-11-27T09:00:00+00:00",
        "mode": "none",
        "suites": {
            "programme": {
                "about": "the shipped corpus",
                "corpus": "corpus",
                "unknown_gold_sources": [],
                "splits": {
                    "dev": {"ours": agg(dev_recall), "bm25 only": agg(baseline_recall)},
                    "test": {"ours": agg(test_recall), "bm25 only": agg(baseline_recall)},
                },
                "categories": {"history": agg(test_recall)},
                "cases": rows,
            }
        },
    }


def test_thresholds_hold_on_the_test_split_only():
    rules = {
        "none": {
            "all": {"fact_recall": {"min": 0.9}, "answer_words_p50": {"max": 80}},
            "programme": {"beat_baselines": ["fact_recall"]},
            "page-html": {"fact_recall": {"min": 0.99}},  # another suite's rule: not applied
        }
    }
    good_test = check_thresholds(
        _report(dev_recall=0.1, test_recall=0.95, baseline_recall=0.5), rules
    )
    assert [(c, ok) for c, _, ok in good_test] == [
        ("programme fact_recall", True),
        ("programme answer_words_p50", True),
        ("programme fact_recall", True),
    ]
    bad_test = check_thresholds(
        _report(dev_recall=0.99, test_recall=0.6, baseline_recall=0.7), rules
    )
    assert [ok for _, _, ok in bad_test] == [False, True, False]


def test_a_metric_a_suite_cannot_measure_is_not_checked():
    report = _report(0.9, 0.9, 0.5)
    report["suites"]["programme"]["splits"]["test"]["ours"]["followup_accuracy"] = None
    rules = {"none": {"all": {"followup_accuracy": {"min": 0.9}}}}
    assert check_thresholds(report, rules) == []


def test_pooled_rules_hold_on_every_suites_test_cases_together():
    report = _report(0.9, 0.9, 0.5)
    report["suites"]["page-html"] = report["suites"]["programme"]
    report["pooled"] = {
        "dev": {"cases": 20, "abstention_recall": 0.1},
        "test": {"cases": 20, "abstention_recall": 0.6, "partial_rate_answerable": None},
    }
    rules = {
        "none": {
            "pooled": {
                "abstention_recall": {"min": 0.5},
                "partial_rate_answerable": {"max": 0.1},  # no figure: not checked
                # not a rule of each suite (theirs is 0.9), and the pooled figures have none
                "fact_recall": {"min": 0.95},
            },
        }
    }
    assert check_thresholds(report, rules) == [("pooled abstention_recall", ">= 0.5 (0.600)", True)]
    report["pooled"]["test"]["abstention_recall"] = 0.4
    assert [ok for *_, ok in check_thresholds(report, rules)] == [False]
    assert "| pooled (every suite) | test | 20 |" in summary_table(report)
    del report["pooled"]  # a report written before the pooled figures: nothing to check
    assert check_thresholds(report, rules) == []


def test_reports_are_written_as_json_and_markdown(tmp_path):
    report = _report(0.9, 0.8, 0.5)
    checks = check_thresholds(report, {"none": {"all": {"fact_recall": {"min": 0.9}}}})
    json_path, md_path = write_reports(report, checks, tmp_path / "reports")
    data = json.loads(json_path.read_text())
    assert data["suites"]["programme"]["splits"]["test"]["ours"]["fact_recall"] == 0.8
    assert data["thresholds"] == [
        {"check": "programme fact_recall", "rule": ">= 0.9 (0.800)", "held": False}
    ]
    text = md_path.read_text()
    assert text.startswith("# Eval report (none)")
    assert "| programme | dev |" in text and "| programme | test |" in text
    assert "**NO**" in text and "When \\| why?" in text  # a pipe in a question is escaped
    assert text == markdown(report, checks)


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


def test_the_shipped_suites_are_valid_and_cover_what_the_issues_ask():
    suites = {s.name: s for s in load_suites()}
    assert {"programme", "page-html", "page-pdf"} <= set(suites)
    for suite in suites.values():
        cases = suite.load()
        assert cases, suite.name
        assert {c.id for c in suite.load("dev")} | {c.id for c in suite.load("test")} == {
            c.id for c in cases
        }
        assert suite.load("dev") and suite.load("test"), suite.name
    programme = suites["programme"].load()
    assert len(programme) >= 80
    assert sum(not c.answerable for c in programme) >= 20
    assert sum(bool(c.history) for c in programme) >= 10
    assert sum(c.category == "adversarial" for c in programme) >= 5
    assert len(suites["page-html"].load()) >= 40


def test_an_unknown_suite_is_one_clear_error(capsys):
    from evals.__main__ import main

    assert main(["--suite", "no-such-suite"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: No eval suite is named no-such-suite."


def test_a_dataset_of_ones_own_runs_on_the_fixture_corpus(tmp_path, capsys):
    """End to end on the real models: `python -m evals --dataset ... --corpus ... --index ...`."""
    from evals.__main__ import main

    thresholds = tmp_path / "t.yaml"
    thresholds.write_text(
        "none:\n  all:\n    unsupported_sentence_rate: {max: 0.0}\n    fact_recall: {min: 0.0}\n"
    )
    reports = tmp_path / "reports"
    code = main(
        [
            "--dataset",
            str(FIXTURES / "evals-small.yaml"),
            "--corpus",
            str(FIXTURES / "corpus"),
            "--index",
            str(tmp_path / "index"),
            "--thresholds",
            str(thresholds),
            "--reports",
            str(reports),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    report = json.loads((reports / "report-none.json").read_text())
    suite = report["suites"]["evals-small"]
    assert set(suite["splits"]) == {"dev", "test"}
    assert set(suite["splits"]["test"]) == {"ours", "dense (langchain defaults)", "bm25 only"}
    assert {c["id"]: c["split"] for c in suite["cases"]} == {
        c.id: split_of(c.id) for c in load_cases(FIXTURES / "evals-small.yaml")
    }
    assert suite["splits"]["test"]["ours"]["cases"] + suite["splits"]["dev"]["ours"]["cases"] == 6
    assert report["pooled"]["test"] == suite["splits"]["test"]["ours"]  # one suite: the same
    assert all(t["held"] for t in report["thresholds"]) and report["thresholds"]
    assert (reports / "report-none.md").read_text().startswith("# Eval report")
    assert "evals-small" in out
    assert (tmp_path / "index").is_dir()  # the suite's index went where it was told
