from pathlib import Path

import pytest
from pdfmaker import write_pdf

from assistant.errors import LoadError
from assistant.ingest.chunking import Chunker
from assistant.ingest.loaders import load_file

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_markdown_front_matter_becomes_metadata():
    [doc] = load_file(FIXTURES / "corpus" / "exchange.md", FIXTURES / "corpus")
    assert doc.metadata["title"] == "Exchange overview"
    assert doc.metadata["url"] == "https://example.org/exchange"
    assert doc.metadata["updated"] == "2026-01-15"
    assert doc.metadata["source"] == "exchange.md"
    assert not doc.page_content.startswith("---")
    assert "Maria Yazdanbakhsh" in doc.page_content


def test_text_file_takes_its_title_from_its_first_heading():
    [doc] = load_file(FIXTURES / "corpus" / "history.txt", FIXTURES / "corpus")
    assert doc.metadata["title"] == "A short history"
    assert "1857" in doc.page_content


def test_html_keeps_main_text_and_headings_and_drops_menus_and_cookie_banner():
    [doc] = load_file(FIXTURES / "web" / "programme-page.html", FIXTURES / "web")
    text = doc.page_content
    assert doc.metadata["title"] == "Summer school in tropical medicine"
    assert doc.metadata["url"] == "https://example.org/summer-school"
    assert "## Admission" in text
    assert "malaria and dengue fever" in text
    for noise in ("cookies", "Log in to the staff portal", "Sitemap"):
        assert noise not in text


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"  \n", "empty"),
        ("binary.txt", b"\x00\x01\x02binary", "binary"),
        ("latin1.md", "Caf\xe9 in Leiden".encode("latin-1"), "not valid UTF-8"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "not a readable PDF"),
        ("image.png", b"\x89PNG\r\n", "unsupported file type"),
        ("bad-front-matter.md", b"---\ntitle: [unclosed\n---\nText", "front matter"),
    ],
)
def test_unreadable_files_raise_a_clear_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        load_file(path, tmp_path)


def test_truncated_pdf_is_reported(tmp_path):
    path = write_pdf(tmp_path / "cut.pdf", ["Some text on a page."])
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(LoadError, match="PDF"):
        load_file(path, tmp_path)


def test_files_over_the_size_limit_are_refused(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("word " * 1000)
    with pytest.raises(LoadError, match="too large"):
        load_file(path, tmp_path, max_bytes=100)


# --- titles: front matter, HTML title, PDF metadata unless a default, first heading or line ---


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_file(path, tmp_path)[0]


def test_markdown_without_front_matter_takes_its_first_heading_as_title(tmp_path):
    doc = _write(
        tmp_path, "notes.md", "Intro line without a heading.\n\n## Visiting Nagasaki\n\nText."
    )
    assert doc.metadata["title"] == "Visiting Nagasaki"


def test_text_without_a_heading_takes_its_first_line_and_words_come_before_the_file_name(tmp_path):
    doc = _write(tmp_path, "x_1.txt", "The exchange began in 2020 and ran for three years.\n")
    assert doc.metadata["title"] == "The exchange began in 2020 and ran for three years."
    doc = _write(tmp_path, "grant-table.txt", "2020 - 2023\n")
    assert doc.metadata["title"] == "Grant table"


def test_html_title_drops_the_site_name_and_falls_back_to_the_page_heading(tmp_path):
    [doc] = load_file(FIXTURES / "web" / "wiki-page.html", FIXTURES / "web")
    assert doc.metadata["title"] == "Dejima"  # <title> is "Dejima - Wikipedia"
    site = '<meta property="og:site_name" content="LUMC">'
    page = "<p>" + "The exchange runs every year between the two universities. " * 5 + "</p>"
    doc = _write(
        tmp_path,
        "a.html",
        f"<html><head><title>Exchange | LUMC</title>{site}</head>"
        f"<body><article><h2>Other</h2>{page}</article></body></html>",
    )
    assert doc.metadata["title"] == "Exchange"
    doc = _write(
        tmp_path, "b.html", f"<html><body><article><h1>Grants</h1>{page}</article></body></html>"
    )
    assert doc.metadata["title"] == "Grants"


def test_pdf_uses_a_real_metadata_title(tmp_path):
    path = write_pdf(tmp_path / "guide.pdf", ["Page one text."], title="Exchange guide 2021")
    assert load_file(path, tmp_path)[0].metadata["title"] == "Exchange guide 2021"


@pytest.mark.parametrize(
    "default",
    ["Microsoft Word - FAQ_v3_final.docx", "(anonymous)", "Untitled", "faq_export_v2", "  "],
)
def test_pdf_generator_default_title_gives_way_to_the_first_heading(tmp_path, default):
    page = ["Exchange with Nagasaki", "", "Students of both universities can apply for a stay."]
    path = write_pdf(tmp_path / "faq.pdf", [page], title=default)
    assert load_file(path, tmp_path)[0].metadata["title"] == "Exchange with Nagasaki"


# --- URLs: front matter, canonical link, a Source:/URL: line ---------------------------------


def test_text_file_source_line_gives_the_url_and_leaves_the_text():
    [doc] = load_file(FIXTURES / "texts" / "web-export.txt", FIXTURES / "texts")
    assert doc.metadata["url"] == "https://www.example.org/exchange/nagasaki"
    assert "Source:" not in doc.page_content
    assert doc.metadata["title"] == "Exchange with Nagasaki"


def test_markdown_url_line_at_the_top_gives_the_url(tmp_path):
    doc = _write(tmp_path, "m.md", "URL: https://example.org/m\n\n# Title\n\nSome text here.")
    assert doc.metadata["url"] == "https://example.org/m"
    assert "URL:" not in doc.page_content
    # Only at the top: a "Source:" line further down is text.
    later = "# T\n\nOne.\n\nTwo.\n\nThree.\n\nSource: https://example.org/x\n"
    doc = _write(tmp_path, "n.md", later)
    assert doc.metadata["url"] == ""


def test_html_canonical_link_is_the_url():
    [doc] = load_file(FIXTURES / "web" / "wiki-page.html", FIXTURES / "web")
    assert doc.metadata["url"] == "https://en.example.org/wiki/Dejima"


# --- updated: a real modification date, never a date found in the text ------------------------


def test_html_updated_comes_from_date_modified_not_from_dates_in_the_text():
    [doc] = load_file(FIXTURES / "web" / "wiki-page.html", FIXTURES / "web")
    assert doc.metadata["updated"] == "2026-09-14"  # not 2003 (published) nor 1998 (a citation)


def test_html_updated_comes_from_modified_meta_and_is_empty_without_one(tmp_path):
    body = "<body><article><p>" + "Founded in 1998, the office helps students. " * 5
    meta = '<meta property="article:modified_time" content="2025-05-04T10:00:00+02:00">'
    doc = _write(tmp_path, "a.html", f"<html><head>{meta}</head>{body}</p></article></body></html>")
    assert doc.metadata["updated"] == "2025-05-04"
    doc = _write(tmp_path, "b.html", f"<html><head></head>{body}</p></article></body></html>")
    assert doc.metadata["updated"] == ""


def test_text_updated_is_not_taken_from_a_date_in_the_text():
    [doc] = load_file(FIXTURES / "texts" / "web-export.txt", FIXTURES / "texts")
    assert doc.metadata["updated"] == ""  # "Last updated: 14 January 2022" is page text


def test_pdf_updated_comes_from_its_modification_date(tmp_path):
    path = write_pdf(tmp_path / "g.pdf", ["Text."], info={"ModDate": "D:20240102120000Z"})
    assert load_file(path, tmp_path)[0].metadata["updated"] == "2024-01-02"


# --- structure: headings, page chrome, tables, markers, reference sections --------------------


def test_text_headings_become_sections_and_menus_and_footers_are_dropped():
    [doc] = load_file(FIXTURES / "texts" / "web-export.txt", FIXTURES / "texts")
    text = doc.page_content
    assert "## Who can apply" in text
    assert "## Length of stay" in text
    assert "## Contact" in text
    for chrome in ("Jump to content", "Home > Education", "Search", "Print this page", "©"):
        assert chrome not in text


def test_text_table_rows_carry_their_header():
    [doc] = load_file(FIXTURES / "texts" / "web-export.txt", FIXTURES / "texts")
    assert "- Mobility: Staff teaching; Shortest stay: 5 days; Longest stay: 2 months" in (
        doc.page_content.split("\n")
    )


def test_markdown_pipe_table_rows_carry_their_header(tmp_path):
    table = "| Distance band | Grant |\n|---|---|\n| 8000 km and above | 1.500 € |\n"
    doc = _write(tmp_path, "t.md", f"# Grants\n\nThe bands:\n\n{table}")
    assert "- Distance band: 8000 km and above; Grant: 1.500 €" in doc.page_content.split("\n")
    assert "|" not in doc.page_content


def test_html_tables_and_infobox_become_readable_rows():
    [doc] = load_file(FIXTURES / "web" / "wiki-page.html", FIXTURES / "web")
    lines = doc.page_content.split("\n")
    assert "- Year: 1823; Event: Siebold arrives on the island" in lines
    assert "- Built: 1634 to 1636" in lines
    assert "Dejima:" not in lines  # an infobox named like the page needs no lead-in
    assert "|" not in doc.page_content


def test_html_footnote_markers_edit_links_and_citation_sections_are_dropped():
    [doc] = load_file(FIXTURES / "web" / "wiki-page.html", FIXTURES / "web")
    text = doc.page_content
    assert "harbour of Nagasaki. It was built for Portuguese traders in the 1630s." in text
    assert "## Trading post\n" in text
    for noise in ("[1]", "[2]", "citation needed", "edit", "Retrieved", "Brill", "Visitor"):
        assert noise not in text, noise
    assert "## References" not in text and "## Further afield" not in text
    assert "Main page" not in text and "last edited" not in text


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Founded in 1857.[1] It grew.", "Founded in 1857. It grew."),
        ("It was the first hospital.[citation needed]", "It was the first hospital."),
        ("It was the first hospital.\\[*citation needed*\\]", "It was the first hospital."),
        ("The school grew[12] quickly.", "The school grew quickly."),
        ("A note in Markdown[^2] here.", "A note in Markdown here."),
        ("Oldest school in Japan¹ today.", "Oldest school in Japan today."),
    ],
)
def test_footnote_markers_are_removed_from_text(tmp_path, raw, clean):
    doc = _write(tmp_path, "f.md", f"# T\n\n{raw}\n")
    assert doc.page_content.split("\n")[-1] == clean


def test_escaped_edit_links_leave_markdown_headings(tmp_path):
    doc = _write(
        tmp_path, "e.md", "# T\n\n## History\\[edit\\]\n\nText.\n\n## Today [edit]\n\nMore."
    )
    assert "## History\n" in doc.page_content + "\n"
    assert "## Today\n" in doc.page_content
    assert "edit" not in doc.page_content


def test_markdown_reference_sections_made_of_links_are_dropped(tmp_path):
    refs = "\n".join(f"- Source {i}: https://example.org/{i}" for i in range(4))
    doc = _write(tmp_path, "r.md", f"# T\n\n## Facts\n\nA fact.\n\n## Sources\n\n{refs}\n")
    assert "A fact." in doc.page_content
    assert "example.org" not in doc.page_content and "## Sources" not in doc.page_content


def _pdf_pages():
    page1 = [
        "Exchange guide",
        "",
        "1. Who can apply?",
        "Students of both universities can apply for the exchange, at bachelor's and at",
        "master's level. Staff members can take part as well.",
        "",
        "2. How much is the grant?",
        "The grant depends on the distance between the two universities, as listed below:",
        "Distance band\tGrant",
        "4000-7999 km\t820 EUR",
        "8000 km and above\t1500 EUR",
        "",
        "3. How long can I stay?",
        "A study period lasts three months at least. Staff members of both universities stay",
        "between five days and two",
        "",
        "Exchange guide, version 3 - page 1",
    ]
    page2 = [
        "months, not counting the days of travel.",
        "",
        "4. Whom do I contact?",
        "Questions go to the coordinator of the project at the medical center in Leiden.",
        "",
        "Exchange guide, version 3 - page 2",
    ]
    return [page1, page2]


def test_pdf_is_one_text_with_page_marks_and_numbered_questions_as_headings(tmp_path):
    path = write_pdf(tmp_path / "g.pdf", _pdf_pages(), title="Microsoft Word - guide.docx")
    [doc] = load_file(path, tmp_path)
    text = doc.page_content
    assert doc.metadata["title"] == "Exchange guide"
    assert doc.metadata["page"] == 1
    for n, question in enumerate(["Who can apply?", "How much is the grant?"], start=1):
        assert f"## {n}. {question}\n" in text
    assert "between five days and two <!-- page: 2 -->months, not counting" in text
    assert "version 3" not in text  # the running footer of every page


def test_pdf_table_rows_carry_their_header(tmp_path):
    [doc] = load_file(write_pdf(tmp_path / "g.pdf", _pdf_pages()), tmp_path)
    assert "- Distance band: 8000 km and above; Grant: 1500 EUR" in doc.page_content.split("\n")


def test_pdf_sentence_across_a_page_break_stays_whole_in_a_chunk_of_its_first_page(tmp_path):
    [doc] = load_file(write_pdf(tmp_path / "g.pdf", _pdf_pages()), tmp_path)
    chunks = Chunker().split([doc])
    [stay] = [c for c in chunks if c.section == "3. How long can I stay?"]
    assert stay.text.endswith("between five days and two months, not counting the days of travel.")
    assert stay.page == 1
    [contact] = [c for c in chunks if c.section == "4. Whom do I contact?"]
    assert contact.page == 2
    assert all("<!--" not in c.text for c in chunks)


def test_pdf_printed_from_a_web_page_gets_its_url_title_and_lists(tmp_path):
    footer = "https://example.org/japan"
    page1 = [
        "Dossier: Erasmus+",
        "Japan: LUMC and Nagasaki University",
        "",
        "The exchange links the two medical schools. Every mobility goes through these steps:",
        "",
        "\x7f   the institutions sign an agreement;",
        "\x7f   the student and both institutions approve a Learning Agreement for the stay",
        "    abroad;",
        "",
        f"{footer}\t1/2",
    ]
    page2 = ["The home institution recognises the credits afterwards.", "", f"{footer}\t2/2"]
    title = "Japan: LUMC and Nagasaki University - Example University"
    [doc] = load_file(write_pdf(tmp_path / "p.pdf", [page1, page2], title=title), tmp_path)
    assert doc.metadata["url"] == footer
    assert doc.metadata["title"] == "Japan: LUMC and Nagasaki University"
    lines = doc.page_content.split("\n")
    assert "- the institutions sign an agreement;" in lines
    assert (
        "- the student and both institutions approve a Learning Agreement for the stay abroad;"
        in lines
    )
    assert "Dossier" not in doc.page_content and "1/2" not in doc.page_content


def test_html_kicker_labels_above_the_first_heading_are_dropped(tmp_path):
    body = "<p>" + "The exchange runs every year between the two universities. " * 5 + "</p>"
    html = (
        "<html><head><title>Japan</title></head><body><article><p>Dossier: Erasmus+</p>"
        f"<h1>Japan</h1>{body}</article></body></html>"
    )
    doc = _write(tmp_path, "k.html", html)
    assert "Dossier" not in doc.page_content
    assert doc.page_content.startswith("# Japan")


def test_table_named_in_its_first_row_keeps_the_name_as_lead_in(tmp_path):
    table = "| Key figures |  |\n|---|---|\n| Students | 9000 |\n| Founded | 1949 |\n"
    doc = _write(tmp_path, "k.md", f"# University\n\nText here.\n\n{table}")
    assert "Key figures:\n- Students: 9000\n- Founded: 1949" in doc.page_content


def test_html_paragraph_that_is_only_a_short_label_becomes_a_heading(tmp_path):
    body = "<p>" + "Siebold arrived at Dejima in 1823 as the doctor of the post. " * 3 + "</p>"
    html = (
        "<html><head><title>Siebold</title></head><body><article><h1>Siebold</h1>"
        f"<p>Philipp Franz von Siebold</p>{body}</article></body></html>"
    )
    doc = _write(tmp_path, "s.html", html)
    assert "## Philipp Franz von Siebold\n" in doc.page_content


def test_superscript_units_stay(tmp_path):
    doc = _write(tmp_path, "u.md", "# T\n\nThe island covers 15,000 m² of land.\n")
    assert "15,000 m² of land." in doc.page_content


def test_no_chunk_quotes_a_heading_or_the_title_as_a_sentence(tmp_path):
    from assistant.text.sentences import split_sentences

    docs = [
        load_file(FIXTURES / "texts" / "web-export.txt", FIXTURES / "texts")[0],
        load_file(FIXTURES / "web" / "wiki-page.html", FIXTURES / "web")[0],
        load_file(write_pdf(tmp_path / "g.pdf", _pdf_pages()), tmp_path)[0],
    ]
    for doc in docs:
        chunks = Chunker().split([doc])
        names = {doc.metadata["title"]} | {
            part for c in chunks if c.section for part in c.section.split(" › ")
        }
        assert len(names) > 2
        for chunk in chunks:
            assert not names & set(split_sentences(chunk.text)), chunk.text


# --- the bytes of a web page read as a browser reads them ---

_PAGE = (
    "<html><head>{head}<title>Grants</title></head><body><article><h1>Grants</h1><p>"
    + "The café grant for Zürich is €350 a month and it is paid every month. " * 4
    + "</p></article></body></html>"
)


@pytest.mark.parametrize(
    "head, encoding",
    [
        ("", "utf-8"),  # no charset declared: the bytes are valid UTF-8
        ('<meta charset="utf-8">', "utf-8"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15">', "iso8859-15"),
        ("", "cp1252"),  # no charset declared and not UTF-8: Windows-1252
    ],
)
def test_a_web_pages_text_is_read_in_its_own_encoding(tmp_path, head, encoding):
    path = tmp_path / "grants.html"
    path.write_bytes(_PAGE.format(head=head).encode(encoding))
    [doc] = load_file(path, tmp_path)
    assert "café grant for Zürich is €350" in doc.page_content
    assert "â" not in doc.page_content and "Ã" not in doc.page_content
