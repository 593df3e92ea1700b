"""The sidebar's sign-in (a name and password, or single sign-on through `st.login`), who is
signed in now, and the gate of the pages that write.

A password sign-in survives a reload: the browser keeps a random session token in a cookie
(civic.session_tokens; the store holds its hash), written by the site's own script
(static/session_cookie.js) since Streamlit sets no cookie itself, and read back from the
request that opens the next session (`st.context.cookies`). Single sign-on comes back through
Streamlit's own identity cookie.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from civic import accounts, cache, database, session_tokens
from civic.accounts import Account
from civic.i18n import lang_or_default, t
from civic.text import md

ACCOUNT_KEY = "account"  # no widget has this key, so no browser message can set it
TOKEN_KEY = "session_token"  # this session's token, when a password signed it in
RESUME_KEY = "session_resume_tried"  # a browser's token is tried once per session
FORGET_KEY = "session_cookie_forget"  # the browser's cookie is to be deleted
SENT_KEY = "session_cookie_sent"  # the cookie the browser sent when this session opened
# Relative, so that a `server.baseUrlPath` keeps it under the app (pages are one level deep).
COOKIE_SCRIPT = "app/static/session_cookie.js"

# Lock times are shown in Beijing time (China keeps no summer time).
BEIJING = dt.timezone(dt.timedelta(hours=8))
SSO_KEY = "sso_email"  # the single sign-on e-mail already matched in this session
SSO_REFUSAL_KEY = "sso_refusal"  # why it matched no account that may sign in


def _cookie_sent() -> str | None:
    """The session cookie the browser sent when this session opened: `st.context.cookies` is
    that request's and does not change while the session lasts, so it is read once."""
    if SENT_KEY not in st.session_state:
        st.session_state[SENT_KEY] = st.context.cookies.get(session_tokens.COOKIE)
    return st.session_state[SENT_KEY]


def _resumed(engine) -> Account | None:
    """The account the browser's session cookie signs in again, once per session (audited);
    None without a live token."""
    if st.session_state.get(RESUME_KEY):
        return None
    st.session_state[RESUME_KEY] = True
    token = _cookie_sent()
    if not session_tokens.well_formed(token):
        return None
    try:
        account = session_tokens.resume(engine, token)
    except database.StoreError:  # the resumption is audited: a full disk refuses it
        return None
    if account is None:  # expired or revoked: the cookie is deleted, the viewer signs in
        st.session_state[FORGET_KEY] = True
        return None
    st.session_state[ACCOUNT_KEY] = account
    st.session_state[TOKEN_KEY] = token
    return account


def signed_in(engine=None) -> Account | None:
    """The account this session signed in with (or a reload brought back by its token), as the
    store holds it now: None for a viewer, and None again once the account is disabled or the
    token revoked or expired. One query per call."""
    engine = engine or cache.engine()
    account = st.session_state.get(ACCOUNT_KEY)
    if not isinstance(account, Account):
        return _resumed(engine)
    token = st.session_state.get(TOKEN_KEY)
    account = session_tokens.current(engine, token) if token else \
        accounts.current(engine, account.name)
    if account is None:
        for key in (ACCOUNT_KEY, SSO_KEY, TOKEN_KEY):  # a single sign-on is matched again
            st.session_state.pop(key, None)
        if token:
            st.session_state[FORGET_KEY] = True
    return account


def _cookie(token: str | None) -> None:
    """Write the session cookie (a token) or delete it (None): Strict same-site, the whole site,
    Secure over https. The writing is the site's own script (static/session_cookie.js, which a
    `script-src 'self'` policy such as deploy/nginx-civic.conf's lets run); the page hands it
    the token in an attribute, this module's own (43 URL-safe characters, checked), never text
    from a user."""
    if token is not None and not session_tokens.well_formed(token):
        return
    value, age = (token, int(session_tokens.lifetime().total_seconds())) if token else ("", 0)
    st.html(f'<script src="{COOKIE_SCRIPT}" data-name="{session_tokens.COOKIE}" '
            f'data-token="{value}" data-age="{age}"></script>', unsafe_allow_javascript=True)


def _keep_cookie(account: Account | None) -> None:
    """The browser keeps the token of a password sign-in until it expires; after a sign-out,
    or once its token is of no use, the cookie is deleted."""
    kept = _cookie_sent()
    token = st.session_state.get(TOKEN_KEY)
    if account is not None and token and token != kept:
        _cookie(token)
    elif account is None and (kept or st.session_state.get(FORGET_KEY)):
        _cookie(None)


def editor_or_stop(message_key: str) -> Account:
    """Pages that write: a signed-in account goes on; anyone else is told, in the page's
    language, to sign in (in the sidebar), and stopped."""
    account = signed_in()
    if account is None:
        st.error(t(message_key, lang_or_default(st.session_state.get("lang"))),
                 icon=":material/lock:")
        st.stop()
    return account


def _sso_provider() -> str | None:
    """`[auth]` of .streamlit/secrets.toml: "" for its default provider, else the first
    named one; None without single sign-on."""
    if not st.secrets.load_if_toml_exists():
        return None
    auth = st.secrets.get("auth")
    if not auth:
        return None
    if "client_id" in auth:
        return ""
    return next((key for key, value in auth.items() if hasattr(value, "keys")), None)


def _refusal(error: accounts.AccountError, lang: str) -> str:
    if isinstance(error, accounts.Locked):
        until = error.until.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        return t("auth.locked", lang, until=until)
    if isinstance(error, accounts.Disabled):
        return t("auth.disabled", lang)
    return t("auth.wrong_password", lang)


def _single_sign_on(engine, provider: str, lang: str) -> None:
    """The identity provider's e-mail matched to an account, once per session."""
    if not st.user.is_logged_in:
        st.button(t("auth.sso", lang), key="sso_sign_in", icon=":material/badge:",
                  on_click=st.login, args=(provider or None,), width="stretch")
        st.caption(t("auth.or_password", lang))
        return
    email = str(st.user.get("email") or "")
    if st.session_state.get(SSO_KEY) != email:
        st.session_state[SSO_KEY] = email
        try:
            verified = st.user.get("email_verified") is not False  # when the provider says
            st.session_state[ACCOUNT_KEY] = accounts.single_sign_on(engine, email, verified)
            st.rerun()
        except accounts.AccountError as error:
            st.session_state[SSO_REFUSAL_KEY] = error
    refusal = st.session_state.get(SSO_REFUSAL_KEY)
    st.error(t("auth.sso_unknown", lang, email=md(email))
             if refusal is None or isinstance(refusal, accounts.Unknown)
             else _refusal(refusal, lang), icon=":material/no_accounts:")
    st.button(t("auth.sso_leave", lang), key="sso_leave", on_click=st.logout)


def _sign_out(engine, account: Account) -> None:
    """Audited, and the session's token revoked: a reload, or a copy of the cookie, signs
    nobody in."""
    accounts.sign_out(engine, account)
    token = st.session_state.pop(TOKEN_KEY, None)
    if token:
        session_tokens.revoke(engine, token)
    st.session_state.pop(ACCOUNT_KEY, None)
    st.session_state.pop(SSO_REFUSAL_KEY, None)
    st.session_state[FORGET_KEY] = True


def sign_in_panel(engine, lang: str) -> None:
    """The sidebar's sign-in, once any account exists: name and password, and single sign-on
    when `[auth]` is configured; who is signed in and a sign-out button after."""
    account = signed_in(engine)
    _keep_cookie(account)
    if account is not None:
        role = t(f"auth.role.{account.role}", lang)
        st.caption(t("auth.signed_in_as", lang, name=md(account.name), role=role))
        if st.session_state.get(TOKEN_KEY):  # said plainly: a reload keeps the sign-in
            hours = session_tokens.lifetime().total_seconds() / 3600
            st.caption(t("auth.refresh_keeps", lang, count=round(hours, 1) if hours % 1 else
                         int(hours)))
        if st.button(t("auth.sign_out", lang), key="sign_out", icon=":material/logout:"):
            _sign_out(engine, account)
            if _sso_provider() is not None and st.user.is_logged_in:
                # The browser leaves for the sign-out round trip, which clears the identity
                # cookie. No rerun: a rerun's start empties the messages not yet sent, and
                # with them, at times, the one that sends the browser there.
                st.logout()
                return
            st.rerun()
        return
    if not accounts.any_account(engine):
        return
    st.header(t("auth.header", lang))
    provider = _sso_provider()
    if provider is not None:
        _single_sign_on(engine, provider, lang)
    with st.form("sign_in", clear_on_submit=True, border=False):
        account_name = st.text_input(t("auth.name", lang), key="sign_in_name", max_chars=64)
        password = st.text_input(t("auth.password", lang), key="sign_in_password",
                                 type="password", max_chars=accounts.MAX_PASSWORD)
        submitted = st.form_submit_button(t("auth.sign_in", lang), key="sign_in_submit",
                                          icon=":material/login:")
    if not submitted:
        return
    if not account_name.strip() or not password:
        st.warning(t("auth.empty", lang), icon=":material/info:")
        return
    try:
        account = accounts.authenticate(engine, account_name, password)
        st.session_state[TOKEN_KEY] = session_tokens.issue(engine, account)
        st.session_state[ACCOUNT_KEY] = account
        st.session_state.pop(FORGET_KEY, None)
    except accounts.AccountError as error:
        st.error(_refusal(error, lang), icon=":material/lock:")
        return
    except database.StoreError as error:  # the sign-in is audited: a full disk refuses it
        st.error(t(f"{database.problem_key(error)}_message", lang), icon=":material/cloud_off:")
        return
    st.rerun()
