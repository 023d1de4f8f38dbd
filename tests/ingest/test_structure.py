"""Structure recovered from plain text: tables, markers, source lines, headings, chrome."""

from assistant.ingest import markers, tables
from assistant.ingest import structure as ts


def test_each_table_row_carries_its_header_so_it_can_be_quoted_alone():
    table = "| Band | Grant |\n|---|---|\n| 0-99 km | 20 EUR |\n| 100+ km | 180 EUR |\n"
    assert tables.pipe_tables(table) == (
        "- Band: 0-99 km; Grant: 20 EUR\n- Band: 100+ km; Grant: 180 EUR\n"
    )


def test_footnote_markers_that_would_clash_with_citations_are_removed():
    text = "The city was founded in 1575.[3] It grew.[citation needed]"
    assert markers.remove_markers(text) == "The city was founded in 1575. It grew."


def test_a_source_line_at_the_top_gives_the_url_and_leaves_the_text():
    assert ts.take_source_line("Source: https://example.org/page\nBody text.") == (
        "https://example.org/page",
        "Body text.",
    )
    deep = "One.\nTwo.\nThree.\nSource: https://example.org/x\n"
    assert ts.take_source_line(deep) == ("", deep)  # only among the first lines


def test_headings_come_from_layout_and_menus_before_the_text_are_dropped():
    lines = [
        ts.Line(t)
        for t in [
            "Home",
            "About",
            "",
            "Who can apply",
            "Students of the two schools can apply for one term. They need a letter from "
            "their school.",
            "",
            "Costs",
            "The grant covers travel and a monthly amount for living costs in the host city.",
        ]
    ]
    text, title = ts.structure_plain_text(lines)
    assert "Home" not in text and "About" not in text
    assert "## Costs" in text and title == "Who can apply"
    assert "They need a letter from their school." in text
