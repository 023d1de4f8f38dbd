"""What the model reads: the passages chosen for it within the word budget."""

from __future__ import annotations

from assistant.pipeline.sources import select, words
from assistant.types import Chunk, Draft, Evidence, Passage


def chunk(cid: str, sentences: list[str]) -> Chunk:
    return Chunk(id=cid, text=" ".join(sentences), source=f"{cid}.md", title=cid.upper())


LIST = chunk(
    "list",
    [
        "Three fields are shared.",
        "The first is medical technology.",
        "The second is infectious diseases.",
        "The third is ageing, which the description explains most fully.",
    ],
)
FEES = chunk(
    "fees",
    [
        "Nagasaki waives tuition for exchange students.",
        "Housing in the international residence costs extra and is paid each month on arrival.",
    ],
)
FOUNDED = "The medical school was founded in 1857 by a Dutch navy doctor."
HISTORY = chunk(
    "history",
    [
        FOUNDED,
        "Its first lectures were given in a room of the magistrate's office.",
        "It counts its founding from those lectures.",
    ],
)


def draft() -> Draft:
    """Evidence in the retriever's order; the ranker's windows, best first."""
    evidence = [
        Evidence(chunk=c, score=1.0 / n, rank=n) for n, c in enumerate([LIST, FEES, HISTORY], 1)
    ]
    passages = [
        Passage(chunk_id="list", sentences=["The first is medical technology."], score=0.9),
        Passage(chunk_id="history", sentences=[FOUNDED], score=0.7),
    ]
    return Draft(passages=passages, evidence=evidence)


def test_passages_come_first_then_whole_chunks_while_the_budget_lasts():
    sources = select(draft(), budget_words=200, granularity="passages")

    assert [s.chunk_id for s in sources] == ["list", "history", "fees"]
    assert [s.n for s in sources] == [1, 2, 3]
    # the ranker's window, not its chunk; the chunk it left out is read whole
    assert sources[0].text == "The first is medical technology."
    assert sources[2].text == FEES.text
    assert (sources[0].title, sources[2].title) == ("LIST", "FEES")


def test_chunks_are_read_whole_in_the_evidence_order():
    sources = select(draft(), budget_words=200, granularity="chunks")

    assert [s.chunk_id for s in sources] == ["list", "fees", "history"]
    assert sources[0].text == LIST.text  # every item of the list, with its lead-in


def test_a_chunk_that_does_not_fit_gives_its_window_and_the_budget_holds():
    budget = words(LIST.text) + words(FEES.text) + 5
    sources = select(draft(), budget_words=budget, granularity="chunks")

    assert [s.chunk_id for s in sources] == ["list", "fees"]  # no room for the history window
    assert sum(words(s.text) for s in sources) <= budget

    budget = words(LIST.text) + 12  # the fees chunk (20 words) has no window; history's fits
    sources = select(draft(), budget_words=budget, granularity="chunks")
    assert [s.chunk_id for s in sources] == ["list", "history"]
    assert sources[1].text == FOUNDED


def test_no_more_sources_than_allowed():
    assert len(select(draft(), budget_words=500, max_sources=2, granularity="chunks")) == 2
    assert len(select(draft(), budget_words=500, max_sources=1, granularity="passages")) == 1


def test_an_empty_draft_gives_nothing_to_read():
    assert select(Draft(), budget_words=200) == []
