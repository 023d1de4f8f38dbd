"""The store's helpers that need no Chroma: retries, collection names, a first look at files."""

import pytest

from assistant.config import Settings
from assistant.errors import StoreUnavailableError
from assistant.index.chroma import collection_for, sqlite_problem
from assistant.index.store import retrying


def test_a_call_is_retried_with_doubling_pauses_while_the_server_is_away():
    calls, pauses = [], []

    def call():
        calls.append(1)
        if len(calls) < 4:
            raise StoreUnavailableError("away")
        return "answered"

    assert retrying(call, 60, sleep=pauses.append) == "answered"
    assert pauses == [0.5, 1.0, 2.0]


def test_other_errors_and_an_exhausted_budget_are_raised():
    def broken():
        raise ValueError("a bug, not an outage")

    with pytest.raises(ValueError):
        retrying(broken, 60, sleep=lambda s: None)

    def away():
        raise StoreUnavailableError("still away")

    with pytest.raises(StoreUnavailableError, match="still away"):
        retrying(away, 0, sleep=lambda s: None)


def test_each_generation_has_its_own_collection_on_a_server(tmp_path):
    gen = tmp_path / "gen-0001"
    assert collection_for(Settings(), gen / "chroma") == "exchange"
    on_server = Settings(index={"chroma_url": "http://127.0.0.1:9", "collection": "exa"})
    assert collection_for(on_server, gen / "chroma") == "exa-gen-0001"
    assert collection_for(on_server, gen) == "exa-gen-0001"


def test_a_missing_empty_or_foreign_store_file_is_named(tmp_path):
    gen = tmp_path / "gen-0001"
    assert "chroma is missing" in sqlite_problem(gen)
    (gen / "chroma").mkdir(parents=True)
    assert "is missing" in sqlite_problem(gen)
    (gen / "chroma" / "chroma.sqlite3").write_bytes(b"")
    assert "is empty" in sqlite_problem(gen)
    (gen / "chroma" / "chroma.sqlite3").write_bytes(b"not a database at all")
    assert "not an SQLite database" in sqlite_problem(gen)
    (gen / "chroma" / "chroma.sqlite3").write_bytes(b"SQLite format 3\x00rest")
    assert sqlite_problem(gen) is None
