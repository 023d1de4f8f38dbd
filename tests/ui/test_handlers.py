"""What the page's handlers do to a conversation (ui/handlers.py), on the fakes."""

from __future__ import annotations

import json

from page_helpers import final

from assistant.ui import handlers


def test_asking_shows_the_answer_with_its_sources_and_what_to_read_next(service):
    h = handlers.Handlers(service)
    steps = list(h.respond("What are the focus areas of the exchange?", []))
    assert "ea-pending" in steps[0][0][-1]["content"]  # at once: the question, then the dots
    chat, convo, box, notice, ask, stop = steps[-1]
    # Stop stands in for Ask while the answer comes, and the conversation holds the turn
    assert steps[0][4]["visible"] is False and steps[0][5]["visible"] is True
    assert steps[0][1][-1]["streaming"] and ask["visible"] and stop["visible"] is False
    assert len(chat) == 2 and len(convo) == 1 and "ea-answer" in chat[1]["content"]
    turn = convo[0]
    assert "medical technology" in turn["answer"]["answer"]
    assert turn["answer"]["highlights"]
    assert turn["next"] and all(s["question"] != turn["question"] for s in turn["next"])
    assert turn["contexts"]  # the answer quotes its passages, so each card shows their context
    assert "<mark" in chat[1]["content"] and "ea-suggest" in chat[1]["content"]

    # the next question carries the conversation on
    chat, convo, *_ = final(h.respond("and what does Leiden study?", convo))
    assert len(convo) == 2 and convo[1]["history"] == ["What are the focus areas of the exchange?"]


def test_an_abstention_carries_the_contact_route(service):
    h = handlers.Handlers(service)
    chat, convo, *_ = final(h.respond("Can I bring my dog to the dormitory?", []))
    assert convo[0]["answer"]["abstained"]
    assert convo[0]["contact"]["url"] == "https://example.org/exchange"
    assert 'href="https://example.org/exchange"' in chat[1]["content"]


def test_a_question_the_documents_do_not_answer_is_kept_for_the_staff(service):
    h = handlers.Handlers(service)
    _, convo, *_ = final(h.respond("When was NUSM founded?", []))  # answered: not kept
    final(h.respond("Can I bring my dog to the dormitory?", convo))
    (row,) = service.unanswered.rows()
    assert row.question == "Can I bring my dog to the dormitory?"
    assert row.outcome in ("not_covered", "off_topic") and row.history == ["When was NUSM founded?"]


def test_empty_and_too_long_questions_get_one_sentence(service):
    h = handlers.Handlers(service)
    *_, notice, _, _ = final(h.respond("   ", []))
    assert "Please type a question." in notice
    *_, notice, _, _ = final(h.respond("why " * 300, []))
    assert "too long" in notice


def test_stop_keeps_the_answer_as_far_as_it_came_and_it_is_no_context_for_the_next(service):
    h = handlers.Handlers(service)
    steps = h.respond("What are the focus areas of the exchange?", [])
    _, shown, *_ = next(steps)  # the question is out; the person presses Stop now
    steps.close()
    chat, convo, ask, stop = h.stop(shown)
    assert convo[-1]["stopped"] and not convo[-1].get("streaming")
    assert "stopped this answer" in chat[-1]["content"] and ask["visible"]
    _, convo, *_ = final(h.respond("Who coordinates the exchange?", convo))
    assert convo[-1]["history"] == [] and len(convo) == 2
    assert handlers.to_turns(convo) == handlers.to_turns(convo[1:])


def test_stop_after_the_answer_is_finished_changes_nothing(service):
    h = handlers.Handlers(service)
    _, convo, *_ = final(h.respond("Who coordinates the exchange?", []))
    chat, kept, ask, stop = h.stop(convo)
    assert not isinstance(kept, list) and not isinstance(chat, list)  # both left as they are
    assert ask["visible"] and stop["visible"] is False


def test_each_answer_carries_the_language_its_own_question_was_read_as(service):
    h = handlers.Handlers(service)
    chat, convo, *_ = final(h.respond("Wie coördineert de uitwisseling?", []))
    chat, convo, *_ = final(h.respond("Who coordinates the exchange?", convo))
    assert "Read as Dutch" in chat[1]["content"]
    assert "Read as" not in chat[3]["content"]


def test_a_rating_opens_a_comment_box_on_that_answer_and_notices_clear(service):
    h = handlers.Handlers(service)
    _, convo, *_ = final(h.respond("Who coordinates the exchange?", []))
    _, convo, *_ = final(h.respond("What are the focus areas of the exchange?", convo))

    chat, convo, box = h.act(json.dumps({"do": "rate", "turn": 0, "rating": "down"}), convo)
    assert box == ""
    assert convo[0]["rating"] == "down" and convo[0]["comment_open"]
    assert "ea-comment ea-turn-0" in chat[1]["content"] and "ea-comment" not in chat[3]["content"]
    row_id = convo[0]["feedback_id"]

    chat, convo, _ = h.act(json.dumps({"do": "comment", "turn": 0, "text": " Wrong. "}), convo)
    assert "Thanks, your comment was saved." in chat[1]["content"]
    assert "ea-comment ea-turn" not in chat[1]["content"]
    (row,) = service.feedback.rows()
    assert row.id == row_id and row.rating == "down" and row.comment == "Wrong."
    assert row.question == "Who coordinates the exchange?"

    # the next action clears the notice; rating the other answer opens its own box
    chat, convo, _ = h.act(json.dumps({"do": "rate", "turn": 1, "rating": "up"}), convo)
    assert "comment was saved" not in chat[1]["content"]
    assert "ea-comment ea-turn-1" in chat[3]["content"]
    # the same thumb again takes the rating back
    chat, convo, _ = h.act(json.dumps({"do": "rate", "turn": 1, "rating": "up"}), convo)
    assert convo[1]["rating"] is None
    assert [r.question for r in service.feedback.rows()] == ["Who coordinates the exchange?"]


def test_actions_that_do_not_fit_change_nothing(service):
    h = handlers.Handlers(service)
    _, convo, *_ = final(h.respond("Who coordinates the exchange?", []))
    for bad in (
        "",
        "{",
        "[]",
        '{"do": "rate", "turn": 5, "rating": "up"}',
        '{"do": "rate", "turn": 0, "rating": "meh"}',
        '{"do": "comment", "turn": 0}',
    ):
        chat, kept, _ = h.act(bad, convo)
        assert chat is not None and kept is not None
        assert not isinstance(chat, list), bad  # gr.skip(): the page stays as it is
    assert service.feedback.rows() == []


# -- start-up and settings ---------------------------------------------------------------------
