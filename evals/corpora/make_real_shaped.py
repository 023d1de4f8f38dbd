"""Writes the PDF of the real-shaped eval corpus (evals/corpora/real-shaped/).

A visiting-student information sheet as a medical school's office prints it: a title that a
word processor made up, a running header and footer with page numbers, headings in bold, a fee
table, and a paragraph that runs across the page break. Run it again after changing the text:

    .venv/bin/python evals/corpora/make_real_shaped.py
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

OUT = Path(__file__).parent / "real-shaped" / "bayside-elective-preparation.pdf"

SECTIONS: list[tuple[str, list[str]]] = [
    (
        "Preparing for your elective",
        [
            "This sheet is for visiting medical students who have been accepted for an elective "
            "at Bayside School of Medicine. About two weeks before your start date our office "
            "sends you an orientation e-mail with the details of where and when to report on "
            "your first day and whom to contact in your department.",
        ],
    ),
    (
        "Accepting your offer: the elective fee",
        [
            "Once accepted, you pay a non-refundable processing fee for each elective, at the "
            "latest six weeks before the rotation starts. The fee depends on where your medical "
            "school is:",
        ],
    ),
    (
        "Housing",
        [
            "Bayside School of Medicine has no housing for visiting students. Many students rent "
            "a room near the campus for the length of their elective; the student union keeps a "
            "notice board of rooms offered by local residents.",
        ],
    ),
    (
        "Evaluation",
        [
            "Visiting students are evaluated with the school's own evaluation form only. You can "
            "download your completed evaluation from the online teaching portal, and if your "
            "home school needs it, the Visiting Student Program sends it a summary evaluation "
            "after the elective has ended. You are asked to evaluate your elective and its "
            "teachers in the same portal; your login details arrive by e-mail before the start "
            "of the rotation. Some electives take place at more than one hospital, so students "
            "should expect to travel between sites during the day, and the campus maps on the "
            "website show the main hospital and the clinics that take part in teaching.",
        ],
    ),
    (
        "Parking",
        [
            "Students who come by car buy a daily or a monthly permit from Transportation "
            "Services and park only in the lots that the permit names.",
        ],
    ),
]

FEES = [
    ["Medical school", "Processing fee per elective", "Accepted payment"],
    ["In this country", "$300", "Credit card"],
    ["Abroad", "$450", "Credit card or bank transfer"],
]


def _page(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.drawString(
        2 * cm, A4[1] - 1.2 * cm, "Bayside School of Medicine - Visiting Student Program"
    )
    canvas.drawString(2 * cm, 1.2 * cm, "medschool.bayside.example.edu/visiting/preparing")
    canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"Page {doc.page}")
    canvas.restoreState()


def build(out: Path = OUT) -> Path:
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    body.fontSize = 11
    body.leading = 15
    story = [Paragraph("Visiting Student Information", styles["Title"]), Spacer(1, 12)]
    for heading, paragraphs in SECTIONS:
        story.append(Paragraph(f"<b>{heading}</b>", styles["Heading3"]))
        for p in paragraphs:
            story.append(Paragraph(p, body))
        if heading.startswith("Accepting"):
            table = Table(FEES, colWidths=[4.5 * cm, 5.5 * cm, 5.5 * cm])
            table.setStyle(
                TableStyle(
                    [
                        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ]
                )
            )
            story += [Spacer(1, 6), table]
        story.append(Spacer(1, 10))
    # Enough lines before "Evaluation" that its paragraph runs across the page break.
    story.insert(-6, Spacer(1, 300))
    doc = SimpleDocTemplate(
        str(out), pagesize=A4, title="Microsoft Word - visiting_info_v7.docx", author="OSA"
    )
    doc.build(story, onFirstPage=_page, onLaterPages=_page)
    return out


if __name__ == "__main__":
    print(build())
