"""Real servers for the end-to-end tests: the dashboard under `streamlit run`, and nginx.

Each runs as a child process on a free loopback port, with its log in a folder the caller
gives, and is stopped by `stop()` (or on leaving its `with` block).
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Mapping, Sequence
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
START_TIMEOUT_S = 60.0
sys.path.insert(0, str(REPO / "scripts"))

# The shipped nginx site, as `make run WORKERS=N` runs it (scripts/serve.py).
from serve import (  # noqa: E402
    check_nginx_config,
    nginx_binary,
    nginx_command,
    write_nginx_config,
)


def free_port(host: str = HOST) -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def free_ports(count: int) -> int:
    """A port such that it and the `count - 1` after it are free (scripts/serve.py takes the
    ports after nginx's for the dashboards)."""
    for _ in range(50):
        first = free_port()
        if first + count < 65536 and not any(listening(first + n) for n in range(count)):
            return first
    raise RuntimeError("no run of free ports")


def listening(port: int, host: str = HOST) -> bool:
    """Something accepts TCP connections on `port`."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def get(url: str, source: str | None = None, timeout: float = 5) -> tuple[int, str]:
    """Status and body of a GET, optionally sent from a given (loopback) source address."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout,
                                            source_address=(source, 0) if source else None)
    try:
        connection.request("GET", parts.path or "/")
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


def healthy(url: str) -> bool:
    """Streamlit's health endpoint answers "ok" at `url`."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


class _Process:
    """A child process with its output in a log file; stopped on exit of a `with` block."""

    name = "process"

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.started_in_s: float | None = None  # from launch to ready, for the record

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def _launch(self, command: list[str], ready, **popen) -> None:
        started = time.monotonic()
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                            **popen)
        deadline = started + START_TIMEOUT_S
        while not ready():
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n"
                                   f"{self.log()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} not ready after {START_TIMEOUT_S:.0f}s:\n"
                                   f"{self.log()}")
            time.sleep(0.1)
        self.started_in_s = time.monotonic() - started

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class StreamlitServer(_Process):
    """The dashboard served by `streamlit run dashboard.py` on a free loopback port."""

    name = "streamlit"

    def __init__(self, log_path: Path, env: Mapping[str, str] | None = None,
                 options: Sequence[str] = ()) -> None:
        super().__init__(log_path)
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.env = dict(os.environ if env is None else env)
        self.options = list(options)  # more `streamlit run` options, e.g. --secrets.files

    def start(self) -> "StreamlitServer":
        # Another run may take the free port before the server binds it; a port something else
        # answers on would make that other server look ready.
        for attempt in range(3):
            if not listening(self.port):
                try:
                    self._launch(
                        [
                            sys.executable, "-m", "streamlit", "run", "dashboard.py",
                            "--server.port", str(self.port),
                            "--server.address", HOST,
                            "--server.headless", "true",
                            "--browser.gatherUsageStats", "false",
                            *self.options,
                        ],
                        lambda: healthy(self.url),
                        cwd=REPO, env=self.env,
                    )
                    return self
                except RuntimeError:
                    if attempt == 2 or f"Port {self.port} is not available" not in self.log():
                        raise
            self.port = free_port()
            self.url = f"http://{HOST}:{self.port}"
        raise RuntimeError(f"streamlit found no free port:\n{self.log()}")


class NginxProxy(_Process):
    """A real nginx in the foreground, with every file it writes in `folder`.

    It serves the shipped site configuration (`deploy/nginx-civic.conf`) in front of
    `upstreams`, and logs which upstream served each request (`upstreams_by_client`).
    """

    name = "nginx"

    def __init__(self, folder: Path, upstreams: list[str]) -> None:
        super().__init__(folder / "error.log")
        self.folder = folder
        self.upstreams = upstreams
        self._listen_on(free_port())
        self.access_log = folder / "access.log"

    def _listen_on(self, port: int) -> None:
        self.port = port
        self.url = f"http://{HOST}:{self.port}"
        write_nginx_config(self.folder, self.upstreams, f"{HOST}:{self.port}")

    def start(self) -> "NginxProxy":
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx not found")
        config = self.folder / "nginx.conf"
        check_nginx_config(config)
        for attempt in range(3):  # as for the dashboard server above
            if not listening(self.port):
                try:
                    self._launch(nginx_command(config), lambda: listening(self.port),
                                 cwd=self.folder)
                    return self
                except RuntimeError:
                    if attempt == 2 or "already in use" not in self.log():
                        raise
            self._listen_on(free_port())
        raise RuntimeError(f"nginx found no free port:\n{self.log()}")

    def upstreams_by_client(self) -> dict[str, set[str]]:
        """Client address → the upstream servers that answered it, from the access log."""
        seen: dict[str, set[str]] = {}
        for line in self.access_log.read_text(errors="replace").splitlines():
            client, _status, upstream, *_ = line.split(" ", 3)  # serve.LOG_FORMAT
            if upstream != "-":
                seen.setdefault(client, set()).add(upstream)
        return seen
