"""The leader's brief as one HTML document, at most two A4 pages once printed
(`civic.export.brief_pdf`): attention first (the critical indicators' status and trend, what moved,
the reports overdue by department), every value with its period and change, then one line per
program. The full briefing stays the appendix, its own document.

Every data string is escaped. Status and trend are shown by icon, word and colour together. The
lists are bounded (`Limits`); where a list is cut, the brief says how many more the full briefing
holds, and `export.brief_pdf` prints with tighter limits until it fits two pages.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from civic.attention import HEX, ICONS, TONES, Attention
from civic.cards import KpiCard
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

BRIEF_CSS = """
@page { size: A4; margin: 12mm 13mm 13mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 7.5pt; color: #666; } }
body { font-family: "WenQuanYi Zen Hei", "Noto Sans CJK SC", sans-serif; font-size: 8.6pt;
  line-height: 1.35; color: #1a1a1a; margin: 0; }
h1 { font-size: 17pt; margin: 0 0 1mm; }
h2 { font-size: 10.5pt; margin: 3.2mm 0 1.2mm; padding-bottom: 0.6mm;
  border-bottom: 1pt solid #0072B2; break-after: avoid; }
p { margin: 0 0 1mm; }
.kicker { color: #0072B2; font-size: 9pt; margin: 0; }
.facts { color: #444; font-size: 8pt; }
.headline { font-weight: bold; font-size: 9.2pt; margin: 1.5mm 0 1mm; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { text-align: left; vertical-align: top; padding: 0.7mm 1.1mm;
  border-bottom: 0.5pt solid #d5d5d5; overflow-wrap: anywhere; }
th { background: #eef3f8; font-size: 7.8pt; }
tr { break-inside: avoid; }
.mark { font-weight: bold; white-space: nowrap; }
.value { font-weight: bold; }
.small { font-size: 7.6pt; color: #444; }
ol, ul { margin: 0; padding-left: 5mm; }
li { margin: 0 0 0.6mm; break-inside: avoid; }
.more, .note { font-size: 7.6pt; color: #555; }
.nowrap { white-space: nowrap; }
"""


def _esc(text: object) -> str:
    return html.escape(str(text))


def _mark(attention: Attention, key: str) -> str:
    """Icon and word in the key's colour: ✓ 达标."""
    return (f'<span class="mark" style="color:{HEX[TONES[key]]}">'
            f"{_esc(ICONS[key])} {_esc(attention.word(key))}</span>")


def _more(count: int, lang: str) -> str:
    return f'<p class="more">{_esc(t("brief.more", lang, count=count))}</p>' if count > 0 else ""


def _critical(attention: Attention, limit: int) -> str:
    lang = attention.view.lang
    shown = attention.indicators[:limit]
    if not shown:
        return f'<p>{_esc(t("attention.none", lang))}</p>'
    head = "".join(f'<th style="width:{w}%">{_esc(t(k, lang))}</th>' for k, w in (
        ("attention.standing", 12), ("attention.trend", 12), ("col.metric", 31),
        ("brief.value", 22), ("change.label", 23)))
    rows = []
    for item in shown:
        card = item.card
        value = (f'<span class="value">{_esc(card.value)}</span><br><span class="small">'
                 f'{_esc(labelled(t("period.label", lang), "", lang))}{_period(card.period)}')
        if card.note:  # the date a calculated value is for
            value += f"<br>{_esc(card.note)}"
        value += "</span>"
        change = (f'{_esc(card.movement.change)}<br><span class="small">'
                  f'{_esc(card.movement.change_note)}</span>' if card.movement.change
                  else f'<span class="small">{_esc(t("brief.no_change", lang))}</span>')
        if item.target is not None and card.status_text:
            change += f'<br><span class="small">{_esc(card.status_text)}</span>'
        label = f"{item.program_name} · {card.label}"
        if card.derived:
            label += f" · {t('basis.derived', lang)}"
        rows.append(f"<tr><td>{_mark(attention, item.standing)}</td>"
                    f"<td>{_mark(attention, item.trend)}</td><td>{_esc(label)}</td>"
                    f"<td>{value}</td><td>{change}</td></tr>")
    return (f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            + _more(len(attention.indicators) - len(shown), lang))


def _moved(attention: Attention, limit: int) -> str:
    lang = attention.view.lang
    if not attention.moved:
        return f'<p class="small">{_esc(t("attention.no_moved", lang))}</p>'
    items = "".join(
        f"<li>{_mark(attention, m.trend)} <b>{_esc(m.label)}</b>: {_esc(m.value)} "
        f"({_esc(labelled(t('period.label', lang), '', lang))}{_period(m.period)}) · "
        f"{_esc(m.change)} · "
        f"{_esc(m.change_note)}</li>" for m in attention.moved[:limit])
    return f"<ol>{items}</ol>" + _more(len(attention.moved) - limit, lang)


def _overdue(attention: Attention, limit: int) -> str:
    lang = attention.view.lang
    summary = f"<p>{_esc(attention.due_summary())} · " \
              f"{_esc(t('attention.due_as_of', lang, date=attention.as_of.isoformat()))}</p>"
    departments = attention.by_department
    if not departments:
        return summary
    head = "".join(f'<th style="width:{w}%">{_esc(t(k, lang))}</th>' for k, w in (
        ("attention.owner", 40), ("brief.reports", 60)))
    rows = []
    for due in departments[:limit]:
        reports = "; ".join(f"{attention.view.label(r.metric)} {r.period} "
                            f"({attention.late(r.days_overdue)})"
                            for r in due.rows.itertuples())
        said = "".join(f"<br>{_period(part)}" for part in attention.department_parts(due))
        rows.append(f'<tr><td><b>{_esc(due.name)}</b><span class="small">{said}</span></td>'
                    f'<td class="small">{_esc(reports)}</td></tr>')
    return (summary + f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
            "</table>" + _more(len(departments) - limit, lang))


def _period(text: str) -> str:
    """A period, never broken across lines (a copied date stays whole)."""
    return f'<span class="nowrap">{_esc(text)}</span>'


def _with_change(card: KpiCard, lang: str) -> str:
    """A headline value with its period, and its change where it has one: 年产值 近2亿元（2022，
    约+1.8亿元（+900%） 较2017 · ▲ 更好）."""
    said = [_period(card.period)] + ([_esc(f"{card.movement.change} {card.movement.change_note}")]
                                     if card.movement.change else [])
    label = _esc(card.label + (f" · {t('basis.derived', lang)}" if card.derived else ""))
    if lang == "zh":
        return f"{label} {_esc(card.value)}（{'，'.join(said)}）"
    return f"{label} {_esc(card.value)} ({', '.join(said)})"


def _programs(view: View, limit: int) -> str:
    lang = view.lang
    shown = [p for p in view.program_ids if view.has(p)]
    lines = []
    for program_id in shown[:limit]:
        program = view.catalog.programs[program_id]
        values = [_with_change(c, lang) for c in view.cards(program_id, program.headline)]
        latest = view.latest_date(program_id)
        meta = [t(f"category.{program.category}", lang),
                labelled(t("overview.lead", lang), view.department_name(program.lead), lang),
                labelled(t("overview.latest", lang),
                         format_date(latest.date() if latest is not None else None, lang), lang)]
        lines.append(f"<li><b>{_esc(name(program.name, lang))}</b> · "
                     f'<span class="small">{_esc(" · ".join(meta))}</span>'
                     + (f"<br>{('; ' if lang == 'en' else '；').join(values)}"
                        if values else "") + "</li>")
    return f"<ul>{''.join(lines)}</ul>" + _more(len(shown) - limit, lang)


def brief_html(view: View, limits: Limits = LIMITS[0], today: dt.date | None = None) -> str:
    """The brief of `view` as one HTML document."""
    lang = view.lang
    attention = Attention.of(view, today)
    facts = (f'{_esc(labelled(t("context.label", lang), view.context(), lang))} · '
             f'{_esc(t("app.as_of", lang, date=format_date(view.as_of, lang)))} · '
             f'{_esc(t("export.exported", lang, date=format_date(dt.date.today(), lang)))}')
    body = [f'<p class="kicker">{_esc(t("app.title", lang))}</p>',
            f'<h1>{_esc(t("brief.title", lang))}</h1>', f'<p class="facts">{facts}</p>']
    if view.empty:
        body.append(f'<p>{_esc(t("empty.message", lang))}</p>')
    else:
        body += [f'<p class="headline">{_esc(attention.headline())}</p>',
                 f'<h2>{_esc(t("attention.status_header", lang))}</h2>',
                 _critical(attention, limits.critical),
                 f'<h2>{_esc(t("attention.moved_header", lang))}</h2>',
                 _moved(attention, limits.moved),
                 f'<h2>{_esc(t("attention.due_header", lang))}</h2>',
                 _overdue(attention, limits.departments),
                 f'<h2>{_esc(t("brief.programs_header", lang))}</h2>',
                 _programs(view, limits.programs)]
    body.append(f'<p class="note">{_esc(t("brief.appendix", lang))}</p>')
    title = _esc(f"{t('brief.title', lang)} · {view.context()}")
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
            f"<title>{title}</title><style>{BRIEF_CSS}</style></head>"
            f"<body>{''.join(body)}</body></html>\n")
