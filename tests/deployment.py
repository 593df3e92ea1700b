"""A city deployment in miniature: one PostgreSQL database filled through the `civic` command,
several `streamlit run` servers reading it, and nginx in front (the shipped configuration).

Used by the end-to-end test (tests/test_deploy.py) and the benchmark (scripts/bench_deploy.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from conftest import DATA, change_yaml
from servers import HOST, NginxProxy, StreamlitServer

WALK_FILE = Path("programs") / "leaders_walk.yaml"


@dataclass
class Deployment:
    database: str  # the SQLAlchemy URL every process uses
    data: Path  # the folder loaded into the store; edit it and `load()` again
    servers: list[StreamlitServer]
    proxy: NginxProxy
    timings: dict[str, float] = field(default_factory=dict)  # seconds, by step

    def load(self) -> float:
        """`civic db load` of the data folder into the store; the seconds it took."""
        return timed(civic, "db", "load", str(self.data), "--database", self.database)

    def set_walk_experiences(self, value: int) -> None:
        """Set the reported person-times of 一把手走流程 (and its locator) in the data folder."""
        def change(content: dict[str, Any]) -> None:
            (figure,) = [f for f in content["figures"] if f["metric"] == "experiences"]
            old = figure["reported"].removesuffix("人次")
            figure["reported"] = f"{value}人次"
            figure["locator"] = figure["locator"].replace(old, str(value))

        change_yaml(self.data / WALK_FILE, change)


def civic(*args: str, stdin: str | None = None) -> str:
    """Run the installed `civic` command (`stdin` its input); its output, or RuntimeError with it
    on failure."""
    command = Path(sys.executable).with_name("civic")
    done = subprocess.run([str(command), *args], capture_output=True, text=True, timeout=600,
                          input=stdin)
    if done.returncode != 0:
        raise RuntimeError(f"civic {' '.join(args)} exited {done.returncode}:\n{done.stdout}"
                           f"{done.stderr}")
    return done.stdout


def timed(step: Callable[..., object], *args: Any) -> float:
    """Seconds `step(*args)` takes."""
    started = time.monotonic()
    step(*args)
    return time.monotonic() - started


@contextmanager
def deploy(database: str, folder: Path, processes: int = 2) -> Iterator[Deployment]:
    """Migrate and fill `database` from a copy of data/, start `processes` dashboard servers on
    it and nginx in front; everything is stopped on leaving. Raises RuntimeError on failure."""
    data = Path(shutil.copytree(DATA, folder / "data"))
    timings = {"civic db upgrade": timed(civic, "db", "upgrade", "--database", database),
               "civic db load (data/)": timed(civic, "db", "load", str(data),
                                              "--database", database)}
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVIC_")}
    env["CIVIC_DATABASE_URL"] = database
    with ExitStack() as stack:
        servers = [stack.enter_context(StreamlitServer(folder / f"streamlit-{n}.log", env))
                   for n in range(1, processes + 1)]
        with ThreadPoolExecutor(processes) as pool:
            list(pool.map(StreamlitServer.start, servers))
        # Only now are the servers' ports final (a port taken meanwhile is replaced).
        proxy = stack.enter_context(
            NginxProxy(folder, [f"{HOST}:{server.port}" for server in servers]))
        proxy.start()
        for n, server in enumerate(servers, 1):
            timings[f"dashboard server {n} start ({processes} at once)"] = server.started_in_s
        timings["nginx start"] = proxy.started_in_s
        yield Deployment(database, data, servers, proxy, timings)
