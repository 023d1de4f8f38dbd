"""The questions the documents did not answer, kept for the staff who keep the documents.

Each row holds the question, the earlier questions of its conversation, how it ended (not
covered, off topic, or answered only in part, with what was missing) and the time; nothing about
the person. Rows older than the configured number of days are deleted whenever the store is
written or read. Questions that ask the same thing are grouped by the embedding model's
similarity, so that the staff see what is asked often, not a list of wordings.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, Field

from assistant.errors import AssistantError
from assistant.feedback import session

OUTCOMES = ("not_covered", "off_topic", "partial")

# Two questions belong together when their embeddings are at least this close: questions
# that ask the same thing in other words sit well above it, questions on one topic that ask
# different things mostly below (all-MiniLM-L6-v2 cosine).
SAME_QUESTION = 0.75

_SCHEMA = """
CREATE TABLE IF NOT EXISTS unanswered (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    created   TEXT    NOT NULL,
    question  TEXT    NOT NULL,
    history   TEXT    NOT NULL DEFAULT '[]',
    outcome   TEXT    NOT NULL,
    missing   TEXT
)
"""


class UnansweredRow(BaseModel):
    id: int
    created: str = Field(description="UTC time of the question, ISO 8601.")
    question: str
    history: list[str] = Field(default_factory=list)
    outcome: str = Field(description="not_covered, off_topic or partial.")
    missing: str | None = Field(None, description="For a partial answer: what was missing.")


class Group(BaseModel):
    """Questions that ask the same thing; `question` is the one asked most recently."""

    question: str
    rows: list[UnansweredRow]

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def key(self) -> int:
        return self.rows[0].id


class UnansweredStore:
    """Unanswered questions in a table of the feedback file; a connection per call."""

    def __init__(self, path: Path | str, keep_days: int) -> None:
        self.path = Path(path)
        self.keep_days = keep_days
        self._made = False  # the file and table are made when the first question is kept

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if not self._made:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with session(self.path) as db:
                    db.execute(_SCHEMA)
            except sqlite3.Error as exc:
                raise AssistantError(
                    f"The feedback file {self.path} cannot be used ({exc})."
                ) from exc
            self._made = True
        with session(self.path) as db:
            yield db

    def add(
        self,
        question: str,
        outcome: str,
        history: Sequence[str] = (),
        missing: str | None = None,
        now: datetime | None = None,
    ) -> int | None:
        """Keeps one unanswered question; None when nothing is kept (0 days, or answered)."""
        if self.keep_days <= 0 or outcome not in OUTCOMES:
            return None
        now = now or datetime.now(UTC)
        with self._connect() as db:
            self._purge(db, now)
            cur = db.execute(
                "INSERT INTO unanswered (created, question, history, outcome, missing) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    now.isoformat(timespec="seconds"),
                    " ".join(question.split()),
                    json.dumps(list(history), ensure_ascii=False),
                    outcome,
                    missing,
                ),
            )
            return int(cur.lastrowid)

    def rows(self, now: datetime | None = None) -> list[UnansweredRow]:
        """The questions kept, newest first (older ones are deleted first)."""
        if not self._made and not self.path.is_file():
            return []
        with self._connect() as db:
            self._purge(db, now or datetime.now(UTC))
            found = db.execute("SELECT * FROM unanswered ORDER BY id DESC").fetchall()
        return [
            UnansweredRow(**{**dict(r), "history": json.loads(r["history"] or "[]")}) for r in found
        ]

    def _purge(self, db: sqlite3.Connection, now: datetime) -> None:
        cutoff = (now - timedelta(days=self.keep_days)).isoformat(timespec="seconds")
        db.execute("DELETE FROM unanswered WHERE created < ?", (cutoff,))


def group(rows: list[UnansweredRow], embed: Callable[[list[str]], Sequence]) -> list[Group]:
    """Rows grouped by what they ask (each joins the first group whose question is close
    enough), the largest groups first. `embed` gives normalised vectors for texts."""
    if not rows:
        return []
    vectors = np.asarray(embed([r.question for r in rows]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    heads: list[int] = []  # the row that stands for each group
    members: list[list[int]] = []
    for i in range(len(rows)):
        sims = [float(vectors[i] @ vectors[h]) for h in heads]
        best = int(np.argmax(sims)) if sims else -1
        if best >= 0 and sims[best] >= SAME_QUESTION:
            members[best].append(i)
        else:
            heads.append(i)
            members.append([i])
    groups = [Group(question=rows[m[0]].question, rows=[rows[i] for i in m]) for m in members]
    return sorted(groups, key=lambda g: (-g.count, -g.key))


def draft_case(g: Group) -> str:
    """A group as a draft eval case (YAML, the format of evals/cases.yaml), for a person to
    finish: whether the documents should answer it, its facts and sources."""
    row = g.rows[0]
    asked = sorted({r.question for r in g.rows})
    case = {
        "id": f"unanswered-{row.id:03d}",
        "category": "unanswered",
        "question": row.question,
        "history": list(row.history),
        "answerable": row.outcome == "partial",
        "facts": [],
        "sources": [],
        "known_failure": f"draft from {g.count} unanswered question(s) ({row.outcome})",
    }
    lines = [
        "# Draft eval case from questions the documents did not answer (the staff page).",
        "# Decide `answerable` (true once a document that answers it is added), fill in",
        "# `facts` and `sources`, then append it to evals/cases.yaml.",
        f"# Asked {g.count} time(s) in these words:",
        *(f"#   {q}" for q in asked[:10]),
    ]
    if row.missing:
        lines.append(f"# The answer lacked: {row.missing}")
    dumped = yaml.safe_dump([case], allow_unicode=True, sort_keys=False, width=100)
    return "\n".join(lines) + "\n" + dumped
