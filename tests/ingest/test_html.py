"""A web page's metadata, and the page without what would confuse citations."""

from assistant.ingest.html import iso_day, prepare, strip_site_name

PAGE = (
    b"<html><head><title>Guide - Example U</title>"
    b'<link rel="canonical" href="https://ex.org/guide">'
    b'<meta property="article:modified_time" content="2024-03-05T10:00:00Z"></head>'
    b"<body><h1>Guide</h1><p>Text one.<sup>[1]</sup></p></body></html>"
)


def test_the_page_gives_its_title_url_and_date_and_loses_footnote_markers():
    html, meta = prepare(PAGE)
    assert (meta.title, meta.url, meta.updated) == ("Guide", "https://ex.org/guide", "2024-03-05")
    assert b"[1]" not in html and b"Text one." in html


def test_what_is_not_html_is_passed_on_untouched():
    data, meta = prepare(b"")
    assert data == b"" and meta.title == ""


def test_the_site_name_is_taken_off_a_title():
    assert strip_site_name("Exchange guide | Example University", "Exchange guide") == (
        "Exchange guide"
    )
    assert strip_site_name("Visa - Study - Example U", "", site="Example U") == "Visa - Study"


def test_dates_in_either_form_become_a_day():
    assert iso_day("2024-03-05T10:00:00Z") == "2024-03-05"
    assert iso_day("Tue, 05 Mar 2024 10:00:00 GMT") == "2024-03-05"
    assert iso_day("5 March 2024") == "" and iso_day("") == ""
