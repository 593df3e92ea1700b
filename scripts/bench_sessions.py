"""Does one session's briefing export slow the others? Two real sessions on a real server.

Starts `streamlit run dashboard.py` on a free loopback port and drives two sessions in headless
Chromium (the system's, never a downloaded one). Session B opens a page and waits until its
KPIs are drawn and the app is idle, again and again: first alone, then while session A makes
the briefing PDF. Prints B's times in both cases and A's time to a ready file. Speed is
measured here, never asserted in a test.

    .venv/bin/python scripts/bench_sessions.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
RUNNING = '[data-testid="stStatusWidget"]'
METRIC = '[data-testid="stMetricValue"]'
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _serve(port: int, log: Path) -> subprocess.Popen:  # type: ignore[type-arg]
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
         "--server.address", HOST, "--server.headless", "true"],
        cwd=REPO, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/_stcore/health", timeout=2):
                return process
        except OSError:
            time.sleep(0.25)
    process.kill()
    raise SystemExit(f"the server did not start:\n{log.read_text(errors='replace')}")


def _open_page(page, url: str) -> float:
    """Seconds until the page's KPIs are drawn and the app has stopped running."""
    started = time.monotonic()
    page.goto(url)
    page.wait_for_selector(METRIC, state="visible")
    page.wait_for_selector(RUNNING, state="hidden")
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = _serve(port, Path(tmp, "server.log"))
        base = f"http://{HOST}:{port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                                     args=CHROMIUM_ARGS)
                a = browser.new_context(locale="zh-CN").new_page()
                b = browser.new_context(locale="en-US").new_page()
                a.set_default_timeout(240_000)
                b.set_default_timeout(240_000)
                pages = [f"{base}/flu?lang=en", f"{base}/leaders_walk?lang=en"]
                _open_page(b, pages[0])  # warm: scripts cached, data loaded
                alone = [_open_page(b, pages[n % 2]) for n in range(args.rounds)]

                _open_page(a, base)
                a.get_by_role("button", name="简报 PDF").click()  # warm the export browser
                a.get_by_role("button", name="文件已生成", exact=False).wait_for()
                a.reload()
                a.wait_for_selector(METRIC, state="visible")

                # A's click returns at once; the server makes the briefing while B is measured.
                started = time.monotonic()
                a.get_by_role("button", name="简报 PDF").click()
                during = []
                ready = a.get_by_role("button", name="文件已生成", exact=False)
                while not ready.is_visible():
                    during.append(_open_page(b, pages[len(during) % 2]))
                briefing = time.monotonic() - started
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"session B, page until drawn, alone:             median "
          f"{statistics.median(alone):.2f} s (n={len(alone)}, max {max(alone):.2f})")
    print(f"session B, while session A makes the briefing:  median "
          f"{statistics.median(during):.2f} s (n={len(during)}, max {max(during):.2f})"
          if during else "session B: the briefing was ready before B's first page")
    print(f"session A, briefing PDF click to ready file:    {briefing:.2f} s")


if __name__ == "__main__":
    main()
