from pathlib import Path

from langchain_core.documents import Document

from assistant.ingest.chunking import Chunker
from assistant.ingest.loaders import load_file

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _chunks():
    return Chunker().split(load_file(FIXTURES / "corpus" / "exchange.md", FIXTURES / "corpus"))


def test_each_chunk_keeps_its_heading_path_below_the_title():
    sections = [c.section for c in _chunks()]
    assert sections == [
        "Key facts",
        "Who can take part › Students",
        "Who can take part › Staff",
        "Focus areas",
    ]
    assert all(c.title == "Exchange overview" for c in _chunks())


def test_ids_are_stable_and_follow_content():
    first, second = _chunks(), _chunks()
    assert [c.id for c in first] == [c.id for c in second]
    doc = Document(
        page_content="# T\n\n## A\n\nOne text.\n\n## B\n\nAnother text.",
        metadata={"source": "x.md", "title": "T"},
    )
    changed = Document(
        page_content="# T\n\n## A\n\nOne text.\n\n## B\n\nA changed text.",
        metadata={"source": "x.md", "title": "T"},
    )
    a, b = Chunker().split([doc]), Chunker().split([changed])
    assert a[0].id == b[0].id
    assert a[1].id != b[1].id


def test_the_same_text_twice_gets_two_ids():
    doc = Document(page_content="Same.\n\n# X\n\nSame.", metadata={"source": "d.md", "title": "D"})
    doc2 = Document(page_content="Same.", metadata={"source": "d.md", "title": "D"})
    chunks = Chunker().split([doc2, doc2])
    assert len({c.id for c in chunks}) == 2
    assert len(Chunker().split([doc])) == 2


def test_long_sections_are_split_within_the_size_and_keep_the_section():
    body = " ".join(f"Sentence number {i} is about the exchange." for i in range(200))
    doc = Document(
        page_content=f"# T\n\n## Long\n\n{body}", metadata={"source": "l.md", "title": "T"}
    )
    chunks = Chunker(chunk_size=500, chunk_overlap=50).split([doc])
    assert len(chunks) > 5
    assert all(len(c.text) <= 500 for c in chunks)
    assert all(c.section == "Long" for c in chunks)


def test_markdown_links_and_emphasis_become_plain_text():
    doc = Document(
        page_content="Read **the guide** at [the site](https://x.org).",
        metadata={"source": "m.md", "title": "M"},
    )
    [chunk] = Chunker().split([doc])
    assert chunk.text == "Read the guide at the site."


def test_embedding_text_carries_the_section_path_or_else_the_title():
    chunk = _chunks()[1]
    assert chunk.embedding_text().startswith("Who can take part › Students\n")
    doc = Document(page_content="Just text.", metadata={"source": "t.txt", "title": "Notes"})
    assert Chunker().split([doc])[0].embedding_text() == "Notes\nJust text."


# --- per-section URLs, page marks, headings never in the text ---------------------------------

SECTION_URLS = """---
title: Links
url: https://example.org/page
---
# Links

## Founder
<!-- url: https://example.org/founder -->

The school was founded in 1857.

### Later years

It moved in 1945.

## Twin cities

Leiden and Nagasaki became twin cities in 2017.

## Visit

<!-- url: https://example.org/visit -->
A delegation visited in 2020.
"""


def test_a_url_comment_under_a_heading_sets_the_url_of_that_section_and_its_subsections(tmp_path):
    path = tmp_path / "links.md"
    path.write_text(SECTION_URLS)
    chunks = Chunker().split(load_file(path, tmp_path))
    urls = {c.section: c.url for c in chunks}
    assert urls == {
        "Founder": "https://example.org/founder",
        "Founder › Later years": "https://example.org/founder",
        "Twin cities": "https://example.org/page",
        "Visit": "https://example.org/visit",
    }
    assert all("<!--" not in c.text for c in chunks)
    assert [c.text for c in chunks if c.section == "Visit"] == ["A delegation visited in 2020."]


def test_page_marks_give_each_chunk_the_page_it_starts_on_and_leave_the_text():
    text = (
        "# Guide\n\n## One\n\nFirst page text that runs on <!-- page: 2 -->to the second page.\n\n"
        "<!-- page: 3 -->\n\n## Two\n\nThird page text."
    )
    doc = Document(page_content=text, metadata={"source": "g.pdf", "title": "Guide", "page": 1})
    chunks = Chunker().split([doc])
    assert [(c.section, c.page) for c in chunks] == [("One", 1), ("Two", 3)]
    assert chunks[0].text == "First page text that runs on to the second page."


def test_long_sections_across_pages_give_later_pieces_their_own_page():
    first = " ".join(f"Sentence {i} on the first page." for i in range(30))
    second = " ".join(f"Sentence {i} on the second page." for i in range(30))
    doc = Document(
        page_content=f"# G\n\n## S\n\n{first} <!-- page: 2 -->{second}",
        metadata={"source": "g.pdf", "title": "G", "page": 1},
    )
    chunks = Chunker(chunk_size=300, chunk_overlap=0).split([doc])
    assert chunks[0].page == 1 and chunks[-1].page == 2
    for chunk in chunks:
        assert ("second page" in chunk.text.split(".")[0]) == (chunk.page == 2)


def test_headings_of_text_files_are_sections_and_never_sentences_of_the_text():
    from assistant.text.sentences import split_sentences

    corpus = FIXTURES / "texts"
    chunks = Chunker().split(load_file(corpus / "web-export.txt", corpus))
    assert [c.section for c in chunks] == [None, "Who can apply", "Length of stay", "Contact"]
    headings = {"Exchange with Nagasaki", "Who can apply", "Length of stay", "Contact"}
    for chunk in chunks:
        assert not headings & set(split_sentences(chunk.text))
    assert chunks[0].text.startswith("The medical centre and Nagasaki University")


def test_italics_become_plain_text():
    doc = Document(
        page_content="Nagasaki University (*Nagasaki Daigaku*) is in _Nagasaki_, 2 * 3 = 6.",
        metadata={"source": "m.md", "title": "M"},
    )
    [chunk] = Chunker().split([doc])
    assert chunk.text == "Nagasaki University (Nagasaki Daigaku) is in Nagasaki, 2 * 3 = 6."
