"""A throwaway PostgreSQL server for the tests, run from the binaries of Debian's `postgresql`.

The server lives in a fresh folder under the system's temporary directory, listens on a free
loopback port and on a Unix socket inside that folder, trusts every local connection, and is
stopped and removed by `stop()` (also called at interpreter exit, should a test run end early).
PostgreSQL refuses to run as root, so as root the folder is given to the `postgres` user and
`initdb`/`pg_ctl` run as that user through `runuser`.
"""

from __future__ import annotations

import atexit
import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

from servers import HOST, free_port

DEBIAN_BINARIES = Path("/usr/lib/postgresql")
SERVER_USER = "postgres"
START_TIMEOUT_S = 60
INSTALL_HINT = ("install Debian's `postgresql` (`sudo apt-get install postgresql`, or "
                "`make system-deps` as root), or set CIVIC_TEST_DATABASE_URL to a server's "
                "SQLAlchemy URL")


def find_bindir() -> Path | None:
    """The newest `/usr/lib/postgresql/<version>/bin` holding initdb and pg_ctl, else PATH's."""
    candidates = [d / "bin" for d in DEBIAN_BINARIES.glob("*") if d.name.isdigit()]
    candidates.sort(key=lambda d: int(d.parent.name), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for bindir in candidates:
        if all(os.access(bindir / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    return None


def missing() -> str | None:
    """Why no throwaway server can be started here, or None when one can."""
    if find_bindir() is None:
        return f"PostgreSQL server binaries (initdb, pg_ctl) not found: {INSTALL_HINT}"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return (f"running as root but there is no `{SERVER_USER}` user to run the server: "
                    f"{INSTALL_HINT}")
        if shutil.which("runuser") is None:
            return "running as root without `runuser` (util-linux) to run the server as postgres"
    return None


class PostgresServer:
    """One PostgreSQL cluster: `start()`, then connect to `url()`; `halt()` and `resume()` for
    an outage; `stop()` removes it all."""

    def __init__(self, bindir: Path | None = None) -> None:
        reason = missing() if bindir is None else None
        if reason:
            raise RuntimeError(reason)
        self.bindir = bindir or find_bindir()
        self.root: Path | None = None
        self.port: int | None = None
        self._as_root = os.geteuid() == 0

    # ----------------------------------------------------------------- paths and URLs

    @property
    def datadir(self) -> Path:
        assert self.root is not None, "server not started"
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        assert self.root is not None, "server not started"
        return self.root

    @property
    def logfile(self) -> Path:
        assert self.root is not None, "server not started"
        return self.root / "server.log"

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of `database` on this server (psycopg 3 driver)."""
        assert self.port is not None, "server not started"
        return f"postgresql+psycopg://{SERVER_USER}@{HOST}:{self.port}/{database}"

    # ----------------------------------------------------------------- life cycle

    def start(self) -> "PostgresServer":
        """initdb a fresh cluster and start it on a free port; raises with the log on failure."""
        self.root = Path(tempfile.mkdtemp(prefix="civic-pg-", dir=self._parent_dir()))
        atexit.register(self.stop)
        try:
            if self._as_root:
                entry = pwd.getpwnam(SERVER_USER)
                os.chown(self.root, entry.pw_uid, entry.pw_gid)
            self._run("initdb", "-D", str(self.datadir), "-A", "trust", "-U", SERVER_USER,
                      "-E", "UTF8", "--locale=C", "--no-sync")
            for attempt in range(3):  # the free port may be taken before the server binds it
                self.port = free_port()
                try:
                    self.resume()
                    break
                except RuntimeError:
                    if attempt == 2 or "in use" not in self.log():
                        raise
        except BaseException:
            self.stop()
            raise
        return self

    def halt(self) -> None:
        """Shut the server down as an outage would, keeping its data; `resume()` restarts it."""
        self._run("pg_ctl", "-D", str(self.datadir), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        """Start the (initialized or halted) server on its port, with its data."""
        options = (f"-p {self.port} -k {self.socket_dir} -c listen_addresses={HOST} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.datadir), "-l", str(self.logfile), "-w",
                  "-t", str(START_TIMEOUT_S), "-o", options, "start")

    def _parent_dir(self) -> str:
        """The system's temporary directory, or /tmp when the server's user cannot enter it.

        Not pytest's tmp_path: its folders are private to the user running the tests.
        """
        parent = Path(tempfile.gettempdir()).resolve()
        if self._as_root and not all(p.stat().st_mode & stat.S_IXOTH
                                     for p in (parent, *parent.parents)):
            return "/tmp"
        return str(parent)

    def stop(self) -> None:
        """Stop the server (fast, no checkpoint) and remove its folder; safe to call twice."""
        if self.root is None:
            return
        if (self.datadir / "postmaster.pid").exists():
            try:
                self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
            except RuntimeError:
                pass  # already gone; the folder goes anyway
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None
        atexit.unregister(self.stop)

    def log(self) -> str:
        try:
            return self.logfile.read_text(errors="replace")
        except (OSError, AssertionError):
            return ""

    def version(self) -> str:
        out = subprocess.run([str(self.bindir / "postgres"), "--version"], capture_output=True,
                             text=True, check=True).stdout
        match = re.search(r"\d+(\.\d+)?", out)
        return match.group(0) if match else out.strip()

    def __enter__(self) -> "PostgresServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if self._as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.root,
                              timeout=START_TIMEOUT_S + 30)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stdout}{done.stderr}\n"
                               f"{self.log()}")
