"""Typo repair: only words unknown to both the corpus and the model's vocabulary change."""

from assistant.text.spelling import SpellFixer, corpus_vocabulary, model_dictionary

WORDS = corpus_vocabulary(
    ["The Rotterdam harbour and the Rotterdam museum.", "A harbor cruise; the museum opens."]
)


def test_an_unknown_word_becomes_the_nearest_corpus_word():
    fixer = SpellFixer(WORDS, frozenset({"when", "does", "open"}))
    assert fixer.fix("When does the musuem open in Roterdam?") == (
        "When does the museum open in rotterdam?"
    )


def test_known_words_short_words_and_far_words_stay():
    fixer = SpellFixer(WORDS, frozenset({"opening"}))
    text = "Is the opening of the xyzzy zoo near?"
    assert fixer.fix(text) == text


def test_a_tie_goes_to_the_more_frequent_word():
    fixer = SpellFixer({"harbour": 5, "harbor": 1}, frozenset())
    assert fixer.fix("harbuor") == "harbour"


def test_the_model_vocabulary_is_its_whole_lowercase_words(tmp_path):
    (tmp_path / "vocab.txt").write_text("[CLS]\n##ing\nmuseum\nOpen\nharbour\n2020\n")
    assert model_dictionary(tmp_path) == {"museum", "harbour"}
    assert model_dictionary(None) == frozenset()
