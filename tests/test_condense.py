from assistant.condense import (
    condense,
    first_sentence,
    focus,
    is_follow_up,
    list_items,
    names_in,
    resolve,
    resolve_ordinal,
    resolve_relative_year,
)
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


COORDINATOR = (
    "The project coordinator of the LUMC-Nagasaki exchange at LUMC is Maria Yazdanbakhsh. [1] "
    "She is professor and head of the Department of Parasitology. [2]"
)


def test_focus_finds_the_question_in_a_long_message():
    message = (
        "I'm writing a piece for our faculty newsletter about the partnership with Japan. "
        "I already have some background on the universities involved. "
        "For which period was the project set up?"
    )
    assert focus(message) == "For which period was the project set up?"
    assert focus("Who coordinates it?") == "Who coordinates it?"
    assert focus("Hi there. Who coordinates it?") == "Hi there. Who coordinates it?"


def test_first_sentence_drops_citation_markers():
    assert first_sentence(COORDINATOR) == (
        "The project coordinator of the LUMC-Nagasaki exchange at LUMC is Maria Yazdanbakhsh."
    )
    assert first_sentence("") == ""


def test_names_in_finds_people_and_institutions():
    assert "Maria Yazdanbakhsh" in names_in(first_sentence(COORDINATOR))
    assert names_in(
        "The exchange runs from Leiden University Medical Center to Nagasaki University."
    ) == ["Leiden University Medical Center", "Nagasaki University"]
    assert "J.L.C. Pompe van Meerdervoort" in names_in(
        "In 1857 the navy doctor J.L.C. Pompe van Meerdervoort founded the school."
    )


def test_pronouns_pick_up_the_names_of_the_previous_answer():
    history = [Turn(question="Who coordinates the LUMC-Nagasaki exchange?", answer=COORDINATOR)]
    query = condense("what is her research about?", history)
    assert query.startswith("what is her research about?")
    assert "Maria Yazdanbakhsh" in query
    # A follow-up without a pronoun carries the earlier question, not the answer's names.
    query = condense("and what about staff?", history)
    assert "LUMC-Nagasaki exchange" in query
    assert "Maria Yazdanbakhsh" not in query


PREVIOUS_YEAR = "Exchanges began in 1987 with visits. [1]"


def test_relative_years_count_from_the_year_of_the_previous_answer():
    assert resolve_relative_year("and what happened two years later?", PREVIOUS_YEAR) == (
        "and what happened in 1989?"
    )
    assert resolve_relative_year("and what happened three years earlier?", PREVIOUS_YEAR) == (
        "and what happened in 1984?"
    )
    no_year = "Exchanges began with visits. [1]"
    assert resolve_relative_year("and what happened two years later?", no_year) == (
        "and what happened two years later?"
    )


def test_resolve_fills_in_what_a_follow_up_points_at():
    areas = "The three areas are medical technology, infectious diseases and ageing. [1]"
    history = [Turn(question="What are the focus areas?", answer=areas)]
    assert resolve("what about the last one?", history) == "what about ageing?"
    history = [Turn(question="When did the exchanges start?", answer=PREVIOUS_YEAR)]
    assert resolve("and what happened two years later?", history) == "and what happened in 1989?"
    assert resolve("what about the last one?", []) == "what about the last one?"
