"""The kind of answer a question expects, and the bonus a sentence of that kind earns."""

import pytest

from assistant.answer_types import (
    AGE,
    AMOUNT,
    DATE,
    DURATION,
    FREQUENCY,
    NUMBER,
    PERMISSION,
    PLACE,
    PROCEDURE,
    REASON,
    bonus,
    counted,
    counts,
    expected,
    has_person_name,
    matches,
    parts,
    target,
)

COORDINATOR = "The project coordinator of the LUMC-Nagasaki exchange at LUMC is Maria Yazdanbakhsh."
PROFESSOR = "Maria Yazdanbakhsh is professor and head of the Department of Parasitology at LUMC."
DEFINITION = (
    "The LUMC-Nagasaki exchange is an Erasmus+ International Credit Mobility (ICM) project."
)
AREAS = (
    "LUMC and Nagasaki University share three areas of expertise for the exchange: "
    "medical technology, infectious diseases and ageing."
)
COMPLEMENT = (
    "In these three areas, LUMC and Nagasaki University have experience that complements "
    "each other."
)
EVERY_YEAR = (
    "The LUMC-Nagasaki project plans for students to be exchanged between the two institutions "
    "every year."
)
AGREEMENTS = (
    "Nagasaki University has exchange agreements with more than 60 universities and institutes "
    "worldwide."
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who coordinates the exchange?", "person"),
        ("How long does the exchange last?", (DURATION,)),
        ("How old is Nagasaki University?", (AGE,)),
        ("What is the allowed length of a study period?", (DURATION,)),
        ("min and max length of a study stay?", (DURATION,)),
        ("Who can take part in the exchange?", (PERMISSION,)),
        ("Where are NEKKEN's research stations?", (PLACE,)),
        ("How often do students travel to Japan?", (FREQUENCY,)),
        ("When was NUSM founded?", (DATE,)),
        ("How many students took part?", (NUMBER,)),
        ("How much does the exchange cost?", (AMOUNT,)),
        ("How do I apply for the exchange?", (PROCEDURE,)),
        ("Why is Nagasaki a good partner for LUMC?", (REASON,)),
        ("What is NEKKEN?", None),
    ],
)
def test_expected_kind_of_answer(question, kind):
    assert expected(question) == kind


@pytest.mark.parametrize("text", [PROFESSOR, "J.L.C. Pompe van Meerdervoort"])
def test_person_names_are_recognised(text):
    assert has_person_name(text)


@pytest.mark.parametrize(
    "text",
    [
        "Nagasaki University School of Medicine",
        "Leiden University Medical Center",
        "International Credit Mobility",
        "In September 2019",
    ],
)
def test_institutions_programmes_and_dates_are_not_person_names(text):
    assert not has_person_name(text)


def test_counted_names_what_a_how_many_question_counts():
    assert counted("how many partner schools?") == ["partner", "schools"]
    assert counted("How many students took part")[0] == "students"
    assert counted("Who coordinates the exchange?") == []


def test_counts_take_the_words_after_a_number_and_up_to_five_before_it():
    words = counts(AGREEMENTS)
    assert {"universities", "institutes"} <= set(words)  # what is counted
    assert {"exchange", "agreements", "with", "more", "than"} <= set(words)  # five before
    assert "has" not in words  # the sixth word before is out of reach
    assert counts("The exchange started in 2022.") == []  # a year is not a count


def test_who_questions_prefer_a_name_to_a_role():
    question = "Who coordinates the exchange?"
    assert bonus(question, COORDINATOR, 1.0) == 1.0
    assert bonus(question, "The project coordinator is the head of the department.", 1.0) == 0.5


def test_what_is_x_rewards_the_sentence_that_defines_x():
    question = "What is the LUMC–Nagasaki exchange?"
    assert bonus(question, DEFINITION, 1.0) == 1.0
    assert bonus(question, COORDINATOR, 1.0) == 0.0


def test_an_apposition_does_not_hide_the_definition():
    sentence = (
        "NEKKEN, the Institute of Tropical Medicine, is the only institute in Japan devoted to "
        "tropical diseases."
    )
    assert bonus("What is NEKKEN?", sentence, 1.0) == 1.0


def test_a_possessive_question_asks_about_the_thing_owned_not_the_owner():
    assert bonus("What is Maria Yazdanbakhsh's research about?", PROFESSOR, 1.0) == 0.0


def test_list_questions_reward_an_enumeration():
    for question in ("What are the focus areas?", "focus areas?"):
        assert bonus(question, AREAS, 1.0) == 1.0
        assert bonus(question, COMPLEMENT, 1.0) == 0.0


def test_which_department_rewards_a_named_department():
    assert bonus("Which department does the coordinator lead?", PROFESSOR, 1.0) == 1.0


def test_how_many_counts_must_count_what_was_asked():
    question = "how many students took part"
    # 'two institutions' is a count, but not of students.
    assert bonus(question, EVERY_YEAR, 1.0) == 0.0
    assert not matches(question, [EVERY_YEAR])
    assert bonus("how many exchange agreements does it have?", AGREEMENTS, 1.0) == 1.0


def test_soft_kinds_always_match():
    assert matches("Why is Nagasaki a good partner?", [])
    assert matches("How do I apply?", ["NUSM is a medical school in Japan."])
    assert matches("Where are the research stations?", ["NEKKEN studies tropical diseases."])
    assert matches("Can staff join too?", ["The project is a staff and student exchange."])


def test_a_when_question_needs_a_date():
    assert not matches("When was NUSM founded?", ["NUSM is a medical school in Japan."])
    assert matches("When was NUSM founded?", ["NUSM was founded in 1857."])


@pytest.mark.parametrize(
    ("question", "count"),
    [
        ("Who was von Siebold, and what is his connection with Leiden?", 2),
        ("What is X? And who runs it?", 2),
        ("ok, and how do I apply?", 1),
        ("and who coordinates it?", 1),
        ("What is the focus?", 1),
        ("%%%% ???? ####", 1),
    ],
)
def test_parts_counts_the_questions_a_message_asks(question, count):
    assert len(parts(question)) == count


def test_two_years_ask_what_happened_in_each():
    first, second = parts("What happened in 1987 and 1989 between Leiden and Nagasaki?")
    assert "1987" in first and "1989" not in first
    assert "1989" in second and "1987" not in second


def test_target_names_the_thing_a_question_asks_about():
    assert target("Who is the president of Nagasaki University?") == ["president"]
    assert target("What is Maria Yazdanbakhsh's email address?") == ["email", "address"]
    assert "grant" in target("How much is the Erasmus+ grant for the Nagasaki exchange?")
    assert "housing" in target(
        "Does Nagasaki University provide student housing for exchange students?"
    )
    assert target("What are the focus areas?") == []


def test_because_of_this_is_no_reason_but_because_it_is():
    assert not REASON.search("The two faculties kept in touch because of this history.")
    assert REASON.search(
        "The exchange matters because it brings Leiden and Nagasaki into collaboration."
    )


def test_a_name_with_its_abbreviation_defines_the_abbreviation():
    sentence = (
        "Leiden University Medical Center (LUMC) is the academic hospital of Leiden University "
        "and also its Faculty of Medicine, located in Leiden."
    )
    assert bonus("What is LUMC exactly?", sentence, 1.0) >= 1.0
