"""A KPI's movement in words: its change since the previous report, whether that is good
news (colour, arrow and word together), its sparkline and its progress against a target.

The numbers come from `civic.trends`; this module only says them in the view's language.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from civic.i18n import format_number, format_period, format_quantity, t
from civic.models import Metric, Target
from civic.quantities import Qualifier
from civic.trends import SPARK_POINTS, progress, verdict

# Okabe–Ito blue for good news, orange for bad; never the only sign (arrow and word go with it).
TONES = {"better": "blue", "worse": "orange", "same": "gray", "changed": "gray"}


@dataclass(frozen=True)
class Movement:
    """What a KPI card shows of how its figure moves; empty where there is one report only."""

    change: str = ""
    """The change, absolute and in %: +977人次（+24.3%）."""
    change_note: str = ""
    """Since when, and whether it is better or worse, in words: 较2023-06-30 · ▲ 更好."""
    tone: str = "off"
    arrow: str = "off"
    trend: tuple[float, ...] = ()
    progress: float | None = None
    progress_text: str = ""


def signed_change(change: float, unit: str, approximate: bool, lang: str,
                  noun: str | None = None, percent: float | None = None) -> str:
    """+977人次（+24.3%） / about -CNY 20 million (-10%): 约 / about where either report is
    qualified."""
    sign = "+" if change > 0 else "-" if change < 0 else "±"
    text = f"{sign}{format_quantity(abs(change), unit, Qualifier.EXACT, lang, noun=noun)}"
    if approximate:
        text = t(f"qualifier.{Qualifier.ABOUT}", lang).format(text)
    if percent is None or pd.isna(percent):
        return text
    share = f"{sign}{format_number(abs(percent), lang, 1)}%"
    return f"{text}（{share}）" if lang == "zh" else f"{text} ({share})"


def change_note(row: object, metric: Metric | None, lang: str) -> str:
    """Since which report the change is measured, which way it went and what that means:
    2021–2023-06-30以来新增 · ▲ 更好 / added since 2021–2023-06-30 · ▲ better."""
    change = float(getattr(row, "change"))
    higher = metric.higher_is_better if metric else None
    word = verdict(change, higher)
    added = bool(metric and metric.cumulative) and change >= 0  # a fall corrects a total
    since = t("change.added" if added else "change.since", lang,
              period=format_period(str(getattr(row, "previous_period"))))
    arrow = "▲" if change > 0 else "▼" if change < 0 else "–"
    return f"{since} · {arrow} {t(f'change.{word}', lang)}"


def movement(history: pd.DataFrame, metric: Metric | None, target: Target | None, lang: str,
             noun: str | None = None, last: object | None = None) -> Movement:
    """A card's movement from its series (oldest first, with `trends.with_changes` columns);
    `last` is its newest report where the caller has it already (`trends.Histories.newest`)."""
    if history.empty:
        return Movement()
    last = last or next(history.tail(1).itertuples())
    fields: dict[str, object] = {}
    if len(history) >= SPARK_POINTS:
        fields["trend"] = tuple(float(v) for v in history["value"])
    if target is not None:
        share = progress(float(last.value), target.value, target.at_least)
        if share is not None:
            fields["progress"] = min(max(share, 0.0), 1.0)
            fields["progress_text"] = t("target.progress", lang,
                                        share=format_number(share * 100, lang, 0))
    if not pd.isna(last.change):
        word = verdict(float(last.change), metric.higher_is_better if metric else None)
        fields.update(
            change=signed_change(float(last.change), str(last.unit), bool(last.change_approx),
                                 lang, noun, last.change_pct),
            change_note=change_note(last, metric, lang),
            tone=TONES[word],
            arrow="up" if last.change > 0 else "down" if last.change < 0 else "off",
        )
    return Movement(**fields)
