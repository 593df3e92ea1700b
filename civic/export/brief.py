"""The leader's brief as one HTML document, at most two A4 pages once printed
(`civic.export.brief_pdf`): attention first (the critical indicators' status and trend, what moved,
the reports overdue by department), every value with its period and change, then one line per
program. The full briefing stays the appendix, its own document.

The HTML is a Jinja2 template (templates/brief.html, its CSS beside it) with autoescape on:
every data string is escaped. Status and trend are shown by icon, word and colour together. The
lists are bounded (`Limits`); where a list is cut, the brief says how many more the full briefing
holds, and `export.brief_pdf` prints with tighter limits until it fits two pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from civic.attention import HEX, ICONS, TONES, Attention
from civic.cards import KpiCard
from civic.export.files import html_lang
from civic.export.rendering import template
from civic.i18n import format_date, labelled, name, t
from civic.view import View

BRIEF_PAGES = 2


@dataclass(frozen=True)
class Limits:
    """How many rows of each list the brief holds."""

    critical: int
    moved: int
    departments: int
    programs: int


LIMITS = (Limits(40, 5, 12, 30), Limits(24, 3, 8, 16), Limits(14, 2, 5, 8), Limits(8, 1, 3, 4))
"""From the fullest to the tightest: the first that prints on two pages is used."""

def _mark(attention: Attention, key: str) -> dict[str, str]:
    """Icon and word in the key's colour: ✓ 达标."""
    return {"colour": HEX[TONES[key]], "icon": ICONS[key], "word": attention.word(key)}


def _critical(attention: Attention, limit: int) -> list[dict[str, Any]]:
    lang = attention.view.lang
    rows = []
    for item in attention.indicators[:limit]:
        card = item.card
        label = f"{item.program_name} · {card.label}"
        if card.derived:
            label += f" · {t('basis.derived', lang)}"
        rows.append({
            "standing": _mark(attention, item.standing), "trend": _mark(attention, item.trend),
            "label": label, "value": card.value, "period": card.period,
            "note": card.note,  # the date a calculated value is for
            "change": card.movement.change, "change_note": card.movement.change_note,
            "status": card.status_text if item.target is not None else None})
    return rows


def _moved(attention: Attention, limit: int) -> list[dict[str, Any]]:
    return [{"trend": _mark(attention, m.trend), "label": m.label, "value": m.value,
             "period": m.period, "change": m.change, "change_note": m.change_note}
            for m in attention.moved[:limit]]


def _overdue(attention: Attention, limit: int) -> list[dict[str, Any]]:
    return [{"name": due.name, "parts": attention.department_parts(due),
             "reports": "; ".join(f"{attention.view.label(r.metric)} {r.period} "
                                  f"({attention.late(r.days_overdue)})"
                                  for r in due.rows.itertuples())}
            for due in attention.by_department[:limit]]


def _with_change(card: KpiCard, lang: str) -> dict[str, str]:
    """A headline value with its period, and its change where it has one: 年产值 近2亿元（2022，
    约+1.8亿元（+900%） 较2017 · ▲ 更好）."""
    return {"label": card.label + (f" · {t('basis.derived', lang)}" if card.derived else ""),
            "value": card.value, "period": card.period,
            "change": (f"{card.movement.change} {card.movement.change_note}"
                       if card.movement.change else "")}


def _programs(view: View, shown: list[str]) -> list[dict[str, Any]]:
    lang = view.lang
    lines = []
    for program_id in shown:
        program = view.catalog.programs[program_id]
        latest = view.latest_date(program_id)
        meta = [t(f"category.{program.category}", lang),
                labelled(t("overview.lead", lang), view.department_name(program.lead), lang),
                labelled(t("overview.latest", lang),
                         format_date(latest.date() if latest is not None else None, lang), lang)]
        lines.append({"name": name(program.name, lang), "meta": " · ".join(meta),
                      "figures": [_with_change(c, lang)
                                 for c in view.cards(program_id, program.headline)]})
    return lines


def brief_html(view: View, limits: Limits = LIMITS[0], today: dt.date | None = None) -> str:
    """The brief of `view` as one HTML document."""
    lang = view.lang
    attention = Attention.of(view, today)
    facts = " · ".join([labelled(t("context.label", lang), view.context(), lang),
                        t("app.as_of", lang, date=format_date(view.as_of, lang)),
                        t("export.exported", lang, date=format_date(dt.date.today(), lang))])
    context: dict[str, Any] = {
        "t": lambda key, **values: t(key, lang, **values), "zh": lang == "zh",
        "html_lang": html_lang(lang), "title": f"{t('brief.title', lang)} · {view.context()}",
        "facts": facts, "empty": view.empty}
    if not view.empty:
        shown = [p for p in view.program_ids if view.has(p)]
        context |= {
            "headline": attention.headline(),
            "period_label": labelled(t("period.label", lang), "", lang),
            "critical_columns": [(t(key, lang), width) for key, width in (
                ("attention.standing", 12), ("attention.trend", 12), ("col.metric", 31),
                ("brief.value", 22), ("change.label", 23))],
            "critical": _critical(attention, limits.critical),
            "critical_more": len(attention.indicators) - limits.critical,
            "moved": _moved(attention, limits.moved),
            "moved_more": len(attention.moved) - limits.moved,
            "due_summary": attention.due_summary(), "as_of": attention.as_of.isoformat(),
            "overdue_columns": [(t("attention.owner", lang), 40), (t("brief.reports", lang), 60)],
            "overdue": _overdue(attention, limits.departments),
            "overdue_more": len(attention.by_department) - limits.departments,
            "programs": _programs(view, shown[:limits.programs]),
            "programs_more": len(shown) - limits.programs}
    return template("brief.html").render(context)
