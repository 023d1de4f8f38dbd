"""Writes small real PDFs (lines of Helvetica text) for loader tests.

A page is a string (one line) or a list of lines. An empty line leaves a gap (a paragraph
break); a line with tabs is drawn as table cells in columns 200 points apart.
"""

from __future__ import annotations

from pathlib import Path


def _escape(text: str) -> bytes:
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return safe.encode("latin-1")


def _content(lines: list[str]) -> bytes:
    ops = [b"BT /F1 11 Tf"]
    y = 750
    for line in lines:
        if line:
            for col, cell in enumerate(line.split("\t")):
                ops.append(b"1 0 0 1 %d %d Tm (%s) Tj" % (50 + 200 * col, y, _escape(cell)))
        y -= 14 if line else 10
    ops.append(b"ET")
    return b"\n".join(ops)


def write_pdf(
    path: Path,
    pages: list[str | list[str]],
    title: str | None = None,
    info: dict[str, str] | None = None,
) -> Path:
    objects: list[bytes] = []
    kids = []
    font_id = 3
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"")  # pages tree, filled in below
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for page in pages:
        stream = _content([page] if isinstance(page, str) else page)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font_id, content_id)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    info = dict(info or {})
    if title:
        info["Title"] = title
    info_id = None
    if info:
        entries = b" ".join(b"/%s (%s)" % (k.encode(), _escape(v)) for k, v in info.items())
        objects.append(b"<< %s >>" % entries)
        info_id = len(objects)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    trailer = b"<< /Size %d /Root 1 0 R" % (len(objects) + 1)
    if info_id:
        trailer += b" /Info %d 0 R" % info_id
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))
    return path
