"""Build page-pdf/programme-page.pdf from the article in page-html/programme-page.html.

The PDF is the printed form of the same page: only the article (no menus, cookie banner,
sidebar or footer), with a running header and a page footer as a browser print would add.
It reads the HTML so that the two corpora keep the same text. No hyphenation is used, so a
word split across lines never reaches the extracted text; sentences do run across pages.

Run from the repository root:  python evals/corpora/make_page_pdf.py
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "page-html" / "programme-page.html"
TARGET = HERE / "page-pdf" / "programme-page.pdf"
PAGE_URL = "https://www.universiteitleiden.nl/en/dossiers/erasmusplus/international-credit-mobility-2020/japan"
PRINTED = "27/11/2026, 08:14"


class ArticleBlocks(HTMLParser):
    """Collects (tag, text) blocks for the headings, paragraphs and list items of <article>."""

    BLOCKS = {"h1", "h2", "h3", "p", "li"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_article = False
        self.current: str | None = None
        self.buffer: list[str] = []
        self.blocks: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.in_article = True
        elif self.in_article and tag in self.BLOCKS:
            self.current, self.buffer = tag, []

    def handle_endtag(self, tag):
        if tag == "article":
            self.in_article = False
        elif self.in_article and tag == self.current:
            text = " ".join("".join(self.buffer).split())
            if text:
                self.blocks.append((tag, text))
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.buffer.append(data)


def article_blocks(path: Path = SOURCE) -> list[tuple[str, str]]:
    parser = ArticleBlocks()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.blocks


def page_title(path: Path = SOURCE) -> str:
    text = path.read_text(encoding="utf-8")
    return html.unescape(text.split("<title>", 1)[1].split("</title>", 1)[0]).strip()


STYLES = {
    "label": ParagraphStyle("label", fontName="Helvetica", fontSize=9, leading=12, spaceAfter=4),
    "h1": ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=20, leading=25, spaceAfter=12),
    "h2": ParagraphStyle(
        "h2", fontName="Helvetica-Bold", fontSize=14, leading=18, spaceBefore=10, spaceAfter=6
    ),
    "p": ParagraphStyle("p", fontName="Times-Roman", fontSize=13, leading=20.5, spaceAfter=11),
    "li": ParagraphStyle("li", fontName="Times-Roman", fontSize=13, leading=20.5),
}


def flowables(blocks: list[tuple[str, str]]) -> list:
    out: list = []
    items: list[ListItem] = []
    for tag, text in blocks:
        if tag != "li" and items:
            out.append(ListFlowable(items, bulletType="bullet", leftIndent=18))
            out.append(Spacer(1, 8))
            items = []
        body = html.escape(text, quote=False)
        if tag == "li":
            items.append(ListItem(Paragraph(body, STYLES["li"])))
        elif tag == "p" and not out:
            out.append(Paragraph(body, STYLES["label"]))
        else:
            out.append(Paragraph(body, STYLES.get(tag, STYLES["p"])))
    if items:
        out.append(ListFlowable(items, bulletType="bullet", leftIndent=18))
    return out


def build(total_pages: int | None, title: str) -> int:
    pages = [0]

    def decorate(canvas, doc):
        pages[0] = doc.page
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        width, height = A4
        canvas.drawString(1.5 * cm, height - 1.2 * cm, PRINTED)
        canvas.drawCentredString(width / 2, height - 1.2 * cm, title)
        canvas.drawString(1.5 * cm, 1.0 * cm, PAGE_URL)
        count = f"{doc.page}/{total_pages}" if total_pages else f"{doc.page}"
        canvas.drawRightString(width - 1.5 * cm, 1.0 * cm, count)
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(TARGET),
        pagesize=A4,
        title=title,
        author="",
        subject="",
        creator="",
        leftMargin=3.2 * cm,
        rightMargin=3.2 * cm,
        topMargin=2.6 * cm,
        bottomMargin=2.6 * cm,
    )
    doc.build(flowables(article_blocks()), onFirstPage=decorate, onLaterPages=decorate)
    return pages[0]


def main() -> None:
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    title = page_title()
    # Two passes: the first counts the pages so that the footer can say "n/total".
    total = build(None, title)
    build(total, title)
    print(f"wrote {TARGET} ({total} pages)")


if __name__ == "__main__":
    main()
