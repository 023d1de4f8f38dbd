"""`exchange-assistant ingest` writes the questions the page offers; `questions` rewrites them."""

from __future__ import annotations

import shutil

from conftest import FIXTURES

from assistant.cli import main
from assistant.pipeline import questions


def test_ingest_writes_the_questions_once_and_again_when_documents_change(tmp_path, capsys):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(FIXTURES / "corpus", corpus)
    (corpus / "faq.md").write_text(
        "---\ntitle: Housing\n---\n\n# Housing\n\n## Where do exchange students live?\n\n"
        "Exchange students live in the international dormitory next to the campus.\n"
    )
    argv = ["--corpus", str(corpus), "--index", str(index)]
    assert main(["ingest", "--quiet", *argv]) == 0
    assert "1 sections have a question that leads back to them (1 from headings)." in (
        capsys.readouterr().out
    )
    bank = questions.load(index)
    assert [q.question for q in bank.questions.values()] == ["Where do exchange students live?"]
    written = questions.path(index).stat().st_mtime_ns

    assert main(["ingest", "--quiet", *argv]) == 0  # nothing changed: nothing written
    assert questions.path(index).stat().st_mtime_ns == written
    (corpus / "faq.md").unlink()
    assert main(["ingest", "--quiet", *argv]) == 0
    assert questions.load(index).questions == {}

    assert main(["ingest", "--quiet", "--no-questions", "--rebuild", *argv]) == 0
    assert main(["questions", "--index", str(index), "--fresh"]) == 0
    assert "0 sections have a question" in capsys.readouterr().out
