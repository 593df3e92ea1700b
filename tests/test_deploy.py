"""End-to-end deployment: two dashboard servers on one PostgreSQL, behind a real nginx.

The store is made and filled through the command line (`civic db upgrade`, `civic db load` of a
copy of data/); two `streamlit run` servers read it (`CIVIC_DATABASE_URL`); nginx, configured by
the shipped `deploy/nginx-civic.conf`, sends each client to one of them. Chromium opens the
dashboard through the proxy and on each server directly; then one figure is changed through the
command line, and every open session shows the new value on its next rerun, without a restart.
How long each step takes is measured by scripts/bench_deploy.py, not here.

Needs Debian's `postgresql`, `nginx` and `chromium` (`make test` installs them as root). Without
one of them the module is skipped, except under CI, where that is a failure.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path
from typing import Iterator

import pytest
from browsing import (
    ERROR_ALERT,
    EXCEPTION,
    METRIC_VALUE,
    browser_context,
    error_texts,
    open_page,
    screenshot,
    wait_until_settled,
)
from conftest import PASSWORD, fresh_database, missing_requirement
from deployment import Deployment, civic, deploy
from servers import HOST, get, nginx_binary

from civic import session_tokens

pytestmark = pytest.mark.browser

PAGE = "leaders_walk"
# The person-times of 一把手走流程 as shipped, and the corrected figure loaded through the CLI.
SHIPPED = {"zh": "4023", "en": "4,023"}
CORRECTED = {"zh": "4321", "en": "4,321"}
LANGUAGE_BUTTON = {"zh": "中文", "en": "English"}
CLIENTS = [f"127.0.0.{n}" for n in range(2, 22)]  # loopback source addresses, one per client


@pytest.fixture(scope="module")
def deployment(postgres_url: str, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[Deployment]:
    if nginx_binary() is None:
        missing_requirement("nginx not found: install Debian's `nginx` (`make test-deps` as "
                            "root, or `sudo apt-get install nginx`)")
    with ExitStack() as stack:
        database = stack.enter_context(fresh_database(postgres_url))
        try:
            running = stack.enter_context(deploy(database, tmp_path_factory.mktemp("deploy")))
        except RuntimeError as error:
            pytest.fail(str(error))
        yield running


@pytest.fixture(scope="module")
def context(browser, deployment: Deployment):
    with browser_context(browser) as shared:
        yield shared


def metric_values(page) -> list[str]:
    return [v.strip() for v in page.locator(METRIC_VALUE).all_inner_texts()]


def shows(page, number: str) -> bool:
    return any(number in value for value in metric_values(page))


def test_proxy_keeps_each_client_on_one_server(deployment: Deployment) -> None:
    """Sticky by client address: every request of a client reaches the same server, and the
    clients are spread over both."""
    for client in CLIENTS:
        for _ in range(3):
            status, body = get(f"{deployment.proxy.url}/_stcore/health", source=client)
            assert (status, body.strip()) == (200, "ok"), f"from {client}: {status} {body!r}"
    seen = deployment.proxy.upstreams_by_client()
    for client in CLIENTS:
        assert len(seen.get(client, ())) == 1, f"{client} reached {seen.get(client)}"
    reached = set().union(*(seen[client] for client in CLIENTS))
    assert reached == {f"{HOST}:{server.port}" for server in deployment.servers}, reached


def test_cli_write_shows_in_both_servers_and_through_the_proxy(
        deployment: Deployment, context, tmp_path: Path) -> None:
    bases = {"proxy": deployment.proxy.url,
             **{f"server {n}": server.url for n, server in enumerate(deployment.servers, 1)}}
    tabs = {}
    try:
        for name, base in bases.items():
            tab = tabs[name] = context.new_page()
            open_page(tab, f"{base}/{PAGE}?lang=zh")
            assert not error_texts(tab), f"{name}: " + "\n---\n".join(error_texts(tab))
            assert shows(tab, SHIPPED["zh"]), f"{name}: {metric_values(tab)}"
            assert not shows(tab, CORRECTED["zh"])
        # The browser's requests through the proxy all went to one server.
        through_proxy = deployment.proxy.upstreams_by_client().get(HOST, set())
        assert len(through_proxy) == 1, through_proxy

        deployment.set_walk_experiences(int(CORRECTED["zh"]))
        deployment.load()

        # A rerun of each open session (switching the language) shows the corrected figure.
        for name, tab in tabs.items():
            tab.bring_to_front()  # Chromium hardly draws a tab behind another
            tab.locator('[data-testid="stSidebar"]').get_by_text(
                LANGUAGE_BUTTON["en"], exact=True).click()
            tab.locator(METRIC_VALUE).filter(has_text=CORRECTED["en"]).first.wait_for()
            wait_until_settled(tab)
            assert not tab.locator(f"{EXCEPTION}, {ERROR_ALERT}").count()
            assert not shows(tab, SHIPPED["en"]), f"{name}: {metric_values(tab)}"

        # A new session, through the proxy, sees it too: the proxy's tab opens the page anew
        # (a page load is a session of its own; a new tab would only cost more).
        fresh = tabs["proxy"]
        open_page(fresh, f"{deployment.proxy.url}/{PAGE}?lang=zh")
        assert shows(fresh, CORRECTED["zh"]), metric_values(fresh)
        assert not shows(fresh, SHIPPED["zh"])
    except BaseException:
        for name, tab in tabs.items():
            screenshot(tab, tmp_path / f"{name.replace(' ', '_')}.png")
        raise
    finally:
        for tab in tabs.values():
            tab.close()

    # nginx logs a websocket when it closes: the two sessions' websockets through the proxy
    # (closed by the new page load, then with the tab) were upgraded there (status 101) and all
    # went to the same server.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        upgraded = [line for line in deployment.proxy.access_log.read_text().splitlines()
                    if " 101 " in line and "GET /_stcore/stream" in line]
        if len(upgraded) >= 2:
            break
        time.sleep(0.2)
    assert len(upgraded) >= 2, "no websocket went through the proxy"
    assert len(deployment.proxy.upstreams_by_client()[HOST]) == 1


CSP_EVENTS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
    (e) => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def test_the_proxy_sends_security_headers_and_the_dashboard_runs_under_them(
        deployment: Deployment, context, tmp_path: Path) -> None:
    """CSP, X-Frame-Options and X-Content-Type-Options on every answer through the proxy (the
    page, a script, an error), and the dashboard works under them in Chromium: its charts are
    drawn and the browser reports no violation of the policy."""
    import http.client

    host, port = deployment.proxy.url.removeprefix("http://").split(":")
    for path in ("/", f"/{PAGE}", "/_stcore/health", "/no-such-file.js"):
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            headers = {k.lower(): v for k, v in response.getheaders()}
        finally:
            connection.close()
        policy = headers.get("content-security-policy", "")
        assert "default-src 'self'" in policy and "frame-ancestors 'self'" in policy, path
        assert headers.get("x-frame-options") == "SAMEORIGIN", path
        assert headers.get("x-content-type-options") == "nosniff", path
    tab = context.new_page()
    tab.add_init_script(CSP_EVENTS)
    messages: list[str] = []
    tab.on("console", lambda message: messages.append(message.text))
    try:
        open_page(tab, f"{deployment.proxy.url}/{PAGE}?lang=en")
        tab.locator(".main-svg").first.wait_for()
        assert not error_texts(tab), error_texts(tab)
        assert shows(tab, SHIPPED["en"]) or shows(tab, CORRECTED["en"]), metric_values(tab)
        assert [] == tab.evaluate("window.__cspViolations")
        assert [] == [m for m in messages if "Content Security Policy" in m]
    except BaseException:
        screenshot(tab, tmp_path / "csp.png")
        raise
    finally:
        tab.close()


def wait_for_cookie(context, present: bool) -> bool:
    """Whether the session cookie comes to be `present` in the context's jar within 20 s (polled
    from here: the page's policy forbids the string evaluation of `wait_for_function`)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if any(c["name"] == session_tokens.COOKIE for c in context.cookies()) == present:
            return True
        time.sleep(0.1)
    return False


def test_a_sign_in_survives_a_reload_through_the_proxy(deployment: Deployment, browser,
                                                       tmp_path: Path) -> None:
    """Under the proxy's policy (`script-src 'self'`) the session cookie is still written, by the
    site's own script: a reload through nginx keeps the clerk signed in, with no violation; a
    sign-out deletes it."""
    civic("user", "add", "clerk", "--role", "editor", "--department", "zz_civil_affairs",
          "--password-stdin", "--database", deployment.database, stdin=PASSWORD + "\n")
    with browser_context(browser) as own:  # a cookie jar of its own
        tab = own.new_page()
        tab.add_init_script(CSP_EVENTS)
        sidebar = tab.locator('[data-testid="stSidebar"]')
        try:
            open_page(tab, f"{deployment.proxy.url}/?lang=en")
            sidebar.get_by_label("Account name").fill("clerk")
            sidebar.get_by_label("Password", exact=True).fill(PASSWORD)
            sidebar.get_by_role("button", name="Sign in", exact=True).click()
            sidebar.get_by_text("Signed in as clerk (editor)").wait_for()
            assert wait_for_cookie(own, True)
            tab.reload(wait_until="domcontentloaded")
            wait_until_settled(tab)
            sidebar.get_by_text("Signed in as clerk (editor)").wait_for()
            assert [] == tab.evaluate("window.__cspViolations")
            sidebar.get_by_role("button", name="Sign out").click()
            sidebar.get_by_label("Account name").wait_for()
            assert wait_for_cookie(own, False)
            assert [] == tab.evaluate("window.__cspViolations")
        except BaseException:
            screenshot(tab, tmp_path / "reloaded.png")
            raise
