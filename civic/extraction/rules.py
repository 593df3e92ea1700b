"""What a number in a report's text is: a figure, or not one and why (a reason code each
language renders), and the words around a figure that say what it measures.

Every rule looks at a bounded stretch of text around the number, so reading a report is
linear in its length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from civic.quantities import UNITS, Qualifier, Quantity

# Why a number is not proposed; civic/locales/extraction.*.yaml renders each (extract.skip.*).
REASONS = (
    "date", "event_days", "time_of_day", "phone", "code", "ordinal", "vague", "list_number",
    "name", "address", "no_unit", "article", "rank", "idiom", "title", "campaign",
    "service_hours", "age_bound", "time_ref", "size_class",
)

_DURATION_UNITS = {"minute", "hour", "day", "week", "month", "year"}
_AGE_UNITS = {"month_of_age", "year_of_age"}
_PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{3,4}-\d{3,4}-\d{4}"
                    r"|\d{17}[\dXx]|\d{15}"
                    r"|(?:123\d\d|11[049]|12[02])(?=[\u4e00-\u9fff]{0,6}(?:热线|电话|平台|报警|急救)))"
                    r"(?!\d)")
# Times of day are not figures: 晚上9时许, 7点多, 21:30. A measured 14小时 is.
_TIME_OF_DAY = re.compile(
    r"(?:凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜间|当晚|当天)?(?<![\d.])(?:[01]?\d|2[0-4])"
    r"(?:[:：][0-5]\d|[时点](?:[0-5]?\d分|半)?(?:许|左右|多)?)(?![\d个钟])"
)
_LIST_NUMBER = re.compile(r"(?:^|\n)[ \t　]*[(（]?$")
_QUOTES = {"“": "”", "‘": "’", "《": "》", "「": "」"}
_SLOGAN_MAX = 8  # a quoted number this short is a name or slogan (“三个高地”), not a figure

# A campaign's own length is no KPI: 为期5个月, 历时四个半月, 3个月的专项行动.
_CAMPAIGN_BEFORE = re.compile(r"(?:为期|历时|时间为期|行动时间为|活动时间为|周期为|期限为|假期|长假)$")
_CAMPAIGN_AFTER = re.compile(r"^的?(?:专项|集中|攻坚|行动|活动|整治|宣传|排查|大走访)")
# A service's hours: 24小时值班, 24小时热线; 24小时内办结 is a time limit and stays.
_SERVICE_AFTER = re.compile(r"^[\u4e00-\u9fff]{0,4}?(?:不间断|全天候|值班|值守|热线|服务|在线|畅通|"
                            r"开放|运行|营业|接听|受理|巡逻|巡查|待命|监测|响应|守护|轮班)")
_SERVICE_BEFORE = re.compile(r"(?:实行|实施|提供|开通|全天|7[×xX*]|每天|每日|全年)$")
# An age that bounds a group: 6月龄—3岁, 60岁以上老人, 3岁以下婴幼儿; 16岁时进厂 is a figure.
_AGE_GROUP_AFTER = re.compile(r"^(?:[-—–~至到]+|的?(?:儿童|幼儿|婴幼儿|婴儿|老人|老年人|人群|"
                              r"居民|群众|孩子|学生|青少年|妇女|人员|之间|适龄))")
_AGE_RANGE_BEFORE = re.compile(r"(?:月龄|岁)[-—–~至到]+$")
# A time reference, not an amount: 这一周, 这两天, 前两天, 两天后, 过去一年.
_TIME_REF_BEFORE = re.compile(r"(?:这|那|这几|那几|最近|过去的?|头|(?<!提)前)$")
_TIME_REF_AFTER = re.compile(r"^(?:前|后|之前|之后|以后|里)")
# The bounds of a size class: `5亿至10亿元项目8个` counts projects; the money names the class.
_SIZE_CLASS_AFTER = re.compile(r"^(?:以上|以下|及以上|以内)?的?[^\d，。；,;、（）]{0,6}?"
                               r"(?:项目|企业|工程|单位|工业企业)[^\d，。；,;（）]{0,4}?"
                               r"[\d一二两三四五六七八九十百千]")


class DateLike(Protocol):
    start: int
    end: int

    @property
    def days(self) -> bool: ...


class Masks:
    """Stretches of the text whose numbers are never figures, with the reason: dates, times of
    day, phone and ID numbers. One byte a character, so a lookup costs the figure's length."""

    def __init__(self, text: str, dates: list[DateLike]):
        self.held = bytearray(len(text))
        found = [(d.start, d.end, "event_days" if d.days else "date") for d in dates]
        found += [(m.start(), m.end(), "time_of_day") for m in _TIME_OF_DAY.finditer(text)]
        found += [(m.start(), m.end(), "phone") for m in _PHONE.finditer(text)]
        self.spans = []
        for start, end, reason in found:
            if self.held.find(1, start, end) >= 0:
                continue
            self.held[start:end] = b"\x01" * (end - start)
            self.spans.append((start, end, reason))
        self.spans.sort()
        self._reason_at = {}
        for start, end, reason in self.spans:
            self._reason_at[start] = (end, reason)

    def around(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """The mask a number standing at text[start:end] falls in, if any."""
        at = self.held.find(1, start, end)
        if at < 0:
            return []
        while at not in self._reason_at:  # back to the mask's first character
            at -= 1
        return [(at, *self._reason_at[at])]

    def reason(self, start: int, end: int) -> str | None:
        """Why a number standing at text[start:end] is masked, or None."""
        found = self.around(start, end)
        return found[0][2] if found else None


def not_a_figure(text: str, start: int, end: int, quantity: Quantity,  # noqa: C901 - a list of rules, each a test
                 masks: Masks) -> str | None:
    """Why a number found in the text is no figure, as a reason code, or None for a figure."""
    printed = text[start:end]
    before, after = text[max(0, start - 12):start], text[end:end + 12]
    numeral = re.search(r"[\d.,]+|[〇零一二两三四五六七八九十百千万亿]+", printed)[0]
    unit, qualifier = quantity.unit, quantity.qualifier
    if reason := masks.reason(start, end):
        return reason
    if unit == "day" and printed.endswith("日") and not printed.endswith("工作日"):
        return "event_days" if qualifier is Qualifier.RANGE else "date"  # 14-16日, 3日
    if re.search(r"[A-Za-z][-_]?$", before) or re.match(r"[A-Za-z]", after):
        return "code"  # H3N2, 3C, COVID-19
    if before.endswith(("第", "初")) or (
            re.search(r"(?:周|星期|礼拜)$", before) and numeral in "一二三四五六日天"):
        return "ordinal"  # 第十届, 初三, 周一
    if re.search(r"(?:每|几|若干|(?<!以)上)$", before) or (
            before.endswith("数") and not numeral[0].isdigit()):
        return "vague"  # 每一年, 数十人; 问题数14个 is a label and its figure
    if _LIST_NUMBER.search(before) and re.match(r"[、.．)）]", after):
        return "list_number"
    if (re.match(r"[制式型]|行动|规划|计划", after)
            or (printed.endswith("株") and after.startswith("洲"))
            or (printed.endswith("期") and re.match(r"工程|项目", after))):
        return "name"  # 三人制, 二期工程, 三年行动计划, 3株洲…
    if re.match(r"\d|单元|号|楼|室|层", after) and unit in ("building", "count"):
        return "address"  # 15栋3单元
    if unit == "count" and re.search(r"(?:热线|电话|号码|拨打)[:：]?$", before):
        return "phone"  # 服务热线12345
    if unit == "count" and not re.search(r"\d[.\d]*[万亿]", printed):
        return "no_unit"  # a bare number: numbering, codes, a year standing alone
    if numeral == "一" and qualifier is Qualifier.EXACT and (
            unit not in _DURATION_UNITS or re.match(r"以?来|[上中下晚早夜]", after)):
        return "article"  # 一名工人, 一次考验, 一年来, 一天下午; 一周 is a duration
    if re.search(r"(?:排名|排|位列|居)?前$", before) and unit == "person":
        return "rank"  # 前3名
    if numeral in ("百", "千", "万", "亿") and qualifier is Qualifier.EXACT:
        return "idiom"  # 千家万户, 万人空巷; 百余家 is qualified and stays
    if _in_short_quote(text, start, end):
        return "title"
    if unit in _DURATION_UNITS:
        if _CAMPAIGN_BEFORE.search(before) or _CAMPAIGN_AFTER.match(after):
            return "campaign"
        if (unit == "hour" and quantity.value == 24 and not re.match(r"内|以内|之内", after)
                and (_SERVICE_AFTER.match(after) or _SERVICE_BEFORE.search(before))):
            return "service_hours"
        if _TIME_REF_BEFORE.search(before) or _TIME_REF_AFTER.match(after):
            return "time_ref"
    if unit in _AGE_UNITS and (qualifier is not Qualifier.EXACT
                               or _AGE_GROUP_AFTER.match(after)
                               or _AGE_RANGE_BEFORE.search(before)):
        return "age_bound"
    if unit == "CNY" and _SIZE_CLASS_AFTER.match(after):
        return "size_class"
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
SENTENCE_END = "。！？；!?;\n"
_CLAUSE_END = SENTENCE_END + "，,：:（）()"  # before a figure 查找企业、群众问题 is one phrase
_FILLERS = re.compile(r"^(?:其中|并且|并|共计|累计|合计|总计|共有|共|已经|还|将|均|为|有|达到|达|"
                      r"是|的|了|等)+|(?:共有|共计|共|为|有|的|了|等|是|已|达到|达)+$")
_QUOTE_CHARS = re.compile(r"[“”‘’\"'《》「」#\s]")
_DATED = re.compile(r"^.*\d[年月日号]?(?:份|底|初|末|[上中下]+旬)?")  # 于11月中下旬开展 → 开展
_REACH = 400  # no sentence is longer: the search for its ends stops there


def bounds(text: str, start: int, end: int, stops: str) -> tuple[int, int]:
    """The sentence or clause around text[start:end], by the characters that end one."""
    low, high = max(0, start - _REACH), min(len(text), end + _REACH)
    left = max(max(text.rfind(c, low, start) for c in stops) + 1, low)
    rights = [i for c in stops if (i := text.find(c, end, high)) >= 0]
    return left, min(rights, default=high)


@dataclass(frozen=True)
class Context:
    near: str  # the words that name what the figure counts
    sentence: str  # the sentence up to the figure, and the words right after it
    label: str
    lead: str = ""  # the two characters right before it: 省1个月


def context(text: str, spans: list[tuple[int, int]], index: int, unit: str,
            start_of: int | None = None) -> Context:
    """The words that say what a figure measures. Between two figures of one clause the
    words go with the first (`1场选拔赛54场海选赛`) unless the second has none after it.
    A count's label is the noun after its measure word (`3个驿站`), else the words before;
    `发现问题数：14项` is labelled by the words before the colon. `start_of` moves the label's
    start back over a size class (`5亿至10亿元项目8个`)."""
    start, end = spans[index]
    clause_start, _ = bounds(text, start, end, _CLAUSE_END)
    _, clause_end = bounds(text, start, end, _CLAUSE_END + "、")  # 126个、居民: the 居民 is not its
    sentence_start, _ = bounds(text, start, end, SENTENCE_END)
    prev_end = spans[index - 1][1] if index else -1
    nxt = spans[index + 1][0] if index + 1 < len(spans) else len(text)
    after = text[end:min(clause_end, nxt)]
    if start_of is not None:
        before = text[start_of:start]
    else:
        before = text[max(clause_start, prev_end):start]
        if prev_end > clause_start and after.strip():
            before = ""  # the words since the last figure are that figure's noun
        elif not before.strip(" \t") and text[clause_start - 1:clause_start] in "：:":
            colon = clause_start - 1
            label_start, _ = bounds(text, colon, colon, _CLAUSE_END.replace("：:", ""))
            before = text[max(label_start, prev_end):colon]
    if start_of is not None:
        before_words = _FILLERS.sub("", _QUOTE_CHARS.sub("", before))
    else:
        before_words = _FILLERS.sub("", _DATED.sub("", _QUOTE_CHARS.sub("", before)))
    after_words = _FILLERS.sub("", _QUOTE_CHARS.sub("", after))
    counted = UNITS[unit].dimension in _COUNTED and UNITS[unit].zh not in ("", "%")
    if start_of is None and after_words and (counted or len(before_words) < 3):
        label = after_words[:8]
    else:
        label = before_words[-12:]
    if not label and prev_end > clause_start:  # `4216户7032人`: the words before both
        label = _FILLERS.sub("", _QUOTE_CHARS.sub("", text[clause_start:start]))
        label = re.sub(r"[\d.,]+\S?", "", label)[-10:]
    return Context(near=before + after, sentence=text[sentence_start:start] + after,
                   label=label.strip("、：:"), lead=text[max(clause_start, start - 2):start])


PHRASE_MAX = 20


def phrase_around(text: str, start: int, end: int) -> str:
    """At most 20 characters of the figure's sentence around it, more before than after:
    what names a figure mostly stands before it."""
    sentence_start, sentence_end = bounds(text, start, end, SENTENCE_END)
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
