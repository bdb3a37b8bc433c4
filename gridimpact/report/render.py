"""Rendering a report's blocks as Markdown and as one self-contained HTML page.

A document is a list of blocks (headings, paragraphs, bullet lists, tables, pictures); the same
list renders to Markdown, with figures linked from ``figures/``, and to HTML with inline CSS and
figures embedded as base64 PNG, printable.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field

# --- Blocks of the document ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str
    lead: str | None = None
    """Bold words that open the paragraph."""


@dataclass(frozen=True)
class Note:
    """A muted line (when and how the document was made)."""

    text: str


@dataclass(frozen=True)
class Answer:
    """The answer in a few sentences, set apart at the top of the document."""

    sentences: tuple[str, ...]
    lead: str = "Answer."


@dataclass(frozen=True)
class Item:
    text: str
    lead: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Bullets:
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    caption: str = ""
    grouped: bool = False
    """The first column names a group (a region): in HTML it becomes a row spanning the table."""


@dataclass(frozen=True)
class Picture:
    path: str
    """Relative to the report folder, with ``/`` separators."""
    caption: str
    png: bytes = field(repr=False, default=b"")


@dataclass(frozen=True)
class FigureRow:
    """Pictures shown side by side where the page is wide enough, one under the other where not."""

    pictures: tuple[Picture, ...]


# --- Rendering -----------------------------------------------------------------------------------------

def md_text(text: str) -> str:
    """Input text made inert in Markdown: HTML tags and entities shown as text, not interpreted.

    Scenario names, descriptions and titles come from files a user wrote; a Markdown renderer would
    pass raw HTML in them through to the page.
    """
    return html.escape(str(text), quote=False)


def _md_cell(text: str) -> str:
    return md_text(text).replace("|", "\\|").replace("\n", " ")


def _md_caption(text: str) -> str:
    return md_text(text).replace("[", "\\[").replace("]", "\\]")


def _md_item(item: Item) -> str:
    text = f"**{md_text(item.lead)}** {md_text(item.text)}" if item.lead else md_text(item.text)
    if not item.url:
        return text
    safe = all(c not in item.url for c in "<> ")
    return f"{text} <{item.url}>" if safe else f"{text} ({md_text(item.url)})"


def _md_picture(picture: Picture) -> str:
    return f"![{_md_caption(picture.caption)}]({picture.path})\n\n*{md_text(picture.caption)}*"


def markdown(blocks: list) -> str:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append("#" * block.level + " " + md_text(block.text))
        elif isinstance(block, Answer):
            out.append(f"**{md_text(block.lead)}** " + " ".join(md_text(t) for t in block.sentences))
        elif isinstance(block, Note):
            out.append(f"*{md_text(block.text)}*")
        elif isinstance(block, Paragraph):
            text = md_text(block.text)
            out.append(f"**{md_text(block.lead)}** {text}" if block.lead else text)
        elif isinstance(block, Bullets):
            out.append("\n".join("- " + _md_item(item) for item in block.items))
        elif isinstance(block, Table):
            lines = ["| " + " | ".join(_md_cell(h) for h in block.header) + " |",
                     "| " + " | ".join("---:" if n else "---" for n in block.numeric) + " |"]
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
            if block.caption:
                lines += ["", f"*{md_text(block.caption)}*"]
            out.append("\n".join(lines))
        elif isinstance(block, Picture):
            out.append(_md_picture(block))
        elif isinstance(block, FigureRow):
            out.append("\n\n".join(_md_picture(p) for p in block.pictures))
    return "\n\n".join(out) + "\n"


def without_empty_columns(table: Table, empty=("0", "\u2013", "")) -> Table:
    """The table less every numeric column whose cells all read as zero or missing."""
    keep = [i for i, numeric in enumerate(table.numeric)
            if not numeric or not table.rows or any(row[i] not in empty for row in table.rows)]
    if len(keep) == len(table.numeric):
        return table
    return Table(tuple(table.header[i] for i in keep), tuple(tuple(row[i] for i in keep) for row in table.rows),
                 tuple(table.numeric[i] for i in keep), table.caption, table.grouped)


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; color: #1a1a1a;
  line-height: 1.45; margin: 0; }
main { max-width: 64rem; margin: 0 auto; padding: 1rem 1.25rem; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 0.4rem; }
h2 { font-size: 1.2rem; margin: 1.8rem 0 0.6rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; }
p.meta { color: #555; font-size: 0.85rem; margin-top: 0; }
section.answer { font-size: 1.05rem; background: #f5f8fb; border-left: 4px solid #0072b2; padding: 0.5rem 1rem;
  margin: 0.8rem 0; }
section.answer p { margin: 0.35rem 0; }
.figure-row { display: grid; grid-template-columns: repeat(auto-fit, minmax(24rem, 1fr)); gap: 1rem; }
.figure-row figure { margin: 0.5rem 0; }
table { border-collapse: collapse; font-size: 0.82rem; margin: 0.5rem 0; width: 100%; }
th, td { border-bottom: 1px solid #e0e0e0; padding: 0.2rem 0.4rem; text-align: left; vertical-align: top; }
thead th { background: #f2f2f2; vertical-align: bottom; }
th:first-child, td:first-child { min-width: 8rem; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.group th { background: #e8eef4; text-align: left; padding-top: 0.35rem; }
caption, figcaption { caption-side: bottom; text-align: left; font-size: 0.8rem; color: #555; padding-top: 0.3rem; }
.scroll { overflow-x: auto; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; display: block; }
a { color: #0b5394; overflow-wrap: anywhere; }
@media (max-width: 50rem) { th:first-child, td:first-child { min-width: 9rem; } table { font-size: 0.78rem; } }
@media print { body { font-size: 10pt; } main { max-width: none; padding: 0; } h2 { break-after: avoid; }
  section.answer, figure, tr { break-inside: avoid; } tr.group { break-after: avoid; }
  thead { display: table-header-group; } .scroll { overflow: visible; } a { color: inherit; }
  figure img { max-height: 100mm; width: auto; margin: 0 auto; } .figure-row { display: block; } }
@page { size: A4; margin: 14mm; }
"""


def _html_item(item: Item) -> str:
    text = (f"<strong>{html.escape(item.lead)}</strong> " if item.lead else "") + html.escape(item.text)
    if item.url:
        url = html.escape(item.url, quote=True)
        text += f' <a href="{url}">{html.escape(item.url)}</a>'
    return text


def _unbroken_numbers(text: str) -> str:
    """A numeric cell may wrap between numbers (a range, a value ± its error), never inside one."""
    return re.sub(r"(\d) (million|billion)", "\\1\u00a0\\2", text)


def _html_cells(values, numeric, tag: str) -> str:
    return "".join(f'<{tag} class="num">{html.escape(_unbroken_numbers(v))}</{tag}>' if n
                   else f"<{tag}>{html.escape(v)}</{tag}>" for v, n in zip(values, numeric, strict=True))


def _html_table(block: Table) -> str:
    caption = f"<caption>{html.escape(block.caption)}</caption>" if block.caption else ""
    if not block.grouped:
        head = _html_cells(block.header, block.numeric, "th")
        rows = "\n".join(f"<tr>{_html_cells(row, block.numeric, 'td')}</tr>" for row in block.rows)
    else:
        head = _html_cells(block.header[1:], block.numeric[1:], "th")
        lines, current = [], None
        for row in block.rows:
            if row[0] != current:
                current = row[0]
                lines.append(f'<tr class="group"><th colspan="{len(block.header) - 1}" scope="rowgroup">'
                             f"{html.escape(current)}</th></tr>")
            lines.append(f"<tr>{_html_cells(row[1:], block.numeric[1:], 'td')}</tr>")
        rows = "\n".join(lines)
    return (f'<div class="scroll"><table>{caption}\n<thead><tr>{head}</tr></thead>\n'
            f"<tbody>\n{rows}\n</tbody></table></div>")


def _html_figure(block: Picture) -> str:
    data = base64.b64encode(block.png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(block.caption, quote=True)}">'
            f"<figcaption>{html.escape(block.caption)}</figcaption></figure>")


def _html_paragraph(block: Paragraph) -> str:
    lead = f"<strong>{html.escape(block.lead)}</strong> " if block.lead else ""
    return f"<p>{lead}{html.escape(block.text)}</p>"


def html_document(blocks: list, title: str) -> str:
    """One self-contained HTML file: inline CSS, figures as data URIs, nothing fetched."""
    body: list[str] = []
    for block in blocks:
        if isinstance(block, Answer):
            sentences = "\n".join(f"<p>{html.escape(s)}</p>" for s in block.sentences)
            body.append(f'<section class="answer" aria-label="{html.escape(block.lead, quote=True)}">\n'
                        f"{sentences}\n</section>")
        elif isinstance(block, Note):
            body.append(f'<p class="meta">{html.escape(block.text)}</p>')
        elif isinstance(block, Heading):
            body.append(f"<h{block.level}>{html.escape(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            body.append(_html_paragraph(block))
        elif isinstance(block, Bullets):
            body.append("<ul>\n" + "\n".join(f"<li>{_html_item(i)}</li>" for i in block.items) + "\n</ul>")
        elif isinstance(block, Table):
            body.append(_html_table(block))
        elif isinstance(block, Picture):
            body.append(_html_figure(block))
        elif isinstance(block, FigureRow):
            body.append('<div class="figure-row">' + "".join(_html_figure(p) for p in block.pictures) + "</div>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(body) + "\n</main>\n</body>\n</html>\n")


