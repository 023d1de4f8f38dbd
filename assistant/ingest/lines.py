"""A line of a document as the loaders read it: the seam between the loaders and the steps that
recover structure from layout (structure.py, tables.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Line:
    text: str
    page: int | None = None
    kind: str = "text"  # text | blank | row (a table row already rendered)
    indent: int = 0  # leading spaces, measured when the line is read
