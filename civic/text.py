"""Data text made safe where something would read it as markup: Markdown on the pages and in
group bots' messages, the HTML subset of Plotly's chart text, formulas in spreadsheets.

Program names, labels and aims come from data files and, soon, from many people; a value in a
link comes from whoever wrote the link. They are text: `**x**` must not turn bold, `[a](…)` must
not become a live link and `![i](…)` must not make the browser fetch an image.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import pandas as pd

# Every ASCII punctuation mark Markdown may read as syntax: CommonMark's, GitHub's (tables,
# strike-through, bare links `https://…`, `www.…`, `a@b.cn`), Streamlit's (colour and icon
# directives `:red[…]`, `:material/…:`, maths `$…$`). CommonMark shows a backslash-escaped
# punctuation mark as itself.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&@/])")
# Text cells a spreadsheet would run as a formula (OWASP, CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# GitHub's bare links (`https://…`, `www.…`, `a@b.cn`) are found in the text after escapes are
# resolved, so escaping cannot stop them; an invisible word joiner where one would start can.
_BARE_LINK = re.compile(r"(?i)(?=https?:|www\.|mailto:|xmpp:)|(?<=@)")
WORD_JOINER = "\u2060"


def md(text: object) -> str:
    """Text for Markdown (st.markdown, captions, labels, notices): shown as written, on one line."""
    flat = _BARE_LINK.sub(WORD_JOINER, " ".join(str(text).split()))
    return _MARKDOWN.sub(r"\\\1", flat)


def plotly_text(text: object) -> str:
    """Text for a Plotly figure (a title, an axis or category label, a legend name, a bar's or a
    hover's text), shown as written: Plotly reads `<a href>`, `<b>`, `<br>`, `<span style>` …
    in all of them, and shows `&lt;`, `&gt;` and `&amp;` as the characters."""
    return html.escape(str(text), quote=False)


def plotly_lines(lines: Iterable[object]) -> str:
    """Lines of data text as one Plotly text, each escaped, broken where the lines break."""
    return "<br>".join(plotly_text(line) for line in lines)


# C0 and C1 controls (terminal escapes among them) and the marks that reorder text on screen.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """Text as it may reach a terminal or the audit trail: a file name an upload gives is the
    sender's to choose, escapes included; every control character is dropped, line breaks and
    tabs become spaces."""
    return _CONTROL.sub("", re.sub(r"[\t\n\r]", " ", str(text)))


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def csv_cell(value: object) -> object:
    """A CSV text cell that starts like a formula gets a leading apostrophe; numbers stay numbers.

    CSV has no types, so a spreadsheet would run `=HYPERLINK(…)`; an XLSX text cell is typed and
    is stored as it is.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell and header made safe for CSV."""
    columns = [column if pd.api.types.is_numeric_dtype(column)
               else column.astype(object).map(csv_cell) for _, column in frame.items()]
    escaped = pd.concat(columns, axis=1) if columns else frame.copy()
    escaped.columns = [csv_cell(str(c)) for c in frame.columns]
    return escaped


# Group bots (WeCom, DingTalk) render a Markdown subset with no escapes: data text loses its
# syntax by taking the full-width forms of the marks, which read the same in Chinese text.
# Parentheses stay: without brackets they make no link.
_BOT_MARKS = str.maketrans({"[": "［", "]": "］", "*": "＊", "_": "＿", "`": "｀", "#": "＃",
                            "<": "＜", ">": "＞", "|": "｜", "~": "～", "\\": "＼"})


def bot_text(text: object) -> str:
    """Text for a group bot's Markdown, on one line: never bold, a link, an image or a tag."""
    flat = _BARE_LINK.sub(WORD_JOINER, " ".join(str(text).split()))
    return flat.translate(_BOT_MARKS)
