"""A view's headline indicators in a few lines, in the view's language: the `digest` document,
and the text of every scheduled message (an e-mail's body, a group bot's Markdown).

The headline indicators are the critical ones (data/metrics.yaml). Each line is a KPI card as the
dashboard shows it: program and indicator, value with unit and
qualifier, the period it covers, its change since the previous report and its target status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from civic.attention import Attention
from civic.cards import KpiCard
from civic.channels import BOT_BYTES, Attachment, Message, fit
from civic.i18n import format_date, labelled, t
from civic.schedule import Schedule
from civic.text import bot_text
from civic.view import View


@dataclass(frozen=True)
class Headline:
    program: str
    """The program's name in the view's language."""
    card: KpiCard


def headlines(view: View) -> list[Headline]:
    """The view's critical indicators (the catalogue's `critical` flags), in the pages' order:
    those the first screen and the brief lead with."""
    attention = Attention.of(view)
    found = []
    for program_id in view.program_ids:
        if view.has(program_id):
            found += [Headline(view.program_name(program_id), card)
                      for card in view.cards(program_id, attention.critical_metrics(program_id))]
    return found


def _parts(view: View, headline: Headline) -> tuple[str, str]:
    """(program · indicator, value (period); change; status) of one line."""
    card, lang = headline.card, view.lang
    label = card.label + (f" · {t('basis.derived', lang)}" if card.derived else "")
    value = f"{card.value}（{card.period}）" if lang == "zh" else f"{card.value} ({card.period})"
    notes = [value]
    if card.movement.change:
        notes.append(f"{card.movement.change} · {card.movement.change_note}")
    if card.status_text:
        notes.append(card.status_text)
    return f"{headline.program} · {label}", ("；" if lang == "zh" else "; ").join(notes)


def lines(view: View) -> list[str]:
    """One plain line per headline indicator."""
    return [f"· {labelled(what, said, view.lang)}"
            for what, said in (_parts(view, h) for h in headlines(view))]


def message(view: View, document: str, subscription: int, schedule: Schedule, day: dt.date,
            link: str | None, attachment: Attachment | None) -> Message:
    """A scheduled message: the headline indicators, the link back to the view, and the
    document attached (the digest is the text itself)."""
    lang = view.lang
    name = t(f"delivery.document.{document}", lang)
    title = t("delivery.subject", lang, app=t("app.title", lang), document=name,
              date=format_date(day, lang), context=view.context())
    found = lines(view)
    head = [labelled(t("context.label", lang), view.context(), lang),
            t("app.as_of", lang, date=format_date(view.catalog.as_of, lang))]
    if attachment:
        head.append(t("delivery.attached", lang, name=attachment.name))
    body = found or [t("empty.message", lang)]
    footer = t("delivery.footer", lang, id=subscription, schedule=schedule.words(lang))
    opened = [t("delivery.open", lang, link=link)] if link else []
    text = "\n".join([title, *head, "", t("delivery.headlines", lang), *body, "", *opened,
                      footer]) + "\n"
    items = [f"- **{bot_text(what)}**{'：' if lang == 'zh' else ': '}{bot_text(said)}"
             for what, said in (_parts(view, h) for h in headlines(view))]
    markdown = "\n".join([f"### {bot_text(title)}", *(bot_text(h) for h in head), "",
                          *(items or [bot_text(body[0])])])
    tail = (f"\n\n[{t('delivery.open_short', lang)}]({link})" if link else "") + \
        f"\n\n{bot_text(footer)}"
    markdown = fit(markdown, t("delivery.more", lang), BOT_BYTES - len(tail.encode("utf-8")))
    return Message(title, text, markdown + tail, attachment)
