"""What `exchange-assistant ask` prints, for answers of the fake assistant: the JSON contract of
--json (README) and the emphasis of the sentences that carry the answer."""

import json

from assistant.output import answer_json, render_text

CONTRACT = {
    "answer",
    "abstained",
    "outcome",
    "mode",
    "citations",
    "highlights",
    "retrieval",
    "timings_ms",
}


def test_the_json_of_an_answer_keeps_the_contract(fake_assistant):
    answer = fake_assistant.ask("What are the focus areas of the exchange?")
    data = json.loads(json.dumps(answer_json(answer)))
    assert set(data) >= CONTRACT
    assert data["answer"] == answer.answer and data["abstained"] is False
    for c in data["citations"]:
        assert {"n", "title", "source", "section", "url", "quote"} <= set(c)
    assert data["highlights"] and all(set(h) == {"n", "text"} for h in data["highlights"])
    numbers = {c["n"] for c in data["citations"]}
    assert {h["n"] for h in data["highlights"]} <= numbers
    for hit in data["retrieval"]:
        assert set(hit) >= {"chunk_id", "source", "score"}
    assert data["abstention"] is None
    assert data["outcome"] == "answered" and data["mode"] == "quotes"


def test_the_json_of_an_abstention_says_why(fake_assistant):
    data = answer_json(fake_assistant.ask("Who won the 2022 World Cup?"))
    assert data["abstained"] is True and data["citations"] == [] and data["highlights"] == []
    assert data["abstention"] == "off_topic" and data["outcome"] == "off_topic"


def test_the_json_of_a_model_answer_says_it_came_from_the_model(
    fake_index, make_assistant, fake_backend
):
    reply = (
        "Yes\nAnswer: The project coordinator at LUMC is Maria Yazdanbakhsh [1].\n"
        'Quote [1]: "The project coordinator at LUMC is Maria Yazdanbakhsh"'
    )
    assistant = make_assistant(fake_index, backend=fake_backend({"default": reply}))
    data = answer_json(assistant.ask("Who is the project coordinator at LUMC?"))
    assert data["mode"] == "model" and data["outcome"] == "answered"
    assert data["abstained"] is False and len(data["citations"]) == 1
    assert {"sources", "first_token", "total"} <= set(data["timings_ms"])


def test_the_highlighted_sentences_are_emphasised_in_the_text(fake_assistant):
    answer = fake_assistant.ask("What does Leiden study about ageing?")
    text = render_text(answer, emphasis=lambda s: f"<<{s}>>")
    for h in answer.highlights:
        assert f"<<{h.text}>> [{h.n}]" in text
    emphasised = text.count("<<")
    assert emphasised == len(answer.highlights)
    assert "Sources:" in text and "[1] Exchange overview ›" in text
