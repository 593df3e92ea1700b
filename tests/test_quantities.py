"""Reported figures in Chinese news text: value, canonical unit, qualifier, and conversion."""

from __future__ import annotations

import pytest

from civic.quantities import (
    UNITS,
    Qualifier,
    Quantity,
    QuantityError,
    Unit,
    convert,
    find_quantities,
    parse_quantity,
)

Q = Qualifier

# (text, value, value_max, unit, qualifier)
GOOD: list[tuple[str, float, float | None, str, Qualifier]] = [
    # money and its multipliers
    ("10亿元", 1_000_000_000, None, "CNY", Q.EXACT),
    ("2000万元", 20_000_000, None, "CNY", Q.EXACT),
    ("近2亿元", 200_000_000, None, "CNY", Q.NEARLY),
    ("超20亿元", 2_000_000_000, None, "CNY", Q.MORE_THAN),
    ("30亿元", 3_000_000_000, None, "CNY", Q.EXACT),
    ("可达30亿元", 3_000_000_000, None, "CNY", Q.UP_TO),
    ("最高可达30亿元", 3_000_000_000, None, "CNY", Q.UP_TO),
    ("高达5亿元", 500_000_000, None, "CNY", Q.UP_TO),
    ("达到8000万元", 80_000_000, None, "CNY", Q.EXACT),  # reached: as exact as its number
    ("累计达到62.1%", 62.1, None, "percent", Q.EXACT),
    ("达到近300户", 300, None, "household", Q.NEARLY),
    ("3千元", 3_000, None, "CNY", Q.EXACT),
    ("5百元", 500, None, "CNY", Q.EXACT),
    ("4千万元", 40_000_000, None, "CNY", Q.EXACT),
    ("1.5亿元", 150_000_000, None, "CNY", Q.EXACT),
    ("10多万元", 100_000, None, "CNY", Q.AT_LEAST),
    ("3万余元", 30_000, None, "CNY", Q.AT_LEAST),
    ("两万元", 20_000, None, "CNY", Q.EXACT),
    ("一亿五千万元", 150_000_000, None, "CNY", Q.EXACT),
    ("一亿十万元", 100_100_000, None, "CNY", Q.EXACT),
    ("三万五元", 35_000, None, "CNY", Q.EXACT),
    ("逾50亿元", 5_000_000_000, None, "CNY", Q.MORE_THAN),
    ("超过1000万元", 10_000_000, None, "CNY", Q.MORE_THAN),
    ("超出300元", 300, None, "CNY", Q.MORE_THAN),
    # persons and person-times
    ("630多名", 630, None, "person", Q.AT_LEAST),
    ("350人左右", 350, None, "person", Q.ABOUT),
    ("3名", 3, None, "person", Q.EXACT),
    ("5位", 5, None, "person", Q.EXACT),
    ("一千人", 1_000, None, "person", Q.EXACT),
    ("十二个人", 12, None, "person", Q.EXACT),
    ("千余人", 1_000, None, "person", Q.AT_LEAST),
    ("将近300人", 300, None, "person", Q.NEARLY),
    ("接近两千人", 2_000, None, "person", Q.NEARLY),
    ("200人上下", 200, None, "person", Q.ABOUT),
    ("至少20名", 20, None, "person", Q.AT_LEAST),
    ("4023人次", 4_023, None, "person_time", Q.EXACT),
    ("1000人次", 1_000, None, "person_time", Q.EXACT),
    ("两万人次", 20_000, None, "person_time", Q.EXACT),
    ("1.2万人次以上", 12_000, None, "person_time", Q.AT_LEAST),
    # count-like measure words
    ("百余家", 100, None, "organization", Q.AT_LEAST),
    ("28家", 28, None, "organization", Q.EXACT),
    ("5000余条", 5_000, None, "entry", Q.AT_LEAST),
    ("86项", 86, None, "item", Q.EXACT),
    ("12个", 12, None, "piece", Q.EXACT),
    ("7件", 7, None, "item", Q.EXACT),
    ("54场", 54, None, "session", Q.EXACT),
    ("20期", 20, None, "issue", Q.EXACT),
    ("6栋", 6, None, "building", Q.EXACT),
    ("3种", 3, None, "kind", Q.EXACT),
    ("两次", 2, None, "time", Q.EXACT),
    ("14市州", 14, None, "prefecture", Q.EXACT),
    ("14个市州", 14, None, "prefecture", Q.EXACT),
    # mass
    ("5万吨", 50_000, None, "t", Q.EXACT),
    ("约1.5万吨", 15_000, None, "t", Q.ABOUT),
    ("500千克", 500, None, "kg", Q.EXACT),  # in the report's own unit, not 0.5 t
    ("五千克", 5, None, "kg", Q.EXACT),
    ("200公斤", 200, None, "kg", Q.EXACT),
    ("3斤", 3, None, "jin", Q.EXACT),
    ("200床", 200, None, "quilt", Q.EXACT),
    ("2剂次", 2, None, "dose", Q.EXACT),
    ("50箱", 50, None, "box", Q.EXACT),
    ("80桶", 80, None, "barrel", Q.EXACT),
    ("300袋", 300, None, "bag", Q.EXACT),
    ("60瓶", 60, None, "bottle", Q.EXACT),
    ("40盒", 40, None, "pack", Q.EXACT),
    ("120双", 120, None, "pair", Q.EXACT),
    ("12间", 12, None, "room", Q.EXACT),
    ("38.5万头", 385_000, None, "head", Q.EXACT),
    ("60顶", 60, None, "tent", Q.EXACT),
    ("四个半月", 4.5, None, "month", Q.EXACT),
    ("两个半小时", 2.5, None, "hour", Q.EXACT),
    ("一年半", 1.5, None, "year", Q.EXACT),
    # area
    ("约7公顷", 7, None, "ha", Q.ABOUT),
    ("150亩", 150, None, "mu", Q.EXACT),
    ("3万平方米", 30_000, None, "m2", Q.EXACT),
    ("800平米", 800, None, "m2", Q.EXACT),
    ("2.5平方公里", 2.5, None, "km2", Q.EXACT),
    # duration
    ("3个小时", 3, None, "hour", Q.EXACT),
    ("48小时以内", 48, None, "hour", Q.UP_TO),
    ("30分钟", 30, None, "minute", Q.EXACT),
    ("15天", 15, None, "day", Q.EXACT),
    ("7日", 7, None, "day", Q.EXACT),
    ("两周", 2, None, "week", Q.EXACT),
    ("3个星期", 3, None, "week", Q.EXACT),
    ("6星期", 6, None, "week", Q.EXACT),
    ("3个月", 3, None, "month", Q.EXACT),
    ("35年", 35, None, "year", Q.EXACT),
    ("20多年", 20, None, "year", Q.AT_LEAST),
    ("十余年", 10, None, "year", Q.AT_LEAST),
    ("大概5年", 5, None, "year", Q.ABOUT),
    ("大约200亩", 200, None, "mu", Q.ABOUT),
    # age
    ("3岁", 3, None, "year_of_age", Q.EXACT),
    ("16岁", 16, None, "year_of_age", Q.EXACT),
    ("3岁以上", 3, None, "year_of_age", Q.AT_LEAST),
    ("3岁及以上", 3, None, "year_of_age", Q.AT_LEAST),
    ("60周岁以下", 60, None, "year_of_age", Q.UP_TO),
    ("6至35月龄", 6, 35, "month_of_age", Q.RANGE),
    # ranges
    ("2周至4周", 2, 4, "week", Q.RANGE),
    ("2-4周", 2, 4, "week", Q.RANGE),
    ("2~4周", 2, 4, "week", Q.RANGE),
    ("2～4周", 2, 4, "week", Q.RANGE),
    ("2到4周", 2, 4, "week", Q.RANGE),
    ("1—3天", 1, 3, "day", Q.RANGE),
    ("1–3天", 1, 3, "day", Q.RANGE),
    ("3至3天", 3, 3, "day", Q.RANGE),
    ("2至3万元", 20_000, 30_000, "CNY", Q.RANGE),
    ("2万元至3亿元", 20_000, 300_000_000, "CNY", Q.RANGE),
    ("500千克至2吨", 0.5, 2, "t", Q.RANGE),
    ("三至五年", 3, 5, "year", Q.RANGE),
    ("60%-80%", 60, 80, "percent", Q.RANGE),
    ("10至20", 10, 20, "count", Q.RANGE),
    # percent
    ("76.4%", 76.4, None, "percent", Q.EXACT),
    ("76.4％", 76.4, None, "percent", Q.EXACT),
    ("百分之七十六点四", 76.4, None, "percent", Q.EXACT),
    ("百分之百", 100, None, "percent", Q.EXACT),
    ("超过百分之30", 30, None, "percent", Q.MORE_THAN),
    ("百分之三至百分之五", 3, 5, "percent", Q.RANGE),
    # bare numbers and number forms
    ("4023", 4_023, None, "count", Q.EXACT),
    ("4,023", 4_023, None, "count", Q.EXACT),
    ("1,234,567.5", 1_234_567.5, None, "count", Q.EXACT),
    ("４０２３", 4_023, None, "count", Q.EXACT),
    ("４，０２３人次", 4_023, None, "person_time", Q.EXACT),
    ("1.5万", 15_000, None, "count", Q.EXACT),
    ("3千", 3_000, None, "count", Q.EXACT),
    ("百", 100, None, "count", Q.EXACT),
    ("十", 10, None, "count", Q.EXACT),
    ("五", 5, None, "count", Q.EXACT),
    ("三十五", 35, None, "count", Q.EXACT),
    ("一千", 1_000, None, "count", Q.EXACT),
    ("两万", 20_000, None, "count", Q.EXACT),
    ("一点五万", 15_000, None, "count", Q.EXACT),
    ("二百零五", 205, None, "count", Q.EXACT),
    ("〇", 0, None, "count", Q.EXACT),
    ("0元", 0, None, "CNY", Q.EXACT),
    # whitespace around and inside, agreeing qualifiers
    ("  10 亿元 ", 1_000_000_000, None, "CNY", Q.EXACT),
    ("约 7 公顷", 7, None, "ha", Q.ABOUT),
    ("2 至 4 周", 2, 4, "week", Q.RANGE),
    ("约350人左右", 350, None, "person", Q.ABOUT),
    ("630多名以上", 630, None, "person", Q.AT_LEAST),
    # forms reports use: counted totals, upper bounds, percentage points, more measure words
    ("累计4023人次", 4_023, None, "person_time", Q.EXACT),
    ("累计超过1.2万人", 12_000, None, "person", Q.MORE_THAN),
    ("不到100人", 100, None, "person", Q.LESS_THAN),
    ("不足3天", 3, None, "day", Q.LESS_THAN),
    ("不超过5个工作日", 5, None, "day", Q.UP_TO),
    ("不少于20户", 20, None, "household", Q.AT_LEAST),
    ("十余户", 10, None, "household", Q.AT_LEAST),
    ("三十多辆", 30, None, "vehicle", Q.AT_LEAST),
    ("两套", 2, None, "set", Q.EXACT),
    ("12台", 12, None, "machine", Q.EXACT),
    ("6座", 6, None, "facility", Q.EXACT),
    ("5所", 5, None, "institution", Q.EXACT),
    ("2000多份", 2_000, None, "copy", Q.AT_LEAST),
    ("1.5万株", 15_000, None, "plant", Q.EXACT),
    ("30棵", 30, None, "plant", Q.EXACT),
    ("2860张", 2_860, None, "sheet", Q.EXACT),
    ("4轮", 4, None, "round", Q.EXACT),
    ("3批", 3, None, "batch", Q.EXACT),
    ("12篇", 12, None, "article", Q.EXACT),
    ("5000余册", 5_000, None, "volume", Q.AT_LEAST),
    ("300本", 300, None, "volume", Q.EXACT),
    ("8—10处", 8, 10, "place", Q.RANGE),
    ("3.5公里", 3.5, None, "km", Q.EXACT),
    ("800米", 800, None, "m", Q.EXACT),
    ("1.2个百分点", 1.2, None, "percentage_point", Q.EXACT),
    ("3个工作日", 3, None, "day", Q.EXACT),
    ("6个多小时", 6, None, "hour", Q.AT_LEAST),
    ("超过七成", 70, None, "percent", Q.MORE_THAN),
    ("1.5倍", 1.5, None, "fold", Q.EXACT),
    ("十几个", 10, None, "piece", Q.AT_LEAST),
    ("二十几人", 20, None, "person", Q.AT_LEAST),
    ("3个多月", 3, None, "month", Q.AT_LEAST),
]


@pytest.mark.parametrize(("text", "value", "value_max", "unit", "qualifier"), GOOD)
def test_parse_quantity(
    text: str, value: float, value_max: float | None, unit: str, qualifier: Qualifier
) -> None:
    expected = Quantity(
        value=value,
        value_max=value_max,
        unit=unit,
        qualifier=qualifier,
        reported=text.strip(),
    )
    assert expected == parse_quantity(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("10亿元", 1e9),
        ("1.5万", 15000.0),
        ("0.1亿元", 1e7),
        ("1.1万", 11000.0),
        ("2.675万吨", 26750.0),
        ("0.3亿元", 30_000_000.0),
    ],
)
def test_multipliers_are_exact(text: str, value: float) -> None:
    assert value == parse_quantity(text).value


# (text, what the message says besides the quoted text: its problem code, by these words)
PROBLEM_CODES = {
    "empty": "no_figure", "no number": "no_number", "unknown unit": "unknown_surface",
    "unexpected": "after_unit", "contradictory": "qualifiers", "backwards": "range_backwards",
    "different units": "range_units", "upper end": "range_unit_last",
    "range cannot be qualified": "range_qualified", "both sides": "range_ends",
    "more than one range separator": "range_twice", "negative": "negative",
    "malformed number": "malformed_number", "space inside a number": "space_in_number",
    "malformed Chinese numeral": "cn_numeral", "多/余 given twice": "more_twice",
    "after 百分之": "percent_number", "expected a number": "number_at",
    "too large a number": "too_large",
}
MALFORMED: list[tuple[str, str]] = [
    ("", "empty"),
    ("   ", "empty"),
    ("很多", "no number"),
    ("多名", "no number"),
    ("约", "no number"),
    ("5镑", "unknown unit"),
    ("10亿美刀", "unknown unit"),
    ("10亿美元", "unknown unit"),
    ("3月", "unknown unit"),
    ("10亿元abc", "unexpected 'abc'"),
    ("350人 次数", "unexpected"),
    ("近约10亿元", "contradictory"),
    ("近630多名", "contradictory"),
    ("约350人以上", "contradictory"),
    ("4至2周", "backwards"),
    ("500至3万元", "backwards"),
    ("2周至4月", "unknown unit"),
    ("2周至4天", "different units"),
    ("2人至4元", "different units"),
    ("2周至4", "upper end"),
    ("约2至4周", "range cannot be qualified"),
    ("2至4多周", "range cannot be qualified"),
    ("2至", "both sides"),
    ("至4周", "both sides"),
    ("1至2至3周", "more than one range separator"),
    ("2023-11-15", "more than one range separator"),
    ("-5元", "negative"),
    ("负五元", "negative"),
    ("1.2.3万", "malformed number '1.2.3'"),
    ("40,23元", "malformed number '40,23'"),
    ("1.5.万元", "malformed number"),
    ("10 20元", "space inside a number"),
    ("三十 五人", "space inside a number"),
    ("十十万二", "malformed Chinese numeral"),
    ("七九", "malformed Chinese numeral"),
    ("九百点元", "malformed number"),
    ("630多余名", "多/余 given twice"),
    ("百分之", "after 百分之"),
    ("百分之abc", "after 百分之"),
    ("元5", "expected a number"),
    ("5元元", "unexpected '元'"),
    ("7" * 400 + "个", "too large a number"),
    ("1至" + "7" * 400 + "个", "too large a number"),
]


@pytest.mark.parametrize(("text", "problem"), MALFORMED)
def test_malformed_raises(text: str, problem: str) -> None:
    with pytest.raises(QuantityError) as caught:
        parse_quantity(text)
    message = str(caught.value)
    assert f"'{text.strip()}'"[:150] in message  # a long one cut short
    code = next(code for words, code in PROBLEM_CODES.items() if problem.startswith(words))
    assert code == caught.value.code
    detail = problem.removeprefix(next(w for w in PROBLEM_CODES if problem.startswith(w)))
    assert detail.strip() in message  # the part it names: 'abc', '1.2.3'


def test_non_text_raises() -> None:
    with pytest.raises(QuantityError, match="expected text"):
        parse_quantity(42)  # type: ignore[arg-type]


def test_quantity_error_is_value_error() -> None:
    assert issubclass(QuantityError, ValueError)


# (value, from_unit, to_unit, expected)
CONVERSIONS: list[tuple[float, str, str, float]] = [
    (7, "ha", "mu", 105),
    (15, "mu", "ha", 1),
    (1, "ha", "m2", 10_000),
    (1, "km2", "ha", 100),
    (1.5, "ha", "mu", 22.5),
    (2, "week", "day", 14),
    (3, "day", "hour", 72),
    (1.5, "hour", "minute", 90),
    (0.1, "day", "hour", 2.4),
    (14, "day", "week", 2),
    (24, "month", "year", 2),
    (2, "year", "month", 24),
    (3, "year_of_age", "month_of_age", 36),
    (36, "month_of_age", "year_of_age", 3),
    (6, "month_of_age", "year_of_age", 0.5),
    (50_000, "t", "t", 50_000),
    (4023, "person_time", "person_time", 4023),
]


@pytest.mark.parametrize(("value", "from_unit", "to_unit", "expected"), CONVERSIONS)
def test_convert(value: float, from_unit: str, to_unit: str, expected: float) -> None:
    assert expected == convert(value, from_unit, to_unit)


# (text, to_unit, expected): parse a figure, then convert its value
PARSE_THEN_CONVERT: list[tuple[str, str, float]] = [
    ("5万吨", "t", 50_000),
    ("约7公顷", "mu", 105),
    ("1.5万平方米", "ha", 1.5),
    ("两周", "day", 14),
    ("3岁", "month_of_age", 36),
    ("18月龄", "year_of_age", 1.5),
]


@pytest.mark.parametrize(("text", "to_unit", "expected"), PARSE_THEN_CONVERT)
def test_parse_then_convert(text: str, to_unit: str, expected: float) -> None:
    quantity = parse_quantity(text)
    assert expected == convert(quantity.value, quantity.unit, to_unit)


# (value, from_unit, to_unit, what the message says)
BAD_CONVERSIONS: list[tuple[float, str, str, str]] = [
    (1, "CNY", "t", "different dimensions"),
    (1, "ha", "day", "different dimensions"),
    (1, "person", "person_time", "different dimensions"),
    (3, "year", "year_of_age", "different dimensions"),
    (1, "percent", "count", "different dimensions"),
    (1, "day", "month", "no exact conversion"),
    (1, "year", "week", "no exact conversion"),
    (1, "item", "session", "no exact conversion"),
    (1, "ha", "acre", "unknown unit"),
    (1, "元", "CNY", "unknown unit"),
    (float("nan"), "ha", "mu", "not a finite number"),
    (float("inf"), "day", "hour", "not a finite number"),
]


@pytest.mark.parametrize(("value", "from_unit", "to_unit", "problem"), BAD_CONVERSIONS)
def test_convert_rejects(value: float, from_unit: str, to_unit: str, problem: str) -> None:
    with pytest.raises(QuantityError, match=problem):
        convert(value, from_unit, to_unit)


# Quantity built directly (as from a data file) is validated too.
INVALID_QUANTITIES: list[dict[str, object]] = [
    {"value": 4, "value_max": 2, "unit": "week", "qualifier": "range", "reported": "4至2周"},
    {"value": 2, "unit": "week", "qualifier": "range", "reported": "2周"},
    {"value": 2, "value_max": 4, "unit": "week", "reported": "2周"},
    {"value": 2, "unit": "fortnight", "reported": "2周"},
    {"value": 2, "unit": "week", "reported": ""},
    {"value": 2, "unit": "week", "reported": "2周", "note": "extra"},
    {"value": float("nan"), "unit": "count", "reported": "4023"},
    {"value": 2, "unit": "week", "qualifier": "roughly", "reported": "2周"},
]


@pytest.mark.parametrize("fields", INVALID_QUANTITIES)
def test_quantity_validates(fields: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Quantity(**fields)  # type: ignore[arg-type]


def test_quantity_is_frozen() -> None:
    quantity = parse_quantity("3名")
    with pytest.raises(ValueError):
        quantity.value = 4  # type: ignore[misc]


# The dimensions metrics declare in data/metrics.yaml.
DIMENSIONS = {
    "money", "persons", "person_times", "organizations", "prefectures", "count",
    "mass", "area", "duration", "age", "ratio", "households", "length",
}  # fmt: skip


@pytest.mark.parametrize(("code", "unit"), sorted(UNITS.items()))
def test_units_table(code: str, unit: Unit) -> None:
    assert code == unit.code
    assert unit.dimension in DIMENSIONS


def test_every_unit_is_reachable_from_text() -> None:
    reached = {parse_quantity(text).unit for text, *_ in GOOD}
    assert set(UNITS) == reached


def test_qualifier_values() -> None:
    assert ["exact", "about", "nearly", "more_than", "at_least", "up_to", "range",
            "more_than_about", "up_to_about", "less_than"] == [
        str(q) for q in Qualifier
    ]


# (text, the figures found in it as printed): running text, not one figure.
FOUND: list[tuple[str, list[str]]] = [
    ("去年新建公厕12座，改造30处。", ["12座", "30处"]),
    ("全区累计发放补贴1.2万元，惠及近300户。", ["1.2万元", "近300户"]),
    ("工期预计2至4周，投资约5000万元。", ["2至4周", "约5000万元"]),
    ("客流增长3.5个百分点，达到百分之六十。", ["3.5个百分点", "达到百分之六十"]),
    ("共有三十多支队伍、二百余名选手参赛", ["三十多", "二百余名"]),
    ("累计超过1万人次参与，不到20%的人迟到", ["累计超过1万人次", "不到20%"]),
    ("处理时间从10天缩短到3天", ["10天", "3天"]),
    ("搜寻了6个多小时", ["6个多小时"]),
    ("没有数字的句子", []),
]


@pytest.mark.parametrize(("text", "printed"), FOUND)
def test_find_quantities(text: str, printed: list[str]) -> None:
    found = list(find_quantities(text))
    assert [text[start:end] for start, end, _ in found] == printed
    for start, end, quantity in found:
        assert quantity == parse_quantity(text[start:end])


def test_find_quantities_reads_a_range_or_its_parts() -> None:
    text = "从5万元到近2亿元"  # a qualified upper end is no range: two figures
    assert [q.qualifier for *_, q in find_quantities(text)] == [Q.EXACT, Q.NEARLY]
    ((start, end, quantity),) = find_quantities("规模8—10个")
    assert (quantity.value, quantity.value_max, quantity.unit) == (8, 10, "piece")
