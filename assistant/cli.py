"""exchange-assistant: ingest | questions | ask | stats | chat | feedback export."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from pydantic import ValidationError

from assistant.config import Settings
from assistant.errors import AssistantError, QuestionError, StoreUnavailableError, settings_error
from assistant.output import answer_json, render_text


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    overrides = {}
    if getattr(args, "index", None):
        overrides["index_dir"] = Path(args.index)
    if getattr(args, "corpus", None):
        overrides["corpus_dir"] = Path(args.corpus)
    try:
        try:
            settings = Settings(**overrides)
        except ValidationError as exc:  # checked before anything loads
            raise settings_error(exc) from None
        return args.run(settings, args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, QuestionError) else 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`| head`); nothing left to say
        sys.stderr.close()
        return 0
    except Exception as exc:  # the last line of defence: one sentence, no traceback
        if os.environ.get("EXCHANGE_DEBUG"):
            raise
        print(
            f"error: unexpected failure ({type(exc).__name__}: {exc}); "
            "set EXCHANGE_DEBUG=1 to see the details.",
            file=sys.stderr,
        )
        return 1


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="exchange-assistant",
        description="Cited answers about the LUMC - Nagasaki University Erasmus+ exchange.",
    )
    sub = p.add_subparsers(dest="command", required=True)

    ing = sub.add_parser("ingest", help="build or update the index from the corpus folder")
    ing.add_argument("--corpus", help="corpus folder (default: EXCHANGE_CORPUS_DIR or corpus/)")
    ing.add_argument("--index", help="index folder (default: EXCHANGE_INDEX_DIR or index/)")
    ing.add_argument("--json", action="store_true", help="print the report as JSON")
    ing.add_argument("--quiet", action="store_true", help="no progress bar")
    ing.add_argument(
        "--rebuild",
        action="store_true",
        help="embed every document again into a new index, whatever the old one holds",
    )
    ing.add_argument(
        "--no-questions",
        action="store_true",
        help="do not write the questions the start screen and 'Read next' offer",
    )
    ing.set_defaults(run=_ingest)

    qs = sub.add_parser(
        "questions", help="write a question for each section (the page's examples and 'Read next')"
    )
    qs.add_argument("--index", help="index folder (default: EXCHANGE_INDEX_DIR or index/)")
    qs.add_argument("--fresh", action="store_true", help="write every question again")
    qs.set_defaults(run=_questions)

    ask = sub.add_parser("ask", help="ask a question ('-' reads one question a line from stdin)")
    ask.add_argument("question", help="the question, or - to read questions from stdin")
    ask.add_argument("--index", help="index folder")
    ask.add_argument(
        "--history",
        action="append",
        default=[],
        metavar="EARLIER_QUESTION",
        help="an earlier question of the conversation (repeat for several, oldest first)",
    )
    ask.add_argument("--json", action="store_true", help="print one JSON object per answer")
    ask.set_defaults(run=_ask)

    st = sub.add_parser("stats", help="what the index holds")
    st.add_argument("--index", help="index folder")
    st.add_argument("--json", action="store_true")
    st.set_defaults(run=_stats)

    ch = sub.add_parser("chat", help="an interactive conversation in the terminal")
    ch.add_argument("--index", help="index folder")
    ch.set_defaults(run=_chat)

    fb = sub.add_parser("feedback", help="ratings given in the web UI")
    fb_sub = fb.add_subparsers(dest="feedback_command", required=True)
    fbx = fb_sub.add_parser(
        "export", help="write the thumbs-down answers as draft eval cases (YAML)"
    )
    fbx.add_argument(
        "--db", help="feedback file (default: EXCHANGE_UI__FEEDBACK_DB or feedback.sqlite3)"
    )
    fbx.add_argument("--out", help="file to write (default: standard output)")
    fbx.set_defaults(run=_feedback_export)
    return p


def _ingest(settings: Settings, args) -> int:
    from assistant.ingest.build import ingest

    report = ingest(settings, progress=not args.quiet and sys.stderr.isatty(), rebuild=args.rebuild)
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        _print_report(settings, report)
    changed = report.added or report.updated or report.removed or args.rebuild
    from assistant.pipeline import questions

    if not args.no_questions and (changed or questions.load(settings.index_dir) is None):
        return _questions(settings, argparse.Namespace(fresh=False, json=args.json))
    return 0


def _print_report(settings: Settings, report) -> None:
    from assistant.ingest.files import printable

    for what in report.repaired:
        print(f"rebuilt   {what}")
    for name in report.orphans_removed:
        print(f"dropped   orphan collection {name} on {settings.index.chroma_url}")
    for label, names in (
        ("added", report.added),
        ("updated", report.updated),
        ("removed", report.removed),
    ):
        for name in names:
            print(f"{label:9} {printable(name)}")
    for skipped in report.skipped:
        print(f"skipped   {printable(skipped.source)}: {skipped.reason}")
    print(
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed, "
        f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped; "
        f"{report.chunks_embedded} chunks embedded, {report.chunks_total} in the index "
        f"({report.seconds:.1f} s)."
    )


def _questions(settings: Settings, args) -> int:
    from assistant.pipeline.questions import write_with_settings_model

    bank = write_with_settings_model(settings, fresh=args.fresh, say=_say)
    by_heading = sum(q.by == "heading" for q in bank.questions.values())
    line = (
        f"{len(bank.questions)} sections have a question that leads back to them "
        f"({by_heading} from headings)."
    )
    print(line, file=sys.stderr if getattr(args, "json", False) else sys.stdout)
    return 0


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _ask(settings: Settings, args) -> int:
    from assistant.pipeline.assistant import build_assistant

    assistant = build_assistant(settings)
    if args.question == "-":
        return _ask_batch(assistant, args)
    answer = assistant.ask(args.question, args.history)
    if args.json:
        print(json.dumps(answer_json(answer), ensure_ascii=False))
    else:
        print(render_text(answer))
    return 0


def _ask_batch(assistant, args) -> int:
    """One JSON object a line for each question a line; the model loads once.

    A Chroma server that drops the connection (a restart) is retried with backoff for up
    to EXCHANGE_INDEX__CHROMA_RETRY_S; a question that still fails gets its own error line and
    the batch goes on. While the server stays down, later questions are tried once each, not
    waited for.
    Exit 0 when every question was answered, 2 when only questions were refused, else 1."""
    from assistant.index.store import retrying

    budget = assistant.settings.index.chroma_retry_s
    refused = unavailable = 0
    for line in sys.stdin:
        question = line.rstrip("\n")
        if not question.strip():
            continue
        try:
            answer = retrying(lambda q=question: assistant.ask(q, args.history), budget)
            record = {"question": question, **answer_json(answer)}
            budget = assistant.settings.index.chroma_retry_s
        except QuestionError as exc:
            refused += 1
            record = {"question": question[:200], "error": str(exc)}
        except StoreUnavailableError as exc:
            unavailable += 1
            budget = 0.0
            record = {"question": question[:200], "error": str(exc)}
        if args.json:
            print(json.dumps(record, ensure_ascii=False), flush=True)
        else:
            body = f"error: {record['error']}" if "error" in record else render_text(answer)
            print(f"Q: {question}\n{body}\n", flush=True)
    return 1 if unavailable else 2 if refused else 0


def _stats(settings: Settings, args) -> int:
    from assistant.index import generations
    from assistant.index.store import Store
    from assistant.ingest.files import printable

    gen = generations.require_current(settings.index_dir)
    manifest = generations.read_manifest(gen)
    try:  # what `ask` would say of this index; shown after the figures
        Store(settings, gen / "chroma")
        problem = None
    except AssistantError as exc:
        problem = str(exc)
    size = sum(p.stat().st_size for p in gen.rglob("*") if p.is_file())
    info = {
        "index": str(gen),
        "built": manifest.built,
        "model": manifest.fingerprint,
        "documents": len(manifest.files),
        "chunks": manifest.chunk_count,
        "size_bytes": size,
        "store": manifest.store,
        "files": [
            {"source": s, "title": f.title, "updated": f.updated, "chunks": len(f.chunk_ids)}
            for s, f in sorted(manifest.files.items())
        ],
    }
    info["problem"] = problem
    if args.json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
        return 1 if problem else 0
    print(f"index      {info['index']}")
    print(f"built      {info['built']}")
    print(f"model      {info['model']}")
    print(f"documents  {info['documents']}")
    print(f"chunks     {info['chunks']}")
    print(f"size       {size / 1e6:.1f} MB")
    if manifest.store == "server":
        from assistant.index.chroma import collection_for

        where = (
            f"{collection_for(settings, gen)} on {settings.index.chroma_url or '(no server set)'}"
        )
        print(f"vectors    {where} (not counted in the size)")
    for f in info["files"]:
        title = printable(f["title"])
        updated = f["updated"] or "-"
        print(f"  {f['chunks']:4d}  {printable(f['source'])}  ({title}; updated {updated})")
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    return 0


def _chat(settings: Settings, args) -> int:
    from assistant.pipeline.assistant import build_assistant
    from assistant.types import Turn

    assistant = build_assistant(settings)
    print("Loading the assistant...", file=sys.stderr)
    assistant.warm_up()
    print("Ask about the LUMC - Nagasaki exchange (an empty line or Ctrl-D ends).")
    turns: list[Turn] = []
    while True:
        try:
            question = input("\nyou> ")
        except EOFError:
            return 0
        if not question.strip():
            return 0
        try:
            answer = assistant.ask(question, turns)
        except QuestionError as exc:
            print(f"error: {exc}")
            continue
        print(render_text(answer))
        turns.append(Turn(question=question, answer=answer.answer))


def _feedback_export(settings: Settings, args) -> int:
    from assistant.feedback import draft_cases, export_yaml, open_existing

    store = open_existing(Path(args.db) if args.db else settings.ui.feedback_db)
    rows = store.rows(rating="down")
    text = export_yaml(rows)
    if args.out:
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise AssistantError(f"Cannot write {args.out} ({exc.strerror}).") from exc
        print(f"{len(draft_cases(rows))} draft eval cases written to {args.out}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
