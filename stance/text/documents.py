"""Reading articles: plain text, Markdown and HTML, from files or stdin.

Every failure is an `InputError` naming the file and what to do, so one bad
article never ends in a traceback.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ..errors import InputError

# Bytes looked at to tell binary from text: a NUL byte in the first 8 KiB.
SNIFF_BYTES = 8192
# A first line longer than this is prose, not a title.
MAX_TITLE_CHARS = 200
# Largest article read, in bytes. Real articles and long reports stay far
# below (the seed is 8 KB); anything larger is a corpus, which scores in
# bounded memory as JSONL (--input), one article per line.
MAX_ARTICLE_BYTES = 8 * 1024 * 1024
_TOO_LARGE_HINT = "split it into articles, or score it as a corpus with --input FILE.jsonl"

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})


@dataclass(frozen=True, slots=True)
class Document:
    """An article ready to score: `text` is what sentence offsets point into."""

    source: str
    title: str
    text: str
    format: str


def read_document(path: str | Path) -> Document:
    """Read one article; `-` reads standard input."""
    source = str(path)
    if source == "-":
        data = sys.stdin.buffer.read(MAX_ARTICLE_BYTES + 1)
        if len(data) > MAX_ARTICLE_BYTES:
            raise InputError(f"-: standard input is larger than {MAX_ARTICLE_BYTES // 2**20} MB", _TOO_LARGE_HINT)
        return parse_document(data, source, "text")
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{source}: is a folder", "name article files, or score the folder's files with a glob")
    try:
        if p.stat().st_size > MAX_ARTICLE_BYTES:
            raise InputError(f"{source}: is larger than {MAX_ARTICLE_BYTES // 2**20} MB", _TOO_LARGE_HINT)
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{source}: no such file", "check the path") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot be read: {exc.strerror}", "check its permissions") from None
    suffix = p.suffix.lower()
    fmt = "html" if suffix in HTML_SUFFIXES else "markdown" if suffix in MARKDOWN_SUFFIXES else "text"
    return parse_document(data, source, fmt)


def parse_document(data: bytes, source: str, fmt: str = "text") -> Document:
    """Decode and clean raw bytes of an article in format `fmt`."""
    if len(data) > MAX_ARTICLE_BYTES:
        raise InputError(f"{source}: is larger than {MAX_ARTICLE_BYTES // 2**20} MB", _TOO_LARGE_HINT)
    if b"\x00" in data[:SNIFF_BYTES]:
        raise InputError(f"{source}: looks binary, not text", "give a UTF-8 text, Markdown or HTML article")
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: is not valid UTF-8 (byte {exc.start})",
            "convert it first, e.g. iconv -f latin1 -t utf-8",
        ) from None
    if fmt == "html" or (fmt == "text" and _looks_like_html(raw)):
        title, text = html_to_text(raw)
        fmt = "html"
    elif fmt == "markdown":
        title, text = markdown_to_text(raw)
    else:
        text = raw
        title = plain_title(raw)
    if not text.strip():
        raise InputError(f"{source}: has no text", "give an article with at least one sentence")
    return Document(source=source, title=title, text=text, format=fmt)


def plain_title(text: str) -> str:
    """The first line, when it reads as a headline (short, no full stop)."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            if len(line) <= MAX_TITLE_CHARS and not line.endswith((".", "!", "?", ":")):
                return line
            return ""
    return ""


def _looks_like_html(raw: str) -> bool:
    head = raw.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html"))


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
_MD_RULE = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$", re.M)
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?", re.M)


def markdown_to_text(raw: str) -> tuple[str, str]:
    """Markdown without its markup; the first `#` heading is the title."""
    m = re.search(r"^\s{0,3}#\s+(.+)$", raw, re.M)
    text = _MD_RULE.sub("", raw)
    text = _MD_HEADING.sub("", text)
    text = _MD_QUOTE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    title = _MD_EMPHASIS.sub(r"\2", _MD_LINK.sub(r"\1", m.group(1))).strip() if m else plain_title(text)
    return title, text


class _VisibleText(HTMLParser):
    """Collects the text a reader sees; blocks become lines."""

    HIDDEN = frozenset({"script", "style", "nav", "noscript", "template", "head", "svg", "iframe", "button", "form"})
    BLOCKS = frozenset(
        {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
         "section", "article", "blockquote", "header", "footer", "aside", "figcaption", "dd", "dt", "pre", "hr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0
        self.title = ""
        self.h1 = ""
        self._in: str = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden_depth += 1
        if tag == "li" and not self.hidden_depth:
            self.parts.append("\n- ")
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        if tag in ("title", "h1"):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden_depth:
            self.hidden_depth -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == self._in:
            self._in = ""

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
            return
        if self.hidden_depth:
            return
        if self._in == "h1":
            self.h1 += data
        self.parts.append(data)


def html_to_text(raw: str) -> tuple[str, str]:
    """Visible text of an HTML page (scripts, styles, navigation dropped)."""
    parser = _VisibleText()
    parser.feed(raw)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    text = "\n".join(line for line in lines if line)
    title = " ".join((parser.h1 or parser.title).split())
    return title, text
