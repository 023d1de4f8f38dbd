from pathlib import Path

from langchain_core.documents import Document

from assistant.chunking import Chunker
from assistant.loaders import load_file

FIXTURES = Path(__file__).parent / "fixtures"


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
