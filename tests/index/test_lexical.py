from assistant.index.lexical import Bm25Index, tokenize


def test_tokenize_drops_stop_words_and_stems():
    assert tokenize("Who coordinates the exchanges?") == ("coordin", "exchang")
    assert "1857" in tokenize("founded in 1857")


def test_bm25_finds_exact_names_and_numbers():
    index = Bm25Index.build(
        ["a", "b", "c"],
        ["Maria Yazdanbakhsh coordinates it", "NUSM was founded in 1857", "ageing markers"],
    )
    assert index.search("Yazdanbakhsh", 3)[0][0] == "a"
    assert index.search("1857", 3)[0][0] == "b"
    assert index.search("zebra", 3) == []


def test_idf_weighs_rare_and_unknown_terms_more(tmp_path):
    index = Bm25Index.build(["a", "b", "c"], ["exchange one", "exchange two", "nusm three"])
    index.save(tmp_path)
    loaded = Bm25Index.load(tmp_path)
    assert loaded.idf("exchang") < loaded.idf("nusm") == loaded.idf("unknown")
    assert loaded.search("nusm", 2)[0][0] == "c"
