"""Language data the libraries do not give: one YAML file per language in `languages/`.

Code asks for what it needs (abbreviations of every language, English stop words, the patterns
of an instruction) and never spells a word of a language itself; adding a language is adding a
file."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

FOLDER = Path(__file__).parent / "languages"


class LanguageData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    abbreviations: frozenset[str] = Field(
        default=frozenset(), description="Words that end with a stop inside a sentence."
    )
    stop_words: frozenset[str] = Field(
        default=frozenset(), description="Words the lexical index leaves out."
    )
    instruction_patterns: tuple[str, ...] = Field(
        default=(), description="Regular expressions of a sentence that orders the assistant."
    )

    @field_validator("abbreviations", "stop_words", mode="before")
    @classmethod
    def _words(cls, value):
        words = value.split() if isinstance(value, str) else list(value or ())
        return frozenset(str(w).lower().rstrip(".") for w in words)

    @field_validator("instruction_patterns")
    @classmethod
    def _compiles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:  # fails at load, naming the pattern
                raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from exc
        return value


def languages() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in FOLDER.glob("*.yaml")))


@cache
def language(code: str) -> LanguageData:
    """The data of one language; empty when the project has no file for it."""
    path = FOLDER / f"{code}.yaml"
    if not path.is_file():
        return LanguageData()
    return LanguageData.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


@cache
def abbreviations() -> frozenset[str]:
    """Abbreviations of every language the project has a file for: a page may mix languages,
    and a word that is an abbreviation in one is rarely a sentence's last word in another."""
    return frozenset().union(*(language(code).abbreviations for code in languages()))


@cache
def instruction_pattern(code: str | None = None) -> re.Pattern[str] | None:
    """One pattern of every instruction of a language, or of every language the project has a
    file for (a document's language is not known sentence by sentence); None when none."""
    codes = [code] if code else languages()
    patterns = [p for c in codes for p in language(c).instruction_patterns]
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I) if patterns else None
