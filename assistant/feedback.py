"""Ratings of answers from the web UI, kept in a local SQLite file, and their export as eval cases.

A row holds the question, the earlier questions of the conversation (a follow-up means nothing
without them), the answer, its citations, the rating, an optional comment and the time. Nothing
about the person: no IP address, no session, no user identity.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from assistant.errors import AssistantError

Rating = Literal["up", "down"]
MAX_COMMENT_CHARS = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    created   TEXT    NOT NULL,
    question  TEXT    NOT NULL,
    history   TEXT    NOT NULL DEFAULT '[]',
    answer    TEXT    NOT NULL,
    abstained INTEGER NOT NULL DEFAULT 0,
    citations TEXT    NOT NULL DEFAULT '[]',
    rating    TEXT    NOT NULL CHECK (rating IN ('up', 'down')),
    comment   TEXT
)
"""


class FeedbackRow(BaseModel):
    id: int
    created: str = Field(description="UTC time of the rating, ISO 8601.")
    question: str
    history: list[str] = Field(default_factory=list, description="Earlier questions, oldest first.")
    answer: str
    abstained: bool
    citations: list[dict] = Field(default_factory=list)
    rating: Rating
    comment: str | None = None


class FeedbackStore:
    """Ratings in one SQLite file; a connection per call, so any thread may use it."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute(_SCHEMA)
        except sqlite3.Error as exc:
            raise AssistantError(f"The feedback file {self.path} cannot be used ({exc}).") from exc

    def _connect(self):
        return session(self.path)

    def add(
        self,
        *,
        question: str,
        answer: str,
        rating: Rating,
        citations: list[dict] | None = None,
        abstained: bool = False,
        history: list[str] | None = None,
        comment: str | None = None,
    ) -> int:
        """Stores one rating; returns its id."""
        _check_rating(rating)
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO feedback "
                "(created, question, history, answer, abstained, citations, rating, comment) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    question,
                    json.dumps(list(history or []), ensure_ascii=False),
                    answer,
                    int(abstained),
                    json.dumps(list(citations or []), ensure_ascii=False),
                    rating,
                    _clip(comment),
                ),
            )
            return int(cur.lastrowid)

    def set_rating(self, row_id: int, rating: Rating) -> None:
        """A person changed their mind (thumbs up became thumbs down, or back)."""
        _check_rating(rating)
        with self._connect() as db:
            db.execute("UPDATE feedback SET rating = ? WHERE id = ?", (rating, row_id))

    def set_comment(self, row_id: int, comment: str | None) -> None:
        with self._connect() as db:
            db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (_clip(comment), row_id))

    def remove(self, row_id: int) -> None:
        """A person took their rating back."""
        with self._connect() as db:
            db.execute("DELETE FROM feedback WHERE id = ?", (row_id,))

    def rows(self, rating: Rating | None = None) -> list[FeedbackRow]:
        query, args = "SELECT * FROM feedback", ()
        if rating is not None:
            query, args = query + " WHERE rating = ?", (rating,)
        with self._connect() as db:
            found = db.execute(query + " ORDER BY id", args).fetchall()
        return [
            FeedbackRow(
                **{
                    **dict(r),
                    "history": json.loads(r["history"] or "[]"),
                    "citations": json.loads(r["citations"] or "[]"),
                    "abstained": bool(r["abstained"]),
                }
            )
            for r in found
        ]


@contextmanager
def session(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to the feedback file for one call: commits, or rolls back on error, and is
    closed after (any thread may call; the file is shared with the unanswered questions)."""
    db = sqlite3.connect(path, timeout=10)
    db.row_factory = sqlite3.Row
    try:
        with db:
            yield db
    finally:
        db.close()


def open_existing(path: Path | str) -> FeedbackStore:
    """The store at path, which must already exist (for export: never create an empty file)."""
    path = Path(path)
    if not path.is_file():
        raise AssistantError(f"No feedback file was found at {path}.")
    return FeedbackStore(path)


def draft_cases(rows: list[FeedbackRow]) -> list[dict]:
    """Thumbs-down answers as draft eval cases in the format of evals/cases.yaml.

    Whether the question is answerable, the facts and the gold sources are for a person to decide;
    `known_failure` marks each case as a draft until then. `answerable` starts as true: a person
    who rates an answer down usually expected one.
    """
    cases = []
    for row in rows:
        if row.rating != "down":
            continue
        comment = " ".join((row.comment or "").split())
        cases.append(
            {
                "id": f"feedback-{row.id:03d}",
                "category": "feedback",
                "question": row.question,
                "history": list(row.history),
                "answerable": True,
                "facts": [],
                "sources": [],
                "known_failure": "draft from feedback: " + (comment or "(no comment)"),
            }
        )
    return cases


def export_yaml(rows: list[FeedbackRow]) -> str:
    """The draft cases as YAML, each preceded by a comment with what the assistant said."""
    by_id = {f"feedback-{r.id:03d}": r for r in rows}
    cases = draft_cases(rows)
    parts = [
        "# Draft eval cases from thumbs-down answers in the web UI "
        "(exchange-assistant feedback export).",
        "# For each case: decide `answerable`, fill in `facts` and `sources`, then append it to",
        "# evals/cases.yaml. Remove `known_failure` once the assistant passes the case.",
    ]
    if not cases:
        parts.append("[]")
    for case in cases:
        row = by_id[case["id"]]
        parts.append("")
        parts.append(f"# Rated down {row.created}. The assistant answered:")
        parts.append(f"#   {_one_line(row.answer)}")
        for c in row.citations:
            where = " › ".join(str(p) for p in (c.get("source"), c.get("section")) if p)
            parts.append(f"#   [{c.get('n')}] {_one_line(where)}")
        dumped = yaml.safe_dump(
            [case], allow_unicode=True, sort_keys=False, default_flow_style=None, width=100
        )
        parts.append(dumped.rstrip("\n"))
    return "\n".join(parts) + "\n"


def _check_rating(rating: str) -> None:
    if rating not in ("up", "down"):
        raise ValueError(f"rating must be 'up' or 'down', not {rating!r}")


def _clip(comment: str | None) -> str | None:
    text = (comment or "").strip()
    return text[:MAX_COMMENT_CHARS] or None


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
