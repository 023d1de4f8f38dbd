"""`python -m evals calibrate` end to end on the fixture corpus and the real models."""

from pathlib import Path

import yaml
from conftest import FIXTURES

from assistant.config import Settings
from assistant.pipeline.calibration import DEFAULT_FILE, Calibration
from evals.calibrate import calibrate
from evals.suites import Suite, split_of

ANSWERABLE = [
    ("Who coordinates the exchange at LUMC?", "Yazdanbakhsh"),
    ("When does the exchange run?", "2020 to 2023"),
    ("What are the focus areas of the exchange?", "infectious diseases"),
    ("Who can take part as a student?", "Biomedical"),
    ("Can staff take part in the exchange?", "Staff members"),
    ("What does Leiden study about ageing?", "biomedical markers"),
    ("What does Nagasaki study about ageing?", "population cohorts"),
    ("When was NUSM founded?", "1857"),
]
UNANSWERABLE = [
    "How much does the student visa cost?",
    "What is the application deadline?",
    "How many credits does a course count for?",
    "Which vaccines do I need before I travel?",
]


def _dev_ids(prefix: str, n: int, also_test: int = 0) -> list[str]:
    """Ids that the fixed split puts on dev (and, after them, some it puts on test)."""
    dev, test, i = [], [], 0
    while len(dev) < n or len(test) < also_test:
        case_id = f"{prefix}-{i:03d}"
        (dev if split_of(case_id) == "dev" else test).append(case_id)
        i += 1
    return dev[:n] + test[:also_test]


def _cases(path: Path) -> int:
    """Writes the cases; returns how many are on dev."""
    rows = []
    ids = _dev_ids("cal-a", len(ANSWERABLE), also_test=2)
    for case_id, (question, fact) in zip(ids, ANSWERABLE + ANSWERABLE[:2], strict=True):
        rows.append(
            {
                "id": case_id,
                "category": "programme",
                "question": question,
                "history": [],
                "answerable": True,
                "facts": [[fact]],
                "sources": [],
            }
        )
    for case_id, question in zip(_dev_ids("cal-u", len(UNANSWERABLE)), UNANSWERABLE, strict=True):
        rows.append(
            {
                "id": case_id,
                "category": "unanswerable",
                "question": question,
                "history": [],
                "answerable": False,
                "facts": [],
                "sources": [],
            }
        )
    path.write_text(yaml.safe_dump(rows, sort_keys=False))
    return sum(split_of(r["id"]) == "dev" for r in rows)


def test_calibrate_fits_on_dev_only_and_keeps_the_model_paths_fits(tmp_path):
    cases = tmp_path / "cases.yaml"
    on_dev = _cases(cases)
    out = tmp_path / "calibration.json"
    shipped_bytes = DEFAULT_FILE.read_bytes()
    shipped = Calibration.load(DEFAULT_FILE)
    out.write_bytes(shipped_bytes)  # a calibration with the model path's fits in it
    suite = Suite(name="fixture", corpus=FIXTURES / "corpus", cases=cases)
    base = Settings(index_dir=tmp_path / "index", corpus_dir=FIXTURES / "corpus")

    summary = calibrate(base, [suite], out=out, log=lambda *a, **k: None)

    fitted = Calibration.load(out)
    assert fitted.fitted_on.startswith(f"dev split of fixture: {on_dev} cases (")
    assert f"({len(ANSWERABLE)} answerable" in fitted.fitted_on  # the two test cases unused
    assert 0.0 <= fitted.abstention.threshold <= 1.0
    assert len(fitted.ranker.weights) == len(fitted.ranker.features) > 0
    assert summary["file"] == str(out)
    # What the quote path's calibration does not fit stays as it was.
    assert fitted.decisions == shipped.decisions and fitted.decisions
    assert fitted.sentence_floor == shipped.sentence_floor
    assert DEFAULT_FILE.read_bytes() == shipped_bytes  # written where it was told, only
