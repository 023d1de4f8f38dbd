from assistant.pipeline.verify import CitedSentence, strip_markers, verify
from assistant.types import Chunk, Evidence

CHUNK = Chunk(id="c1", text="NUSM was founded in 1857. It is the oldest.", source="h.md", title="H")
EVIDENCE = [Evidence(chunk=CHUNK, score=1.0, rank=1)]


def test_supported_quotes_are_kept():
    s = CitedSentence(
        text="NUSM was founded in 1857.", chunk_id="c1", quote="NUSM was founded in 1857."
    )
    verdict = verify([s], EVIDENCE)
    assert verdict.kept == [s] and verdict.removed == []


def test_missing_foreign_and_misquoted_citations_are_removed():
    sentences = [
        CitedSentence(text="No citation.", chunk_id=None),
        CitedSentence(text="Cites elsewhere.", chunk_id="c9", quote="Cites elsewhere."),
        CitedSentence(
            text="NUSM was founded in 1900.", chunk_id="c1", quote="NUSM was founded in 1900."
        ),
    ]
    verdict = verify(sentences, EVIDENCE)
    assert verdict.kept == []
    assert [r for _, r in verdict.removed] == [
        "no citation",
        "cites a source outside the evidence",
        "quote not found in the cited source",
    ]


def test_a_support_check_can_reject_a_sentence():
    s = CitedSentence(text="It is the oldest.", chunk_id="c1")
    assert verify([s], EVIDENCE, support=lambda text, chunk: False).kept == []


def test_strip_markers():
    assert strip_markers("One [1]. Two [2] [3].") == "One. Two."
