"""A PDF's layout read from the positions of its words (``pdftotext -bbox``), and what is wrong.

The checks need no knowledge of how the PDF was made beyond the HTML it was made from:

- no two words overlap (text printed over text is unreadable, and pdftotext often glues such
  text into one word, which the next check catches);
- every word of the PDF is a word of the HTML (a word broken in two, or two glued together,
  is not);
- every word of a table header is whole on one line;
- no word runs past the page's side margins;
- no page holds a single row of a table that goes on over several pages (an orphan).
"""

from __future__ import annotations

import base64
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

MM = 72 / 25.4
#: The report PDF's left and right page margins (pdf.html's @page rules), in points.
SIDE_MARGIN = 16 * MM
#: How far (points) a glyph's box may reach past a margin or into a neighbour.
TOLERANCE = 1.0
#: Words of other cells that may come between two words of a row's wrapped first cell.
GAP = 30
#: A number of an ordered list ("2."), made by the stylesheet.
LIST_NUMBER = re.compile(r"\d+\.?")
XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True, slots=True)
class Word:
    """One word as pdftotext places it: page (1-based), box in points from the top left."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    def __str__(self) -> str:
        """The word and where it is, for a failure message."""
        return f"{self.text!r} (page {self.page}, x {self.x0:.0f}-{self.x1:.0f}, y {self.y0:.0f})"


@dataclass(frozen=True, slots=True)
class Page:
    """A page's size and its words in reading order."""

    number: int
    width: float
    height: float
    words: list[Word]


def read_pages(pdf: bytes) -> list[Page]:
    """Every page of the PDF with its words (pdftotext -bbox)."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout
    pages = []
    root = ET.fromstring(xhtml)  # noqa: S314 - pdftotext's output for our own PDF
    for number, page in enumerate(root.iter(f"{XHTML}page"), start=1):
        words = [
            Word(
                number,
                float(w.attrib["xMin"]),
                float(w.attrib["yMin"]),
                float(w.attrib["xMax"]),
                float(w.attrib["yMax"]),
                w.text or "",
            )
            for w in page.iter(f"{XHTML}word")
        ]
        pages.append(Page(number, float(page.attrib["width"]), float(page.attrib["height"]), words))
    return pages


@dataclass(slots=True)
class TableText:
    """What a table says: caption, header cells and each row's first cell, as words."""

    caption: list[str] = field(default_factory=list)
    headers: list[list[str]] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


class _Source(HTMLParser):
    """The words of the HTML (chart SVGs included) and its tables."""

    def __init__(self) -> None:
        super().__init__()
        self.words: set[str] = set()
        self.tables: list[TableText] = []
        self._skip = 0
        self._cell: list[str] | None = None
        self._first_in_row = False
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "title"):
            self._skip += 1
        elif tag == "table":
            self.tables.append(TableText())
        elif tag in ("caption", "th", "td") and self.tables:
            self._cell = []
        elif tag == "tr":
            self._first_in_row = True
        elif tag in ("thead", "tbody"):
            self._in_head = tag == "thead"
        elif tag == "img":
            source = dict(attrs).get("src") or ""
            if source.startswith("data:image/svg+xml;base64,"):
                svg = base64.b64decode(source.split(",", 1)[1]).decode()
                for text in re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S):
                    self.words.update(unescape(re.sub(r"<[^>]+>", " ", text)).split())

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title"):
            self._skip -= 1
        elif tag in ("caption", "th", "td") and self._cell is not None and self.tables:
            table, cell = self.tables[-1], self._cell
            if tag == "caption":
                table.caption = cell
            elif self._in_head:
                table.headers.append(cell)
            elif self._first_in_row:
                table.rows.append(cell)
            self._first_in_row = False
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        words = data.split()
        self.words.update(words)
        if self._cell is not None:
            self._cell.extend(words)


def read_source(html: str) -> _Source:
    """The words and tables of the HTML a PDF was made from."""
    source = _Source()
    source.feed(html)
    source.close()
    source.words.update(piece for word in list(source.words) for piece in hyphen_pieces(word))
    return source


def hyphen_pieces(word: str) -> list[str]:
    """What a word with hyphens may be broken into at the end of a line: "baseline-", "profil"
    (a break after a hyphen is a break between words, not inside one)."""
    parts = word.split("-")
    return [part + "-" for part in parts[:-1]] + parts[-1:] if len(parts) > 1 else []


def overlapping(page: Page) -> list[str]:
    """Pairs of words whose boxes overlap (beyond a glyph's side bearing)."""
    problems = []
    words = sorted(page.words, key=lambda w: w.x0)
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            if b.x0 >= a.x1 - TOLERANCE:
                break
            across = min(a.x1, b.x1) - max(a.x0, b.x0)
            down = min(a.y1, b.y1) - max(a.y0, b.y0)
            if across > TOLERANCE and down > 0.4 * min(a.y1 - a.y0, b.y1 - b.y0):
                problems.append(f"overlap: {a} and {b}")
    return problems


def past_margins(page: Page, margin: float = SIDE_MARGIN) -> list[str]:
    """Words reaching into the left or right margin or off the page."""
    return [
        f"past the margin: {w}"
        for w in page.words
        if w.x0 < margin - TOLERANCE
        or w.x1 > page.width - margin + TOLERANCE
        or w.y0 < 0
        or w.y1 > page.height
    ]


def foreign_words(pages: list[Page], known: set[str], generated: set[str]) -> list[str]:
    """Words of the PDF that are no word of the HTML: broken or glued words."""
    return [
        f"not a word of the report: {w}"
        for page in pages
        for w in page.words
        if w.text not in known and w.text not in generated and not LIST_NUMBER.fullmatch(w.text)
    ]


def split_headers(pages: list[Page], tables: list[TableText]) -> list[str]:
    """Header words of a table that the PDF never shows whole."""
    shown = {w.text for page in pages for w in page.words}
    return [
        f"header word broken: {word!r} in {' '.join(cell)!r}"
        for table in tables
        for cell in table.headers
        for word in cell
        if word not in shown
        and not (hyphen_pieces(word) and all(piece in shown for piece in hyphen_pieces(word)))
    ]


def _find(words: list[Word], wanted: list[str], start: int, *, gap: int = 0) -> int | None:
    """Index of the first word of `wanted` from `start`: its words in order on one page, with
    at most `gap` other words between two of them (the other cells of a wrapped row)."""
    for first in range(start, len(words)):
        if words[first].text != wanted[0]:
            continue
        index = first
        for token in wanted[1:]:
            stop = min(len(words), index + gap + 2)
            index = next((i for i in range(index + 1, stop) if words[i].text == token), -1)
            if index < 0 or words[index].page != words[first].page:
                break
        else:
            return first
    return None


def _caption(words: list[Word], table: TableText, start: int) -> int | None:
    """Where the table starts: its caption followed by its first header word (a heading with
    the caption's words is not the table)."""
    if not table.caption:
        return start
    first = table.headers[0][0] if table.headers and table.headers[0] else None
    at = _find(words, table.caption, start)
    while at is not None:
        after = at + len(table.caption)
        if first is None or (after < len(words) and words[after].text == first):
            return at
        at = _find(words, table.caption, at + 1)
    return None


def orphan_rows(pages: list[Page], tables: list[TableText]) -> list[str]:
    """Tables split over pages with one of their rows alone on a page."""
    words = [w for page in pages for w in sorted(page.words, key=lambda w: (w.y0, w.x0))]
    problems, position = [], 0
    for table in tables:
        at = _caption(words, table, position)
        if at is None or not table.rows:
            continue
        row_pages = []
        for row in table.rows:
            found = _find(words, row, at, gap=GAP) if row else None
            if found is None:
                break
            row_pages.append(words[found].page)
            at = found + 1
        position = at
        counts = {page: row_pages.count(page) for page in row_pages}
        if len(counts) > 1 and 1 in counts.values():
            alone = [page for page, n in counts.items() if n == 1]
            problems.append(f"orphan row: {' '.join(table.caption)!r} has one row on {alone}")
    return problems


def layout_problems(pdf: bytes, html: str) -> list[str]:
    """Everything wrong with the PDF's layout, as messages (empty when all is well)."""
    pages = read_pages(pdf)
    source = read_source(html)
    # Page counters and list bullets are made by the stylesheet, not written in the HTML.
    generated = {"/", "•", *(str(n) for n in range(1, len(pages) + 1))}
    for content in re.findall(r'content:\s*"([^"]*)"', html):
        generated.update(content.split())
    problems = []
    for page in pages:
        problems += overlapping(page) + past_margins(page)
    problems += foreign_words(pages, source.words, generated)
    problems += split_headers(pages, source.tables)
    problems += orphan_rows(pages, source.tables)
    return problems
