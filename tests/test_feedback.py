"""The feedback store (real SQLite in tmp_path) and the export of thumbs-down answers."""

from __future__ import annotations

import sqlite3
import threading

import pytest
import yaml

from assistant.cli import main
from assistant.errors import AssistantError
from assistant.feedback import FeedbackStore, draft_cases, export_yaml, open_existing
from evals.dataset import load_cases

CITATIONS = [
    {
        "n": 1,
        "title": "Exchange overview",
        "source": "exchange.md",
        "section": "Focus areas",
        "url": "https://example.org/exchange",
        "quote": "The three focus areas of the exchange are medical technology, "
        "infectious diseases and ageing.",
        "chunk_id": "abc",
    }
]


@pytest.fixture
def store(tmp_path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "fb" / "feedback.sqlite3")


def test_a_rating_is_stored_with_what_was_asked_and_answered(store):
    row_id = store.add(
        question="What are the focus areas?",
        answer="The three focus areas ... ageing. [1]",
        citations=CITATIONS,
        rating="down",
        history=["Who can take part?"],
        comment="  too short  ",
    )
    (row,) = store.rows()
    assert row.id == row_id
    assert row.question == "What are the focus areas?"
    assert row.history == ["Who can take part?"]
    assert row.citations == CITATIONS
    assert row.rating == "down"
    assert row.comment == "too short"
    assert row.created.endswith("+00:00")
    assert row.abstained is False


def test_nothing_about_the_person_is_stored(store):
    with sqlite3.connect(store.path) as db:
        columns = {r[1] for r in db.execute("PRAGMA table_info(feedback)")}
    assert columns == {
        "id",
        "created",
        "question",
        "history",
        "answer",
        "abstained",
        "citations",
        "rating",
        "comment",
    }


def test_comment_rating_change_and_removal(store):
    row_id = store.add(question="q", answer="a", rating="up")
    store.set_comment(row_id, "helpful")
    store.set_rating(row_id, "down")
    (row,) = store.rows()
    assert (row.rating, row.comment) == ("down", "helpful")
    store.set_comment(row_id, "x" * 5000)
    assert len(store.rows()[0].comment) == 2000
    store.remove(row_id)
    assert store.rows() == []


def test_only_up_or_down(store):
    with pytest.raises(ValueError):
        store.add(question="q", answer="a", rating="meh")


def test_many_threads_can_rate_at_once(store):
    def rate(i):
        store.add(question=f"q{i}", answer="a", rating="down" if i % 2 else "up")

    threads = [threading.Thread(target=rate, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.rows()) == 20
    assert len(store.rows(rating="down")) == 10


def test_thumbs_down_answers_become_draft_eval_cases(store, tmp_path):
    store.add(question="Who coordinates it?", answer="Maria. [1]", rating="up")
    down = store.add(
        question="what does Nagasaki study about the last one?",
        answer="The programme documents do not answer this question.",
        abstained=True,
        rating="down",
        history=["What are the focus areas of the exchange?"],
        comment="it should know\nthis",
    )
    store.add(question="Is there a grant?", answer="x [1]", citations=CITATIONS, rating="down")
    cases = draft_cases(store.rows())
    assert [c["id"] for c in cases] == [f"feedback-{down:03d}", f"feedback-{down + 1:03d}"]
    first = cases[0]
    assert first == {
        "id": f"feedback-{down:03d}",
        "category": "feedback",
        "question": "what does Nagasaki study about the last one?",
        "history": ["What are the focus areas of the exchange?"],
        "answerable": True,
        "facts": [],
        "sources": [],
        "known_failure": "draft from feedback: it should know this",
    }
    assert cases[1]["known_failure"] == "draft from feedback: (no comment)"

    out = tmp_path / "drafts.yaml"
    out.write_text(export_yaml(store.rows()))
    assert yaml.safe_load(out.read_text()) == cases
    assert "#   [1] exchange.md › Focus areas" in out.read_text()
    loaded = load_cases(out)  # the eval runner reads the drafts as they are
    assert [c.id for c in loaded] == [c["id"] for c in cases]


def test_export_with_no_thumbs_down_is_an_empty_list(store):
    store.add(question="q", answer="a", rating="up")
    assert yaml.safe_load(export_yaml(store.rows())) == []


def test_cli_export(store, tmp_path, capsys):
    store.add(question="Is there <b>a grant</b>?", answer="a", rating="down", comment="wrong")
    out = tmp_path / "cases.yaml"
    assert main(["feedback", "export", "--db", str(store.path), "--out", str(out)]) == 0
    assert "1 draft eval cases written" in capsys.readouterr().err
    (case,) = yaml.safe_load(out.read_text())
    assert case["question"] == "Is there <b>a grant</b>?"
    assert case["known_failure"] == "draft from feedback: wrong"

    assert main(["feedback", "export", "--db", str(store.path)]) == 0
    assert yaml.safe_load(capsys.readouterr().out) == [case]


def test_cli_export_reads_the_setting(store, monkeypatch, capsys):
    store.add(question="q", answer="a", rating="down")
    monkeypatch.setenv("EXCHANGE_UI__FEEDBACK_DB", str(store.path))
    assert main(["feedback", "export"]) == 0
    assert len(yaml.safe_load(capsys.readouterr().out)) == 1


def test_cli_export_without_a_feedback_file_is_one_sentence(tmp_path, capsys):
    missing = tmp_path / "none.sqlite3"
    assert main(["feedback", "export", "--db", str(missing)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"error: No feedback file was found at {missing}."
    assert not missing.exists()
    with pytest.raises(AssistantError):
        open_existing(missing)
