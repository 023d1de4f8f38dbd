"""Writes evals/corpora/realistic/exchange-faq.pdf, the PDF of the realistic fixture corpus.

The PDF is shaped like a real office export: a word processor's default metadata title, a
running footer with page numbers, numbered questions in bold as headings, a table with a header
row, and paragraphs that flow across page breaks. Run it again after changing the text:

    .venv/bin/python evals/corpora/make_realistic.py
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

OUT = Path(__file__).parent / "realistic" / "exchange-faq.pdf"

TITLE = "Exchange with Nagasaki University: FAQ"
SUBTITLE = "Erasmus+ International Credit Mobility, LUMC International Office"

INTRO = (
    "This document answers the questions that students and staff ask most often about the "
    "Erasmus+ exchange between Leiden University Medical Center (LUMC) and Nagasaki University. "
    "It complements the project page on the LUMC website and the Erasmus+ Programme Guide of the "
    "European Commission. Where the two differ, the Programme Guide and the grant agreement "
    "prevail."
)

QUESTIONS: list[tuple[str, list[str]]] = [
    (
        "1. Who can take part in the exchange?",
        [
            "Medical and biomedical students of LUMC and of Nagasaki University can apply, at "
            "bachelor's as well as at master's level. Staff members of both institutions can take "
            "part too, for teaching or for training. Every student must be registered at the home "
            "institution and enrolled in a programme that leads to a recognised degree.",
        ],
    ),
    (
        "2. How long does a stay abroad last?",
        [
            "A study period abroad lasts at least 3 months and at most 12 months. A traineeship, "
            "such as a research or clinical internship, can be as short as 2 months. Staff stays "
            "last between 5 days and 2 months, not counting the days of travel. One student can "
            "spend at most 12 months abroad with Erasmus+ in each cycle of study.",
        ],
    ),
    (
        "3. Do I pay tuition fees at Nagasaki University?",
        [
            "No. Nagasaki University waives tuition for exchange students who come from one of its "
            "partner universities. The host university charges no fees for registration, "
            "examinations, laboratories or libraries either. You stay enrolled at LUMC and keep "
            "paying your tuition there as usual.",
        ],
    ),
    (
        "4. How do I apply?",
        [
            "Applications always go through your home university and never directly to the host. "
            "LUMC students apply to the LUMC International Office, which selects candidates in a "
            "procedure that is fair, transparent and documented. Students of Nagasaki University "
            "apply through the Global Office of their own university, which nominates them to "
            "LUMC.",
        ],
    ),
    (
        "5. What is a Learning Agreement?",
        [
            "The Learning Agreement lists the courses, the research project or the internship that "
            "you will follow abroad. You, LUMC and Nagasaki University all approve it before the "
            "mobility begins, and changes during the stay need the approval of all three. When "
            "your stay ends, the host university sends a transcript of records, and your home "
            "institution then recognises the credits that you earned abroad as part of your "
            "degree. Without an approved Learning Agreement no grant can be paid, so start "
            "preparing it as soon as you are selected.",
        ],
    ),
    (
        "6. How much is the travel grant?",
        [
            "The travel grant is a fixed amount that depends on the distance between the sending "
            "and the receiving university, measured with the distance calculator of the European "
            "Commission. The bands of the 2020 call are listed in the table below. Leiden and "
            "Nagasaki are more than 9,000 km apart, so every participant of this exchange falls "
            "into the highest band.",
        ],
    ),
    (
        "7. Is there a monthly allowance as well?",
        [
            "Yes. Besides the travel grant, students receive individual support for every month "
            "of their stay, and staff receive it for every day. The amounts are fixed in the grant "
            "agreement of each call, and the International Office tells you the figure that "
            "applies to you when you are selected.",
        ],
    ),
    (
        "8. Can I combine the exchange with a research internship?",
        [
            "Yes. Many students use their stay for an internship in one of the three shared areas "
            "of expertise: medical technology, infectious diseases and ageing. Students who are "
            "interested in tropical diseases often work with the Institute of Tropical Medicine "
            "of Nagasaki University, known as NEKKEN.",
        ],
    ),
    (
        "9. Whom do I contact with questions?",
        [
            "Questions about the content of the project go to its coordinator at LUMC, Professor "
            "Maria Yazdanbakhsh of the Department of Parasitology. Practical questions about "
            "applications, grants and insurance go to the LUMC International Office.",
        ],
    ),
]

TRAVEL_BANDS = [
    ("Distance band", "Travel grant per participant"),
    ("10–99 km", "20 €"),
    ("100–499 km", "180 €"),
    ("500–1999 km", "275 €"),
    ("2000–2999 km", "360 €"),
    ("3000–3999 km", "530 €"),
    ("4000–7999 km", "820 €"),
    ("8000 km and above", "1.500 €"),
]


def build(out: Path = OUT) -> Path:
    # reportlab's built-in Helvetica has no glyphs beyond Latin-1; "–" and "€" are in WinAnsi.
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=11, leading=15)
    question = ParagraphStyle(
        "question", parent=body, fontName="Helvetica-Bold", spaceBefore=10, spaceAfter=4
    )
    story = [
        Paragraph(TITLE, styles["Title"]),
        Paragraph(SUBTITLE, ParagraphStyle("sub", parent=body, fontName="Helvetica-Oblique")),
        Spacer(1, 0.4 * cm),
        Paragraph(INTRO, body),
    ]
    for heading, paragraphs in QUESTIONS:
        story.append(Paragraph(heading, question))
        story += [Paragraph(p, body) for p in paragraphs]
        if heading.startswith("6."):
            table = Table(TRAVEL_BANDS, colWidths=[6 * cm, 6 * cm], hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [
                        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                        ("FONTSIZE", (0, 0), (-1, -1), 10),
                    ]
                )
            )
            story += [Spacer(1, 0.2 * cm), table]

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(
            2 * cm, 1.2 * cm, f"LUMC International Office · Exchange FAQ · page {doc.page}"
        )
        canvas.restoreState()

    out.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(
        str(out),
        pagesize=A4,
        topMargin=2.2 * cm,
        bottomMargin=2.5 * cm,
        # What a word processor writes when nobody sets the title: a generator default.
        title="Microsoft Word - FAQ_Nagasaki_exchange_v3_final.docx",
        author="jvdberg",
        creator="Microsoft® Word for Microsoft 365",
        invariant=1,  # the same input gives the same bytes, so the committed PDF is stable
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    _set_dates(out, "D:20210315093000+01'00'")
    return out


def _set_dates(path: Path, date: str) -> None:
    """A real document carries the dates it was written and saved (reportlab's invariant mode
    writes 2000-01-01); the loader takes "updated" from the modification date."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(path))
    writer.add_metadata({"/CreationDate": date, "/ModDate": date})
    with path.open("wb") as fh:
        writer.write(fh)


if __name__ == "__main__":
    print(build())
