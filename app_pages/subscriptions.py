"""订阅与推送 Subscriptions: the current view delivered by e-mail or to a group bot on a
schedule, with its alerts; one's own subscriptions listed and ended, and their deliveries. An
administrator sees and ends every subscription and sees every delivery, failures and retries
included. Signed-in accounts only."""

import datetime as dt

import streamlit as st

from app_pages.components import current_view, tr
from app_pages.sign_in import editor_or_stop
from civic import cache, channels, delivery, documents, subscriptions
from civic.i18n import labelled, t
from civic.schedule import WEEKDAYS, Schedule
from civic.text import md

REMOVED_KEY = "subscription_removed"

account = editor_or_stop("subscribe.not_allowed")
view = current_view()
lang = view.lang
engine = cache.engine()
admin = account.role == "admin"
try:
    settings = channels.config()
except channels.ConfigError as error:
    st.error(tr("subscribe.config_error", reason=md(error)), icon=":material/settings_alert:")
    settings = channels.Config()

st.title(tr("subscribe.page"))
st.caption(tr("subscribe.intro"))

st.subheader(tr("subscribe.new"))
st.markdown(md(labelled(tr("context.label"), view.context(), lang)))
choices = ([f"me:{account.email}"] if account.email else []) + \
    [f"bot:{name}" for name in settings.webhooks] + (["address"] if admin else [])
if not account.email:
    st.info(tr("subscribe.no_email"), icon=":material/mail:")


def recipient_words(choice: str) -> str:
    """A choice in words; widgets' format functions take the language with them."""
    kind, _, name = choice.partition(":")
    if kind == "me":
        return t("subscribe.to_me", lang, email=name)
    if kind == "bot":
        return t("subscribe.to_bot", lang, name=name,
                 kind=t(f"subscribe.bot.{settings.webhooks[name].kind}", lang))
    return t("subscribe.to_address", lang)


if not choices:
    st.stop()
chosen = st.selectbox(tr("subscribe.to"), choices, format_func=recipient_words, key="sub_to")
address = (st.text_input(tr("subscribe.address"), key="sub_address", max_chars=254)
           if chosen == "address" else None)
to_bot = chosen.startswith("bot:")
offered = [d for d in documents.DOCUMENTS if documents.available(d)]
if to_bot:
    offered = [documents.DIGEST]
    st.caption(tr("subscribe.bot_digest"))
document = st.selectbox(tr("subscribe.document"), offered, key="sub_document",
                        format_func=lambda d: t(f"delivery.document.{d}", lang))
every_column, day_column, at_column = st.columns(3)
every = every_column.selectbox(tr("subscribe.every"), ["daily", "weekly", "monthly"],
                               key="sub_every", format_func=lambda e: t(f"subscribe.every.{e}", lang))
day = ""
if every == "weekly":
    day = ":" + day_column.selectbox(tr("subscribe.weekday"), WEEKDAYS, key="sub_weekday",
                                     format_func=lambda d: t(f"delivery.weekday.{d}", lang))
elif every == "monthly":
    day = f":{day_column.number_input(tr('subscribe.day'), 1, 31, 1, key='sub_day')}"
at = at_column.time_input(tr("subscribe.at"), dt.time(8, 0), key="sub_at", step=300)
alerts = st.checkbox(tr("subscribe.alerts"), value=True, key="sub_alerts")
why = st.text_input(tr("subscribe.why"), key="sub_why", max_chars=200)
if st.button(tr("subscribe.add"), key="sub_add", icon=":material/notifications_active:"):
    recipient = {"email": address} if chosen == "address" else (
        {"webhook": chosen.removeprefix("bot:")} if to_bot else {"account": account.name})
    try:
        added = subscriptions.add(
            engine, view.catalog, view=subscriptions.canonical(view.filters), document=document,
            every=f"{every}{day}", at=at.strftime("%H:%M"), who=account.who, alerts=alerts,
            webhooks=settings.webhooks, why=why.strip() or None, **recipient)
        st.success(tr("subscribe.added", id=added.id, schedule=added.schedule.words(lang)),
                   icon=":material/check_circle:")
    except (subscriptions.Invalid, documents.DocumentError, ValueError) as error:
        st.error(tr("subscribe.refused", reason=md(error)), icon=":material/error:")

st.subheader(tr("subscribe.all" if admin else "subscribe.mine"))
found = subscriptions.listed(engine, owner=None if admin else account.name)
if (removed := st.session_state.pop(REMOVED_KEY, None)) is not None:
    st.success(tr("subscribe.removed", id=removed), icon=":material/check_circle:")
if not found:
    st.info(tr("subscribe.none"))
else:
    st.dataframe(subscriptions.table(found, view.catalog, lang), hide_index=True,
                 key="sub_table")
    remove_column, why_column = st.columns(2)
    ending = remove_column.selectbox(tr("subscribe.remove_pick"), [s.id for s in found],
                                     index=None, key="sub_remove_id",
                                     format_func=lambda i: f"#{i}")
    reason = why_column.text_input(tr("subscribe.why"), key="sub_remove_why", max_chars=200)
    if st.button(tr("subscribe.remove"), key="sub_remove", disabled=ending is None,
                 icon=":material/notifications_off:"):
        try:
            subscriptions.remove(engine, ending, who=account.who, why=reason.strip() or None,
                                 owner=None if admin else account.name)
            st.session_state[REMOVED_KEY] = ending  # said after the rerun that lists the rest
            st.rerun()
        except subscriptions.Invalid as error:
            st.error(tr("subscribe.refused", reason=md(error)), icon=":material/error:")

st.subheader(tr("subscribe.deliveries"))
log = delivery.log(engine, recipients=None if admin else {s.recipient for s in found})
failing = log[log["status"].isin([delivery.FAILED, delivery.GAVE_UP])]
if len(failing):
    st.warning(tr("subscribe.failures", count=len(failing), max=delivery.MAX_ATTEMPTS),
               icon=":material/warning:")
if log.empty:
    st.info(tr("subscribe.no_deliveries"))
else:
    st.dataframe(delivery.log_table(log, lang), hide_index=True, key="sub_log")
st.caption(tr("subscribe.how", example=Schedule.parse("daily", "08:00").words(lang)))
