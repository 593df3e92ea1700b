"""Several dashboard processes behind the shipped nginx: `make run WORKERS=N`.

    .venv/bin/python scripts/serve.py --workers N [--address 127.0.0.1] [--port 8501]

One Streamlit process runs every session's script in threads that share one interpreter lock, so
sessions that click at once wait for each other (docs/performance.md, `sessions_20_burst`). This
starts N `streamlit run dashboard.py` processes on 127.0.0.1, ports PORT+1 … PORT+N, and nginx on
ADDRESS:PORT with the shipped site configuration (deploy/nginx-civic.conf): each client address
sticks to one process, text is sent compressed, Streamlit's static files are cached by nginx.
nginx runs as the current user with everything it writes (configuration, logs, buffers, cache)
in a folder of its own (`--folder`, else a temporary one). It stops every process on Ctrl-C or
SIGTERM, and all of them when one of them ends.

For a city's server, docs/deploy.md installs the same site file into the system's nginx and
runs the dashboards as systemd services; this is the same arrangement on one machine, by hand.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SITE = REPO / "deploy" / "nginx-civic.conf"
WORKER_HOST = "127.0.0.1"
START_TIMEOUT_S = 120.0
# One line per request: who, status, which process answered ("-" when nginx's cache did), the
# cache's verdict, bytes sent to the client (compressed, headers included), the request.
LOG_FORMAT = '$remote_addr $status $upstream_addr $upstream_cache_status $bytes_sent "$request"'


def nginx_binary() -> str | None:
    """Debian's nginx (in /usr/sbin, which a user's PATH may lack), or None."""
    found = shutil.which("nginx")
    if found is None and os.access("/usr/sbin/nginx", os.X_OK):
        found = "/usr/sbin/nginx"
    return found


def site_config(upstreams: list[str], listen: str, cache: Path | None = None) -> str:
    """The shipped site configuration with its upstream servers, listen address and (given)
    cache folder replaced."""
    text = SITE.read_text(encoding="utf-8")
    servers = "\n".join(f"    server {address};" for address in upstreams)
    text, n_servers = re.subn(r"(?m)^(\s*server \S+;\s*(#.*)?\n)+", servers + "\n", text)
    text, n_listen = re.subn(r"(?m)^(\s*)listen \S+;", rf"\1listen {listen};", text)
    n_cache = 1
    if cache is not None:
        text, n_cache = re.subn(r"(?m)^proxy_cache_path \S+", f"proxy_cache_path {cache}", text)
    if (n_servers, n_listen, n_cache) != (1, 1, 1):
        raise ValueError(f"{SITE} lost its upstream, listen or proxy_cache_path line")
    return text


def write_nginx_config(folder: Path, upstreams: list[str], listen: str) -> Path:
    """nginx.conf (and site.conf beside it) for an nginx run by the current user from `folder`:
    its pid, logs, buffers and cache all there. Returns the nginx.conf path."""
    # As root, nginx's workers would run as `nobody` and could not write their buffers into a
    # folder private to root; a nginx of one user's may keep the user.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {kind}_temp_path {folder / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (folder / "site.conf").write_text(site_config(upstreams, listen, folder / "cache"),
                                      encoding="utf-8")
    config = folder / "nginx.conf"
    config.write_text(
        f"{user}worker_processes 1;\n"
        f"pid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} notice;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        f"    log_format upstream '{LOG_FORMAT}';\n"
        f"    access_log {folder / 'access.log'} upstream;\n"
        f"{temp}\n"
        f"    include {folder / 'site.conf'};\n"
        "}\n",
        encoding="utf-8",
    )
    return config


def check_nginx_config(config: Path) -> None:
    """`nginx -t` on `config`; RuntimeError with nginx's words when it refuses it."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx not found: install Debian's `nginx` (`make system-deps "
                           "WORKERS=2` as root, or `sudo apt-get install nginx`)")
    folder = config.parent
    check = subprocess.run([binary, "-t", "-p", str(folder), "-e", str(folder / "error.log"),
                            "-c", str(config)], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx rejects its configuration:\n{check.stderr}")


def nginx_command(config: Path) -> list[str]:
    folder = config.parent
    return [nginx_binary() or "nginx", "-p", str(folder), "-e", str(folder / "error.log"),
            "-c", str(config), "-g", "daemon off;"]


def dashboard_command(port: int) -> list[str]:
    """`streamlit run dashboard.py` as `make run` starts it, on one loopback port."""
    return [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard.py"),
            "--server.address", WORKER_HOST, "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false"]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


class Fleet:
    """N dashboard processes and nginx in front of them, started and stopped together."""

    def __init__(self, workers: int, address: str, port: int, folder: Path,
                 worker_ports: list[int] | None = None, env: dict[str, str] | None = None):
        if workers < 1:
            raise ValueError("at least one dashboard process")
        self.folder = folder
        self.address, self.port = address, port
        self.worker_ports = worker_ports or [port + n for n in range(1, workers + 1)]
        self.env = {**(os.environ if env is None else env), "PYTHONMALLOC": "malloc"}
        self.dashboards: list[subprocess.Popen] = []
        self.nginx: subprocess.Popen | None = None
        self.config = write_nginx_config(
            folder, [f"{WORKER_HOST}:{p}" for p in self.worker_ports], f"{address}:{port}")

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self.port}"

    def start(self) -> "Fleet":
        check_nginx_config(self.config)
        taken = [p for p in [self.port, *self.worker_ports] if listening(WORKER_HOST, p)]
        if taken:
            raise RuntimeError(f"port(s) in use: {taken}")
        try:
            for n, port in enumerate(self.worker_ports, 1):
                log = (self.folder / f"dashboard-{n}.log").open("wb")
                self.dashboards.append(subprocess.Popen(
                    dashboard_command(port), cwd=REPO, env=self.env, stdout=log,
                    stderr=subprocess.STDOUT))
            self._wait(lambda: all(healthy(f"http://{WORKER_HOST}:{p}")
                                   for p in self.worker_ports), "the dashboards")
            self.nginx = subprocess.Popen(nginx_command(self.config), cwd=self.folder,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
            self._wait(lambda: listening(self.address, self.port), "nginx")
        except BaseException:
            self.stop()
            raise
        return self

    def _wait(self, ready, what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if ready():
                return
            ended = [p for p in self.processes if p.poll() is not None]
            if ended:
                raise RuntimeError(f"{what}: a process ended with {ended[0].returncode} (logs "
                                   f"in {self.folder})")
            time.sleep(0.1)
        raise RuntimeError(f"{what} did not start in {START_TIMEOUT_S:.0f} s (logs in "
                           f"{self.folder})")

    @property
    def processes(self) -> list[subprocess.Popen]:
        return [*self.dashboards, *([self.nginx] if self.nginx else [])]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def __enter__(self) -> "Fleet":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="dashboard processes")
    parser.add_argument("--address", default="127.0.0.1", help="where nginx listens")
    parser.add_argument("--port", type=int, default=8501, help="nginx's port; the dashboards "
                        "take the ones after it")
    parser.add_argument("--folder", type=Path, help="nginx's files (default: a temporary one)")
    args = parser.parse_args(argv)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with tempfile.TemporaryDirectory(prefix="civic-nginx-") as temporary:
        folder = args.folder or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        fleet = Fleet(args.workers, args.address, args.port, folder)
        try:
            fleet.start()
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 1
        ports = ", ".join(str(p) for p in fleet.worker_ports)
        print(f"civic: {args.workers} dashboard processes ({WORKER_HOST}, ports {ports}) behind "
              f"nginx at {fleet.url} (its files in {folder})", flush=True)
        try:
            while not stopping and all(p.poll() is None for p in fleet.processes):
                time.sleep(0.5)
        finally:
            ended = [p for p in fleet.processes if p.poll() is not None]
            fleet.stop()
        if ended and not stopping:
            print(f"civic: a process ended ({ended[0].args[0]}, {ended[0].returncode}); all "
                  "stopped", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
