"""Proposed figures from a report's text: every number with its unit, qualifier and period,
what it measures, and the program, metric and department of the catalogue it may belong to;
every other number listed with the reason it is not proposed; the tables the editor reviews.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from dataclasses import dataclass, field, replace

from civic.extraction.dates import Dates, report_date
from civic.extraction.matching import Catalogue, Match, Matcher
from civic.extraction.readers import MAX_REPORT_CHARS, ReportTooLarge, normalize_text
from civic.extraction.rules import PHRASE_MAX, Masks, context, not_a_figure, phrase_around
from civic.i18n import format_quantity, t
from civic.models import Dataset
from civic.quantities import UNITS, Quantity, find_quantities

RECORD_KEYS = ["label", "value", "value_max", "unit", "qualifier", "period", "phrase",
               "program", "metric", "department", "confidence", "group", "notes"]
NOT_PROPOSED_KEYS = ["reported", "phrase", "reason", "reason_text"]


class ReportDateMissing(ValueError):
    """The report gives no date and none was given: its periods cannot be resolved, and
    today is never taken for it."""


@dataclass(frozen=True)
class ProposedFigure:
    """One figure found in a report, for the editor to correct, assign and save."""

    label: str
    phrase: str  # as printed, traditional characters and all
    reported: str  # the figure as printed (simplified for parsing), e.g. `近2亿元`
    quantity: Quantity
    period: str  # as data files write it: 2023-11-15, 2023-07, 2021/2023-11-15
    program: str | None
    metric: str | None
    department: str | None
    confidence: dict[str, float]  # program, metric, department: 0 where nothing fits
    start: int  # where the figure stands in the text
    end: int
    group: str = ""  # the class it counts within: 5亿至10亿元 of `5亿至10亿元项目8个`
    group_en: str = ""
    notes: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()  # (code, parameters)

    def note_texts(self, lang: str) -> list[str]:
        return [t(f"extract.note.{code}", lang, **dict(values)) for code, values in self.notes]

    def record(self, lang: str = "zh") -> dict[str, object]:
        """The figure as `civic extract` prints it: value in the unit named, 万/亿 applied."""
        q = self.quantity
        return {
            "label": self.label, "value": q.value, "value_max": q.value_max,
            "unit": UNITS[q.unit].zh, "qualifier": str(q.qualifier), "period": self.period,
            "phrase": self.phrase, "program": self.program or "", "metric": self.metric or "",
            "department": self.department or "", "confidence": self.confidence,
            "group": self.group, "notes": self.note_texts(lang),
        }


@dataclass(frozen=True)
class NotProposed:
    """A number of the text that is not proposed, with the reason (a code of
    civic/extraction/rules.py, REASONS) and what it would be if the editor proposes it after all."""

    reported: str
    phrase: str
    reason: str
    start: int
    end: int
    figure: ProposedFigure | None  # None where no figure can be read (a date, a phone number)

    def reason_text(self, lang: str) -> str:
        return t(f"extract.skip.{self.reason}", lang)

    def record(self, lang: str = "zh") -> dict[str, object]:
        return {"reported": self.reported, "phrase": self.phrase, "reason": self.reason,
                "reason_text": self.reason_text(lang)}


@dataclass(frozen=True)
class Extraction:
    """What a report states: the figures proposed, every other number with its reason, the
    report's date, and the units it names that the catalogue lacks."""

    figures: list[ProposedFigure]
    not_proposed: list[NotProposed]
    report_date: dt.date
    unknown_units: list[str] = field(default_factory=list)

def report_day(text: str, given: dt.date | None = None,
               from_file: dt.date | None = None) -> tuple[dt.date | None, str]:
    """The report's date and where it came from: given (the editor, `--date`), the text, the
    file's properties; (None, "") where none is known. Never today."""
    if given is not None:
        return given, "given"
    if (found := report_date(simplified(text))) is not None:
        return found, "text"
    if from_file is not None:
        return from_file, "file"
    return None, ""


# --- the text the rules read ---------------------------------------------------------------

@functools.cache
def _converter():
    import opencc  # OpenCC's own dictionaries: 發現問題數 reads as 发现问题数

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters as simplified, one character for one so positions hold; a line
    the conversion would lengthen or shorten is kept as printed."""
    if text.isascii():
        return text
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    lines, out = text.split("\n"), []
    for line in lines:
        line_converted = _converter().convert(line)
        out.append(line_converted if len(line_converted) == len(line) else line)
    return "\n".join(out)


# A space between a number and its words (發現問題數 14 項): dropped for reading.
_LOOSE_SPACE = re.compile(r"(?<=\d)[ \t\u3000\xa0]+(?=[\u4e00-\u9fff%])"
                          r"|(?<=[\u4e00-\u9fff：:])[ \t\u3000\xa0]+(?=\d)")


def _reading_text(text: str) -> tuple[str, list[int]]:
    """The text the rules read, and where each of its characters stands in the text given."""
    work = simplified(text)
    pieces, origin, pos = [], [], 0
    for m in _LOOSE_SPACE.finditer(work):
        pieces.append(work[pos:m.start()])
        origin.extend(range(pos, m.start()))
        pos = m.end()
    pieces.append(work[pos:])
    origin.extend(range(pos, len(work) + 1))
    return "".join(pieces), origin


# --- putting it together -----------------------------------------------------------------

_MASKED = {"date", "event_days", "time_of_day", "phone"}
_CONJUNCTIONS = {"和", "与", "及", "或", "、", ""}
_DIGIT = re.compile(r"\d+")
_DIMENSION_UNIT = {"persons": "人", "person_times": "人次"}


def extract(text: str, dataset: Dataset | None = None,  # noqa: C901 - one pass over the numbers, each rule a step
            date: dt.date | None = None) -> Extraction:
    """The figures a report states, each with its label, phrase, period and best guesses of
    program, metric and department from the catalogue, and every other number with the reason
    it is not proposed. `date` defaults to the date the report gives itself; without either,
    `ReportDateMissing` (never today)."""
    text = normalize_text(text)
    if len(text) > MAX_REPORT_CHARS:
        raise ReportTooLarge("", len(text), characters=True)
    work, origin = _reading_text(text)
    report = date or report_date(work)
    if report is None:
        raise ReportDateMissing("the report gives no date: give the report's date")
    dates = Dates(work, report)
    masks = Masks(work, dates.found)
    matcher = Matcher(Catalogue.of(dataset), work) if dataset is not None else None
    read = [(s, e, q, not_a_figure(work, s, e, q, masks)) for s, e, q in find_quantities(work)]
    kept = [(s, e, q) for s, e, q, why in read if why is None]
    spans = [(s, e) for s, e, _ in kept]
    starts = [s for s, _ in spans]
    classes = _size_classes(work, read, starts)

    def figure(index: int, spans: list[tuple[int, int]], quantity: Quantity) -> ProposedFigure:
        start, end = spans[index]
        size_class = classes.get(start)
        ctx = context(work, spans, index, quantity.unit,
                      start_of=size_class[0] if size_class else None)
        match = matcher.match(start, quantity, ctx) if matcher else Match()
        period, guessed = dates.period_for(start)
        notes = []
        if guessed:
            notes.append(("year_from_report", (("period", period),
                                               ("year", str(report.year)))))
        if match.near_unit and match.metric:
            wanted = next(m.dimension for m in dataset.metrics if m.id == match.metric)
            notes.append(("unit_differs", (("printed", UNITS[quantity.unit].zh),
                                           ("expected", _DIMENSION_UNIT.get(wanted, wanted)))))
        if match.unknown_unit:
            notes.append(("not_in_catalogue", (("name", match.unknown_unit),)))
        return ProposedFigure(
            label=match.label or ctx.label,
            phrase=phrase_around(text, origin[start], origin[end]), reported=work[start:end],
            quantity=quantity, period=period, program=match.program, metric=match.metric,
            department=match.department, confidence=match.confidence, start=origin[start],
            end=origin[end], group=size_class[1] if size_class else "",
            group_en=size_class[2] if size_class else "", notes=tuple(notes))

    figures = [figure(i, spans, q) for i, (_, _, q) in enumerate(kept)]
    for i in range(1, len(figures)):  # 分别增长11.2%和9.6%: the second shares the first's words
        if figures[i].label in _CONJUNCTIONS and figures[i - 1].quantity.unit == kept[i][2].unit:
            figures[i] = replace(figures[i], label=figures[i - 1].label)
    listed = bytearray(len(work))
    for s, e in spans:
        listed[s:e] = b"\x01" * (e - s)
    skipped: list[NotProposed] = []

    def skip(start: int, end: int, reason: str, found: ProposedFigure | None) -> None:
        if listed.find(1, start, end) >= 0:
            return
        listed[start:end] = b"\x01" * (end - start)
        skipped.append(NotProposed(work[start:end], phrase_around(text, origin[start],
                                                                  origin[end]),
                                   reason, origin[start], origin[end], found))

    for start, end, quantity, why in read:
        if why is None:
            continue
        if why in _MASKED:  # one entry for the whole date, time or number
            span = next(((a, b) for a, b, _ in masks.around(start, end)), (start, end))
            skip(*span, why, None)
        elif why != "no_unit" or re.search(r"\d", work[start:end]):  # 统一, 一些: words
            skip(start, end, why, figure(0, [(start, end)], quantity))
    for a, b, why in masks.spans:  # dates and numbers no quantity was read in
        if re.search(r"[\d〇零一二两三四五六七八九十]", work[a:b]):
            skip(a, b, why, None)
    for m in _DIGIT.finditer(work):  # digits no rule read: a code, a number too long
        skip(m.start(), m.end(), "code" if len(m[0]) > 15 else "no_unit", None)
    skipped.sort(key=lambda s: s.start)
    return Extraction(figures, skipped, report, matcher.unknown if matcher else [])


def _size_classes(text: str, read: list[tuple[int, int, Quantity, str | None]],
                  starts: list[int]) -> dict[int, tuple[int, str, str]]:
    """The count each size class qualifies (`5亿至10亿元项目8个`: the 8个), by its start: the
    class's start, the class as printed and in English."""
    classes = {}
    for start, end, quantity, why in read:
        if why != "size_class":
            continue
        at = bisect.bisect_left(starts, end)
        clause_end = min((i for c in "，。；,;\n" if (i := text.find(c, end, end + 40)) >= 0),
                         default=end + 40)
        if at < len(starts) and starts[at] < clause_end:
            english = format_quantity(quantity.value, quantity.unit, quantity.qualifier, "en",
                                      quantity.value_max)
            classes[starts[at]] = (start, text[start:end], english)
    return classes


# --- the editor's review -------------------------------------------------------------------

TABLE_COLUMNS = ["keep", "label", "phrase", "reported", "period", "program", "metric",
                 "department", "group", "group_en", "confidence", "notes"]
SKIPPED_COLUMNS = ["propose", "reported", "phrase", "reason"]


def proposal_table(proposals: list[ProposedFigure], lang: str = "zh") -> list[dict[str, object]]:
    """One editable row per proposal; kept by default where program, metric and department
    are all guessed, and `confidence` the weakest of the three guesses; the notes (a year
    taken from the report, a unit that differs, a unit not in the catalogue) in `lang`."""
    return [{
        "keep": bool(p.program and p.metric and p.department), "label": p.label,
        "phrase": p.phrase, "reported": p.reported, "period": p.period,
        "program": p.program, "metric": p.metric, "department": p.department,
        "group": p.group, "group_en": p.group_en,
        "confidence": round(min(p.confidence.values()), 2), "notes": "；".join(p.note_texts(lang)),
    } for p in proposals]


def skipped_table(skipped: list[NotProposed], lang: str = "zh") -> list[dict[str, object]]:
    """One row per number not proposed, its reason in `lang`, and a box to propose it."""
    return [{"propose": False, "reported": s.reported, "phrase": s.phrase,
             "reason": s.reason_text(lang)} for s in skipped]


def promoted(skipped: NotProposed, date: dt.date) -> ProposedFigure:
    """A number the editor proposes after all: the figure it reads as, or the number as printed
    with the report's date, to be completed in the table."""
    if skipped.figure is not None:
        return skipped.figure
    empty = {"program": 0.0, "metric": 0.0, "department": 0.0}
    placeholder = Quantity(value=0, unit="count", reported=skipped.reported or "0")
    return ProposedFigure("", skipped.phrase, skipped.reported, placeholder, date.isoformat(),
                          None, None, None, empty, skipped.start, skipped.end)


def _cell(value: object) -> str:
    """A table cell as text: empty where pandas or the editor left nothing."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def proposals_to_rows(table: list[dict[str, object]]) -> list[tuple[int, dict[str, str]]]:
    """The kept rows of a reviewed table as the rows an upload gives intake.check, numbered
    as the table shows them; the phrase (at most 20 characters) locates the figure, the label
    becomes the note and a size class the figure's group."""
    found = []
    for number, row in enumerate(table, start=1):
        if not row.get("keep"):
            continue
        group = _cell(row.get("group"))
        found.append((number, {
            "program": _cell(row.get("program")), "metric": _cell(row.get("metric")),
            "reported": _cell(row.get("reported")), "period": _cell(row.get("period")),
            "department": _cell(row.get("department")),
            "group_zh": group, "group_en": (_cell(row.get("group_en")) or group) if group else "",
            "locator": _cell(row.get("phrase"))[:PHRASE_MAX], "note": _cell(row.get("label")),
        }))
    return found
