"""A sentence that only says again what the answer said (text/overlap.py)."""

from assistant.text.overlap import restates, words


def _said(*sentences: str) -> set[str]:
    return {w for s in sentences for w in words(s)}


def test_the_same_words_in_another_order_restate():
    said = _said("The Riverside Library opened its new reading room in March 2019.")
    assert restates("In March 2019 the Riverside Library opened its new reading room.", said)


def test_a_sentence_with_a_new_number_is_never_a_restatement():
    said = _said("The reading club meets from 2021.")
    assert not restates("The reading club meets from 2021 to 2024.", said)
    table = _said("Member: Resident; Fee per year: £45.")
    assert not restates("Member: Resident; Fee per year: £35.", table)


def test_a_sentence_that_adds_a_place_or_a_condition_is_kept():
    said = _said("The reading room is on the first floor.")
    assert not restates(
        "The reading room, the map collection and the café are on the first floor.", said
    )


def test_words_in_any_script_and_case_count():
    assert words("Books, BOOKS and 図書館") == ["books", "books", "and", "図書館"]
    assert restates("", set())  # nothing to add
