"""Proposed figures from a report's prose: every number with its unit, qualifier and period,
what it measures, and the program, metric and department of the catalogue it may belong to.

Rule-based so that every proposal can be explained: `find_quantities` (civic/quantities.py)
reads the numbers, units and qualifiers; the rules here judge what a number means in its
sentence (a date, an ordinal, a phone number, a figure), resolve dates against the report's
date, and match the words around a figure against the catalogue. Nothing is saved here: the
editor reviews every proposal.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from civic import archives
from civic.i18n import t
from civic.models import Dataset, Program
from civic.quantities import UNITS, Quantity, find_quantities, parse_quantity

PHRASE_MAX = 20
RECORD_KEYS = ["label", "value", "value_max", "unit", "qualifier", "period", "phrase",
               "program", "metric", "department", "confidence"]
_MIN_CONFIDENCE = 0.5


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


@dataclass(frozen=True)
class ProposedFigure:
    """One figure found in a report, for the editor to correct, assign and save."""

    label: str
    phrase: str
    reported: str  # the figure as printed, e.g. `近2亿元`
    quantity: Quantity
    period: str  # as data files write it: 2023-11-15, 2023-07, 2021/2023-11-15
    program: str | None
    metric: str | None
    department: str | None
    confidence: dict[str, float]  # program, metric, department: 0 where nothing fits
    start: int  # where the figure stands in the text
    end: int

    def record(self) -> dict[str, object]:
        """The figure as `civic extract` prints it: value in the unit named, 万/亿 applied."""
        q = self.quantity
        return {
            "label": self.label, "value": q.value, "value_max": q.value_max,
            "unit": UNITS[q.unit].zh, "qualifier": str(q.qualifier), "period": self.period,
            "phrase": self.phrase, "program": self.program or "", "metric": self.metric or "",
            "department": self.department or "", "confidence": self.confidence,
        }


# --- reading files -----------------------------------------------------------------------

def read_report(path: str | Path) -> str:
    """The text of a .txt, .docx or text .pdf report; headings of a .docx become `# ` lines."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".txt":
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("gb18030")
        elif suffix == ".docx":
            text = _read_docx(path)
        elif suffix == ".pdf":
            text = _read_pdf(path)
        else:
            raise ReportError(str(path), suffix)
    except ReportError:
        raise
    except Exception as error:  # a damaged file: the reader's own words, with the file named
        raise ReportError(str(path), suffix, str(error)) from error
    return normalize_text(text)


def read_report_bytes(name: str, content: bytes) -> str:
    """The text of an uploaded report, read as `read_report` reads a file; problems name the
    upload, not where it was kept while being read."""
    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"report{suffix}"
        path.write_bytes(content)
        try:
            return read_report(path)
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


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
    # A line the page wrapped goes on in the next one; a sentence's end ends a paragraph.
    return _WRAPPED.sub("", text)


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


# --- dates and periods -------------------------------------------------------------------

# Years, months and days in Arabic or Chinese numerals: 2023年11月15日, 二〇二三年十一月十五日.
_YEAR = r"(?:19|20)\d{2}|[一二][〇零九][〇零一二三四五六七八九]{2}"
_MONTH = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
_DAY = r"3[01]|[12]\d|0?[1-9]|[二三]?十[一二三四五六七八九]?|三十一|[一二三四五六七八九]"
_Y = rf"(?P<y>{_YEAR})年"
_M = rf"(?P<m>{_MONTH})月份?"
_D = rf"(?P<d>{_DAY})[日号]"
_REL = r"(?P<rel>今年|本年|去年|上年|前年|明年)"
_RANGE_SEP = r"(?:至|到|-|—|–|~)"
_RELATIVE_YEARS = {"今年": 0, "本年": 0, "去年": -1, "上年": -1, "前年": -2, "明年": 1}
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
_HALVES = {"上半年": (1, 6), "下半年": (7, 12), "前三季度": (1, 9), "一季度": (1, 3),
           "第一季度": (1, 3), "二季度": (4, 6), "第二季度": (4, 6), "三季度": (7, 9),
           "第三季度": (7, 9), "四季度": (10, 12), "第四季度": (10, 12)}

# Longest forms first: a day beats its month, a month range beats a month.
_DATE_PATTERNS = [
    re.compile(r"(?P<y>(?:19|20)\d{2})[-/.](?P<m>1[0-2]|0?[1-9])[-/.]"
               r"(?P<d>3[01]|[12]\d|0?[1-9])(?!\d)"),
    re.compile(rf"(?:{_Y})?{_M}{_D}{_RANGE_SEP}(?:(?P<m2>{_MONTH})月)?(?P<d2>{_DAY})[日号]"),
    re.compile(rf"{_Y}{_M}{_D}"),
    re.compile(rf"(?:{_Y}|{_REL})?(?P<m>1[0-2]|0?[1-9])月?{_RANGE_SEP}"
               rf"(?P<m2>1[0-2]|0?[1-9])月份?(?!龄)"),
    re.compile(rf"(?P<y>(?:19|20)\d{{2}})年?{_RANGE_SEP}(?P<y2>(?:19|20)\d{{2}})年"),
    re.compile(rf"(?:{_Y}|{_REL})?(?P<half>{'|'.join(sorted(_HALVES, key=len, reverse=True))})"),
    re.compile(rf"{_Y}{_M}"),
    re.compile(rf"{_REL}{_M}(?:{_D})?"),
    re.compile(rf"(?<![\d.]){_M}{_D}"),
    re.compile(rf"{_Y}度?"),
    re.compile(_REL),
    re.compile(r"(?P<day>今天|今日|昨天|昨日|前天)"),
    re.compile(rf"(?<![\d.个第]){_M}(?!龄)"),
    # A day of the report's month, as news writes it: `15日上午`, `3日，`.
    re.compile(rf"(?<![\d.月]){_D}(?=[，,、上下中晚凌早起前至到当])"),
]
# Times of day are not figures: 晚上9时许, 7点多, 21:30. A measured 14小时 is.
_TIME_OF_DAY = re.compile(
    r"(?:凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜间|当晚|当天)?(?<![\d.])(?:[01]?\d|2[0-4])"
    r"(?:[:：][0-5]\d|[时点](?:[0-5]?\d分|半)?(?:许|左右|多)?)(?![\d个钟])"
)


@dataclass(frozen=True)
class _Date:
    start: int
    end: int
    first: dt.date  # first day the expression covers
    last: dt.date  # last day
    text: str  # as a Period: 2023-11-15, 2023-07, 2023-01/2023-10, 2021


def _month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _month_last(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


_AHEAD = dt.timedelta(days=92)  # a date without its year is at most this far past the report


def _number(numeral: str) -> int:
    """A year, month or day in Arabic or Chinese numerals; a Chinese year digit by digit."""
    if numeral.isdigit() and numeral.isascii():
        return int(numeral)
    if len(numeral) == 4 and "十" not in numeral:
        return int(numeral.translate(str.maketrans("〇零一二三四五六七八九", "00123456789")))
    return int(parse_quantity(numeral).value)


def _resolve(m: re.Match[str], report: dt.date) -> _Date | None:
    """A date expression as the period it names, a year left out taken from the report:
    the nearest such date that is not months after it."""
    groups = {k: (v if k in ("rel", "half", "day") else _number(v))
              for k, v in m.groupdict().items() if v}
    if "d" in groups and "m" not in groups:  # 15日: a day of the report's month or the last
        day = report.replace(day=1)
        if groups["d"] > report.day:
            day = (day - dt.timedelta(days=1)).replace(day=1)
        groups["m"], groups["y"] = day.month, day.year
    if groups.get("day"):
        day = report - dt.timedelta(days=_RELATIVE_DAYS[groups["day"]])
        return _Date(m.start(), m.end(), day, day, day.isoformat())
    year_given = groups.get("y")
    if groups.get("y2"):
        y1, y2 = groups["y"], groups["y2"]
        if y1 > y2:
            return None
        return _Date(m.start(), m.end(), dt.date(y1, 1, 1), dt.date(y2, 12, 31), f"{y1}/{y2}")
    if year_given:
        year = year_given
    elif groups.get("rel"):
        year = report.year + _RELATIVE_YEARS[groups["rel"]]
    else:
        year = report.year
    try:
        if groups.get("half"):
            a, b = _HALVES[groups["half"]]
            return _Date(m.start(), m.end(), dt.date(year, a, 1), _month_last(year, b),
                         f"{_month_text(year, a)}/{_month_text(year, b)}")
        if groups.get("d2"):
            first = dt.date(year, groups["m"], groups["d"])
            last = dt.date(year, groups.get("m2", groups["m"]), groups["d2"])
            if last <= first:
                return None
            return _Date(m.start(), m.end(), first, last, f"{first}/{last}")
        if groups.get("m2"):
            a, b = groups["m"], groups["m2"]
            if a >= b:
                return None
            return _Date(m.start(), m.end(), dt.date(year, a, 1), _month_last(year, b),
                         f"{_month_text(year, a)}/{_month_text(year, b)}")
        guessed = not (year_given or groups.get("rel"))
        if groups.get("d"):
            day = dt.date(year, groups["m"], groups["d"])
            if guessed and day > report + _AHEAD:
                day = day.replace(year=year - 1)
            return _Date(m.start(), m.end(), day, day, day.isoformat())
        if groups.get("m"):
            month = groups["m"]
            if guessed and dt.date(year, month, 1) > report + _AHEAD:
                year -= 1
            return _Date(m.start(), m.end(), dt.date(year, month, 1), _month_last(year, month),
                         _month_text(year, month))
        return _Date(m.start(), m.end(), dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}")
    except ValueError:  # 2月30日: not a calendar date, so not a date
        return None


def find_dates(text: str, report: dt.date) -> list[_Date]:
    """Every date expression of the text, resolved against the report's date, left to right."""
    taken: list[_Date] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < d.end and d.start < m.end() for d in taken):
                continue
            if (date := _resolve(m, report)) is not None:
                taken.append(date)
    return sorted(taken, key=lambda d: d.start)


_FULL_DATE = re.compile(
    rf"({_YEAR})\s*(?:年\s*({_MONTH})\s*月\s*({_DAY})\s*日"
    r"|[-/.](1[0-2]|0?[1-9])[-/.](3[01]|[12]\d|0?[1-9])(?!\d))"
)
_DATE_LABEL = re.compile(r"(?:发布|印发|报送|日期|时间|发稿)[^\n\d]{0,6}$")


def report_date(text: str) -> dt.date | None:
    """The date a report gives itself: a full date on a line of its own (a header or the date
    under the signature) or after 日期/发布时间; else the first full date of the text."""
    found = []
    for m in _FULL_DATE.finditer(text):
        try:
            day = dt.date(_number(m[1]), _number(m[2] or m[4]), _number(m[3] or m[5]))
        except ValueError:
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line = text[line_start:line_end if line_end >= 0 else len(text)].strip(" \t（）()")
        alone = line == m[0].strip() or bool(_DATE_LABEL.search(text[line_start:m.start()]))
        found.append((not alone, m.start(), day))
    return min(found)[2] if found else None


# --- what is not a figure ----------------------------------------------------------------

_DURATION_UNITS = {"minute", "hour", "day", "week", "month", "year"}
_PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{3,4}-\d{3,4}-\d{4}"
                    r"|\d{17}[\dXx]|\d{15})(?!\d)")
_LIST_NUMBER = re.compile(r"(?:^|\n)[ \t　]*[(（]?$")
_QUOTES = {"“": "”", "‘": "’", "《": "》", "「": "」"}
_SLOGAN_MAX = 8  # a quoted number this short is a name or slogan (“三个高地”), not a figure


def masks(text: str, dates: list[_Date]) -> list[tuple[int, int, str]]:
    """Stretches of the text whose numbers are never figures, with the reason."""
    return ([(d.start, d.end, "date") for d in dates]
            + [(m.start(), m.end(), "time of day") for m in _TIME_OF_DAY.finditer(text)]
            + [(m.start(), m.end(), "phone or ID number") for m in _PHONE.finditer(text)])


def not_a_figure(text: str, start: int, end: int, quantity: Quantity,
                 masked: list[tuple[int, int, str]]) -> str | None:
    """Why a number found in the text is no figure, in a word, or None for a figure."""
    printed = text[start:end]
    before, after = text[max(0, start - 12):start], text[end:end + 4]
    numeral = re.search(r"[\d.,]+|[〇零一二两三四五六七八九十百千万亿]+", printed)[0]
    if reason := next((why for a, b, why in masked if start < b and a < end), None):
        return reason
    if re.search(r"[A-Za-z][-_]?$", before) or re.match(r"[A-Za-z]", after):
        return "part of a name or code"  # H3N2, 3C, COVID-19
    if before.endswith(("第", "初")) or (
            re.search(r"(?:周|星期|礼拜)$", before) and numeral in "一二三四五六日天"):
        return "ordinal"  # 第十届, 初三, 周一
    if re.search(r"(?:每|数|几|若干|(?<!以)上)$", before):
        return "not a count"  # 每一年, 数十人
    if _LIST_NUMBER.search(before) and re.match(r"[、.．)）]", after):
        return "list numbering"
    if (re.match(r"[制式型]|行动|规划|计划", after)
            or (printed.endswith("株") and after.startswith("洲"))
            or (printed.endswith("期") and re.match(r"工程|项目", after))):
        return "part of a name"  # 三人制, 二期工程, 三年行动计划, 3株洲…
    if re.match(r"\d|单元|号|楼|室|层", after) and quantity.unit in ("building", "count"):
        return "address"  # 15栋3单元
    if quantity.unit == "count" and not re.search(r"\d[.\d]*[万亿]", printed):
        return "no unit"  # a bare number: numbering, codes, a year standing alone
    if numeral == "一" and quantity.qualifier == "exact" and (
            quantity.unit not in _DURATION_UNITS or re.match(r"以?来|[上中下晚早夜]", after)):
        return "indefinite article"  # 一名工人, 一次考验, 一年来, 一天下午; 一周 is a duration
    if re.search(r"(?:排名|排|位列|居)?前$", before) and quantity.unit == "person":
        return "a rank"  # 前3名
    if numeral in ("百", "千", "万", "亿") and quantity.qualifier == "exact":
        return "idiom"  # 千家万户, 万人空巷; 百余家 is qualified and stays
    if _in_short_quote(text, start, end):
        return "slogan or title"
    return None


def _in_short_quote(text: str, start: int, end: int) -> bool:
    for opening, closing in _QUOTES.items():
        left = text.rfind(opening, max(0, start - 40), start)
        if left < 0 or text.rfind(closing, left, start) >= 0:
            continue
        right = text.find(closing, end, end + 40)
        if right >= 0 and (opening == "《" or right - left - 1 <= _SLOGAN_MAX):
            return True
    return False


# --- words around a figure ---------------------------------------------------------------

_COUNTED = {"count", "persons", "organizations", "households", "person_times", "prefectures"}
_SENTENCE_END = "。！？；!?;\n"
_CLAUSE_END = _SENTENCE_END + "，,：:（）()"  # before a figure 查找企业、群众问题 is one phrase
_FILLERS = re.compile(r"^(?:其中|并且|并|共有|共|已经|已|还|将|均|为|有|达|是|的|了|等)+|(?:共有|共计|共|为|有|的|了|等|是|已)+$")
_QUOTE_CHARS = re.compile(r"[“”‘’\"'《》「」#\s]")
_DATED = re.compile(r"^.*\d[年月日号]?(?:份|底|初|末|[上中下]+旬)?")  # 于11月中下旬开展 → 开展


_REACH = 400  # no sentence is longer: the search for its ends stops there


def _bounds(text: str, start: int, end: int, stops: str) -> tuple[int, int]:
    """The sentence or clause around text[start:end], by the characters that end one."""
    low, high = max(0, start - _REACH), min(len(text), end + _REACH)
    left = max(max(text.rfind(c, low, start) for c in stops) + 1, low)
    rights = [i for c in stops if (i := text.find(c, end, high)) >= 0]
    return left, min(rights, default=high)


@dataclass(frozen=True)
class _Context:
    near: str  # the words that name what the figure counts
    sentence: str  # the sentence up to the figure, and the words right after it
    label: str


def _context(text: str, spans: list[tuple[int, int]], index: int, unit: str) -> _Context:
    """The words that say what a figure measures. Between two figures of one clause the
    words go with the first (`1场选拔赛54场海选赛`) unless the second has none after it.
    A count's label is the noun after its measure word (`3个驿站`), else the words before."""
    start, end = spans[index]
    clause_start, _ = _bounds(text, start, end, _CLAUSE_END)
    _, clause_end = _bounds(text, start, end, _CLAUSE_END + "、")  # 126个、居民: the 居民 is not its
    sentence_start, _ = _bounds(text, start, end, _SENTENCE_END)
    prev_end = spans[index - 1][1] if index else -1
    nxt = spans[index + 1][0] if index + 1 < len(spans) else len(text)
    after = text[end:min(clause_end, nxt)]
    before = text[max(clause_start, prev_end):start]
    if prev_end > clause_start and after.strip():
        before = ""  # the words since the last figure are that figure's noun
    before_words = _FILLERS.sub("", _DATED.sub("", _QUOTE_CHARS.sub("", before)))
    after_words = _FILLERS.sub("", _QUOTE_CHARS.sub("", after))
    counted = UNITS[unit].dimension in _COUNTED and UNITS[unit].zh not in ("", "%")
    if after_words and (counted or len(before_words) < 3):
        label = after_words[:8]
    else:
        label = before_words[-10:]
    if not label and prev_end > clause_start:  # `4216户7032人`: the words before both
        label = _FILLERS.sub("", _QUOTE_CHARS.sub("", text[clause_start:start]))
        label = re.sub(r"[\d.,]+\S?", "", label)[-10:]
    return _Context(near=before + after, sentence=text[sentence_start:start] + after,
                    label=label.strip("、"))


def phrase_around(text: str, start: int, end: int) -> str:
    """At most 20 characters of the figure's sentence around it, more before than after:
    what names a figure mostly stands before it."""
    sentence_start, sentence_end = _bounds(text, start, end, _SENTENCE_END)
    while sentence_start < start and text[sentence_start] in "# \t":
        sentence_start += 1
    if end - start >= PHRASE_MAX:
        return text[start:start + PHRASE_MAX]
    room = PHRASE_MAX - (end - start)
    after = min(sentence_end - end, room // 3)
    left = max(sentence_start, start - (room - after))
    right = min(sentence_end, end + room - (start - left))
    phrase = text[left:right]
    stripped = phrase.lstrip("，,、。；;：: \t#")
    return stripped.rstrip("，,、；;：: \t")


# --- the catalogue -----------------------------------------------------------------------

def _subsequence_span(term: str, text: str) -> int | None:
    """The length of the shortest stretch of text holding the term's characters in order."""
    best = None
    for i, char in enumerate(text):
        if char != term[0]:
            continue
        pos = i
        for following in term[1:]:
            pos = text.find(following, pos + 1)
            if pos < 0:
                break
        else:
            span = pos - i + 1
            best = span if best is None else min(best, span)
    return best


def _term_score(term: str, near: str, sentence: str) -> float:
    """How well a metric's word fits the words around a figure: whole word near it, whole
    word in its sentence, its characters in order near it or in its sentence."""
    if term in near:
        return 1.0
    if term in sentence:
        return 0.75 if len(term) >= 3 else 0.45  # a short word far off is weak evidence
    for window, weight in ((near, 0.8), (sentence, 0.55)):
        span = _subsequence_span(term, window)
        if span is not None and span <= 4 * len(term):
            return weight * (0.7 + 0.3 * len(term) / span)
    return 0.0


_ABBREVIATIONS = {
    "疾病预防控制中心": "疾控中心", "人力资源和社会保障局": "人社局",
    "发展和改革委员会": "发改委", "住房和城乡建设局": "住建局",
    "城市管理和综合执法局": "城管局", "救助管理站": "救助站", "市政工程中心": "市政中心",
    "人民政府": "政府", "卫生健康委员会": "卫健委", "市场监督管理局": "市场监管局",
}
# 湖南省…, 株洲市…: the province or city a government department's name starts with.
_ADMIN_PREFIX = re.compile(r"^[\u4e00-\u9fff]{2,3}?[省市](?=[\u4e00-\u9fff]{2})")
_COMPANY_SUFFIX = re.compile(r"(?:股份有限公司|有限责任公司|科技有限公司|有限公司)$")


def department_names(name: str) -> set[str]:
    """The ways a report may write a department: 株洲市疾病预防控制中心 is also 市疾控中心,
    湖南铂威新能源科技有限公司 also 铂威新能源, 株洲市公安局芦淞分局 also 芦淞公安分局."""
    names = {name}
    m = re.fullmatch(r"(.*)公安局(.+)分局", name)
    if m:
        names |= {f"{m[2]}公安分局", f"{m[2]}分局"}
    for full, short in _ABBREVIATIONS.items():
        names |= {n.replace(full, short) for n in list(names)}
    for n in list(names):
        if place := _ADMIN_PREFIX.match(n):
            local = n[place.end():]
            names |= {local, place[0][-1] + local}  # 民政局 in a list, 市民政局
        if _COMPANY_SUFFIX.search(n):
            bare = _COMPANY_SUFFIX.sub("", n)
            names |= {bare, bare[2:]}  # a company's brand follows its place: 铂威新能源
    return {n for n in names if len(n) >= 3}


def _program_names(program: Program) -> set[str]:
    name = program.name.zh
    names = {re.sub(r"[“”\"《》]", "", name)} | set(re.findall(r"“([^”]{3,})”", name))
    names |= {n[place.end():] for n in names if (place := _ADMIN_PREFIX.match(n))}
    names |= {re.sub(r"^\d{4}年", "", n) for n in names}
    return {n for n in names if len(n) >= 4}


@dataclass(frozen=True)
class Catalogue:
    """What the extractor matches against, built once from a dataset."""

    dataset: Dataset
    department_pattern: re.Pattern[str] | None
    department_by_name: dict[str, str]
    program_names: dict[str, set[str]]
    programs_by_metric: dict[str, set[str]]
    reporting: dict[str, set[str]]  # a program's lead and the departments of its figures

    @classmethod
    def of(cls, dataset: Dataset) -> Catalogue:
        by_name: dict[str, str] = {}
        for department in dataset.departments:
            for variant in department_names(department.name.zh):
                by_name.setdefault(variant, department.id)
        words = sorted(by_name, key=len, reverse=True)
        pattern = re.compile("|".join(map(re.escape, words))) if words else None
        programs_by_metric: dict[str, set[str]] = {}
        reporting = {p.id: {p.lead} for p in dataset.programs}
        for figure in dataset.figures:
            programs_by_metric.setdefault(figure.metric, set()).add(figure.program)
            reporting.setdefault(figure.program, set()).add(figure.department)
        return cls(dataset, pattern, by_name,
                   {p.id: _program_names(p) for p in dataset.programs}, programs_by_metric,
                   reporting)

    def departments_in(self, text: str) -> list[tuple[int, str]]:
        if self.department_pattern is None:
            return []
        return [(m.start(), self.department_by_name[m[0]])
                for m in self.department_pattern.finditer(text)]

    def metric_for(self, quantity: Quantity, context: _Context) -> tuple[str | None, float, str]:
        """The metric whose label or synonym fits best, its confidence and the word that fit."""
        dimension = UNITS[quantity.unit].dimension
        best: tuple[float, int, str, str] = (0.0, 0, "", "")
        for metric in self.dataset.metrics:
            if metric.dimension != dimension:
                continue
            for term in [metric.label.zh, *metric.synonyms]:
                score = _term_score(term, context.near, context.sentence)
                best = max(best, (score, len(term), metric.id, term))
        score, _, metric_id, term = best
        if score < _MIN_CONFIDENCE:
            return None, 0.0, ""
        return metric_id, round(score, 2), term


# --- putting it together -----------------------------------------------------------------

def _sections(text: str, deepest: int) -> list[tuple[int, int]]:
    """Articles or chapters: a Markdown heading (or a Word heading) down to `deepest` starts one."""
    starts = [0] + [m.start() for m in re.finditer(rf"(?m)^#{{1,{deepest}}} ", text)]
    return [(a, b) for a, b in zip(starts, [*starts[1:], len(text)]) if b > a]


def _around(sections: list[tuple[int, int]], start: int) -> tuple[int, int]:
    return next((a, b) for a, b in sections if a <= start < b)


def _program_for(catalogue: Catalogue, metric: str | None, metric_conf: float,
                 section: str, mentioned: set[str]) -> tuple[str | None, float]:
    """Program by its name in the article (0.5), its lead or a department reporting its figures
    (0.25) or another of its departments (0.1) named there, and the metric among its figures
    (0.3 × the metric's confidence)."""
    best: tuple[float, str] = (0.0, "")
    for program in catalogue.dataset.programs:
        score = 0.0
        if metric and program.id in catalogue.programs_by_metric.get(metric, set()):
            score += 0.3 * metric_conf
        if any(name in section for name in catalogue.program_names[program.id]):
            score += 0.5
        if mentioned & catalogue.reporting[program.id]:
            score += 0.25
        elif mentioned & set(program.participants):
            score += 0.1
        if round(score, 2) > best[0]:
            best = (round(score, 2), program.id)
    # A metric alone does not make a program: the article must name it or its departments.
    return (best[1], best[0]) if best[0] >= 0.45 else (None, 0.0)


def _department_for(text: str, start: int, mentions: list[tuple[int, str]],
                    section: tuple[int, int]) -> tuple[str | None, float]:
    """The department named nearest before the figure: in its sentence, paragraph or article."""
    sentence_start, sentence_end = _bounds(text, start, start, _SENTENCE_END)
    paragraph_start = text.rfind("\n\n", 0, start) + 1
    before = [(pos, dept) for pos, dept in mentions if section[0] <= pos < start]
    if before:
        pos, dept = before[-1]
        confidence = 0.8 if pos >= sentence_start else 0.6 if pos >= paragraph_start else 0.45
        return dept, confidence
    after = [(pos, dept) for pos, dept in mentions if start <= pos < sentence_end]
    return (after[0][1], 0.5) if after else (None, 0.0)


_SINCE = re.compile(r"(?:从|自)$")
_COMPARED = re.compile(r"(?:较|比|与|同比|环比|相比|比上)$")  # 较去年: a base, not the period
_SINCE_AFTER = re.compile(r"^(?:起|以来|开始|启动|至今)")
_UNTIL = re.compile(r"(?:截至|截止到|截止|截至到|到|至)$")
_NOW = re.compile(r"截至目前|截止目前|截至今日|至今|目前为止")


def _period_for(text: str, start: int, dates: list[_Date], report: dt.date) -> str:
    """The period of a figure: the dates of its sentence before it, resolved against the
    report's date; `从2018年5月…截至目前` is 2018-05 until the report's date."""
    sentence_start, _ = _bounds(text, start, start, _SENTENCE_END)
    since = until = plain = None
    for date in dates:
        if not (sentence_start <= date.start < start):
            continue
        lead, tail = text[max(0, date.start - 4):date.start], text[date.end:date.end + 3]
        if _COMPARED.search(lead):
            continue
        if _SINCE.search(lead) or _SINCE_AFTER.match(tail):
            since = date
        elif _UNTIL.search(lead):
            until = date
        else:
            plain = date
    if _NOW.search(text[sentence_start:start]) and until is None:
        end_text = report.isoformat()
    else:
        end_text = None
    if since is not None:
        last = until.text.split("/")[-1] if until else end_text or report.isoformat()
        first = since.text.split("/")[0]
        return first if first == last else f"{first}/{last}"
    if until is not None:
        return until.text
    if plain is not None:
        return plain.text
    return end_text or report.isoformat()


def extract(text: str, dataset: Dataset | None = None,
            date: dt.date | None = None) -> list[ProposedFigure]:
    """The figures a report states, each with its label, phrase, period and best guesses of
    program, metric and department from the catalogue. `date` defaults to the date the
    report gives itself, else today."""
    text = normalize_text(text)
    report = date or report_date(text) or dt.date.today()
    catalogue = Catalogue.of(dataset) if dataset is not None else None
    dates = find_dates(text, report)
    masked = masks(text, dates)
    found = [(s, e, q) for s, e, q in find_quantities(text)
             if not_a_figure(text, s, e, q, masked) is None]
    spans = [(s, e) for s, e, _ in found]
    mentions = catalogue.departments_in(text) if catalogue else []
    # A figure's own section first (### 小标题), then its article (## 标题) for what it names.
    sections, articles = _sections(text, 6), _sections(text, 2)
    proposals = []
    for index, (start, end, quantity) in enumerate(found):
        context = _context(text, spans, index, quantity.unit)
        places = (_around(sections, start), _around(articles, start))
        match = _match(catalogue, text, start, quantity, context, places, mentions)
        proposals.append(ProposedFigure(
            label=match.label or context.label, phrase=phrase_around(text, start, end),
            reported=text[start:end], quantity=quantity,
            period=_period_for(text, start, dates, report), program=match.program,
            metric=match.metric, department=match.department,
            confidence=match.confidence, start=start, end=end))
    return proposals


@dataclass(frozen=True)
class _Match:
    program: str | None = None
    metric: str | None = None
    department: str | None = None
    confidence: dict[str, float] = field(
        default_factory=lambda: {"program": 0.0, "metric": 0.0, "department": 0.0})
    label: str = ""  # the catalogue's word where the text writes it next to the figure


def _match(catalogue: Catalogue | None, text: str, start: int, quantity: Quantity,
           context: _Context, places: tuple[tuple[int, int], tuple[int, int]],
           mentions: list[tuple[int, str]]) -> _Match:
    """Metric by the words around the figure; program by its section, else its article;
    department by the names before it, else the program's lead."""
    if catalogue is None:
        return _Match()
    metric, metric_conf, term = catalogue.metric_for(quantity, context)
    program, program_conf = None, 0.0
    for a, b in dict.fromkeys(places):
        named = {dept for pos, dept in mentions if a <= pos < b}
        program, program_conf = _program_for(catalogue, metric, metric_conf, text[a:b], named)
        if program:
            break
    department, department_conf = _department_for(text, start, mentions, places[1])
    if program is not None and department_conf < 0.6:
        # Named only somewhere in the article, or not at all: the program's lead is likelier.
        lead = next(p.lead for p in catalogue.dataset.programs if p.id == program)
        department, department_conf = lead, max(department_conf, 0.3)
    return _Match(program, metric, department,
                  {"program": program_conf, "metric": metric_conf,
                   "department": department_conf},
                  term if len(term) >= 2 and term in context.near else "")


# --- the editor's review -------------------------------------------------------------------

TABLE_COLUMNS = ["keep", "label", "phrase", "reported", "period", "program", "metric",
                 "department", "confidence"]


def proposal_table(proposals: list[ProposedFigure]) -> list[dict[str, object]]:
    """One editable row per proposal; kept by default where program, metric and department
    are all guessed, and `confidence` the weakest of the three guesses."""
    return [{
        "keep": bool(p.program and p.metric and p.department), "label": p.label,
        "phrase": p.phrase, "reported": p.reported, "period": p.period,
        "program": p.program, "metric": p.metric, "department": p.department,
        "confidence": round(min(p.confidence.values()), 2),
    } for p in proposals]


def _cell(value: object) -> str:
    """A table cell as text: empty where pandas or the editor left nothing."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def proposals_to_rows(table: list[dict[str, object]]) -> list[tuple[int, dict[str, str]]]:
    """The kept rows of a reviewed table as the rows an upload gives intake.check, numbered
    as the table shows them; the phrase (at most 20 characters) locates the figure and the
    label becomes the note."""
    found = []
    for number, row in enumerate(table, start=1):
        if not row.get("keep"):
            continue
        found.append((number, {
            "program": _cell(row.get("program")), "metric": _cell(row.get("metric")),
            "reported": _cell(row.get("reported")), "period": _cell(row.get("period")),
            "department": _cell(row.get("department")),
            "locator": _cell(row.get("phrase"))[:PHRASE_MAX], "note": _cell(row.get("label")),
        }))
    return found
