"""The values fitted on the dev split (`python -m evals calibrate`), shipped as calibration.json.

A layer under the settings: settings may override each value, empty settings mean the fitted
one. The pipeline reads the file once, and again only when the file changes (`stamp`).
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.config import AnswerSettings, Settings
from assistant.errors import AssistantError
from assistant.pipeline.abstain import AbstentionModel
from assistant.pipeline.decide import DecisionModel
from assistant.pipeline.logistic import LogisticModel

DEFAULT_FILE = Path(__file__).with_name("calibration.json")


class Calibration(BaseModel):
    ranker: LogisticModel = Field(description="Scores candidate windows (quotes.py).")
    abstention: AbstentionModel
    cross_language: AbstentionModel | None = Field(
        None,
        description="Abstention for questions not in English, on features that hold across "
        "languages; without it such questions are not answered.",
    )
    extra_margin: float = Field(ge=0.0, le=10.0)
    cross_language_extra_margin: float | None = Field(
        None, ge=0.0, le=10.0, description="extra_margin for questions not in English."
    )
    sentence_cost: float = Field(ge=-1.0, le=1.0)
    redundancy: float = Field(1.0, ge=0.0, le=1.0)
    followup_margin: float = Field(ge=-1.0, le=1.0)
    decisions: dict[str, DecisionModel] = Field(
        default_factory=dict,
        description="Per model that reads (its name): answered / partial / not covered from "
        "the reading's signals (pipeline/decide.py).",
    )
    sentence_floor: dict[str, float] = Field(
        default_factory=dict,
        description="Per model: the least e5 similarity of its sentence to the words it quoted "
        "for the sentence to open the answer.",
    )
    fitted_on: str = Field("", description="Which cases the values were fitted on, and when.")

    @classmethod
    def load(cls, path: Path | None = None) -> Calibration:
        path = Path(path or DEFAULT_FILE)
        try:
            return cls.model_validate_json(path.read_text())
        except (OSError, ValueError) as exc:
            raise AssistantError(
                f"The calibration file {path} cannot be read; run `python -m evals calibrate`."
            ) from exc

    @staticmethod
    def stamp(path: Path | None = None) -> tuple[str, int, int] | None:
        """What changes when the file is rewritten (its path, time and size); None if absent."""
        path = Path(path or DEFAULT_FILE)
        try:
            st = path.stat()
        except OSError:
            return None
        return (str(path), st.st_mtime_ns, st.st_size)

    def save(self, path: Path | None = None) -> Path:
        path = Path(path or DEFAULT_FILE)
        path.write_text(json.dumps(self.model_dump(), indent=1) + "\n")
        return path


def resolve(
    settings: Settings, calibration: Calibration
) -> tuple[AnswerSettings, AbstentionModel, LogisticModel, AbstentionModel | None]:
    """The answer settings with every empty fitted knob filled from the calibration, the
    abstention model with the threshold the settings may override, the window ranker, and the
    abstention model for questions not in English (its own fitted threshold)."""
    answer = settings.answer.model_copy(
        update={
            name: getattr(calibration, name)
            for name in (
                "extra_margin",
                "cross_language_extra_margin",
                "sentence_cost",
                "followup_margin",
                "redundancy",
            )
            if getattr(settings.answer, name) is None
        }
    )
    model = calibration.abstention
    if settings.answer.abstain_threshold is not None:
        model = model.model_copy(update={"threshold": settings.answer.abstain_threshold})
    return answer, model, calibration.ranker, calibration.cross_language


def decision_for(calibration: Calibration, model: str | None) -> tuple[DecisionModel, float | None]:
    """The decision fitted for this model (or the unfitted one) and its sentence floor."""
    from assistant.pipeline.decide import unfitted

    decision = calibration.decisions.get(model or "") or unfitted()
    return decision, calibration.sentence_floor.get(model or "")
