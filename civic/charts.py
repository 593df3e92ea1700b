"""Chart builders: a frame and labels in, a Plotly figure out, touching no files or globals.

Labels arrive translated; numbers are formatted here in the page's language (ticks and
labels in 万/亿 or million/billion). Every text from the data is escaped on its way into a
figure (`civic.text.plotly_text`): a name holding `<a href=…>` is shown, never made a link.
Colours come from the Okabe–Ito palette, which stays distinct under the common colour-vision
deficiencies, and status is always spelled out in text and marker shape as well.
"""

from __future__ import annotations

import math
import unicodedata
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from civic.i18n import format_number
from civic.text import plotly_lines, plotly_text

if TYPE_CHECKING:
    from plotly.basedatatypes import BaseTraceType

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# Latin glyphs from a Latin font first (so English quotes and digits are not set full-width),
# Chinese from the first CJK font the machine has.
FONT_FAMILY = ("Source Sans Pro, DejaVu Sans, Noto Sans CJK SC, Source Han Sans SC, "
               "WenQuanYi Zen Hei, PingFang SC, Microsoft YaHei, sans-serif")
# Marker shapes by status, so that status reads without colour.
STATUS_SYMBOLS = {"done": "circle", "planned": "diamond-open", "expected": "square-open"}
# Category labels wider than this many ems wrap onto more lines; bars with such labels lie
# horizontally, so that the labels read on a phone's 390 pixels as on a desktop.
LABEL_EMS = 9.0
# Legend entries wrap at this many ems, so that a long name stays inside a phone-wide chart.
LEGEND_EMS = 20.0
# Pixels kept free of text above the plot on a page: where Plotly's mode bar appears.
MODEBAR_ROOM = 36


def text_width(text: str) -> float:
    """Display width in ems: CJK characters are twice as wide as Latin ones."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)


def wrap(text: str, limit: float) -> list[str]:
    """Lines of at most `limit` ems (plotly does not wrap), broken at a space where there is one."""
    lines, line = [], ""
    for char in text:
        if line and text_width(line + char) > limit:
            cut = line.rfind(" ")
            if cut > 0:
                lines.append(line[:cut])
                line = line[cut + 1:]
            else:
                lines.append(line)
                line = ""
        line += char
    return [*lines, line] if line else lines


def _categories(values: pd.Series | list[str]) -> list[str]:
    """Category values as a figure holds them: escaped, since hovers show them as they are."""
    return [plotly_text(value) for value in values]


def _category_axis(labels: list[str], limit: float = LABEL_EMS) -> dict[str, object]:
    """Every category labelled (plotly drops some when they crowd), long labels wrapped."""
    return {"tickmode": "array", "tickvals": _categories(labels), "automargin": True,
            "ticktext": [_lines(label, limit) for label in labels]}


def _lines(text: str, limit: float) -> str:
    return plotly_lines(wrap(text, limit))


# Plotly's white template kept to what these charts draw (2-D axes, bars, lines, a funnel):
# Plotly checks a template again in every figure that takes it, and the whole one (maps, 3-D
# scenes, colour scales, 24 kinds of trace) was two thirds of a chart's build (14 ms → 4 ms).
TEMPLATE_TRACES = ("bar", "scatter")
TEMPLATE_LEFT_OUT = ("geo", "mapbox", "polar", "scene", "ternary", "coloraxis", "colorscale")


def _white() -> go.layout.Template:
    white = pio.templates["plotly_white"]
    layout = white.layout.to_plotly_json()
    return go.layout.Template(
        layout={key: value for key, value in layout.items() if key not in TEMPLATE_LEFT_OUT},
        data={kind: white.data[kind] for kind in TEMPLATE_TRACES})


TEMPLATE = _white()


def _figure(traces: list[BaseTraceType], title: str, height: int = 420,
            **layout: object) -> go.Figure:
    """The chart with the house's title, fonts, colours and legend, checked by Plotly once as
    it is made: traces and layout given together (trace after trace and setting after setting
    cost three to four times as much)."""
    return go.Figure(data=traces, layout=layout | {
        "title": {"text": plotly_text(title), "x": 0, "xanchor": "left"},
        "font": {"family": FONT_FAMILY, "size": 14},
        "colorway": PALETTE,
        "template": TEMPLATE,  # the object: a name costs 3× to check
        "height": height,
        "margin": {"l": 60, "r": 30, "t": 70, "b": 40},
        # Below the plot, where it wraps into rows on a narrow screen instead of running
        # into the title; the figure keeps room for it.
        "legend": {"orientation": "h", "xref": "container", "x": 0, "xanchor": "left",
                   "yref": "container", "y": 0, "yanchor": "bottom"},
        "separators": ".,",
    })


def untitled(fig: go.Figure) -> go.Figure:
    """A copy for a page, which sets the title above the chart as text that wraps on a phone.

    The top margin left is the mode bar's, so the bar never covers a title or a legend. Made
    from the figure's own (checked) dictionary without Plotly checking it again, which cost
    most of a page's first draw of a chart; the same JSON as the checked copy
    (tests/test_charts.py holds them to each other).
    """
    spec = fig.to_dict()
    layout = _pruned(spec.get("layout", {}))
    layout["title"] = {**layout.get("title", {}), "text": ""}
    layout["margin"] = {**layout.get("margin", {}), "t": MODEBAR_ROOM}
    return go.Figure({"data": spec.get("data", []), "layout": layout}, _validate=False)


def _pruned(spec: dict) -> dict:
    """The dictionary without empty dictionaries (an axis's `title: {}`), which a checked
    figure leaves out."""
    kept = {}
    for key, value in spec.items():
        if isinstance(value, dict):
            value = _pruned(value)
            if not value:
                continue
        kept[key] = value
    return kept


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to just above `maximum`."""
    if not maximum or maximum <= 0 or math.isnan(maximum):
        return [0.0]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(int(math.ceil(maximum / step)) + 1)]


def _value_axis(values: pd.Series, lang: str) -> dict[str, object]:
    ticks = nice_ticks(float(values.max()) if len(values) else 0.0)
    # Headroom above the top tick for the labels written outside the bars.
    return {"tickvals": ticks, "ticktext": [format_number(v, lang) for v in ticks],
            "range": [0, ticks[-1] * 1.12 if ticks[-1] else 1]}


def _with_periods(labels: list[str], periods: pd.Series | None) -> list[str]:
    """Labels (escaped already) with the period each figure covers on a smaller second line."""
    if periods is None:
        return labels
    return [f"{label}<br><span style='font-size:0.8em'>{plotly_text(period)}</span>"
            for label, period in zip(labels, periods)]


def bar(frame: pd.DataFrame, x: str, y: str, *, title: str, value_title: str, lang: str,
        color: str | None = None, text: str | None = None, period: str | None = None,
        horizontal: bool = False) -> go.Figure:
    """Bars of `y` per `x` (grouped by `color`), labelled with formatted values.

    `text` names a column of ready-made labels (e.g. with qualifiers: 超20亿元); by default
    the values are formatted in the page's language. `period` names a column of the
    periods the figures cover, written under each label. Bars lie horizontally when asked or
    when a category's label is long, so that labels wrap beside the bars instead of slanting.
    """
    categories = list(dict.fromkeys(frame[x].astype(str)))
    horizontal = horizontal or max(map(text_width, categories), default=0) > LABEL_EMS
    traces: list[BaseTraceType] = []
    groups = [(None, frame)] if color is None else list(frame.groupby(color, sort=False))
    for i, (name, part) in enumerate(groups):
        labels = part[text] if text else [format_number(v, lang) for v in part[y]]
        # On two short lines a label fits inside a horizontal bar or beside it.
        labels = [_lines(str(label), LABEL_EMS) if horizontal else plotly_text(label)
                  for label in labels]
        values, keys = part[y].astype(float), _categories(part[x].astype(str))
        traces.append(go.Bar(
            x=values if horizontal else keys,
            y=keys if horizontal else values,
            orientation="h" if horizontal else "v",
            name=_lines(str(name), LEGEND_EMS) if name is not None else plotly_text(value_title),
            text=_with_periods(labels, part[period] if period else None),
            # Beside a horizontal bar the label could run past a narrow chart: inside it then.
            textposition="auto" if horizontal else "outside",
            textangle=0,
            cliponaxis=False,
            marker_color=PALETTE[i % len(PALETTE)],
            hovertemplate="%{text}<extra>%{fullData.name}</extra>",
        ))
    axis = (_value_axis(frame[y].astype(float), lang)
            | {"title": {"text": plotly_text(value_title)}})
    axes = ({"xaxis": axis, "yaxis": {"autorange": "reversed"} | _category_axis(categories)}
            if horizontal else {"yaxis": axis, "xaxis": _category_axis(categories)})
    height = max(300, 140 + 50 * len(frame)) if horizontal else 420
    return _figure(traces, title, height, **axes, barmode="group",
                   showlegend=color is not None)


def funnel(frame: pd.DataFrame, *, stage: str, value: str, title: str, lang: str,
           text: str | None = None, period: str | None = None) -> go.Figure:
    """Stages narrowing down, e.g. service experiences → problems found → problems solved.

    `period` names a column of the periods the stages cover, written under their values.
    """
    labels = frame[text] if text else [format_number(v, lang) for v in frame[value]]
    values = frame[value].astype(float)
    top = values.max()
    inside = [v >= 0.5 * top for v in values]
    # Beside a narrow stage there is little room on a phone: a span's period breaks after its
    # dash (2021–/2023-11-15) rather than run past the chart's edge.
    periods = None if not period else [
        str(p) if wide else str(p).replace("–", "–\n") for p, wide in zip(frame[period], inside)]
    trace = go.Funnel(
        y=_categories(frame[stage].astype(str)),
        x=values,
        text=[line.replace("\n", "<br>") for line in _with_periods(
            [plotly_text(label) for label in labels], periods)],
        textinfo="text",
        # Inside a wide stage, beside a narrow one: never shrunk to fit a phone-wide bar.
        textposition=["inside" if wide else "outside" for wide in inside],
        marker={"color": PALETTE[: len(frame)]},
        hovertemplate="%{y}: %{text}<extra></extra>",
    )
    return _figure([trace], title, 360, yaxis=_category_axis(list(frame[stage].astype(str))))


def timeline(frame: pd.DataFrame, *, date: str, label: str, lane: str, status: str,
             status_label: str, title: str, hover: str | None = None,
             period: str | None = None) -> go.Figure:
    """Dated events, one row each in date order, coloured by lane (a project, a program).

    Status is told by marker shape and written beside the marker with the date, so it
    reads without colour; rows never overlap however close the dates are. The words stand
    right of a marker in the axis's first half and left of it in the second, so they stay
    inside a chart as narrow as a phone's. `hover` (default: the label) shows on pointing.
    `period` names a column of the periods as reported (2023-11, 2017–2018), written instead
    of a date they do not give.
    """
    frame = frame.sort_values(date)
    lanes = list(dict.fromkeys(frame[lane].astype(str)))
    rows = frame[label].astype(str)
    if rows.duplicated().any() and len(lanes) > 1:
        rows = rows + "(" + frame[lane].astype(str) + ")"
    span = frame[date].max() - frame[date].min()
    short = span < pd.Timedelta(days=90)
    when = (frame[period].astype(str) if period
            else frame[date].dt.strftime("%Y-%m-%d" if short else "%Y-%m"))
    start, end = frame[date].min(), frame[date].max()
    pad = max(span * 0.08, pd.Timedelta(days=2))
    low, high = start - pad, end + pad
    middle = low + (high - low) / 2
    traces: list[BaseTraceType] = []
    for i, name in enumerate(lanes):
        part = frame[frame[lane].astype(str) == name]
        traces.append(go.Scatter(
            x=part[date],
            y=_categories(rows[part.index]),
            mode="markers+text",
            name=_lines(name, LEGEND_EMS),
            text=[plotly_lines(pair) for pair in zip(part[status_label].astype(str),
                                                      when[part.index])],
            customdata=_categories(part[hover or label].astype(str)),
            textposition=["middle right" if d <= middle else "middle left" for d in part[date]],
            cliponaxis=False,
            marker={"size": 14, "symbol": [STATUS_SYMBOLS.get(str(s), "circle")
                                           for s in part[status]],
                    "color": PALETTE[i % len(PALETTE)], "line": {"width": 2}},
            hovertemplate="%{x|%Y-%m-%d}: %{customdata}<extra>%{fullData.name}</extra>",
        ))
    shown = high - low
    # Whole days between ticks on a short axis, so no tick falls at noon.
    ticks = {"dtick": 86_400_000 * max(1, math.ceil(shown.days / 6))} if short else {}
    return _figure(
        traces, title, max(260, 150 + 48 * len(frame)),
        yaxis={"categoryorder": "array", "categoryarray": _categories(rows)[::-1], "title": None}
        | _category_axis(list(rows)),
        xaxis={"title": None, "range": [low, high], "nticks": 5,
               "tickformat": "%Y-%m-%d" if short else "%Y-%m", **ticks},
        showlegend=True,
    )


MATRIX_ROW_EMS = 16.0


def matrix(frame: pd.DataFrame, *, row: str, column: str, mark: str, title: str) -> go.Figure:
    """Who takes part in what: a symbol and a word in each filled cell, not colour alone."""
    rows = list(dict.fromkeys(frame[row].astype(str)))
    columns = list(dict.fromkeys(frame[column].astype(str)))
    traces: list[BaseTraceType] = []
    for i, (key, part) in enumerate(frame.groupby(mark, sort=False)):
        traces.append(go.Scatter(
            x=_categories(part[column].astype(str)),
            y=_categories(part[row].astype(str)),
            mode="markers",
            name=plotly_text(key),
            marker={"size": 16, "symbol": ["circle", "circle-open"][i % 2],
                    "color": PALETTE[i % len(PALETTE)], "line": {"width": 2}},
            hovertemplate="%{y} × %{x}<extra>%{fullData.name}</extra>",
        ))
    # Upright program names, one line each: all of them fit side by side even on a phone.
    # Department names wrap; each row is as tall as the most lines a name takes.
    lines = max(len(wrap(r, MATRIX_ROW_EMS)) for r in rows)
    row_height = max(28, 14 * lines + 6)
    labels_height = 11 * max(map(text_width, columns)) + 20
    return _figure(
        traces, title, int(120 + row_height * len(rows) + labels_height),
        xaxis={"categoryorder": "array", "categoryarray": _categories(columns), "tickangle": -90,
               "title": None, "tickfont": {"size": 11}} | _category_axis(columns, limit=999),
        yaxis={"categoryorder": "array", "categoryarray": _categories(rows[::-1]), "title": None,
               "tickfont": {"size": 11}} | _category_axis(rows, limit=MATRIX_ROW_EMS),
    )


# How each kind of report is marked: a bound points the way the value may lie, a range spans.
BOUND_SYMBOLS = {"reported": "circle", "lower_bound": "triangle-up", "upper_bound": "triangle-down",
                 "range": "line-ew"}


def history(frame: pd.DataFrame, *, date: str, value: str, bound: str, text: str, title: str,
            value_title: str, lang: str, names: dict[str, str], value_max: str | None = None,
            target: float | None = None, target_label: str = "",
            targets: list[tuple[float, pd.Timestamp, pd.Timestamp]] = ()) -> go.Figure:
    """A metric's reports over time, each marked where it stands, joined by a thin line.

    `bound` names a column saying what each report is (`reported`, `lower_bound`,
    `upper_bound`, `range`); `names` words them for the legend. A lower bound is a triangle
    with a whisker pointing up (the value is at least this), an upper bound points down, a
    range is drawn from its lower to its upper end (`value_max`). `target` is a dashed line
    across the chart; each of `targets` (value, start, end of its period) a dashed line over its
    period, ending in a marker where it is to be reached.
    """
    frame = frame.sort_values(date)
    values = frame[value].astype(float)
    tops = frame[value_max].astype(float).fillna(values) if value_max else values
    # Room either side, and labels leaning inwards, so that they stay inside a phone's width.
    start, end = frame[date].min(), frame[date].max()
    if len(targets):
        start = min(start, *(pd.Timestamp(s) for _, s, _ in targets))
        end = max(end, *(pd.Timestamp(e) for _, _, e in targets))
    pad = max((end - start) * 0.1, pd.Timedelta(days=30))
    middle = start + (end - start) / 2
    reach = float(pd.concat([values, tops]).max()) * 0.12 if len(frame) else 0.0
    traces = [go.Scatter(x=frame[date], y=values, mode="lines", showlegend=False,
                         line={"color": "#999999", "width": 1, "dash": "dot"},
                         hoverinfo="skip")]
    for i, (kind, part) in enumerate(frame.groupby(bound, sort=False)):
        kind = str(kind)
        up = (list(tops[part.index] - values[part.index]) if kind == "range"
              else [reach if kind == "lower_bound" else 0.0] * len(part))
        down = [reach if kind == "upper_bound" else 0.0] * len(part)
        traces.append(go.Scatter(
            x=part[date], y=values[part.index], mode="markers+text",
            name=_lines(names.get(kind, kind), LEGEND_EMS),
            text=[_lines(str(s), LABEL_EMS) for s in part[text]],
            textposition=["top right" if d <= middle else "top left" for d in part[date]],
            cliponaxis=False,
            marker={"size": 13, "symbol": BOUND_SYMBOLS.get(kind, "circle"),
                    "color": PALETTE[i % len(PALETTE)], "line": {"width": 2}},
            error_y={"type": "data", "symmetric": False, "array": up,
                     "arrayminus": down, "visible": kind != "reported", "width": 6,
                     "color": PALETTE[i % len(PALETTE)]},
            hovertemplate="%{x|%Y-%m-%d}: %{text}<extra>%{fullData.name}</extra>",
        ))
    goals = [g for g, _, _ in targets] + ([target] if target is not None else [])
    top = max(float(tops.max()) if len(frame) else 0.0, *goals, 0.0) + reach
    axis = _value_axis(pd.Series([top]), lang) | {"title": {"text": plotly_text(value_title)}}
    if target is not None:
        traces.append(go.Scatter(
            x=[start - pad, end + pad], y=[target, target], mode="lines",
            name=_lines(target_label, LEGEND_EMS),
            line={"color": PALETTE[5], "dash": "dash", "width": 2}, hoverinfo="name"))
    for number, (goal, begins, ends) in enumerate(targets):
        traces.append(go.Scatter(
            x=[pd.Timestamp(begins), pd.Timestamp(ends)], y=[goal, goal], mode="lines+markers",
            name=_lines(target_label, LEGEND_EMS), showlegend=number == 0,
            legendgroup="targets", marker={"symbol": ["line-ns", "star"], "size": [8, 12],
                                           "color": PALETTE[5]},
            line={"color": PALETTE[5], "dash": "dash", "width": 2}, hoverinfo="name+y"))
    return _figure(traces, title, 380, yaxis=axis, showlegend=True,
                   xaxis={"title": None, "tickformat": "%Y-%m", "nticks": 5,
                          "range": [start - pad, end + pad]})
