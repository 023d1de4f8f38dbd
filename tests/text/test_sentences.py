from assistant.text.sentences import split_sentences


def test_splits_on_sentence_ends():
    assert split_sentences("NUSM is old. It was founded in 1857! Is it?") == (
        "NUSM is old.",
        "It was founded in 1857!",
        "Is it?",
    )


def test_keeps_initials_and_abbreviations_inside_a_sentence():
    text = "NUSM was founded by J.L.C. Pompe van Meerdervoort. See e.g. Prof. Smith for more."
    assert split_sentences(text) == (
        "NUSM was founded by J.L.C. Pompe van Meerdervoort.",
        "See e.g. Prof. Smith for more.",
    )


def test_lines_and_list_items_never_join_and_headings_are_dropped():
    text = "## Heading\n- First item\n- Second item.\nA paragraph"
    assert split_sentences(text) == ("First item", "Second item.", "A paragraph")


def test_decimal_numbers_do_not_split():
    assert split_sentences("It grew 3.5 times. Then it stopped.") == (
        "It grew 3.5 times.",
        "Then it stopped.",
    )
