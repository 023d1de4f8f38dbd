"""A sentence that only says again what the answer said (text/overlap.py)."""

from assistant.text.overlap import restates, words


def _said(*sentences: str) -> set[str]:
    return {w for s in sentences for w in words(s)}


def test_the_same_words_in_another_order_restate():
    said = _said("The NUMF fund was set up in September 2019 by Nagasaki's School of Medicine.")
    assert restates("In September 2019 Nagasaki's School of Medicine set up the NUMF fund.", said)


def test_a_sentence_with_a_new_number_is_never_a_restatement():
    said = _said("The exchange runs from 2020.")
    assert not restates("The exchange runs from 2020 to 2023.", said)
    table = _said("Medical school: Abroad; Processing fee per elective: £450.")
    assert not restates("Medical school: Abroad; Processing fee per elective: £350.", table)


def test_a_sentence_that_adds_a_place_or_a_condition_is_kept():
    said = _said("The School of Medicine is on the Sakamoto campus.")
    assert not restates(
        "The School of Medicine, the university hospital and the Institute of Tropical Medicine "
        "are on the Sakamoto campus.",
        said,
    )


def test_words_in_any_script_and_case_count():
    assert words("Ageing, AGEING and 老化研究") == ["ageing", "ageing", "and", "老化研究"]
    assert restates("", set())  # nothing to add
