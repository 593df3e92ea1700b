"""Units and the words that write them in Chinese news text: each unit's code, dimension and
symbols (元, 名, 公顷), the measure words and multipliers written after a number, how units of
one dimension convert exactly, and the qualifier words around a number (近, 多, 以上).
Parsing (civic/quantities.py) reads figures with these tables; nothing here parses.
"""

from __future__ import annotations

from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple


class Qualifier(StrEnum):
    """How the reported figure qualifies its number."""

    EXACT = "exact"  # 4023人次
    ABOUT = "about"  # 约7公顷, 350人左右
    NEARLY = "nearly"  # 近2亿元
    MORE_THAN = "more_than"  # 超20亿元, 逾
    AT_LEAST = "at_least"  # 630多名, 百余家, 3岁以上 (shown as "630+")
    UP_TO = "up_to"  # 可达30亿元, 最高
    RANGE = "range"  # 2周至4周, 6至35月龄
    # Only calculated values carry these: a bound divided by an approximate amount
    # (超20亿元 / 约7公顷 is more than about 2.9亿元 per hectare).
    MORE_THAN_ABOUT = "more_than_about"
    UP_TO_ABOUT = "up_to_about"
    LESS_THAN = "less_than"  # 不到100人, 不足


class Unit(NamedTuple):
    code: str
    dimension: str  # what metrics declare they measure, e.g. "money", "persons"
    zh: str
    en: str


UNITS: dict[str, Unit] = {
    unit.code: unit
    for unit in [
        Unit("CNY", "money", "元", "CNY"),
        Unit("person", "persons", "人", "persons"),
        Unit("person_time", "person_times", "人次", "person-times"),
        Unit("organization", "organizations", "家", "organizations"),
        Unit("prefecture", "prefectures", "个市州", "cities and prefectures"),
        Unit("count", "count", "", ""),
        Unit("item", "count", "项", ""),
        Unit("piece", "count", "个", ""),  # the noun is in the metric's label: 639个 problems
        Unit("entry", "count", "条", ""),
        Unit("issue", "count", "期", "sessions"),
        Unit("session", "count", "场", "sessions"),
        Unit("building", "count", "栋", "buildings"),
        Unit("kind", "count", "种", "kinds"),
        Unit("time", "count", "次", "times"),
        Unit("household", "households", "户", "households"),
        Unit("vehicle", "count", "辆", "vehicles"),
        Unit("set", "count", "套", "sets"),
        Unit("place", "count", "处", "places"),
        Unit("facility", "count", "座", ""),  # bridges, toilets, stations: noun in the label
        Unit("institution", "count", "所", ""),  # schools, hospitals
        Unit("machine", "count", "台", "units"),
        Unit("copy", "count", "份", "copies"),
        Unit("plant", "count", "株", "plants"),
        Unit("sheet", "count", "张", ""),  # beds, tickets, cards: the noun is in the label
        Unit("round", "count", "轮", "rounds"),
        Unit("batch", "count", "批", "batches"),
        Unit("article", "count", "篇", "articles"),
        Unit("volume", "count", "册", "volumes"),
        # Goods as relief and aid reports count them, each in its own measure word.
        Unit("quilt", "count", "床", "quilts"),
        Unit("box", "count", "箱", "boxes"),
        Unit("barrel", "count", "桶", "barrels"),
        Unit("bag", "count", "袋", "bags"),
        Unit("bottle", "count", "瓶", "bottles"),
        Unit("pack", "count", "盒", "packs"),
        Unit("pair", "count", "双", "pairs"),
        Unit("room", "count", "间", "rooms"),
        Unit("head", "count", "头", "head"),  # livestock: 生猪出栏38.5万头
        Unit("tent", "count", "顶", "tents"),
        Unit("dose", "count", "剂次", "doses"),
        Unit("t", "mass", "吨", "t"),
        Unit("kg", "mass", "公斤", "kg"),
        Unit("jin", "mass", "斤", "jin"),
        Unit("m2", "area", "平方米", "m²"),
        Unit("mu", "area", "亩", "mu"),
        Unit("ha", "area", "公顷", "ha"),
        Unit("km2", "area", "平方公里", "km²"),
        Unit("m", "length", "米", "m"),
        Unit("km", "length", "公里", "km"),
        Unit("minute", "duration", "分钟", "minutes"),
        Unit("hour", "duration", "小时", "hours"),
        Unit("day", "duration", "天", "days"),
        Unit("week", "duration", "周", "weeks"),
        Unit("month", "duration", "个月", "months"),
        Unit("year", "duration", "年", "years"),
        Unit("month_of_age", "age", "月龄", "months of age"),
        Unit("year_of_age", "age", "岁", "years of age"),
        Unit("percent", "ratio", "%", "%"),
        Unit("percentage_point", "ratio", "个百分点", "percentage points"),
        Unit("fold", "ratio", "倍", "times"),
    ]
}

# Measure words as written after the number → canonical unit code. A bare `月` is left
# out: `3月` is more often March than three months.
MEASURE_WORDS: dict[str, str] = {
    "元": "CNY",
    "名": "person",
    "人": "person",
    "位": "person",
    "个人": "person",
    "人次": "person_time",
    "家": "organization",
    "市州": "prefecture",
    "个市州": "prefecture",
    "项": "item",
    "个": "piece",
    "件": "item",
    "条": "entry",
    "期": "issue",
    "场": "session",
    "栋": "building",
    "种": "kind",
    "次": "time",
    "户": "household",
    "辆": "vehicle",
    "套": "set",
    "台": "machine",
    "处": "place",
    "份": "copy",
    "株": "plant",
    "棵": "plant",
    "张": "sheet",
    "轮": "round",
    "批": "batch",
    "篇": "article",
    "册": "volume",
    "本": "volume",
    "座": "facility",
    "所": "institution",
    "吨": "t",
    "公斤": "kg",
    "千克": "kg",
    "斤": "jin",
    "床": "quilt",
    "箱": "box",
    "桶": "barrel",
    "袋": "bag",
    "瓶": "bottle",
    "盒": "pack",
    "双": "pair",
    "间": "room",
    "头": "head",
    "顶": "tent",
    "剂次": "dose",
    "剂": "dose",
    "平方米": "m2",
    "平米": "m2",
    "亩": "mu",
    "公顷": "ha",
    "平方公里": "km2",
    "平方千米": "km2",
    "米": "m",
    "公里": "km",
    "千米": "km",
    "分钟": "minute",
    "小时": "hour",
    "个小时": "hour",
    "天": "day",
    "日": "day",
    "工作日": "day",
    "个工作日": "day",
    "周": "week",
    "星期": "week",
    "个星期": "week",
    "个月": "month",
    "年": "year",
    "月龄": "month_of_age",
    "岁": "year_of_age",
    "周岁": "year_of_age",
    "%": "percent",
    "个百分点": "percentage_point",
    "百分点": "percentage_point",
    "倍": "fold",
}

# Measure words that are a fraction of their canonical unit.
SCALED_WORDS: dict[str, tuple[str, Fraction]] = {
    "成": ("percent", Fraction(10)),  # 七成 is 70%
}

SURFACES: dict[str, tuple[str, Fraction]] = {
    **{word: (code, Fraction(1)) for word, code in MEASURE_WORDS.items()},
    **SCALED_WORDS,
}

# Size of each unit within a group of exactly interconvertible units. Units in different
# groups of one dimension (days and months) have no exact conversion.
SCALES: dict[str, tuple[str, Fraction]] = {
    "m2": ("area", Fraction(1)),
    "mu": ("area", Fraction(10_000, 15)),
    "ha": ("area", Fraction(10_000)),
    "km2": ("area", Fraction(1_000_000)),
    "kg": ("mass", Fraction(1)),
    "jin": ("mass", Fraction(1, 2)),
    "t": ("mass", Fraction(1_000)),
    "m": ("length", Fraction(1)),
    "km": ("length", Fraction(1_000)),
    "minute": ("clock", Fraction(1)),
    "hour": ("clock", Fraction(60)),
    "day": ("clock", Fraction(24 * 60)),
    "week": ("clock", Fraction(7 * 24 * 60)),
    "month": ("calendar", Fraction(1)),
    "year": ("calendar", Fraction(12)),
    "month_of_age": ("age", Fraction(1)),
    "year_of_age": ("age", Fraction(12)),
}

# Multipliers written between an Arabic number and its unit: `1.5万`, `10亿`, `3千`.
MULTIPLIERS: dict[str, Fraction] = {
    "百": Fraction(100),
    "千": Fraction(1_000),
    "万": Fraction(10**4),
    "百万": Fraction(10**6),
    "千万": Fraction(10**7),
    "亿": Fraction(10**8),
    "万亿": Fraction(10**12),
}

# Qualifier words before the number; the longest is matched first (`超过` before `超`).
PREFIXES: dict[str, Qualifier] = {
    "近": Qualifier.NEARLY,
    "将近": Qualifier.NEARLY,
    "接近": Qualifier.NEARLY,
    "约": Qualifier.ABOUT,
    "大约": Qualifier.ABOUT,
    "大概": Qualifier.ABOUT,
    "超": Qualifier.MORE_THAN,
    "超过": Qualifier.MORE_THAN,
    "超出": Qualifier.MORE_THAN,
    "逾": Qualifier.MORE_THAN,
    "至少": Qualifier.AT_LEAST,
    "可达": Qualifier.UP_TO,
    "高达": Qualifier.UP_TO,
    "最高": Qualifier.UP_TO,
    "最多": Qualifier.UP_TO,
    "不超过": Qualifier.UP_TO,
    "不到": Qualifier.LESS_THAN,
    "不足": Qualifier.LESS_THAN,
    "少于": Qualifier.LESS_THAN,
    "低于": Qualifier.LESS_THAN,
    "不少于": Qualifier.AT_LEAST,
    "不低于": Qualifier.AT_LEAST,
}

# Words before the number that say how it was counted, not how exact it is: `累计4023人次`,
# `达到62%` (reached: as exact as the number; `可达`, `高达` are upper bounds).
NEUTRAL_PREFIXES = ("累计", "共计", "合计", "总计", "达到", "达")

# Qualifier words after the unit: `350人左右`, `3岁以上`.
SUFFIXES: dict[str, Qualifier] = {
    "左右": Qualifier.ABOUT,
    "上下": Qualifier.ABOUT,
    "以上": Qualifier.AT_LEAST,
    "及以上": Qualifier.AT_LEAST,
    "以下": Qualifier.UP_TO,
    "以内": Qualifier.UP_TO,
}

# Between number and unit: `630多名`, `百余家`, `10多万元`, `十几个`.
INFIXES: dict[str, Qualifier] = {
    "多": Qualifier.AT_LEAST, "余": Qualifier.AT_LEAST, "几": Qualifier.AT_LEAST,
}
