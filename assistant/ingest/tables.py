"""Tables as lines that can be quoted alone: each row carries its header
(`- Distance band: 8000 km and above; Travel grant: 1.500 €`)."""

from __future__ import annotations

import re

from assistant.ingest.lines import Line

_CELL_GAP = re.compile(r"\t+| {2,}")


def render_row(header: list[str], row: list[str]) -> str:
    """One table row as one line that names its columns: `- H1: c1; H2: c2`."""
    if len(header) == len(row) and any(header):
        parts = [f"{h}: {c}" if h else c for h, c in zip(header, row, strict=True) if c]
    else:
        parts = [c for c in row if c]
    return "- " + "; ".join(parts)


def pipe_tables(text: str) -> str:
    """Markdown pipe tables (also trafilatura's) become one line per row with its header.

    A table whose first row fills every cell and is followed by a `|---|` line has a header; a
    table without one (an infobox: label cells beside value cells) becomes `- Label: value`
    lines, with a row that names the table (one filled cell) kept as its lead-in.
    """
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith("|"):
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].lstrip().startswith("|"):
            j += 1
        out += _render_pipe_block(lines[i:j])
        i = j
    return "\n".join(out)


def _render_pipe_block(block: list[str]) -> list[str]:
    rows: list[tuple[list[str], bool]] = []  # cells, followed by a separator line
    for line in block:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if all(re.fullmatch(r":?-{2,}:?|", c) for c in cells):
            if rows:
                rows[-1] = (rows[-1][0], True)
            continue
        rows.append((cells, False))
    if not rows:
        return []
    first, separated = rows[0]
    if separated and len(first) >= 2 and all(first):
        return [render_row(first, cells) for cells, _ in rows[1:] if any(cells)]
    out = []
    for cells, _ in rows:
        filled = [c for c in cells if c]
        if len(filled) == 1 and not out:
            out.append(f"{filled[0]}:")  # the table's name, as the lead-in of its rows
        elif len(filled) == 2 and len(cells) == 2:
            out.append(f"- {filled[0]}: {filled[1]}")
        elif len(filled) >= 2:
            out.append(render_row([], filled))
    return out


def _split_cells(text: str) -> list[tuple[int, str]]:
    """Cells of a line laid out in columns (tabs or runs of spaces), with their start columns."""
    cells, pos = [], 0
    for part in _CELL_GAP.split(text):
        start = text.index(part, pos) if part else pos
        if part.strip():
            cells.append((start, part.strip()))
        pos = start + len(part)
    return cells


def layout_tables(lines: list[Line]) -> list[Line]:
    """Runs of lines laid out in the same columns become table rows rendered with their header.

    Tab-separated runs need two lines (header and a row); space-aligned runs, as PDF layout
    text gives them, need three lines whose columns start at the same places.
    """
    out: list[Line] = []
    i = 0
    while i < len(lines):
        cells = _split_cells(lines[i].text) if lines[i].kind == "text" else []
        if len(cells) < 2:
            out.append(lines[i])
            i += 1
            continue
        tabbed = "\t" in lines[i].text
        j = i + 1
        while j < len(lines) and lines[j].kind == "text":
            other = _split_cells(lines[j].text)
            if len(other) != len(cells) or ("\t" in lines[j].text) != tabbed:
                break
            # Layout text places columns only roughly (right-aligned numbers shift them).
            if not tabbed and any(
                abs(a - b) > max(4, 0.12 * a) for (a, _), (b, _) in zip(cells, other, strict=True)
            ):
                break
            j += 1
        if j - i < (2 if tabbed else 3):
            out.append(lines[i])
            i += 1
            continue
        header = [c for _, c in cells]
        for line in lines[i + 1 : j]:
            row = [c for _, c in _split_cells(line.text)]
            out.append(Line(render_row(header, row), line.page, "row"))
        i = j
    return out
