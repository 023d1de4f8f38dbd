"""Eval suites (a corpus and its cases), the fixed dev/test split, and an index per suite."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from pydantic import BaseModel

from assistant.config import Settings
from assistant.errors import AssistantError

from .dataset import Case, load_cases

ROOT = Path(__file__).parent.parent
DEFAULT_SUITES = Path(__file__).parent / "suites.yaml"
SPLITS = ("dev", "test")


def split_of(case_id: str) -> str:
    """'dev' or 'test', fixed by a hash of the case id: half and half, never chosen by hand.
    Fit and calibrate on dev only; the report and the CI gate use test."""
    return "dev" if hashlib.sha256(case_id.encode()).digest()[0] % 2 == 0 else "test"


class Suite(BaseModel):
    name: str
    corpus: Path
    cases: Path
    about: str = ""
    index: Path | None = None  # default: the settings' index for `programme`, else index/evals/NAME
    build: bool = True  # bring the index in line with the corpus before running

    def load(self, split: str | None = None) -> list[Case]:
        cases = load_cases(self.cases)
        return [c for c in cases if split is None or split_of(c.id) == split]

    def settings(self, base: Settings) -> Settings:
        index = self.index or (
            base.index_dir
            if self.name == "programme"
            else Path(base.index_dir) / "evals" / self.name
        )
        return base.model_copy(update={"corpus_dir": self.corpus, "index_dir": index})


def load_suites(path: Path = DEFAULT_SUITES, names: list[str] | None = None) -> list[Suite]:
    raw = yaml.safe_load(Path(path).read_text()) or {}
    suites = [
        Suite(
            name=name,
            corpus=_rooted(spec["corpus"]),
            cases=_rooted(spec["cases"]),
            about=spec.get("about", ""),
        )
        for name, spec in raw.items()
    ]
    if names:
        unknown = sorted(set(names) - {s.name for s in suites})
        if unknown:
            raise AssistantError(f"No eval suite is named {', '.join(unknown)}.")
        suites = [s for s in suites if s.name in names]
    return [s for s in suites if s.cases.is_file() and s.corpus.is_dir()]


def _rooted(path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else ROOT / p


def ensure_index(settings: Settings, embedder=None) -> None:
    """Build or update the suite's index (incremental: an unchanged corpus costs milliseconds)."""
    from assistant.ingest.build import ingest

    ingest(settings, embedder=embedder)
