from pathlib import Path

import pytest
from pdfmaker import write_pdf

from assistant.errors import LoadError
from assistant.loaders import load_file

FIXTURES = Path(__file__).parent / "fixtures"


def test_markdown_front_matter_becomes_metadata():
    [doc] = load_file(FIXTURES / "corpus" / "exchange.md", FIXTURES / "corpus")
    assert doc.metadata["title"] == "Exchange overview"
    assert doc.metadata["url"] == "https://example.org/exchange"
    assert doc.metadata["updated"] == "2026-01-15"
    assert doc.metadata["source"] == "exchange.md"
    assert not doc.page_content.startswith("---")
    assert "Maria Yazdanbakhsh" in doc.page_content


def test_text_file_takes_its_title_from_the_file_name():
    [doc] = load_file(FIXTURES / "corpus" / "history.txt", FIXTURES / "corpus")
    assert doc.metadata["title"] == "History"
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


def test_pdf_keeps_page_numbers(tmp_path):
    path = write_pdf(tmp_path / "guide.pdf", ["Page one text.", "Page two text."], title="Guide")
    docs = load_file(path, tmp_path)
    assert [d.metadata["page"] for d in docs] == [1, 2]
    assert docs[1].page_content == "Page two text."
    assert docs[0].metadata["title"] == "Guide"


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
