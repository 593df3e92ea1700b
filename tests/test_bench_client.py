"""The benchmark's websocket client (scripts/bench_client.py) against the real dashboard.

The `sessions_20` row is only as true as its client: a run must end at `script_finished` with
the elements a browser would draw, a page switch and a filter change must do what they do in a
browser, and a bad request must count as an error. Times are not checked here.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Iterator

import pytest
from conftest import started
from servers import REPO, StreamlitServer
from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(REPO / "scripts"))
import bench_client  # noqa: E402

pytestmark = pytest.mark.browser  # a real server, as the other end-to-end tests


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, store_url: str) -> Iterator[str]:
    """The dashboard on the session's store (filled before it starts), served for the module."""
    with started(StreamlitServer(tmp_path_factory.mktemp("streamlit") / "server.log")) as server:
        yield server.url


def test_a_session_gets_the_charts_and_follows_pages_and_filters(app_url: str) -> None:
    async def steps() -> list[bench_client.Run]:
        session = bench_client.Session(app_url)
        try:
            runs = [await session.open("projects", "lang=en")]
            districts = runs[0].widget("f_district").options
            runs.append(await session.set("f_district", string_value=districts[1]))
            assert "district=" in session.query
            runs.append(await session.switch("flu"))
            assert "district=" in session.query  # the filter survives the page change
            runs.append(await session.set("f_district"))  # back to all districts
            assert "district=" not in session.query
            with pytest.raises(KeyError):  # a closed group draws no department
                runs[-1].widget("dept_lusong_gov")
            runs.append(await session.set("dept_group_district", bool_value=True))
            runs.append(await session.set("dept_lusong_gov", bool_value=True))
            assert "dept=lusong_gov" in session.query
            return runs
        finally:
            await session.close()

    runs = asyncio.run(steps())
    assert all(not run.errors and run.seconds > 0 for run in runs), [r.errors for r in runs]
    at = AppTest.from_file(str(Path(REPO, "dashboard.py")), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("app_pages/projects.py").run()
    assert runs[0].count("plotly_chart") == len(at.get("plotly_chart")) > 0
    assert runs[0].count("metric") == len(at.metric) > 0
    assert runs[2].count("plotly_chart") > 0  # the flu page, one district


def test_a_bad_request_counts_as_an_error(app_url: str) -> None:
    async def steps() -> tuple[bench_client.Run, bench_client.Run]:
        lost, typed = bench_client.Session(app_url), bench_client.Session(app_url)
        try:
            missing = await lost.open("no_such_page")
            await typed.open()
            wrong = await typed.set("f_district", int_value=3)  # a choice is text, not a number
            return missing, wrong
        finally:
            await lost.close()
            await typed.close()

    missing, wrong = asyncio.run(steps())
    assert missing.errors == ["page not found: 'no_such_page'"]
    assert len(wrong.errors) == 1 and wrong.errors[0].startswith("TypeError")
