from assistant.pipeline.retrieve import from_document, rrf, to_document


def test_rrf_rewards_agreement_between_rankings():
    fused = rrf([(["a", "b", "c"], 1.0), (["b", "a", "d"], 1.0)], k=60)
    assert fused["a"] == fused["b"] > fused["c"] == fused["d"]
    weighted = rrf([(["a"], 2.0), (["b"], 1.0)], k=60)
    assert weighted["a"] == 2 * weighted["b"]


def test_hybrid_search_finds_exact_names_and_paraphrases(fixture_assistant):
    retriever = fixture_assistant.retriever
    assert retriever.search("Yazdanbakhsh")[0].chunk.section == "Key facts"
    assert retriever.search("1857")[0].chunk.source == "history.txt"
    top = retriever.search("which students may participate?")[0]
    assert top.chunk.section == "Who can take part › Students"


def test_retriever_is_a_langchain_retriever(fixture_assistant):
    docs = fixture_assistant.retriever.invoke("oldest medical school in Japan")
    assert docs[0].metadata["source"] == "history.txt"
    evidence = from_document(docs[0])
    assert to_document(evidence).metadata == docs[0].metadata
    assert evidence.rank == 1 and evidence.dense_score > 0


def test_the_index_opens_as_a_langchain_vector_store(fixture_assistant):
    retriever = fixture_assistant.retriever
    store = retriever.store.as_langchain(fixture_assistant.embedder.langchain)
    [doc] = store.similarity_search("oldest medical school in Japan", k=1)
    assert doc.metadata["source"] == "history.txt"
