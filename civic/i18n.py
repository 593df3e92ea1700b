"""Every user-visible string and number, in Chinese (the default) and English.

Strings come from the catalogues in `civic/locales/`; a test keeps their keys identical.
Numbers follow each language's habit: Chinese groups by 万 and 亿 (babel's compact
formats), English by thousand, million and billion. A figure keeps its qualifier in both:
近2亿元 / "nearly CNY 200 million", 630多人 / "over 630 persons".
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from babel.numbers import format_compact_decimal, format_decimal

from civic.quantities import UNITS, Qualifier

_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

if TYPE_CHECKING:
    from civic.models import LocalText, Official, Source

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LOCALES = {"zh": "zh_CN", "en": "en"}
CATALOGUE_DIR = Path(__file__).with_name("locales")

# Compact forms start where they read better than digits: 5万 in Chinese, 20 million in English.
_COMPACT_FROM = {"zh": 10_000, "en": 1_000_000}


def catalogue_files(lang: str) -> list[Path]:
    """A language's catalogue is split by area (`app.zh.yaml`, `export.zh.yaml`, …)."""
    return sorted(CATALOGUE_DIR.glob(f"*.{lang}.yaml"))


@cache
def catalogue(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in catalogue_files(lang):
        with path.open(encoding="utf-8") as handle:
            # libyaml's safe loader where installed: the catalogues load 10× faster.
            merged.update(yaml.load(handle, Loader=_SAFE_LOADER) or {})
    return merged


def lang_or_default(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str, **values: object) -> str:
    """The catalogue string for `key`, with `{name}` placeholders filled in.

    A missing key shows as the key itself rather than crashing a page; a test makes sure
    no key is missing.
    """
    text = catalogue(lang_or_default(lang)).get(key, key)
    if "count" in values and "[" in text:
        text = _PLURAL.sub(lambda m: m[1] if values["count"] == 1 else m[2], text)
    return text.format(**values) if values else text


# English plurals in a catalogue string: "{count} [row|rows]" says "1 row" and "2 rows".
_PLURAL = re.compile(r"\[([^\[\]|]*)\|([^\[\]|]*)\]")


def plural(count: int, word: str, words: str | None = None) -> str:
    """"1 figure", "2 figures": a count and its noun, for the English of the command line."""
    return f"{count} {word if count == 1 else words or word + 's'}"


def column_name(column: str, lang: str) -> str:
    """An upload's column as its header reads in `lang`; any other field as it is."""
    key = f"column.{column}"
    named = t(key, lang)
    return column if named == key else named


def name(text: LocalText | None, lang: str) -> str:
    return "" if text is None else (text.zh if lang == "zh" else text.en)


@lru_cache(maxsize=65_536, typed=True)  # Babel takes ~0.2 ms a number; pages repeat them
def format_number(value: float, lang: str, digits: int = 2) -> str:
    """`50000` → `5万` / `50,000`; `1e9` → `10亿` / `1 billion`."""
    if _missing(value):
        return "–"
    locale = LOCALES[lang_or_default(lang)]
    if abs(value) >= _COMPACT_FROM[lang_or_default(lang)]:
        format_type = "short" if lang == "zh" else "long"
        return format_compact_decimal(value, format_type=format_type, locale=locale,
                                      fraction_digits=digits)
    # Chinese writes 4023, as the source does; English groups thousands, 4,023.
    return format_decimal(round(value, digits), locale=locale, group_separator=lang != "zh")


def format_unit(unit: str, lang: str) -> str:
    known = UNITS.get(unit)
    if known is None:
        return unit
    return known.zh if lang == "zh" else known.en


def _with_unit(number: str, unit: str, lang: str, singular: bool = False,
               noun: str | None = None) -> str:
    label = noun or format_unit(unit, lang)
    if singular and lang == "en" and label.endswith("s"):
        label = label[:-1]  # 1 session, 1 month, 1 person
    if not label:
        return number
    if unit == "percent":
        return f"{number}%"
    if lang == "zh":
        return f"{number}{label}"
    if unit == "CNY":
        return f"CNY {number}"
    return f"{number} {label}"


def format_quantity(value: float, unit: str, qualifier: str | Qualifier, lang: str,
                    value_max: float | None = None, digits: int = 2,
                    noun: str | None = None) -> str:
    """A figure for display, its qualifier kept: `近2亿元`, `about 7 ha`, `2–4 weeks`.

    `noun` names what is counted where the unit says less: "over 630 athletes".
    """
    lang = lang_or_default(lang)
    qualifier = Qualifier(qualifier)
    if unit == "percent":
        digits = 1
    number = format_number(value, lang, digits)
    if qualifier is Qualifier.RANGE and not _missing(value_max):
        number = f"{number}–{format_number(value_max, lang, digits)}"
    if qualifier is Qualifier.AT_LEAST and lang == "zh":
        # 630多人, 10多万元: 多 goes before the unit and before a trailing 万/亿.
        number = (f"{number[:-1]}多{number[-1]}" if number[-1] in "万亿"
                  else f"{number}多")
    singular = value == 1 and qualifier is not Qualifier.RANGE
    text = _with_unit(number, unit, lang, singular, noun)
    template = t(f"qualifier.{qualifier}", lang)
    return template.format(text) if "{}" in template else text


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_date(value: dt.date | None, lang: str) -> str:
    if value is None:
        return "–"
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()


def format_period(text: str) -> str:
    """A period as written in data, for display: `2021/2023-11-15` → `2021–2023-11-15`."""
    return text.replace("/", "–")


def official(person: Official, lang: str) -> str:
    """An official with their public title: 罗跃龙（省体育局副局长） /
    罗跃龙 Luo Yuelong (Deputy Director, …), the pinyin beside the characters in English."""
    title = name(person.title, lang)
    if lang == "zh":
        return f"{person.name}（{title}）"
    spelled = f"{person.name} {person.pinyin}" if person.pinyin else person.name
    return f"{spelled} ({title})"


def labelled(label: str, value: str, lang: str) -> str:
    """`label: value` with the language's colon: 来源：… / Source: …"""
    return f"{label}：{value}" if lang == "zh" else f"{label}: {value}"


def join(items: list[str], lang: str) -> str:
    """A list in running text: 甲、乙 / A, B."""
    return ("、" if lang == "zh" else ", ").join(items)


def listed(items: list[str], is_open: bool, lang: str) -> str:
    """A list as the report gives it: 毛毯、军大衣、方便面等 / Blankets, Army coats, etc."""
    text = join(items, lang)
    if not items or not is_open:
        return text
    return f"{text}{t('list.etc', lang)}"


def source_line(source: Source, lang: str) -> str:
    """One shared provenance line: publication, edition date, article title, byline."""
    title = source.title if lang == "zh" else source.title_en
    if source.subheading:
        title = t("source.subheading", lang, title=title)
    names = join(source.reporters + source.correspondents, lang)
    return t(
        "source.line",
        lang,
        publication=name(source.publication, lang),
        date=format_date(source.edition_date, lang),
        title=title,
        byline=t("source.byline", lang, names=names) if names else "",
    )
