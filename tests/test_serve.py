"""`make run WORKERS=N` (scripts/serve.py): N real dashboard processes behind a real nginx with
the shipped site configuration, which compresses text and caches Streamlit's static files.

Needs Debian's `nginx` (`make test` installs it as root); without it the module is skipped,
except under CI, where that is a failure.
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import missing_requirement
from servers import HOST, REPO, free_ports, get, healthy, listening, nginx_binary

pytestmark = [pytest.mark.deploy, pytest.mark.browser]

WORKERS = 3
CLIENTS = [f"127.0.0.{n}" for n in range(2, 22)]  # loopback source addresses, one per client


def fetch(port: int, path: str, encoding: str | None = None,
          source: str | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=20,
                                            source_address=(source, 0) if source else None)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": encoding} if encoding else {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def children(pid: int) -> list[str]:
    """The command lines of the processes whose parent is `pid`."""
    found = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append((status.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                             .decode(errors="replace"))
        except (OSError, IndexError, ValueError):
            continue
    return found


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory):
    if nginx_binary() is None:
        missing_requirement("nginx not found: install Debian's `nginx` (`make test-deps` as "
                            "root, or `sudo apt-get install nginx`)")
    folder = tmp_path_factory.mktemp("serve")
    port = free_ports(WORKERS + 1)
    output = (folder / "serve.out").open("w+")
    process = subprocess.Popen(
        [sys.executable, str(REPO / "scripts" / "serve.py"), "--workers", str(WORKERS),
         "--address", HOST, "--port", str(port), "--folder", str(folder / "nginx")],
        cwd=REPO, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while "civic:" not in (folder / "serve.out").read_text() and process.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    said = (folder / "serve.out").read_text()
    if process.poll() is not None or "civic:" not in said:
        process.kill()
        pytest.fail(f"scripts/serve.py did not start:\n{said}")
    yield process, port, folder / "nginx", said
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def test_workers_start_n_dashboard_processes_behind_nginx(fleet) -> None:
    process, port, nginx, said = fleet
    workers = [int(p) for p in re.search(r"ports ([\d, ]+)\)", said).group(1).split(", ")]
    assert workers == [port + n for n in range(1, WORKERS + 1)], said
    commands = children(process.pid)
    assert sum("streamlit run" in c and "dashboard.py" in c for c in commands) == WORKERS, \
        commands
    assert sum("nginx" in c for c in commands) == 1, commands
    assert all(healthy(f"http://{HOST}:{p}") for p in workers)
    # Each client address sticks to one process, and the clients are spread over them.
    for client in CLIENTS:
        for _ in range(2):
            status, body = get(f"http://{HOST}:{port}/_stcore/health", source=client)
            assert (status, body.strip()) == (200, "ok"), client
    seen: dict[str, set[str]] = {}
    for line in (nginx / "access.log").read_text().splitlines():
        client, _status, upstream, *_ = line.split(" ", 3)
        if upstream != "-" and client in CLIENTS:
            seen.setdefault(client, set()).add(upstream)
    assert all(len(seen[client]) == 1 for client in CLIENTS), seen
    # Evenly: the plain hash gives each process its share of the twenty addresses (consistent
    # hashing gave one of two processes 13 of them in the benchmark).
    shares = [sum(upstream in seen[client] for client in CLIENTS)
              for upstream in {f"{HOST}:{p}" for p in workers}]
    assert max(shares) - min(shares) <= 2, shares


def test_text_is_compressed_and_static_files_cached(fleet) -> None:
    _process, port, nginx, _said = fleet
    status, headers, page = fetch(port, "/", "gzip")
    assert status == 200
    script = re.search(rb'static/js/index\.[\w-]+\.js', gzip.decompress(page)
                       if headers.get("content-encoding") == "gzip" else page).group().decode()
    status, direct_headers, plain = fetch(port + 1, f"/{script}")
    assert status == 200 and "content-encoding" not in direct_headers  # Streamlit sends it as is
    for _ in range(2):
        status, headers, body = fetch(port, f"/{script}", "gzip")
        assert status == 200 and headers.get("content-encoding") == "gzip", headers
        assert gzip.decompress(body) == plain
        assert len(body) < len(plain) / 2
        assert "accept-encoding" in headers.get("vary", "").lower()
        # The security headers of the server block still come with the cached location.
        assert "default-src 'self'" in headers.get("content-security-policy", "")
        assert "immutable" in headers.get("cache-control", "")
    status, headers, body = fetch(port, f"/{script}")  # a client that takes no gzip
    assert status == 200 and "content-encoding" not in headers and body == plain
    # The first request went to a dashboard process, the next ones came from nginx's cache.
    verdicts = [line.split(" ")[2:4] for line in (nginx / "access.log").read_text().splitlines()
                if f"GET /{script} " in line]
    assert verdicts[0][1] == "MISS" and verdicts[0][0] != "-", verdicts
    assert all(v == ["-", "HIT"] for v in verdicts[1:]), verdicts
    assert any((nginx / "cache").rglob("*")), "nothing in nginx's cache folder"


def test_dashboard_processes_watch_no_source_file(fleet) -> None:
    """`make run`'s processes do not watch the dashboard's files (`.streamlit/config.toml`):
    Streamlit's watcher, which starts with a session, placed an inotify watch for every module
    it had loaded (2,295 once the overview was drawn) and doubled each step's CPU. Checked
    while a session is open on each process."""
    import asyncio

    sys.path.insert(0, str(REPO / "scripts"))
    import bench_client

    process, _port, _nginx, said = fleet
    ports = [int(p) for p in re.search(r"ports ([\d, ]+)\)", said).group(1).split(", ")]

    sources = [REPO / "dashboard.py", *REPO.glob("civic/**/*.py"), *REPO.glob("app_pages/*.py")]
    source_inodes = {path.stat().st_ino for path in [*sources, *{p.parent for p in sources}]}
    dashboards = [pid for pid in _pids() if _parent(pid) == process.pid
                  and b"streamlit" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    assert len(dashboards) == WORKERS

    async def watched_during_sessions() -> dict[int, set[int]]:
        sessions = [bench_client.Session(f"http://{HOST}:{port}") for port in ports]
        try:
            runs = await asyncio.gather(*[s.open("", "lang=en") for s in sessions])
            assert all(not run.errors and run.count("metric") for run in runs), \
                [run.errors for run in runs]
            await asyncio.sleep(1)  # the watcher starts as the run ends
            return {pid: _watched_inodes(pid) for pid in dashboards}
        finally:
            await asyncio.gather(*[s.close() for s in sessions])

    for pid, watched in asyncio.run(watched_during_sessions()).items():
        assert not watched & source_inodes, f"process {pid} watches {len(watched)} files"


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _watched_inodes(pid: int) -> set[int]:
    """The inodes of what the process's inotify instances watch (from /proc's fdinfo)."""
    watched: set[int] = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(fd) != "anon_inode:inotify":
                continue
            info = Path(f"/proc/{pid}/fdinfo/{fd.name}").read_text()
        except OSError:
            continue
        watched |= {int(ino, 16) for ino in re.findall(r"\bino:([0-9a-f]+)", info)}
    return watched


def test_sigterm_stops_every_process(fleet) -> None:
    process, port, _nginx, _said = fleet
    ours = [pid for pid in _pids() if _parent(pid) == process.pid]
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in ours):
        time.sleep(0.2)
    assert not any(Path(f"/proc/{pid}").exists() for pid in ours)
    assert not any(listening(port + n) for n in range(WORKERS + 1))


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None
