"""An index that never answers wrongly in silence.

Each test breaks a built index the way a disk, a person or a script would, then checks that
asking gives the one clear sentence and exit 1 (never an abstention on every question), and
that `ingest` finds the damage and rebuilds what is needed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from conftest import FIXTURES, PROJECT

from assistant.cli import main
from assistant.errors import IndexDamagedError
from assistant.index import generations
from assistant.ingest.build import ingest
from assistant.pipeline.assistant import Assistant

QUESTION = "When was NUSM founded?"


@pytest.fixture
def built(settings, embedder):
    """The fixture corpus indexed; returns the serving generation."""
    ingest(settings, embedder=embedder)
    return generations.current(settings.index_dir)


def ask_cli(settings, capsys, question=QUESTION) -> tuple[int, str, str]:
    code = main(["ask", "--index", str(settings.index_dir), question])
    out = capsys.readouterr()
    return code, out.out, out.err


def assert_damaged(settings, capsys, what: str) -> None:
    code, out, err = ask_cli(settings, capsys)
    assert code == 1 and out == ""
    assert err == (
        f"error: The index is damaged: {what}; run `exchange-assistant ingest --rebuild`.\n"
    )


def assert_answers(settings, embedder) -> None:
    answer = Assistant(settings, embedder).ask(QUESTION)
    assert not answer.abstained and "1857" in answer.answer


# -- the Chroma store --------------------------------------------------------------------------


def test_an_emptied_sqlite_file_is_damage_and_ingest_rebuilds_it(settings, built, capsys, counting):
    (built / "chroma" / "chroma.sqlite3").write_bytes(b"")
    assert_damaged(settings, capsys, f"{built.name}/chroma/chroma.sqlite3 is empty")
    assert (built / "chroma" / "chroma.sqlite3").stat().st_size == 0  # the reader wrote nothing
    report = ingest(settings, embedder=counting)
    assert report.repaired == [f"everything: {built.name}/chroma/chroma.sqlite3 is empty"]
    assert counting.embedded == report.chunks_total > 0
    assert_answers(settings, counting)
    assert not built.exists()  # the damaged generation is not kept as the one before


def test_a_deleted_chroma_folder_is_damage_and_ingest_rebuilds_it(
    settings, built, capsys, embedder
):
    shutil.rmtree(built / "chroma")
    assert_damaged(settings, capsys, f"{built.name}/chroma is missing")
    assert not (built / "chroma").exists()  # not quietly re-created empty
    with pytest.raises(IndexDamagedError):
        Assistant(settings, embedder).ask(QUESTION)
    report = ingest(settings, embedder=embedder)
    assert report.repaired == [f"everything: {built.name}/chroma is missing"]
    assert_answers(settings, embedder)


def test_a_junk_sqlite_file_is_damage_and_ingest_rebuilds_it(settings, built, capsys, embedder):
    (built / "chroma" / "chroma.sqlite3").write_bytes(os.urandom(8192))
    assert_damaged(
        settings, capsys, f"{built.name}/chroma/chroma.sqlite3 is not an SQLite database"
    )
    ingest(settings, embedder=embedder)
    assert_answers(settings, embedder)


def test_a_sqlite_file_cut_in_half_is_damage(settings, built, capsys, embedder):
    db = built / "chroma" / "chroma.sqlite3"
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    code, out, err = ask_cli(settings, capsys)
    assert code == 1 and out == ""
    [line] = err.splitlines()
    assert line.startswith(f"error: The index is damaged: the Chroma store of {built.name} ")
    assert line.endswith("; run `exchange-assistant ingest --rebuild`.")
    report = ingest(settings, embedder=embedder)
    assert report.repaired and report.repaired[0].startswith("everything: ")
    assert_answers(settings, embedder)


def test_missing_vectors_are_damage(settings, built, capsys, embedder):
    # Rows deleted behind the manifest's back: the count no longer matches what was built.
    from assistant.index.store import Store

    store = Store(settings, built / "chroma", create=True)
    manifest = generations.read_manifest(built)
    store.delete([manifest.files["history.txt"].chunk_ids[0]])
    held = manifest.vectors - 1
    assert_damaged(
        settings,
        capsys,
        f"the Chroma store of {built.name} holds {held} vectors where the manifest records "
        f"{manifest.vectors}",
    )
    report = ingest(settings, embedder=embedder)
    assert report.repaired == [
        f"everything: the Chroma store of {built.name} holds {held} vectors where "
        f"{manifest.vectors} belong"
    ]
    assert_answers(settings, embedder)


# -- BM25, the vocabulary, the manifest, CURRENT ---------------------------------------------


@pytest.mark.parametrize(
    "damage, what",
    [
        ("junk bm25", "{gen}/bm25/ids.json is not the file that was built"),
        ("no bm25", "{gen}/bm25/data.csc.index.npy is missing"),
        ("junk vocabulary", "{gen}/vocabulary.json is not the file that was built"),
        ("junk e5", "{gen}/e5/vectors.npy is not the file that was built"),
        ("no e5", "{gen}/e5/ids.json is missing"),
    ],
)
def test_damaged_bm25_e5_or_vocabulary_is_rebuilt_without_embedding_again(
    settings, built, capsys, counting, damage, what
):
    if damage == "junk bm25":
        (built / "bm25" / "ids.json").write_bytes(b"\xff\xfe junk")
    elif damage == "no bm25":
        shutil.rmtree(built / "bm25")
    elif damage == "junk e5":
        vectors = built / "e5" / "vectors.npy"
        data = bytearray(vectors.read_bytes())
        data[-8:] = b"\x7f" * 8  # a flipped vector, still a loadable file
        vectors.write_bytes(bytes(data))
    elif damage == "no e5":
        shutil.rmtree(built / "e5")
    else:
        (built / "vocabulary.json").write_bytes(b"\x80 junk")
    what = what.format(gen=built.name)
    assert_damaged(settings, capsys, what)
    report = ingest(settings, embedder=counting)
    assert report.repaired == [f"bm25/, e5/ and vocabulary.json: {what}"]
    assert counting.embedded == 0  # the vectors were whole: copied, not embedded again
    assert sorted(report.unchanged) == ["exchange.md", "history.txt"]
    assert generations.current(settings.index_dir) != built
    assert_answers(settings, counting)


def test_a_damaged_manifest_is_damage_and_ingest_rebuilds(settings, built, capsys, embedder):
    (built / "manifest.json").write_text('{"files": ')
    assert_damaged(settings, capsys, f"the manifest of {built.name} cannot be read")
    report = ingest(settings, embedder=embedder)
    assert report.repaired == [f"everything: the manifest of {built.name} cannot be read"]
    assert_answers(settings, embedder)


def test_junk_in_current_is_no_index_and_ingest_builds_one(settings, built, capsys, embedder):
    (settings.index_dir / "CURRENT").write_bytes(b"\x89\xff\x00garbage\n../../etc")
    code, out, err = ask_cli(settings, capsys)
    assert code == 1
    assert err == (
        f"error: No index was found in {settings.index_dir}; "
        "build it with `exchange-assistant ingest`.\n"
    )
    code = main(
        ["ingest", "--quiet", "--corpus", str(settings.corpus_dir)]
        + ["--index", str(settings.index_dir)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "rebuilt   everything: CURRENT did not name a generation" in out
    assert "2 added" in out
    assert_answers(settings, embedder)
    assert [p.name for p in settings.index_dir.glob("gen-*")] == [
        generations.current(settings.index_dir).name
    ]


def test_rebuild_embeds_everything_again(settings, built, counting, capsys):
    report = ingest(settings, embedder=counting, rebuild=True)
    assert report.repaired == ["everything: --rebuild"]
    assert counting.embedded == report.chunks_total > 0
    assert generations.current(settings.index_dir) != built
    assert built.is_dir()  # whole, so kept for readers still answering from it


def test_a_manifest_from_before_checksums_is_renewed_without_embedding(settings, built, counting):
    manifest = json.loads((built / "manifest.json").read_text())
    for key in ("checksums", "vectors", "model", "collection"):
        manifest.pop(key)
    manifest["version"] = 1
    (built / "manifest.json").write_text(json.dumps(manifest))
    assert_answers(settings, counting)  # an old index still serves
    vocabulary = (built / "vocabulary.json").read_bytes()
    (built / "vocabulary.json").write_bytes(b"\xff junk")  # and is still checked
    with pytest.raises(IndexDamagedError, match="vocabulary.json cannot be read"):
        Assistant(settings, counting).ask(QUESTION)
    (built / "vocabulary.json").write_bytes(vocabulary)
    counting.embedded = 0
    report = ingest(settings, embedder=counting)
    assert counting.embedded == 0 and report.repaired == []
    renewed = generations.read_manifest(generations.current(settings.index_dir))
    assert renewed.version == 2 and renewed.checksums and renewed.vectors == report.chunks_total


def test_an_index_built_with_another_model_is_a_mismatch(settings, built, capsys):
    manifest = generations.read_manifest(built)
    manifest.model = "other-model:123"
    (built / "manifest.json").write_text(manifest.model_dump_json())
    code, _, err = ask_cli(settings, capsys)
    assert code == 1
    assert err.startswith(
        "error: The index does not match the settings: it was embedded with the model "
        "other-model:123, not "
    )
    assert err.endswith("run `exchange-assistant ingest --rebuild`.\n")


# -- a reader that may not write ---------------------------------------------------------------

READER = textwrap.dedent(
    """
    import json, os, sys
    from assistant.pipeline.assistant import Assistant
    from assistant.config import Settings
    from assistant.index.embeddings import Embedder

    warm, shared, uid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    embedder = Embedder(Settings())
    # Everything a reader needs is loaded as root first (the interpreter lives under /root,
    # which an unprivileged user cannot read), then the process gives up root for good.
    Assistant(Settings(index_dir=warm), embedder).ask("warm up")
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    assert os.geteuid() == uid
    answer = Assistant(Settings(index_dir=shared), embedder).ask("When was NUSM founded?")
    print(json.dumps({"answer": answer.answer, "abstained": answer.abstained}))
    """
)


def _unprivileged_uid() -> int | None:
    """The uid of 'nobody' when this process is root and may become it, else None."""
    import pwd

    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("nobody").pw_uid
    except KeyError:
        return None


def _files(folder: Path) -> dict[str, tuple[int, float]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime) for p in folder.rglob("*")
    }


def test_a_read_only_index_is_read_by_an_unprivileged_user_without_writing(
    settings, built, embedder
):
    uid = _unprivileged_uid()
    if uid is None:
        pytest.skip("needs to run as root, with a user 'nobody' to become")
    shared = Path(tempfile.mkdtemp(prefix="exchange-shared-"))
    try:
        os.chmod(shared, 0o755)
        index = shared / "index"
        shutil.copytree(settings.index_dir, index)
        for here, dirs, files in os.walk(index):
            for name in files:
                os.chmod(os.path.join(here, name), 0o444)
            for name in dirs:
                os.chmod(os.path.join(here, name), 0o555)
        os.chmod(index, 0o555)
        before = _files(index)
        env = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}
        scratch = shared / "tmp"  # where the reader keeps its private copy while it runs
        scratch.mkdir(mode=0o1777)
        os.chmod(scratch, 0o1777)
        env.update(
            HOME=str(scratch), TMPDIR=str(scratch), PYTHONPATH=str(PROJECT), EXCHANGE_LLM="none"
        )
        out = subprocess.run(
            [sys.executable, "-c", READER, str(settings.index_dir), str(index), str(uid)],
            cwd=PROJECT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert out.returncode == 0, out.stderr[-3000:]
        result = json.loads(out.stdout.strip().splitlines()[-1])
        assert not result["abstained"] and "1857" in result["answer"]
        assert _files(index) == before  # nothing created, nothing changed
        assert list(scratch.iterdir()) == []  # and the private copy is gone
    finally:
        for here, dirs, _ in os.walk(shared):
            for name in dirs:
                os.chmod(os.path.join(here, name), 0o755)
        shutil.rmtree(shared, ignore_errors=True)


def test_a_reader_creates_no_files_in_a_writable_index(settings, built, embedder):
    before = set(_files(settings.index_dir))
    assert_answers(settings, embedder)
    assert set(_files(settings.index_dir)) == before


# -- the corpus scan stays inside the corpus folder --------------------------------------------


def test_a_symlink_to_a_file_outside_the_corpus_is_skipped_with_the_reason(
    settings, corpus, tmp_path, embedder
):
    secret = tmp_path / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:the secret word is marmalade:/root:/bin/bash\n")
    (corpus / "passwd-link.md").symlink_to(secret)
    (corpus / "notes").mkdir()
    (corpus / "notes" / "elsewhere.md").symlink_to(secret.parent, target_is_directory=True)
    report = ingest(settings, embedder=embedder)
    reasons = {s.source: s.reason for s in report.skipped}
    assert reasons["passwd-link.md"].startswith("symbolic link, not followed")
    assert reasons["notes/elsewhere.md"].startswith("symbolic link, not followed")
    assert "passwd-link.md" not in report.added
    answer = Assistant(settings, embedder).ask("What is the secret word?")
    assert "marmalade" not in answer.answer
    assert all(r.source != "passwd-link.md" for r in answer.retrieval)
    names = {s["source"] for s in Assistant(settings, embedder).sources()}
    assert names == {"exchange.md", "history.txt"}

    # With links followed, one that stays inside is indexed; one that leaves still is not.
    (corpus / "alias.md").symlink_to(corpus / "exchange.md")
    (corpus / "garden.md").write_text("# Garden\n\n## Plants\n\nThe campus garden has roses.\n")
    (corpus / "garden-link.md").symlink_to("garden.md")
    follow = settings.model_copy(
        update={"index": settings.index.model_copy(update={"follow_symlinks": True})}
    )
    report = ingest(follow, embedder=embedder)
    reasons = {s.source: s.reason for s in report.skipped}
    assert reasons["passwd-link.md"] == "symbolic link to outside the corpus folder"
    assert reasons["notes/elsewhere.md"] == "symbolic link to outside the corpus folder"
    assert reasons["garden.md"] == "same content as garden-link.md" or reasons[
        "garden-link.md"
    ] == ("same content as garden.md")
    assert "same content as exchange.md" in reasons["alias.md"]


def test_hidden_files_and_dot_dot_names_are_listed_as_skipped(settings, corpus, embedder):
    (corpus / "..secret.md").write_text("# Secret\n\nThe hidden plan is to visit Osaka.\n")
    (corpus / ".draft.md").write_text("# Draft\n\nA draft.\n")
    (corpus / ".git").mkdir()
    (corpus / ".git" / "config").write_text("[core]\n")
    report = ingest(settings, embedder=embedder)
    reasons = {s.source: s.reason for s in report.skipped}
    assert reasons == {
        "..secret.md": "hidden file (its name starts with '.')",
        ".draft.md": "hidden file (its name starts with '.')",
        ".git": "hidden folder (its name starts with '.')",
    }


def test_file_names_are_printed_escaped_on_one_line(settings, corpus, capsys, embedder):
    (corpus / "two\nlines.md").write_text("# Two lines\n\n## A\n\nThe pond has carp.\n")
    (corpus / "tab\there.txt").write_bytes(b"\x00 binary")
    code = main(["ingest", "--quiet", "--corpus", str(corpus), "--index", str(settings.index_dir)])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert "added     two\\nlines.md" in lines
    assert "skipped   tab\\there.txt: file is binary, not text" in lines
    assert len(lines) == 6  # 3 added, 1 skipped, the summary, the questions written
    assert lines[-1].endswith("(0 from headings).")
    code = main(["stats", "--index", str(settings.index_dir)])
    out = capsys.readouterr().out
    assert code == 0
    assert any(
        line.strip().startswith("1  two\\nlines.md  (Two lines;") for line in out.splitlines()
    )


def test_fixture_corpus_is_unchanged():
    assert sorted(p.name for p in (FIXTURES / "corpus").iterdir()) == [
        "exchange.md",
        "history.txt",
    ]
