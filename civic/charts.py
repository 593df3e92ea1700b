"""Chart builders: a frame and labels in, a Plotly figure out, touching no files or globals.

Labels arrive translated; numbers are formatted here in the page's language (ticks and
labels in 万/亿 or million/billion). Colours come from the Okabe–Ito palette, which stays
distinct under the common colour-vision deficiencies, and status is always spelled out in
text and marker shape as well.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from civic.i18n import format_number

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# Latin glyphs from a Latin font first (so English quotes and digits are not set full-width),
# Chinese from the first CJK font the machine has.
FONT_FAMILY = ("Source Sans Pro, DejaVu Sans, Noto Sans CJK SC, Source Han Sans SC, "
               "WenQuanYi Zen Hei, PingFang SC, Microsoft YaHei, sans-serif")
# Marker shapes by status, so that status reads without colour.
STATUS_SYMBOLS = {"done": "circle", "planned": "diamond-open", "expected": "square-open"}


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        font={"family": FONT_FAMILY, "size": 14},
        colorway=PALETTE,
        template="plotly_white",
        height=height,
        margin={"l": 60, "r": 30, "t": 70, "b": 60},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        separators=".,",
    )
    return fig


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


def _with_periods(labels: pd.Series | list[str], periods: pd.Series | None) -> list[str]:
    """Labels with the period each figure covers on a smaller second line."""
    if periods is None:
        return list(labels)
    return [f"{label}<br><span style='font-size:0.8em'>{period}</span>"
            for label, period in zip(labels, periods)]


def bar(frame: pd.DataFrame, x: str, y: str, *, title: str, value_title: str, lang: str,
        color: str | None = None, text: str | None = None, period: str | None = None,
        horizontal: bool = False) -> go.Figure:
    """Bars of `y` per `x` (grouped by `color`), labelled with formatted values.

    `text` names a column of ready-made labels (e.g. with qualifiers: 超20亿元); by default
    the values are formatted in the page's language. `period` names a column of the
    periods the figures cover, written under each label.
    """
    fig = go.Figure()
    groups = [(None, frame)] if color is None else list(frame.groupby(color, sort=False))
    for i, (name, part) in enumerate(groups):
        labels = part[text] if text else [format_number(v, lang) for v in part[y]]
        values, keys = part[y].astype(float), part[x].astype(str)
        fig.add_trace(go.Bar(
            x=values if horizontal else keys,
            y=keys if horizontal else values,
            orientation="h" if horizontal else "v",
            name=str(name) if name is not None else value_title,
            text=_with_periods(labels, part[period] if period else None),
            textposition="outside",
            textangle=0,
            cliponaxis=False,
            marker_color=PALETTE[i % len(PALETTE)],
            hovertemplate="%{text}<extra>%{fullData.name}</extra>",
        ))
    axis = _value_axis(frame[y].astype(float), lang) | {"title": {"text": value_title}}
    if horizontal:
        fig.update_layout(xaxis=axis, yaxis={"autorange": "reversed"})
    else:
        fig.update_layout(yaxis=axis)
    fig.update_layout(barmode="group", showlegend=color is not None)
    return _layout(fig, title)


def funnel(frame: pd.DataFrame, *, stage: str, value: str, title: str, lang: str,
           text: str | None = None, period: str | None = None) -> go.Figure:
    """Stages narrowing down, e.g. service experiences → problems found → problems solved.

    `period` names a column of the periods the stages cover, written under their values.
    """
    labels = frame[text] if text else [format_number(v, lang) for v in frame[value]]
    fig = go.Figure(go.Funnel(
        y=frame[stage].astype(str),
        x=frame[value].astype(float),
        text=_with_periods(labels, frame[period] if period else None),
        textinfo="text",
        marker={"color": PALETTE[: len(frame)]},
        hovertemplate="%{y}: %{text}<extra></extra>",
    ))
    return _layout(fig, title, height=360)


def timeline(frame: pd.DataFrame, *, date: str, label: str, lane: str, status: str,
             status_label: str, title: str, hover: str | None = None,
             period: str | None = None) -> go.Figure:
    """Dated events, one row each in date order, coloured by lane (a project, a program).

    Status is told by marker shape and written beside the marker with the date, so it
    reads without colour; rows never overlap however close the dates are. `hover`
    (default: the label) shows on pointing. `period` names a column of the periods as
    reported (2023-11, 2017–2018), written instead of a date they do not give.
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
    fig = go.Figure()
    for i, name in enumerate(lanes):
        part = frame[frame[lane].astype(str) == name]
        fig.add_trace(go.Scatter(
            x=part[date],
            y=rows[part.index],
            mode="markers+text",
            name=name,
            text=part[status_label].astype(str) + " · " + when[part.index],
            customdata=part[hover or label].astype(str),
            textposition="middle right",
            marker={"size": 14, "symbol": [STATUS_SYMBOLS.get(str(s), "circle")
                                           for s in part[status]],
                    "color": PALETTE[i % len(PALETTE)], "line": {"width": 2}},
            hovertemplate="%{x|%Y-%m-%d}: %{customdata}<extra>%{fullData.name}</extra>",
        ))
    start, end = frame[date].min(), frame[date].max()
    left = max(span * 0.05, pd.Timedelta(days=2))
    right = max(span * 0.35, pd.Timedelta(days=4))  # room for the words beside the markers
    shown = (end + right) - (start - left)
    # Whole days between ticks on a short axis, so no tick falls at noon.
    ticks = {"dtick": 86_400_000 * max(1, math.ceil(shown.days / 6))} if short else {}
    fig.update_layout(
        yaxis={"categoryorder": "array", "categoryarray": list(rows)[::-1], "title": None,
               "automargin": True},
        xaxis={"title": None, "range": [start - left, end + right],
               "tickformat": "%Y-%m-%d" if short else "%Y-%m", **ticks},
        showlegend=True,
    )
    return _layout(fig, title, height=max(260, 150 + 44 * len(frame)))


def matrix(frame: pd.DataFrame, *, row: str, column: str, mark: str, title: str) -> go.Figure:
    """Who takes part in what: a symbol and a word in each filled cell, not colour alone."""
    rows = list(dict.fromkeys(frame[row].astype(str)))
    columns = list(dict.fromkeys(frame[column].astype(str)))
    fig = go.Figure()
    for i, (key, part) in enumerate(frame.groupby(mark, sort=False)):
        fig.add_trace(go.Scatter(
            x=part[column].astype(str),
            y=part[row].astype(str),
            mode="markers",
            name=str(key),
            marker={"size": 16, "symbol": ["circle", "circle-open"][i % 2],
                    "color": PALETTE[i % len(PALETTE)], "line": {"width": 2}},
            hovertemplate="%{y} × %{x}<extra>%{fullData.name}</extra>",
        ))
    fig.update_layout(
        xaxis={"categoryorder": "array", "categoryarray": columns, "tickangle": -40,
               "title": None},
        yaxis={"categoryorder": "array", "categoryarray": rows[::-1], "title": None},
    )
    return _layout(fig, title, height=max(320, 160 + 36 * len(rows)))
