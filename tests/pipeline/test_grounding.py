"""Finding the model's quote in the passages, and checking its sentence against them."""

from fakes import FakeScorer

from assistant.pipeline.grounding import (
    addresses_supported,
    ground_beside,
    locate,
    locate_meaning,
    numbers_supported,
    support_units,
)
from assistant.pipeline.reading import Source

SOURCES = [
    Source(n=1, chunk_id="a", text="The library opens at 9:00. It closes at 17:00 on weekdays."),
    Source(
        n=2,
        chunk_id="b",
        text="The areas are:\n- medical technology\n- infectious diseases\n- ageing\n"
        "Each area has a lead.",
    ),
]


def test_a_quote_is_found_even_with_small_copying_mistakes():
    found = locate("it closes at 17:00 on week days", SOURCES, prefer=2)
    assert found.n == 1 and found.score > 0.9
    assert found.support == ["It closes at 17:00 on weekdays."]


def test_a_quote_inside_a_list_brings_the_whole_list_with_its_lead_in():
    found = locate("infectious diseases", SOURCES)
    assert found.n == 2
    assert found.support[0].startswith("The areas are:") and "ageing" in found.support[0]


def test_words_that_are_in_no_passage_are_not_found_well():
    found = locate("tuition costs 5000 euros per year", SOURCES)
    assert found is None or found.score < 0.6


def test_support_is_at_most_two_units():
    text = "One. Two. Three. Four."
    assert support_units(text, 0, len(text)) == ["One.", "Two."]


def test_numbers_must_stand_in_the_passages():
    assert numbers_supported("It opens at 9:00.", SOURCES[0].text)
    assert not numbers_supported("It opens at 8:00.", SOURCES[0].text)
    assert numbers_supported("The grant is 1,500 euros.", "a grant of 1.500 euros")
    assert numbers_supported("開館は９:00です。", SOURCES[0].text)  # full-width digits
    assert not numbers_supported("開館は８:00です。", SOURCES[0].text)


def test_a_number_the_passages_spell_out_is_the_same_number_in_digits():
    page = "Visitors may borrow three books for twenty-one days. Het abonnement duurt vijf jaar."
    assert numbers_supported("You may borrow 3 books.", page)
    assert numbers_supported("本は3冊、21日間借りられます。", page)  # the count the reader wrote
    assert numbers_supported("The subscription runs 5 years.", page)  # spelled out in Dutch
    # a number spelled nowhere is still invented
    assert not numbers_supported("You may borrow 4 books.", page)
    assert not numbers_supported("Books are lent for 30 days.", page)
    # "one" as a word is not the number 1 (a lone one or two stays a word)
    assert not numbers_supported("奨学金は毎月1万円です。", "One of the students gets a grant.")


def test_a_number_the_sentence_spells_out_must_stand_in_the_passages_too():
    page = "A study period lasts between 3 and 12 months. Visitors may borrow three books."
    assert not numbers_supported("The exchange offers up to six months.", page, "en")
    assert numbers_supported("A stay lasts at most twelve months.", page, "en")
    assert numbers_supported("Je mag drie boeken lenen.", page, "nl")  # the passage's own count
    assert not numbers_supported("Je mag zes boeken lenen.", page, "nl")
    # read in the sentence's language only: an English "once" is not the Spanish 11
    assert numbers_supported("You apply once, for 3 months.", page, "en")
    # with no language (or one text2num does not read) only digits are numbers
    assert numbers_supported("The exchange offers up to six months.", page)
    assert numbers_supported("The exchange offers up to six months.", page, "ja")


def test_addresses_must_stand_in_the_passages_as_they_are_written():
    page = "Write to the desk at desk@harbour-library.org or see https://www.harbour-library.org/visit/."
    assert addresses_supported("Write to desk@harbour-library.org.", page)
    assert addresses_supported("Its pages are at harbour-library.org/visit.", page)
    assert addresses_supported("See HTTPS://Harbour-Library.org/visit", page)
    # one composed from the names around it is invented, however likely it looks
    assert not addresses_supported("Write to info@harbour-library.org.", page)
    assert not addresses_supported("See https://harbour-library.org/opening-hours", page)
    assert not addresses_supported("The desk is at desk@harbourlibrary.ac.uk.", page)
    # abbreviations are not addresses, and words around an address stay out of it
    assert addresses_supported("It lends e.g. maps, and its head has a Ph.D. in history.", page)
    assert addresses_supported("連絡先はdesk@harbour-library.orgです。", page)


def test_without_a_quote_the_sentence_is_placed_by_meaning():
    found = locate_meaning("When does the library close on weekdays?", SOURCES, FakeScorer())
    assert found.n == 1 and found.score == 0.0 and "17:00" in found.support[0]


def test_a_sentence_its_quote_misses_may_rest_on_the_unit_beside_it_only():
    text = (
        "The school opened in 1857. It counts its founding from those lectures. "
        "It is the oldest school in the city. The city has a harbour since 1571."
    )
    source = Source(n=1, chunk_id="c", text=text)
    near = ["It counts its founding from those lectures."]
    scorer = FakeScorer()
    # the date is in the sentence before the quoted one
    found = ground_beside(scorer, "The school opened in 1857.", source, near, 0.8)
    assert found == "The school opened in 1857."
    # a number two sentences away carries nothing, nor does a unit not close in meaning
    assert ground_beside(scorer, "The school has a harbour since 1571.", source, near, 0.8) is None
    paraphrase = "In 1857 the school first opened its doors."
    assert ground_beside(scorer, paraphrase, source, near, 0.3) == "The school opened in 1857."
    assert ground_beside(scorer, paraphrase, source, near, 0.99) is None
