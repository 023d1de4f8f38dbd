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


def test_splits_japanese_which_has_no_spaces_after_its_stops():
    assert split_sentences("締め切りは3月1日です。遅れた申請は受け付けません。") == (
        "締め切りは3月1日です。",
        "遅れた申請は受け付けません。",
    )


def test_an_abbreviation_of_another_language_with_a_file_does_not_end_a_sentence():
    assert split_sentences("De beurs wordt o.a. in twee delen betaald. De rest volgt.") == (
        "De beurs wordt o.a. in twee delen betaald.",
        "De rest volgt.",
    )


def test_sentences_stand_as_written_in_the_line():
    line = 'He said "Go."  Then   he left (i.e. at once). Café Zürich is open!'
    pieces = split_sentences(line)
    assert len(pieces) == 3
    assert all(piece in line for piece in pieces)
    assert pieces[1] == "Then   he left (i.e. at once)."


def test_stops_alone_end_the_sentence_before_and_are_never_a_sentence():
    assert split_sentences("支援します。 . Then more.") == ("支援します。 .", "Then more.")
    assert split_sentences("It opens at nine. ... It closes at five.") == (
        "It opens at nine. ...",
        "It closes at five.",
    )
