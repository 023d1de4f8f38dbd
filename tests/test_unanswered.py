"""Questions the documents did not answer: kept without identity for a number of days, grouped
by what they ask, exported as draft eval cases."""

from datetime import UTC, datetime, timedelta

import numpy as np
import yaml

from assistant.unanswered import UnansweredStore, draft_case, group


def topic_embedder(texts):
    """Vectors by topic word: questions that share one are the same question."""
    topics = ["grant", "deadline", "housing"]
    out = np.zeros((len(texts), len(topics) + 1), dtype=np.float32)
    for i, text in enumerate(texts):
        hit = [k for k, t in enumerate(topics) if t in text.lower()]
        out[i, hit[0] if hit else len(topics)] = 1.0
    return out


def test_a_store_keeps_unanswered_and_partial_questions_and_nothing_else(tmp_path):
    store = UnansweredStore(tmp_path / "fb.sqlite3", keep_days=90)
    assert store.rows() == [] and not (tmp_path / "fb.sqlite3").exists()  # made on first use
    store.add("How much is the grant?", "not_covered", ["Who can go?"])
    store.add("When is the deadline?", "partial", missing="Not in the documents: the date.")
    assert store.add("Who coordinates it?", "answered") is None
    rows = store.rows()
    assert [r.question for r in rows] == ["When is the deadline?", "How much is the grant?"]
    assert rows[1].history == ["Who can go?"] and rows[0].missing.startswith("Not in")


def test_questions_older_than_the_kept_days_are_deleted(tmp_path):
    store = UnansweredStore(tmp_path / "fb.sqlite3", keep_days=30)
    now = datetime.now(UTC)
    store.add("An old question about the grant?", "not_covered", now=now - timedelta(days=31))
    store.add("A new question about housing?", "not_covered", now=now)
    assert [r.question for r in store.rows(now=now)] == ["A new question about housing?"]
    assert UnansweredStore(tmp_path / "none.sqlite3", keep_days=0).add("Q?", "off_topic") is None


def test_questions_that_ask_the_same_thing_are_one_group_most_asked_first(tmp_path):
    store = UnansweredStore(tmp_path / "fb.sqlite3", keep_days=90)
    for q in ["How much is the grant?", "When is the deadline?", "Is the grant monthly?"]:
        store.add(q, "not_covered")
    groups = group(store.rows(), topic_embedder)
    assert [g.count for g in groups] == [2, 1]
    assert groups[0].question == "Is the grant monthly?"  # the latest wording stands for it
    assert group([], topic_embedder) == []


def test_a_group_becomes_a_draft_eval_case_for_a_person_to_finish(tmp_path):
    store = UnansweredStore(tmp_path / "fb.sqlite3", keep_days=90)
    store.add("How much is the grant?", "not_covered", ["Who can go?"])
    store.add("What is the grant amount?", "not_covered")
    text = draft_case(group(store.rows(), topic_embedder)[0])
    (case,) = yaml.safe_load(text)
    assert case["question"] == "What is the grant amount?" and case["answerable"] is False
    assert case["facts"] == [] and "2 unanswered" in case["known_failure"]
    assert "#   How much is the grant?" in text
