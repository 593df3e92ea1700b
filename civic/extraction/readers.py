"""Report files read into text: .txt (UTF-8, else the encoding its bytes are in), .docx
(headings as `# ` lines, tables as lines, the date of its core properties) and text .pdf (the
date of its metadata); a file or text over the limits is refused, saying so.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from civic import archives
from civic.charsets import decoded
from civic.i18n import t

# A report is read whole and its figures held for review: larger ones are refused, saying so.
MAX_REPORT_BYTES = 10 * 1024 * 1024  # a file, before it is read
MAX_REPORT_CHARS = 1_000_000  # its text, read or pasted (a 1 MB report is ~350,000 characters)


class ReportError(ValueError):
    """A report file that cannot be read; the message names the file and the problem, and
    `message` says it in the reader's language (the reader library's own words as the reason)."""

    def __init__(self, name: str, suffix: str, reason: str | None = None):
        self.name, self.suffix, self.reason = name, suffix, reason
        super().__init__(f"{name}: unsupported file type {suffix or '(none)'!r}; expected .txt, "
                         ".docx or .pdf" if reason is None
                         else f"{name}: cannot be read as {suffix}: {reason}")

    def message(self, lang: str) -> str:
        if self.reason is None:
            return t("report.unsupported", lang, name=self.name, suffix=self.suffix or "—")
        return t("report.unreadable", lang, name=self.name, suffix=self.suffix,
                 reason=self.reason)


class ReportTooLarge(ReportError):
    """A report over the size the extractor reads: a file of more than MAX_REPORT_BYTES, or a
    text of more than MAX_REPORT_CHARS characters."""

    def __init__(self, name: str, size: int, characters: bool):
        self.size, self.characters = size, characters
        limit = MAX_REPORT_CHARS if characters else MAX_REPORT_BYTES
        what = "characters" if characters else "bytes"
        ValueError.__init__(self, f"{name}: too large a report, {size:,} {what}; at most "
                                  f"{limit:,} {what} are read")
        self.name, self.suffix, self.reason = name, "", str(self)

    def message(self, lang: str) -> str:
        if self.characters:
            return t("report.too_long", lang, name=self.name, size=self.size,
                     limit=MAX_REPORT_CHARS)
        return t("report.too_big", lang, name=self.name, size=round(self.size / 2**20, 1),
                 limit=MAX_REPORT_BYTES // 2**20)


class ReportUnzipsTooFar(ReportError):
    """A Word report whose zip expands past its bounds (`civic.archives`): refused before any
    part of it is parsed."""

    def __init__(self, name: str, too_large: archives.TooLarge):
        self.too_large = too_large
        ValueError.__init__(self, f"{name}: {too_large}")
        self.name, self.suffix, self.reason = name, ".docx", str(too_large)

    def message(self, lang: str) -> str:
        return t("report.unzips_too_far", lang, name=self.name,
                 reason=self.too_large.message(lang))


@dataclass(frozen=True)
class Report:
    """A report file's text, and the date its properties give (DOCX core properties, PDF
    metadata), used only where the text gives none."""

    text: str
    date: dt.date | None = None


def read_report(path: str | Path) -> Report:
    """The text of a .txt, .docx or text .pdf report, headings of a .docx as `# ` lines, and
    the date of its properties; a file or text over the limits is refused, saying so."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".txt", ".docx", ".pdf"):
        raise ReportError(str(path), suffix)
    try:
        if (size := path.stat().st_size) > MAX_REPORT_BYTES:
            raise ReportTooLarge(str(path), size, characters=False)
        date = None
        if suffix == ".txt":
            if (text := decoded(path.read_bytes())) is None:
                raise ReportError(str(path), suffix, "not text in UTF-8 or GB18030")
        elif suffix == ".docx":
            text, date = _read_docx(path), _docx_date(path)
        else:
            text, date = _read_pdf(path)
    except ReportError:
        raise
    except archives.TooLarge as error:
        raise ReportUnzipsTooFar(str(path), error) from None
    except Exception as error:  # a damaged file: the reader's own words, with the file named
        raise ReportError(str(path), suffix, str(error)) from error
    text = normalize_text(text)
    if len(text) > MAX_REPORT_CHARS:
        raise ReportTooLarge(str(path), len(text), characters=True)
    return Report(text, date)


def read_report_bytes(name: str, content: bytes) -> Report:
    """An uploaded report, read as `read_report` reads a file; problems name the upload, not
    where it was kept while being read."""
    suffix = Path(name).suffix.lower()
    if len(content) > MAX_REPORT_BYTES:
        raise ReportTooLarge(name, len(content), characters=False)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"report{suffix}"
        path.write_bytes(content)
        try:
            return read_report(path)
        except ReportTooLarge as error:
            raise ReportTooLarge(name, error.size, error.characters) from None
        except ReportUnzipsTooFar as error:
            raise ReportUnzipsTooFar(name, error.too_large) from None
        except ReportError as error:
            reason = error.reason and error.reason.replace(str(path), name)
            raise ReportError(name, error.suffix, reason) from None


def _read_docx(path: Path) -> str:
    import docx  # python-docx, loaded only for Word reports

    archives.check(path)  # a zip bomb is refused before any part of it is read
    document = docx.Document(str(path))
    lines = []
    for paragraph in document.paragraphs:
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        heading = style.startswith(("Heading", "Title", "标题"))
        lines.append(f"# {paragraph.text}" if heading and paragraph.text else paragraph.text)
    for table in document.tables:
        lines += [" ".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n\n".join(lines)


_CORE_MAX = 64 * 1024  # docProps/core.xml holds a few names and dates
_CORE_DATE = re.compile(r"<dcterms:(created|modified)[^>]*>(\d{4}-\d{2}-\d{2})")


def _docx_date(path: Path) -> dt.date | None:
    """The date a Word report was created (else last modified), from its core properties."""
    with zipfile.ZipFile(path) as archive:
        try:
            info = archive.getinfo("docProps/core.xml")
        except KeyError:
            return None
        if info.file_size > _CORE_MAX:
            return None
        found = dict(_CORE_DATE.findall(archive.read(info).decode("utf-8", "replace")))
    day = found.get("created") or found.get("modified")
    return dt.date.fromisoformat(day) if day else None


def _read_pdf(path: Path) -> tuple[str, dt.date | None]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
    try:
        created = reader.metadata and reader.metadata.creation_date
    except ValueError:  # a malformed date in the metadata: as if there were none
        created = None
    # A line the page wrapped goes on in the next one; a sentence's end ends a paragraph.
    return _WRAPPED.sub("", text), created.date() if created else None


_WRAPPED = re.compile(r"(?<=[^。！？；：:!?”」』\s])[ \t]*\n(?=[^\s#])")


def normalize_text(text: str) -> str:
    """Full-width digits and letters, ％ and ～ to their plain forms, and the Kangxi radicals
    some PDFs yield for common characters (⼀ for 一); one character for one, so positions
    hold. Chinese punctuation stays: `12，150` is two numbers, not 12150."""
    def plain(char: str) -> str:
        code = ord(char)
        if 0xFF10 <= code <= 0xFF5A or char in "％～" or 0x2E80 <= code <= 0x2FDF:
            folded = unicodedata.normalize("NFKC", char)
            return folded if len(folded) == 1 else char
        return char

    return "".join(plain(c) for c in text.replace("\r\n", "\n").replace("\r", "\n"))

