"""Eval cases: YAML (a list) or JSONL (one case a line), validated with pydantic."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from assistant.errors import AssistantError

CATEGORIES_FOLLOW_UP = {"follow-up"}


class GoldSource(BaseModel):
    file: str
    section: str | None = Field(None, description="Heading path ('A › B'); empty means any.")


class Case(BaseModel):
    id: str
    category: str
    question: str
    history: list[str] = Field(default_factory=list, description="Earlier questions, oldest first.")
    answerable: bool
    facts: list[list[str]] = Field(
        default_factory=list, description="Facts the answer must state; each a list of phrasings."
    )
    sources: list[GoldSource] = Field(default_factory=list)
    known_failure: str | None = Field(None, description="Why this case is known to fail.")

    @property
    def is_follow_up(self) -> bool:
        return bool(self.history) or self.category in CATEGORIES_FOLLOW_UP


def load_cases(path: Path) -> list[Case]:
    path = Path(path)
    if not path.is_file():
        raise AssistantError(f"The eval dataset {path} does not exist.")
    try:
        if path.suffix in {".jsonl", ".ndjson"}:
            raw = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        else:
            raw = yaml.safe_load(path.read_text()) or []
        cases = [Case.model_validate(item) for item in raw]
    except (ValueError, yaml.YAMLError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise AssistantError(f"The eval dataset {path} is not valid ({first}).") from exc
    ids = [c.id for c in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise AssistantError(f"The eval dataset {path} repeats case ids: {', '.join(duplicates)}.")
    return cases
