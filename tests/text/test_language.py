"""Which questions are not in the documents' English, and the names of their languages."""

import pytest

from assistant.text.language import detect, name_of


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Wie kan er deelnemen aan de uitwisseling met de universiteit?", "nl"),
        ("Welche Studenten können an dem Austausch teilnehmen?", "de"),
        ("交換留学に参加できるのは誰ですか?", "ja"),
    ],
)
def test_a_question_in_another_language_is_named(text, code):
    assert detect(text) == code


def test_english_and_text_without_words_are_not_flagged():
    assert detect("Who can take part in the exchange between the two universities?") is None
    assert detect("2020 - 2021 ?!") is None


def test_known_words_overrule_the_character_profiles():
    # a short English question with a typo may look foreign to character n-grams alone
    question = "wat ar the dates"
    assert detect(question, known=lambda w: w in {"the", "dates", "ar", "wat"}) is None


def test_language_names_come_from_babel():
    assert name_of("nl") == "Dutch" and name_of("ja") == "Japanese"
    assert name_of("xx-unknown") == "xx-unknown"
