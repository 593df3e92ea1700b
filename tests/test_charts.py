"""Chart builders on their figures: traces, values, titles, units, palette, status shapes."""

import json

import pandas as pd
import pytest

from civic import charts, panels
from civic.catalog import Catalog
from civic.filters import Filters
from civic.view import View


def test_bar_carries_values_labels_title_and_unit():
    frame = pd.DataFrame({"project": ["甲园区", "乙项目"], "value": [1e9, 3e9],
                          "text": ["10亿元", "可达30亿元"]})
    fig = charts.bar(frame, x="project", y="value", text="text", title="投资对比",
                     value_title="金额(元)", lang="zh")
    (trace,) = fig.data
    assert (["甲园区", "乙项目"], [1e9, 3e9], ["10亿元", "可达30亿元"]) == (
        list(trace.x), list(trace.y), list(trace.text))
    assert ("投资对比", "金额(元)") == (fig.layout.title.text, fig.layout.yaxis.title.text)


@pytest.mark.parametrize("lang, ticks", [
    ("zh", ["0", "10亿", "20亿", "30亿"]),
    ("en", ["0", "1 billion", "2 billion", "3 billion"]),
])
def test_value_ticks_read_in_the_page_language(lang, ticks):
    frame = pd.DataFrame({"x": ["a", "b"], "value": [1e9, 3e9]})
    fig = charts.bar(frame, x="x", y="value", title="t", value_title="u", lang=lang)
    assert ticks == list(fig.layout.yaxis.ticktext)


def test_grouped_bars_use_the_colour_blind_safe_palette():
    frame = pd.DataFrame({"p": ["a", "a", "b", "b"], "m": ["投资", "产值"] * 2,
                          "value": [1.0, 2.0, 3.0, 4.0]})
    fig = charts.bar(frame, x="p", y="value", color="m", title="t", value_title="u", lang="en")
    assert (["投资", "产值"], charts.PALETTE[:2]) == (
        [t.name for t in fig.data], [t.marker.color for t in fig.data])


def test_long_category_labels_lie_horizontally_and_wrap():
    frame = pd.DataFrame({"project": ["年产5万吨锂离子电池负极材料产业化项目", "乙项目"],
                          "value": [1e9, 3e9], "text": ["10亿元", "可达30亿元"]})
    fig = charts.bar(frame, x="project", y="value", text="text", title="t", value_title="u",
                     lang="zh")
    (trace,) = fig.data
    assert ("h", ["年产5万吨锂离子电池负极材料产业化项目", "乙项目"]) == (
        trace.orientation, list(trace.y))
    long, other = (label.split("<br>") for label in fig.layout.yaxis.ticktext)
    assert ("年产5万吨锂离子电池负极材料产业化项目", ["乙项目"]) == ("".join(long), other)
    assert len(long) > 1 and all(charts.text_width(line) <= charts.LABEL_EMS for line in long)
    short = charts.bar(frame.assign(project=["甲", "乙"]), x="project", y="value", title="t",
                       value_title="u", lang="zh")
    assert "v" == short.data[0].orientation


def test_legend_below_and_untitled_copy_leaves_room_for_the_mode_bar():
    frame = pd.DataFrame({"p": ["a", "a"], "m": ["投资", "产值"], "value": [1.0, 2.0]})
    fig = charts.bar(frame, x="p", y="value", color="m", title="标题", value_title="u",
                     lang="zh")
    assert ("h", "container", 0, "bottom") == (
        fig.layout.legend.orientation, fig.layout.legend.yref, fig.layout.legend.y,
        fig.layout.legend.yanchor)
    shown = charts.untitled(fig)
    assert ("", charts.MODEBAR_ROOM, "标题") == (
        shown.layout.title.text, shown.layout.margin.t, fig.layout.title.text)


@pytest.mark.parametrize("filters", [Filters(lang="zh"), Filters(lang="en"),
                                     Filters(lang="zh", district="lusong"),
                                     Filters(lang="en", category="investment")])
def test_the_page_copy_is_the_checked_copy(data_dir, filters):
    """`untitled` copies a figure without Plotly checking it again: for every chart of these
    views (comparisons included) it gives the JSON that Plotly's checked copy gives (which
    Plotly checked as it made it)."""
    import plotly.graph_objects as go

    from civic import tables

    view = View(Catalog.load(data_dir), filters)
    shown = panels.all_panels(view) + [
        panel for metric in tables.compare_metrics(view) for by in tables.compare_sides(view, metric)
        if (panel := panels.comparison(view, metric, by))]
    assert len(shown) >= 3
    for panel in shown:
        checked = go.Figure(panel.figure).update_layout(title={"text": ""},
                                                        margin={"t": charts.MODEBAR_ROOM})
        fast = charts.untitled(panel.figure)
        assert json.loads(fast.to_json()) == json.loads(checked.to_json()), panel.key
    assert panels.all_panels(view)[0].figure.layout.title.text  # the kept figure keeps its own


def test_wrap_breaks_latin_at_spaces_and_chinese_anywhere():
    assert ["Zhuzhou", "Administrative", "Approval Service"] == charts.wrap(
        "Zhuzhou Administrative Approval Service", 9)
    assert ["株洲市行政审批", "服务局"] == charts.wrap("株洲市行政审批服务局", 7)


@pytest.mark.parametrize("maximum, expected", [
    (0, [0.0]),
    (3, [0, 1, 2, 3]),
    (639, [0, 200, 400, 600, 800]),
    (105, [0, 25, 50, 75, 100, 125]),
    (3e9, [0, 1e9, 2e9, 3e9]),
])
def test_nice_ticks(maximum, expected):
    assert expected == pytest.approx(charts.nice_ticks(maximum))


def test_funnel_keeps_stage_order_and_formatted_text():
    frame = pd.DataFrame({"stage": ["体验", "发现", "解决"], "value": [4023.0, 639.0, 488.0],
                          "text": ["4023人次", "639个", "488个"]})
    fig = charts.funnel(frame, stage="stage", value="value", text="text", title="漏斗",
                        lang="zh")
    (trace,) = fig.data
    assert ("funnel", ["体验", "发现", "解决"], [4023, 639, 488], "漏斗") == (
        trace.type, list(trace.y), list(trace.x), fig.layout.title.text)


def test_timeline_shows_status_by_shape_and_word_not_colour_alone():
    frame = pd.DataFrame({
        "date": pd.to_datetime(["2023-12-01", "2022-12-01", "2024-02-01", "2023-11-15"]),
        "label": ["预验收", "开工", "投产", "签约"], "lane": ["甲项目"] * 3 + ["乙园区"],
        "status": ["planned", "done", "expected", "done"],
        "word": ["计划中", "已完成", "预计", "已完成"],
    })
    fig = charts.timeline(frame, date="date", label="label", lane="lane", status="status",
                          status_label="word", title="节点")
    first, second = fig.data
    assert ("甲项目", ["开工", "预验收", "投产"]) == (first.name, list(first.y))
    assert ["circle", "diamond-open", "square-open"] == list(first.marker.symbol)
    assert ["已完成<br>2022-12", "计划中<br>2023-12", "预计<br>2024-02"] == list(first.text)
    # Words right of the early markers, left of the late ones: inside a narrow chart.
    assert ["middle right", "middle left", "middle left"] == list(first.textposition)
    assert (["签约"], charts.PALETTE[1]) == (list(second.y), second.marker.color)
    assert ["投产", "预验收", "签约", "开工"] == list(fig.layout.yaxis.categoryarray)


def test_matrix_marks_roles_with_distinct_symbols():
    frame = pd.DataFrame({"program": ["甲", "甲", "乙"], "department": ["一", "二", "二"],
                          "role": ["牵头", "参与", "牵头"]})
    fig = charts.matrix(frame, row="department", column="program", mark="role", title="矩阵")
    assert [("牵头", "circle", 2), ("参与", "circle-open", 1)] == [
        (t.name, t.marker.symbol, len(t.x)) for t in fig.data]
    # Every program labelled (plotly would drop crowded ones), upright so that all fit.
    assert (["甲", "乙"], -90) == (list(fig.layout.xaxis.tickvals), fig.layout.xaxis.tickangle)


@pytest.mark.parametrize("lang, title", [("zh", "各项目用地面积（公顷）"),
                                         ("en", "Land by project (ha)")])
def test_panels_build_every_chart_of_the_view_in_its_language(data_dir, lang, title):
    view = View(Catalog.load(data_dir), Filters(lang=lang))
    found = {p.key: p for p in panels.all_panels(view)}
    assert {"participation", "funnel_leaders_walk", "projects_money", "projects_land",
            "projects_milestones", "relief_winter_relief",
            "vaccine_options_flu_advisory", "history_bowei_expansion_annual_output"} == set(found)
    land = found["projects_land"]
    assert (title, [7.0, 6.0]) == (land.title, sorted(land.figure.data[0].x, reverse=True))
    assert ("zzrb_20231115_longquan" in land.sources) and ("zzrb_20231115_bowei" in land.sources)


def test_panels_follow_the_filters(data_dir):
    view = View(Catalog.load(data_dir), Filters(departments=("zz_cdc",)))
    assert ["participation", "vaccine_options_flu_advisory"] == [
        p.key for p in panels.all_panels(view)]


def test_a_history_draws_each_report_as_what_it_is():
    frame = pd.DataFrame({
        "date": pd.to_datetime(["2021-12-31", "2022-12-31", "2023-12-31", "2024-12-31"]),
        "value": [100.0, 150.0, 200.0, 180.0],
        "value_max": [None, None, 260.0, None],
        "bound": ["reported", "lower_bound", "range", "upper_bound"],
        "text": ["100个", "150多个", "200–260个", "近180个"],
    })
    names = {"reported": "报告值", "lower_bound": "下限", "upper_bound": "上限", "range": "范围"}
    fig = charts.history(frame, date="date", value="value", value_max="value_max",
                           bound="bound", text="text", title="测试", value_title="个", lang="zh",
                           names=names, target=250, target_label="目标")
    marks = {trace.name: trace for trace in fig.data if trace.mode == "markers+text"}
    assert {k: marks[v].marker.symbol for k, v in names.items()} == {
        "reported": "circle", "lower_bound": "triangle-up", "upper_bound": "triangle-down",
        "range": "line-ew"}
    lower, upper, ranged = marks["下限"].error_y, marks["上限"].error_y, marks["范围"].error_y
    assert lower.array[0] > 0 and lower.arrayminus[0] == 0  # at least this: points up
    assert upper.array[0] == 0 and upper.arrayminus[0] > 0  # at most this: points down
    assert list(ranged.array) == [60.0]  # from its lower end to its upper
    (target,) = [trace for trace in fig.data if trace.name == "目标"]
    assert list(target.y) == [250, 250] and target.line.dash == "dash"
    assert fig.layout.legend.yanchor == "bottom"  # below the plot, as every chart


LINK = '<a href="https://evil.example/x">点此</a>'


def _plant_links(folder) -> None:
    """A link in the name of every program, project, department and metric of a data copy."""
    from conftest import change_yaml

    def linked(text: dict) -> dict:
        return {lang: f"{value}{LINK}" for lang, value in text.items()}

    def program(content: dict) -> None:
        content["program"]["name"] = linked(content["program"]["name"])
        for project in content.get("projects", []):
            project["name"] = linked(project["name"])

    for path in sorted((folder / "programs").glob("*.yaml")):
        change_yaml(path, program)
    change_yaml(folder / "departments.yaml", lambda content: [
        department.update(name=linked(department["name"])) for department in content["departments"]])
    change_yaml(folder / "metrics.yaml", lambda content: [
        metric.update(label=linked(metric["label"])) for metric in content["metrics"]])


def _texts(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [text for value in node.values() for text in _texts(value)]
    if isinstance(node, list):
        return [text for value in node for text in _texts(value)]
    return []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_link_in_a_name_is_never_a_link_in_a_chart(tmp_data, lang):
    """Every text of every chart (titles, axes, categories, legends, bars' and hovers' text):
    a name holding `<a href=…>` shows it as written, on a page as in an export."""
    import json

    from civic import export, tables

    _plant_links(tmp_data)
    view = View(Catalog.load(tmp_data), Filters(lang=lang))
    shown = panels.all_panels(view) + [
        panel for metric in tables.compare_metrics(view) for by in tables.compare_sides(view, metric)
        if (panel := panels.comparison(view, metric, by))]
    assert len(shown) > 10
    for panel in shown:
        for figure in (charts.untitled(panel.figure), export.annotated(panel, view)):
            texts = _texts(json.loads(figure.to_json()))
            live = [text for text in texts if "<a" in text.lower()]
            assert not live, f"{panel.key}: {live[:3]}"
    every = [text for panel in shown for text in _texts(json.loads(panel.figure.to_json()))]
    assert any("&lt;a href=" in text for text in every)  # the names did reach the charts


def test_the_kept_template_draws_these_charts_as_plotly_white_does(data_dir):
    """Every trace kind the panels draw has plotly_white's defaults, and no chart uses what the
    kept template leaves out (maps, polar and 3-D axes, colour scales)."""
    import plotly.io as pio

    white = pio.templates["plotly_white"]
    view = View(Catalog.load(data_dir), Filters(lang="zh"))
    kinds = set()
    for panel in panels.all_panels(view):
        spec = panel.figure.to_plotly_json()
        kinds |= {trace.get("type", "scatter") for trace in spec["data"]}
        assert not set(spec["layout"]) & set(charts.TEMPLATE_LEFT_OUT), panel.key
        assert not any("coloraxis" in trace or "colorscale" in str(trace.get("marker", {}))
                       for trace in spec["data"]), panel.key
    assert {"bar", "scatter"} <= kinds
    for kind in kinds:
        assert ([t.to_plotly_json() for t in charts.TEMPLATE.data[kind]]
                == [t.to_plotly_json() for t in white.data[kind]]), kind
    kept = {key: value for key, value in white.layout.to_plotly_json().items()
            if key not in charts.TEMPLATE_LEFT_OUT}
    assert charts.TEMPLATE.layout.to_plotly_json() == kept
