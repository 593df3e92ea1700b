"""The catalogues agree, every key the code uses exists, numbers read right in both languages."""

import re
import string
from pathlib import Path

import pytest

from civic.cli import build_parser
from civic.filters import Filters, Options, from_query, to_query
from civic.i18n import catalogue, catalogue_files, format_number, format_quantity, t
from civic.metrics import Status
from civic.models import Basis, Category, Level, ProgramStatus
from civic.narratives import MilestoneStatus, ReliefKind, Trend
from civic.quantities import Qualifier

ROOT = Path(__file__).resolve().parents[1]
CODE = [*ROOT.glob("civic/*.py"), *ROOT.glob("app_pages/*.py"), ROOT / "dashboard.py"]
LITERAL_KEY = re.compile(r"""\b(?:t|tr)\(\s*["']([a-z_]+\.[a-z_.]+)["']""")
COUNT_KEY = re.compile(r"""\bcount_card\(\s*["']([a-z_]+)["']""")


def test_both_languages_have_the_same_catalogue_files():
    assert [p.name.split(".")[0] for p in catalogue_files("zh")] == [
        p.name.split(".")[0] for p in catalogue_files("en")]


def test_both_catalogues_have_the_same_keys():
    assert set(catalogue("zh")) == set(catalogue("en"))


@pytest.mark.parametrize("key", sorted(catalogue("zh")))
def test_placeholders_match_between_languages(key):
    def fields(text):
        return sorted(f for _, f, _, _ in string.Formatter().parse(text) if f is not None)

    assert fields(catalogue("zh")[key]) == fields(catalogue("en")[key])


def used_keys():
    literal = {key for path in CODE for key in LITERAL_KEY.findall(path.read_text("utf-8"))}
    counted = {f"count.{key}" for path in CODE for key in COUNT_KEY.findall(path.read_text("utf-8"))}
    return sorted(literal | counted)


def test_the_code_uses_catalogue_keys():
    assert len(used_keys()) > 50


@pytest.mark.parametrize("key", used_keys())
def test_every_literal_key_exists(key):
    assert key in catalogue("zh")


ENUM_KEYS = (
    [f"category.{c}" for c in Category]
    + [f"level.{v}" for v in Level]
    + [f"status.{v}" for v in ProgramStatus]
    + [f"milestone.{v}" for v in MilestoneStatus]
    + [f"qualifier.{v}" for v in Qualifier]
    + [f"qualifier_word.{v}" for v in Qualifier]
    + [f"trend.{v}" for v in Trend]
    + [f"relief.{v}" for v in ReliefKind]
    + [f"basis.{v}" for v in Basis]
    + [f"target.{v}" for v in Status]
    + ["role.lead", "role.participant"]
)


@pytest.mark.parametrize("key", ENUM_KEYS)
def test_every_enum_value_has_a_label(key):
    assert key in catalogue("zh") and key in catalogue("en")


@pytest.mark.parametrize("value, zh, en", [
    (0, "0", "0"),
    (630, "630", "630"),
    (4023, "4023", "4,023"),
    (50_000, "5万", "50,000"),
    (20_000_000, "2000万", "20 million"),
    (200_000_000, "2亿", "200 million"),
    (1_000_000_000, "10亿", "1 billion"),
    (9_523_809.52, "952.38万", "9.52 million"),
    (76.369, "76.37", "76.37"),
])
def test_numbers_group_by_wan_and_yi_or_by_million(value, zh, en):
    assert (zh, en) == (format_number(value, "zh"), format_number(value, "en"))


@pytest.mark.parametrize("args, zh, en", [
    ((200_000_000, "CNY", "nearly"), "近2亿元", "nearly CNY 200 million"),
    ((2_000_000_000, "CNY", "more_than"), "超20亿元", "more than CNY 2 billion"),
    ((3_000_000_000, "CNY", "up_to"), "可达30亿元", "up to CNY 3 billion"),
    ((630, "person", "at_least"), "630多人", "over 630 persons"),
    ((100, "organization", "at_least"), "100多家", "over 100 organizations"),
    ((200_000, "CNY", "at_least"), "20多万元", "over CNY 200,000"),
    ((2.9e8, "CNY", "more_than_about"), "超过约2.9亿元", "more than about CNY 290 million"),
    ((7, "ha", "about"), "约7公顷", "about 7 ha"),
    ((350, "person", "about"), "约350人", "about 350 persons"),
    ((4023, "person_time", "exact"), "4023人次", "4,023 person-times"),
    ((639, "piece", "exact"), "639个", "639"),
    ((76.369, "percent", "exact"), "76.4%", "76.4%"),
    ((50_000, "t", "exact"), "5万吨", "50,000 t"),
    ((1, "month", "exact"), "1个月", "1 month"),
    ((1, "issue", "exact"), "1期", "1 session"),
])
def test_figures_keep_unit_and_qualifier(args, zh, en):
    assert (zh, en) == (format_quantity(*args, "zh"), format_quantity(*args, "en"))


def test_a_range_shows_both_ends():
    assert ("2–4周", "2–4 weeks") == (
        format_quantity(2, "week", "range", "zh", value_max=4),
        format_quantity(2, "week", "range", "en", value_max=4),
    )


def test_unknown_language_falls_back_to_chinese():
    assert t("page.overview", "fr") == t("page.overview", "zh")


def test_a_missing_key_shows_itself_rather_than_crashing():
    assert "no.such.key" == t("no.such.key", "en")


def test_chinese_is_the_default():
    """A link without `lang`, a view made without a language and `civic export` without
    `--lang` all speak Chinese, and a Chinese view's link carries no `lang`."""
    opened, notices = from_query({}, Options(departments=(), districts=()))
    assert ([], "zh", "zh") == (notices, opened.lang, Filters().lang)
    assert "lang" not in to_query(opened)
    assert "zh" == build_parser().parse_args(["export", "--format", "csv", "-o", "x.csv"]).lang
    title = t("page.overview", opened.lang)
    assert title == catalogue("zh")["page.overview"] != catalogue("en")["page.overview"]
    assert re.search("[\u4e00-\u9fff]", title)
