"""Display tables and provenance lines: what an official reads, in either language."""

import pandas as pd
import pytest

from civic import tables
from civic.catalog import Catalog
from civic.filters import Filters
from civic.i18n import official, source_line
from civic.view import View


@pytest.fixture(scope="module")
def catalog(data_dir):
    return Catalog.load(data_dir)


def view_of(catalog, lang, **filters):
    return View(catalog, Filters(lang=lang, **filters))


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cases_lead_with_what_was_done_and_its_outcome(catalog, lang):
    view = view_of(catalog, lang)
    frame = tables.cases(view, "leaders_walk")
    columns = list(frame.columns)
    assert 2 == columns.index(tables._col(view, "outcome"))
    assert tables._col(view, "participants") in columns[:5]


@pytest.mark.parametrize("lang, investment_per_mu, output_per_ha", [
    ("zh", "约950万元", "超过约2.9亿元"),
    ("en", "about CNY 9.5 million", "more than about CNY 290 million"),
])
def test_per_area_shows_rounded_text_and_no_raw_numbers(catalog, lang, investment_per_mu,
                                                        output_per_ha):
    view = view_of(catalog, lang)
    frame = tables.per_area(view)
    longquan = frame.iloc[[i for i, p in enumerate(view.records("projects")["program"])
                           if p == "longquan_park"][0]]
    # Each cell is the value as shown, then the period it covers.
    bracket = "（" if lang == "zh" else " ("
    assert longquan[view.label("investment_per_mu")].startswith(investment_per_mu + bracket)
    assert longquan[view.label("output_per_ha")].startswith(output_per_ha + bracket)
    assert not any(pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns)
    shown = " ".join(frame.astype(str).to_numpy().ravel())
    assert "3333.33" not in shown and "166666667" not in shown
    # Bowei's output (2023-11-15) and land (2022-12) are of two reports: nothing per area.
    assert "3300万元" not in shown and "CNY 33 million" not in shown


@pytest.mark.parametrize("lang, header", [("zh", "所指时间（统计期）"), ("en", "Period covered")])
def test_figures_table_period_header(catalog, lang, header):
    assert header in tables.figures(view_of(catalog, lang)).columns


def test_figures_table_formulas_in_english(catalog):
    view = view_of(catalog, "en")
    frame = tables.figures(view)
    calculated = frame[frame["Basis"] == "Calculated"]
    assert len(calculated) >= 8
    assert [] == [f for f in calculated["As reported"] if has_chinese(f)]
    assert "more than CNY 2 billion / about 105 mu" in set(calculated["As reported"])


@pytest.mark.parametrize("lang, page, title", [
    ("zh", "上接01版", "厚植沃土,让阅读润泽心灵（小标题）"),
    ("en", "Continued from page 1", "Cultivating the soil: letting reading nourish the mind "
                                     "(subheading)"),
])
def test_sources_table_page_in_the_view_language_and_subheading_marked(catalog, lang, page,
                                                                        title):
    view = view_of(catalog, lang)
    frame = tables.sources(view)
    row = frame[frame[tables._col(view, "page")] == page]
    assert [title] == list(row[tables._col(view, "title")])
    if lang == "en":
        assert [] == [p for p in frame["Page"] if has_chinese(p)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_source_without_byline_shows_no_placeholder(catalog, lang):
    line = source_line(catalog.sources["zzrb_20231115_reading"], lang)
    assert "–" not in line and "by" not in line and "记者" not in line
    with_byline = source_line(catalog.sources["zzrb_20231115_games"], lang)
    assert "温琳" in with_byline


def test_officials_in_english_have_pinyin_beside_the_characters(catalog):
    (person,) = catalog.programs["leaders_walk"].officials
    assert official(person, "en").startswith("姜衡湘 Jiang Hengxiang (")
    assert "Jiang" not in official(person, "zh")


@pytest.mark.parametrize("lang, places", [
    ("zh", "株洲大桥河东桥头、株洲火车站西广场等"),
    ("en", "East bridgehead of Zhuzhou Bridge, West square of Zhuzhou Railway Station, etc."),
])
def test_listed_examples_end_with_etc(catalog, lang, places):
    frame = tables.relief_actions(view_of(catalog, lang), "winter_relief")
    assert places in set(frame["places"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_relief_shows_no_counts_of_listed_examples(catalog, lang):
    cards = view_of(catalog, lang).relief_cards("winter_relief")
    assert ["persons_taken_in", "measures"] == [c.metric for c in cards]


def test_one_tile_of_fourteen_on_the_games(catalog):
    view = view_of(catalog, "en")
    metrics = view.program_metrics("community_games")
    values = [c.value for c in view.cards("community_games", metrics)]
    assert 1 == sum("14" in v for v in values)
    assert "14 cities and prefectures" in values
