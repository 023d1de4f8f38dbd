"""Settings of the web page."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class UISettings(BaseModel):
    """The web page (EXCHANGE_UI__<FIELD>)."""

    host: str = Field("127.0.0.1", description="Address the web UI listens on.")
    port: int = Field(7860, ge=1, le=65535, description="Port the web UI listens on.")
    # A question held in Gradio's own queue is invisible to the model's line: it would show no
    # place and its wait would not count towards reading.max_wait_s. So the page takes in
    # every question up to this many at once, and the line in front of the model does the rest.
    concurrency: int = Field(
        32,
        ge=1,
        le=512,
        description="Questions the web UI takes in at once (more wait in Gradio's queue, "
        "unseen); set it above the number of people who ask at the same moment.",
    )
    feedback_enabled: bool = Field(
        True,
        description="Show thumbs up / down on answers in the web UI and store the ratings.",
    )
    feedback_db: Path = Field(
        Path("feedback.sqlite3"),
        description="SQLite file for ratings from the web UI: question, earlier questions, "
        "answer, citations, rating, comment and time; no IP address or user identity. The "
        "questions the documents did not answer are kept in it too.",
    )
    unanswered_days: int = Field(
        90,
        ge=0,
        le=3650,
        description="Days the questions the documents did not answer (and partial answers) are "
        "kept for the staff page, without identity; 0 keeps none.",
    )
