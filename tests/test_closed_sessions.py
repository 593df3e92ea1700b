"""Closed sessions give their memory back (app_pages/sessions.py), on a real Streamlit server.

Streamlit keeps a closed tab's session for a reconnect, then forgets it without shutting it
down: what was uploaded under it (by anyone who opened a page: six 150 MB files held the memory
they took 20 minutes after the client left), and the session's own state, stayed for the life
of the process. A probe app says, when asked, what the runtime still holds; sessions are
opened, sent a file and closed by the websocket client of scripts/bench_client.py.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from typing import Iterator

import pytest
from servers import HOST, REPO, free_port, healthy
from test_upload_limits import put_upload

sys.path.insert(0, str(REPO / "scripts"))
import bench_client  # noqa: E402

pytestmark = pytest.mark.browser  # a real server, as the other end-to-end tests

PROBE = """
import streamlit as st
from streamlit import runtime

from app_pages import sessions

sessions.REAP_EVERY_S = 1.0
sessions.start()
if st.query_params.get("probe"):
    instance = runtime.get_instance()
    uploads = instance.uploaded_file_mgr.file_storage
    kept = instance._session_mgr._session_storage._cache._data
    st.text(f"uploads {sum(map(len, uploads.values()))} sessions {len(kept)}")
else:
    st.write("a page")
"""
TTL_S = 2
SESSIONS = 12
PROBES_WITHIN_TTL = TTL_S + 1  # a probe a second: those closed less than TTL_S ago


@pytest.fixture(scope="module")
def probe_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("probe")
    script = folder / "probe.py"
    script.write_text(PROBE, encoding="utf-8")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with (folder / "server.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
             "--server.address", HOST, "--server.headless", "true",
             "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
             "--server.disconnectedSessionTTL", str(TTL_S)],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while not healthy(url):
            assert process.poll() is None and time.monotonic() < deadline, \
                (folder / "server.log").read_text(errors="replace")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


async def held(url: str) -> tuple[int, int]:
    """The files the runtime holds uploaded, and the closed sessions it keeps, as a new session
    sees it."""
    session = bench_client.Session(url)
    try:
        run = await session.open(query="probe=1")
    finally:
        await session.close()
    (text,) = [e.text.body for e in run.elements.values() if e.WhichOneof("type") == "text"]
    _, uploads, _, kept = text.split()
    return int(uploads), int(kept)


async def upload_and_close(url: str, count: int) -> None:
    """`count` anonymous sessions, each sending a 1 MB file, then all closed."""
    sessions = [bench_client.Session(url) for _ in range(count)]
    for session in sessions:
        await session.open()
        status = await asyncio.to_thread(put_upload, url, session.session_id, 2**20)
        assert status < 300
    uploads, _ = await held(url)
    assert uploads == count  # each open session's file is held
    for session in sessions:
        await session.close()


def test_what_closed_sessions_left_is_freed_once_their_ttl_has_passed(probe_url):
    asyncio.run(upload_and_close(probe_url, SESSIONS))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        uploads, kept = asyncio.run(held(probe_url))
        if uploads == 0 and kept <= PROBES_WITHIN_TTL:
            break
        time.sleep(1)
    assert uploads == 0  # every file sent under the closed sessions
    assert kept <= PROBES_WITHIN_TTL  # only the probes' own sessions, not yet past their TTL
