"""Benchmark (not a test): a city deployment in miniature, timed step by step.

One throwaway PostgreSQL server, `civic db upgrade` and `civic db load` of a copy of data/, two
dashboard servers on it behind nginx (deploy/nginx-civic.conf), Chromium with a session through
the proxy and one on each server. Then, several times, one figure is changed through
`civic db load` and each open session is rerun until it shows the new value. Besides the time
each step takes it prints the CPU time spent, which a busy machine inflates far less.

Run with `.venv/bin/python scripts/bench_deploy.py` (needs Debian's postgresql, nginx and
chromium; `make test-deps` installs them as root). The changed figure lives in a temporary copy
of data/ and a throwaway database, never in the default store.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from browsing import (  # noqa: E402 - the harness lives with the tests
    CHROMIUM_ARGS,
    METRIC_VALUE,
    PAGE_TIMEOUT_MS,
    find_chromium,
    open_page,
)
from deployment import deploy  # noqa: E402
from pgserver import PostgresServer  # noqa: E402
from servers import HOST  # noqa: E402

ROUNDS = 5
SHIPPED = 4023  # person-times of 一把手走流程 in data/
LANGUAGE_BUTTON = {"zh": "中文", "en": "English"}


def shown(value: int, lang: str) -> str:
    return f"{value:,}" if lang == "en" else str(value)


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def rerun_until(tab, pid: int, lang: str, value: int) -> tuple[float, float]:
    """Switch the session's language (a rerun) and wait for `value`: the seconds it took, and
    the CPU seconds its server process spent meanwhile."""
    started, cpu = time.monotonic(), cpu_of(pid)
    tab.locator('[data-testid="stSidebar"]').get_by_text(LANGUAGE_BUTTON[lang],
                                                         exact=True).click()
    tab.locator(METRIC_VALUE).filter(has_text=shown(value, lang)).first.wait_for()
    return time.monotonic() - started, cpu_of(pid) - cpu


def report(label: str, seconds: list[float], cpu: list[float] | None = None) -> None:
    if len(seconds) == 1:
        line = f"{label:<48} {seconds[0]:6.2f} s"
    else:
        line = (f"{label:<48} {statistics.median(seconds):6.2f} s median, "
                f"{max(seconds):.2f} s max of {len(seconds)}")
    if cpu:
        line += f"; CPU {statistics.median(cpu):.2f} s median"
    print(line)


def main() -> None:
    from playwright.sync_api import sync_playwright

    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="civic-bench-")))
        started = time.monotonic()
        server = stack.enter_context(PostgresServer())
        report("postgresql: initdb and start", [time.monotonic() - started])
        cpu = children_cpu()
        deployment = stack.enter_context(deploy(server.url(), folder))
        for label, seconds in deployment.timings.items():
            report(label, [seconds])
        report("CPU of the two civic commands above", [children_cpu() - cpu])

        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=find_chromium(), headless=True,
                                             args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        bases = {"through the proxy": deployment.proxy.url,
                 **{f"server {n}": s.url for n, s in enumerate(deployment.servers, 1)}}
        tabs = {}
        for name, base in bases.items():
            tabs[name] = context.new_page()
            started = time.monotonic()
            open_page(tabs[name], f"{base}/leaders_walk?lang=zh")
            report(f"first page, {name}", [time.monotonic() - started])

        # The proxy's sessions all went to one server: which one, by its port.
        (upstream,) = deployment.proxy.upstreams_by_client()[HOST]
        by_port = {f"{HOST}:{s.port}": s for s in deployment.servers}
        pids = {"through the proxy": by_port[upstream].process.pid,
                **{f"server {n}": s.process.pid for n, s in enumerate(deployment.servers, 1)}}

        writes: list[float] = []
        writes_cpu: list[float] = []
        after_write = {name: ([], []) for name in tabs}
        no_write = {name: ([], []) for name in tabs}
        value, lang = SHIPPED, "zh"
        for _ in range(ROUNDS):
            value += 1
            deployment.set_walk_experiences(value)
            cpu = children_cpu()
            writes.append(deployment.load())
            writes_cpu.append(children_cpu() - cpu)
            for series in (after_write, no_write):
                lang = "en" if lang == "zh" else "zh"
                for name, tab in tabs.items():
                    seconds, used = rerun_until(tab, pids[name], lang, value)
                    series[name][0].append(seconds)
                    series[name][1].append(used)

        report("civic db load, one figure changed", writes, writes_cpu)
        for name in tabs:
            report(f"rerun after the write, {name}", *after_write[name])
        for name in tabs:
            report(f"rerun, nothing written, {name}", *no_write[name])


if __name__ == "__main__":
    main()
