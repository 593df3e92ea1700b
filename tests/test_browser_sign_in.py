"""End-to-end sign-in in the system Chromium: a password, and single sign-on through `st.login`
against a real OpenID Connect provider (oidc-provider-mock's server) on 127.0.0.1; a password
sign-in that a reload keeps (a session token in a cookie) until the sign-out revokes it.

The dashboard runs under `streamlit run` with its secrets in a file of the test's own
(`--secrets.files`), so the project's `.streamlit/` is never touched. Needs Debian's Chromium
(skipped without it, a failure under CI).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
from browsing import (
    ERROR_ALERT,
    MAIN,
    KeptTab,
    browser_context,
    error_texts,
    open_page,
    screenshot,
    wait_until_settled,
)
from conftest import FAILED, PASSWORD, add_editor, prepared, started
from servers import HOST, StreamlitServer, _Process, free_port, listening

from civic import database, reads, session_tokens

pytestmark = pytest.mark.browser

SIDEBAR = '[data-testid="stSidebar"]'
IDENTITY = "_streamlit_user"  # the names of Streamlit's identity cookies start so


class IdentityProvider(_Process):
    """oidc-provider-mock's server: a real OpenID Connect provider with two known people."""

    name = "oidc-provider-mock"

    def __init__(self, log_path: Path) -> None:
        super().__init__(log_path)
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"

    def start(self) -> "IdentityProvider":
        people = [{"sub": "wang", "email": "wang@example.org", "email_verified": True},
                  {"sub": "stranger", "email": "stranger@example.org"}]
        command = [sys.executable, "-m", "oidc_provider_mock", "--host", HOST,
                   "--port", str(self.port)]
        for person in people:
            command += ["--user-claims", json.dumps(person)]
        self._launch(command, lambda: listening(self.port), env={**os.environ, "NO_COLOR": "1"})
        return self


@pytest.fixture(scope="module")
def store_with_accounts(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('signin') / 'civic.sqlite3'}"
    with prepared(url) as engine:
        add_editor(engine, email="wang@example.org")
    return url


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, store_with_accounts: str) -> Iterator[str]:
    """The dashboard with single sign-on configured against the provider above."""
    folder = tmp_path_factory.mktemp("sso")
    with started(IdentityProvider(folder / "provider.log")) as provider:
        server = StreamlitServer(folder / "server.log",
                                 env={**os.environ, "CIVIC_DATABASE_URL": store_with_accounts},
                                 options=["--secrets.files", str(folder / "secrets.toml")])
        (folder / "secrets.toml").write_text(
            "[auth]\n"
            f'redirect_uri = "{server.url}/oauth2callback"\n'
            'cookie_secret = "a cookie secret of this test alone, long enough"\n'
            'client_id = "civic-test"\n'
            'client_secret = "civic-test-secret"\n'
            f'server_metadata_url = "{provider.url}/.well-known/openid-configuration"\n',
            encoding="utf-8")
        with started(server):
            yield server.url


@pytest.fixture(scope="module")
def kept(browser, app_url: str) -> Iterator[KeptTab]:
    with browser_context(browser) as context:
        yield KeptTab(context)


@pytest.fixture
def page(kept: KeptTab, request: pytest.FixtureRequest, tmp_path: Path):
    """The module's kept tab with its cookie jar emptied, so each case starts as a browser that
    never signed in; a screenshot of it (in `tmp_path`) when the case fails."""
    kept.context.clear_cookies()
    tab = kept.take()
    yield tab
    failed = request.node.stash.get(FAILED, False)
    if failed:
        screenshot(tab, tmp_path / "failed.png")
    kept.give_back(tab, failed)


def sidebar_text(page) -> str:
    return page.locator(SIDEBAR).inner_text()


def audit(url: str) -> list[tuple[str, str]]:
    frame = reads.history(database.connect(url), table="accounts")
    return list(zip(frame["action"], frame["why"]))


def test_password_sign_in_and_out(page, app_url, store_with_accounts):
    open_page(page, f"{app_url}/?lang=en")
    sidebar = page.locator(SIDEBAR)
    sidebar.get_by_label("Account name").fill("wang")
    sidebar.get_by_label("Password", exact=True).fill(PASSWORD)
    sidebar.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_text("Signed in as wang (editor)").wait_for()
    assert [] == error_texts(page) and PASSWORD not in page.content()
    sidebar.get_by_role("button", name="Sign out").click()
    sidebar.get_by_label("Account name").wait_for()
    assert ("sign_out", "signed out") == audit(store_with_accounts)[-1]


def test_single_sign_on_matches_the_email(page, app_url, store_with_accounts):
    open_page(page, f"{app_url}/?lang=en")
    page.locator(SIDEBAR).get_by_role("button", name="Sign in with single sign-on").click()
    page.get_by_role("button", name="wang", exact=True).click()  # on the provider's page
    page.wait_for_url(f"{app_url}/**")
    page.get_by_text("已登录：wang（录入员）").wait_for()  # back on the dashboard, in Chinese
    wait_until_settled(page)
    assert [] == error_texts(page)
    assert ("sign_in", "single sign-on") == audit(store_with_accounts)[-1]
    # Signing out is audited and ends the single sign-on too. The button's run sends the browser
    # to /auth/logout, whose answer clears the identity cookie and redirects to the provider's
    # end of session: once the browser is there, the cookie is gone (a visit before then would
    # still carry it).
    page.locator(SIDEBAR).get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/oauth2/end_session?**")
    assert [] == [c["name"] for c in page.context.cookies() if c["name"].startswith(IDENTITY)]
    assert ("sign_out", "signed out") == audit(store_with_accounts)[-1]
    # The provider sends the browser back to the dashboard, and the next visit is anonymous.
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{app_url}/")
    anonymous = page.locator(SIDEBAR).get_by_role("button", name="统一身份认证登录")
    anonymous.wait_for()
    open_page(page, app_url)
    anonymous.wait_for()
    assert "已登录" not in sidebar_text(page)


def test_an_unknown_email_may_view_but_not_write(page, app_url, store_with_accounts):
    open_page(page, f"{app_url}/?lang=en")
    page.locator(SIDEBAR).get_by_role("button", name="Sign in with single sign-on").click()
    page.get_by_role("button", name="stranger", exact=True).click()
    page.wait_for_url(f"{app_url}/**")
    page.locator(ERROR_ALERT).wait_for()
    wait_until_settled(page)
    (message,) = error_texts(page)
    # Data in Markdown is escaped: a word joiner keeps the address from becoming a link.
    assert "没有账户使用邮箱 stranger@example.org：" in message.replace("\u2060", "")
    assert "已登录" not in sidebar_text(page)
    assert ("failed", "single sign-on: no account has this e-mail") == \
        audit(store_with_accounts)[-1]


def session_cookies(page) -> list[dict]:
    return [c for c in page.context.cookies() if c["name"] == session_tokens.COOKIE]


def test_a_reload_keeps_the_password_sign_in_until_sign_out(page, app_url, store_with_accounts):
    open_page(page, f"{app_url}/?lang=en")
    sidebar = page.locator(SIDEBAR)
    sidebar.get_by_label("Account name").fill("wang")
    sidebar.get_by_label("Password", exact=True).fill(PASSWORD)
    sidebar.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_text("Signed in as wang (editor)").wait_for()
    page.get_by_text("A reload keeps you signed in on this browser for up to 8 hours").wait_for()
    page.wait_for_function(f"document.cookie.includes('{session_tokens.COOKIE}=')")
    (cookie,) = session_cookies(page)
    # A random token, for the whole site, sent to this site alone, for the sign-in's lifetime.
    assert session_tokens.well_formed(cookie["value"]) and PASSWORD not in cookie["value"]
    assert ("/", "Strict") == (cookie["path"], cookie["sameSite"])
    assert 7.9 * 3600 < cookie["expires"] - time.time() <= 8 * 3600
    assert ("sign_in", "password") == audit(store_with_accounts)[-1]

    page.reload(wait_until="domcontentloaded")
    wait_until_settled(page)
    page.get_by_text("Signed in as wang (editor)").wait_for()
    assert [] == error_texts(page)
    assert ("resumed", "session token") == audit(store_with_accounts)[-1]
    open_page(page, f"{app_url}/data_entry?lang=en")  # a bookmarked writing page opens too
    page.get_by_text("Signed in as wang (editor)").wait_for()
    assert "Sign in" not in page.locator(MAIN).inner_text()
    open_page(page, f"{app_url}/?lang=en")
    page.get_by_text("Signed in as wang (editor)").wait_for()

    page.locator(SIDEBAR).get_by_role("button", name="Sign out").click()
    sidebar.get_by_label("Account name").wait_for()
    page.wait_for_function(f"!document.cookie.includes('{session_tokens.COOKIE}=')")
    assert [] == session_cookies(page)
    assert ("sign_out", "signed out") == audit(store_with_accounts)[-1]
    page.reload(wait_until="domcontentloaded")
    wait_until_settled(page)
    sidebar.get_by_label("Account name").wait_for()
    assert "Signed in" not in sidebar_text(page)

    # A copy of the cookie taken before the sign-out signs nobody in: its token is revoked.
    with browser_context(page.context.browser) as other:
        other.add_cookies([{**cookie, "expires": time.time() + 3600}])
        stolen = other.new_page()
        open_page(stolen, f"{app_url}/?lang=en")
        stolen.locator(SIDEBAR).get_by_label("Account name").wait_for()
        assert "Signed in" not in stolen.locator(SIDEBAR).inner_text()
        assert [] == [c for c in other.cookies() if c["name"] == session_tokens.COOKIE]
    assert ("sign_out", "signed out") == audit(store_with_accounts)[-1]
