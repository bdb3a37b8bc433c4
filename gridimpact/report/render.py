"""Rendering a report's blocks as Markdown and as one self-contained HTML page.

A document is a list of blocks (headings, paragraphs, bullet lists, tables, pictures); the same
list renders to Markdown, with figures linked from ``figures/``, and to HTML with inline CSS and
figures embedded as base64 PNG, printable.
"""

from __future__ import annotations

import base64
import html
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


@dataclass(frozen=True)
class Picture:
    path: str
    """Relative to the report folder, with ``/`` separators."""
    caption: str
    png: bytes = field(repr=False, default=b"")


# --- Numbers and dates in words ------------------------------------------------------------------------


# --- Rendering -----------------------------------------------------------------------------------------

def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_item(item: Item) -> str:
    text = f"**{item.lead}** {item.text}" if item.lead else item.text
    return f"{text} <{item.url}>" if item.url else text


def markdown(blocks: list) -> str:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append("#" * block.level + " " + block.text)
        elif isinstance(block, Paragraph):
            out.append(f"**{block.lead}** {block.text}" if block.lead else block.text)
        elif isinstance(block, Bullets):
            out.append("\n".join("- " + _md_item(item) for item in block.items))
        elif isinstance(block, Table):
            lines = ["| " + " | ".join(_md_cell(h) for h in block.header) + " |",
                     "| " + " | ".join("---:" if n else "---" for n in block.numeric) + " |"]
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
            if block.caption:
                lines += ["", f"*{block.caption}*"]
            out.append("\n".join(lines))
        elif isinstance(block, Picture):
            out.append(f"![{block.caption}]({block.path})\n\n*{block.caption}*")
    return "\n\n".join(out) + "\n"


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1a1a1a;
  line-height: 1.45; margin: 0; }
main { max-width: 62rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 0.5rem; }
h2 { font-size: 1.2rem; margin: 1.8rem 0 0.6rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0; }
th, td { border-bottom: 1px solid #e0e0e0; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
caption, figcaption { caption-side: bottom; text-align: left; font-size: 0.8rem; color: #555; padding-top: 0.3rem; }
.scroll { overflow-x: auto; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; }
a { color: #0b5394; overflow-wrap: anywhere; }
@media print { main { max-width: none; padding: 0; } h2 { break-after: avoid; }
  table, figure { break-inside: avoid; } .scroll { overflow: visible; } a { color: inherit; } }
@page { size: A4; margin: 15mm; }
"""


def _html_item(item: Item) -> str:
    text = (f"<strong>{html.escape(item.lead)}</strong> " if item.lead else "") + html.escape(item.text)
    if item.url:
        url = html.escape(item.url, quote=True)
        text += f' <a href="{url}">{html.escape(item.url)}</a>'
    return text


def _html_cells(values, numeric, tag: str) -> str:
    return "".join(f'<{tag} class="num">{html.escape(v)}</{tag}>' if n else f"<{tag}>{html.escape(v)}</{tag}>"
                   for v, n in zip(values, numeric, strict=True))


def html_document(blocks: list, title: str) -> str:
    """One self-contained HTML file: inline CSS, figures as data URIs, nothing fetched."""
    body: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{html.escape(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            lead = f"<strong>{html.escape(block.lead)}</strong> " if block.lead else ""
            body.append(f"<p>{lead}{html.escape(block.text)}</p>")
        elif isinstance(block, Bullets):
            body.append("<ul>\n" + "\n".join(f"<li>{_html_item(i)}</li>" for i in block.items) + "\n</ul>")
        elif isinstance(block, Table):
            rows = "\n".join(f"<tr>{_html_cells(row, block.numeric, 'td')}</tr>" for row in block.rows)
            caption = f"<caption>{html.escape(block.caption)}</caption>" if block.caption else ""
            head = _html_cells(block.header, block.numeric, "th")
            body.append(f'<div class="scroll"><table>{caption}\n<thead><tr>{head}</tr></thead>\n'
                        f"<tbody>\n{rows}\n</tbody></table></div>")
        elif isinstance(block, Picture):
            data = base64.b64encode(block.png).decode("ascii")
            body.append(f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(block.caption, quote=True)}">'
                        f"<figcaption>{html.escape(block.caption)}</figcaption></figure>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(body) + "\n</main>\n</body>\n</html>\n")


# --- Writing -------------------------------------------------------------------------------------------
