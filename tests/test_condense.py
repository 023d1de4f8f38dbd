from assistant.condense import condense, is_follow_up, list_items, resolve_ordinal
from assistant.models import Turn

FOCUS = "The three focus areas are medical technology, infectious diseases and ageing. [1]"


def test_standalone_questions_pass_unchanged():
    history = [Turn(question="Who coordinates it?")]
    assert condense("When was NUSM founded?", history) == "When was NUSM founded?"
    assert condense("and who coordinates it?", []) == "and who coordinates it?"


def test_follow_ups_carry_the_earlier_question():
    query = condense("and who coordinates it?", [Turn(question="What is the LUMC exchange?")])
    assert "LUMC exchange" in query and "coordinates" in query
    assert is_follow_up("what about staff?")


def test_chains_resolve_through_every_turn():
    history = [Turn(question="What is the LUMC exchange?"), Turn(question="who coordinates it?")]
    assert "LUMC exchange" in condense("what is her research about?", history)


def test_ordinals_resolve_against_the_list_in_the_previous_answer():
    assert list_items(FOCUS) == ["medical technology", "infectious diseases", "ageing"]
    assert resolve_ordinal("what about the last one?", FOCUS) == "what about ageing?"
    assert resolve_ordinal("and the first one?", FOCUS) == "and medical technology?"
    history = [Turn(question="What are the focus areas?", answer=FOCUS)]
    assert condense("what does Nagasaki study about the last one?", history).startswith(
        "what does Nagasaki study about ageing?"
    )
