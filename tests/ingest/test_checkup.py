"""What an ingest learns of the serving generation before it builds on it."""

import shutil

import pytest
from conftest import FIXTURES

from assistant.index.generations import current
from assistant.ingest.build import fingerprint, ingest
from assistant.ingest.checkup import inspect_generation, vectors_problem


@pytest.fixture
def built(tmp_path, fake_settings, fake_embedder, fake_scorer):
    """A fresh index of the fixture corpus on the fakes: (settings, serving generation)."""
    index = tmp_path / "index"
    settings = fake_settings(corpus_dir=FIXTURES / "corpus", index_dir=index)
    ingest(settings, embedder=fake_embedder, scorer=fake_scorer)
    return settings, current(index)


def _inspect(settings, gen, rebuild=False, fp=None, where="embedded"):
    repaired: list[str] = []
    manifest, usable, renew = inspect_generation(
        settings, gen, fp or fingerprint(settings), where, rebuild, repaired
    )
    return manifest, usable, renew, repaired


def test_a_whole_generation_is_a_base_and_nothing_is_renewed(built):
    settings, gen = built
    manifest, usable, renew, repaired = _inspect(settings, gen)
    assert (usable, renew, repaired) == (True, False, [])
    assert manifest.files  # the manifest it read
    assert vectors_problem(settings, gen, manifest) is None


def test_no_generation_means_building_from_nothing(built):
    settings, _ = built
    manifest, usable, renew, repaired = _inspect(settings, None)
    assert (usable, renew, repaired) == (False, False, [])
    assert not manifest.files


def test_rebuild_or_another_model_discards_the_vectors(built):
    settings, gen = built
    _, usable, _, repaired = _inspect(settings, gen, rebuild=True)
    assert not usable and repaired == ["everything: --rebuild"]
    _, usable, _, repaired = _inspect(settings, gen, fp="another model|chunker")
    assert not usable and repaired == []  # not damaged: just not the same index
    _, usable, _, repaired = _inspect(settings, gen, where="server")
    assert not usable and repaired == []


def test_a_damaged_lexical_index_keeps_the_vectors_and_renews_the_rest(built):
    settings, gen = built
    ids = gen / "bm25" / "ids.json"
    ids.write_text(ids.read_text() + " ")
    _, usable, renew, repaired = _inspect(settings, gen)
    assert usable and renew
    assert len(repaired) == 1 and repaired[0].startswith("bm25/, e5/ and vocabulary.json:")


def test_missing_vectors_or_manifest_mean_everything_is_made_again(built):
    settings, gen = built
    shutil.rmtree(gen / "chroma")
    _, usable, _, repaired = _inspect(settings, gen)
    assert not usable and repaired and repaired[0].startswith("everything:")
    (gen / "manifest.json").unlink()
    _, usable, _, repaired = _inspect(settings, gen)
    assert not usable and repaired and repaired[0].startswith("everything:")
