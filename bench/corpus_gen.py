"""A generated corpus of realistic programme pages, for the scale benchmark.

Each file is an exchange programme between two universities in one field, with front matter and
ten `##` sections of two or three sentences (one chunk each, somewhat shorter than the
shipped corpus' chunks). Names, fields, years and numbers vary, so no two chunks are alike. Seeded:
the same size gives the same corpus.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HOMES = ["Leiden", "Utrecht", "Groningen", "Rotterdam", "Amsterdam", "Nijmegen", "Maastricht"]
PARTNERS = [
    "Nagasaki", "Osaka", "Kyoto", "Sapporo", "Sendai", "Fukuoka", "Kobe", "Hiroshima", "Nagoya",
    "Kumamoto", "Okayama", "Kanazawa", "Niigata", "Chiba", "Tokushima", "Kagoshima",
]  # fmt: skip
FIELDS = [
    "infectious diseases", "medical technology", "ageing", "public health", "immunology",
    "radiology", "neuroscience", "epidemiology", "tropical medicine", "genetics",
    "oncology", "nursing science", "pharmacology", "global health", "cardiology",
]  # fmt: skip
FIRST = ["Maria", "Kenji", "Anna", "Hiroshi", "Sofie", "Yuki", "Pieter", "Aiko", "Lars", "Emi"]
LAST = ["de Vries", "Tanaka", "Jansen", "Sato", "Bakker", "Suzuki", "Visser", "Ito", "Smit"]
MONTHS = ["January", "March", "April", "June", "September", "October", "November"]

SECTIONS = {
    "What the exchange is": [
        "The {home}-{partner} exchange is an Erasmus+ International Credit Mobility project "
        "in {field}.",
        "It links the medical faculty of {home} with {partner} University, which has taught "
        "{field} since {founded}.",
        "The project grew out of a research collaboration that started in {start0}.",
    ],
    "Who can take part": [
        "Bachelor's and master's students of medicine and biomedical sciences can apply for "
        "the {field} exchange.",
        "Staff members of both faculties can also spend {weeks} weeks at the partner institution.",
        "Applicants need {ects} ECTS of prior courses in {field}.",
    ],
    "Focus areas": [
        "The focus of the {home}-{partner} project is {field}, with {topic2} as a second theme.",
        "{partner} contributes its cohort studies of {cohort} patients, and {home} its "
        "laboratory work on {topic2}.",
    ],
    "Project period": [
        "The project runs from {start} to {end}.",
        "Each year {places} students and {staff} staff members are exchanged in each direction.",
    ],
    "How to apply": [
        "Students apply through the international office of their home university before "
        "{month} {day}.",
        "The selection committee of {home} answers within {days} working days.",
        "A motivation letter and a transcript of records are required.",
    ],
    "Housing": [
        "{partner} University offers rooms in its international house, {minutes} minutes "
        "from the medical campus.",
        "Rent is about {rent} euros a month, and the room is reserved once the student is "
        "admitted.",
    ],
    "Credits and grades": [
        "Courses taken at {partner} count for up to {ects2} ECTS at {home}.",
        "Grades are converted with the Erasmus+ grade table of the {field} programme.",
    ],
    "Insurance and visa": [
        "Students need health insurance that covers their whole stay of {months} months.",
        "The international office of {partner} helps with the certificate of eligibility for "
        "the visa.",
    ],
    "Language": [
        "Teaching in the {field} courses at {partner} is in English.",
        "A {hours}-hour course of Japanese is offered in the first weeks of the stay.",
    ],
    "Contact": [
        "The project coordinator at {home} is {coordinator}.",
        "At {partner} University, questions about the exchange go to {contact}.",
        "The coordinators meet every {meet} months to review the project.",
    ],
}


def _slots(rng: random.Random, home: str, partner: str, field: str) -> dict:
    start = rng.randint(2015, 2026)
    return {
        "home": home,
        "partner": partner,
        "field": field,
        "topic2": rng.choice([f for f in FIELDS if f != field]),
        "founded": rng.randint(1857, 1990),
        "start0": start - rng.randint(2, 20),
        "start": start,
        "end": start + rng.randint(2, 5),
        "weeks": rng.randint(2, 12),
        "ects": rng.choice([10, 15, 20, 30]),
        "ects2": rng.choice([15, 20, 30]),
        "cohort": rng.choice(["elderly", "diabetes", "malaria", "stroke", "dementia"]),
        "places": rng.randint(2, 12),
        "staff": rng.randint(1, 6),
        "month": rng.choice(MONTHS),
        "day": rng.randint(1, 28),
        "days": rng.randint(5, 30),
        "minutes": rng.randint(5, 40),
        "rent": rng.randint(250, 700),
        "months": rng.randint(3, 12),
        "hours": rng.choice([20, 30, 40, 60]),
        "coordinator": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "contact": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "meet": rng.choice([3, 4, 6, 12]),
    }


def generate(folder: Path, chunks: int, seed: int = 7) -> tuple[int, list[str]]:
    """Writes about `chunks` chunks (ten per file) into `folder`; returns (files, questions)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = max(1, chunks // len(SECTIONS))
    questions: list[str] = []
    for n in range(files):
        home = HOMES[n % len(HOMES)]
        partner = PARTNERS[(n // len(HOMES)) % len(PARTNERS)]
        field = FIELDS[(n // (len(HOMES) * len(PARTNERS))) % len(FIELDS)]
        s = _slots(rng, home, partner, field)
        title = f"{home}-{partner} exchange in {field} ({n})"
        parts = [
            "---",
            f"title: {title}",
            f"source: generated programme page {n}",
            f"url: https://example.org/programmes/{n}",
            f"updated: 2026-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
            "---",
            "",
            f"# {title}",
        ]
        for heading, sentences in SECTIONS.items():
            body = " ".join(t.format(**s) for t in sentences)
            parts += ["", f"## {heading}", "", f"Programme {n}. {body}"]
        (folder / f"programme-{n:05d}.md").write_text("\n".join(parts) + "\n")
        if n % max(1, files // 40) == 0 and len(questions) < 40:
            questions.append(
                rng.choice(
                    [
                        f"Who coordinates the {home}-{partner} exchange in {field}?",
                        f"When does the {home}-{partner} project in {field} run?",
                        f"How much is the rent of a room at {partner} University?",
                        f"Can staff of {home} take part in the {field} exchange?",
                        f"How many ECTS do courses at {partner} count for?",
                        f"What is the deadline to apply for the {home}-{partner} exchange?",
                    ]
                )
            )
    (folder.parent / f"{folder.name}-questions.json").write_text(json.dumps(questions))
    return files, questions


if __name__ == "__main__":
    import sys

    print(generate(Path(sys.argv[1]), int(sys.argv[2])))
