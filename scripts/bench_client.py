"""A light client of Streamlit's websocket protocol: many sessions for the price of few.

A browser session is one websocket to `/_stcore/stream`. It sends BackMsg protobufs
(`rerun_script`: the link's query string, the page, the widgets' values) and reads ForwardMsgs
(`new_session`, deltas that draw elements, `navigation` with the pages' hashes,
`script_finished`). This client sends and reads the same messages but draws nothing, so twenty
sessions cost the client little CPU and the server gets what a browser would ask of it (not
the static files: a browser caches those after its first visit).

A widget change sends the values of every widget on the page, as a browser does (on a page
change the server keeps only the widgets it is sent); a value the server sets (from a link, a
callback) replaces the one the client held. Errors are what a browser would show: an exception
element, a page not found, a run that did not finish; the client checks nothing else.

`sessions_row` is the benchmark's `sessions_20` row (scripts/bench.py runs it): officials who
open a link, choose a district, switch page, go back to all districts, tick a department and
switch to its page, each step timed from the BackMsg sent to its `script_finished`, one
official alone and twenty at once.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

STEP_TIMEOUT_S = 240.0
FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
# Where a widget's value sits in its element, and where the browser sends it back: the value a
# browser holds, and sends with every rerun (on a page change the server keeps only those).
VALUES = {"checkbox": ("value", "bool_value"), "selectbox": ("raw_value", "string_value"),
          "radio": ("raw_value", "string_value"), "text_input": ("value", "string_value"),
          "text_area": ("value", "string_value"), "date_input": ("value", "string_array_value"),
          "button_group": ("raw_values", "string_array_value"),
          "multiselect": ("raw_values", "string_array_value")}


@dataclass
class Run:
    """One script run as the client received it: the page's elements, by their delta path."""

    seconds: float
    elements: dict[tuple[int, ...], object] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def kinds(self) -> list[str]:
        return [element.WhichOneof("type") for element in self.elements.values()]

    def count(self, kind: str) -> int:
        return self.kinds().count(kind)

    def widget(self, key: str):
        """The element of the widget whose user key is `key` (its id ends in `-key`)."""
        for element in self.elements.values():
            proto = getattr(element, element.WhichOneof("type"))
            if getattr(proto, "id", "").endswith(f"-{key}"):
                return proto
        raise KeyError(f"no widget {key!r} on the page")


class Session:
    """One session on a running server, as a browser tab would hold it."""

    def __init__(self, base: str):
        self.url = base.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
        self.socket = None
        self.query = ""
        self.page_hash = ""
        self.pages: dict[str, str] = {}  # url path ("" for the default page) → page hash
        self.widgets: dict[str, WidgetState] = {}  # widget id → its value, as a browser holds
        self.last: Run | None = None

    async def open(self, page: str = "", query: str = "") -> Run:
        """A new session on the link `/{page}?{query}`, as a browser opening it."""
        self.socket = await connect(self.url, subprotocols=["streamlit"], max_size=None,
                                    open_timeout=STEP_TIMEOUT_S)
        self.query = query
        return await self._rerun(page_name=page)

    async def switch(self, page: str) -> Run:
        """Choose another page in the navigation, by its url path."""
        if page not in self.pages:
            raise KeyError(f"no page {page!r} in the navigation ({sorted(self.pages)})")
        return await self._rerun(page_hash=self.pages[page])

    async def set(self, key: str, **value) -> Run:
        """Give the widget keyed `key` a value (`string_value="…"`, `bool_value=True`, none
        for a cleared choice, `trigger_value=True` for a button: sent once, as a click)."""
        state = WidgetState(id=self.last.widget(key).id, **value)
        if "trigger_value" not in value:
            self.widgets[state.id] = state
        return await self._rerun(page_hash=self.page_hash, changed=state)

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()

    async def _rerun(self, page_hash: str = "", page_name: str = "",
                     changed: WidgetState | None = None) -> Run:
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query
        state.page_script_hash = page_hash
        state.page_name = page_name
        held = {**self.widgets, **({changed.id: changed} if changed else {})}
        state.widget_states.widgets.extend(held.values())
        started = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        run = await asyncio.wait_for(self._read_run(started, page_name), STEP_TIMEOUT_S)
        self.last = run
        self._hold(run)
        return run

    def _hold(self, run: Run) -> None:
        """Keep the values of the widgets on the page: those the server set (a link, a
        callback), else those this client set; a widget gone from the page is forgotten."""
        held = {}
        for element in run.elements.values():
            kind = element.WhichOneof("type")
            if kind not in VALUES:
                continue
            proto = getattr(element, kind)
            if proto.set_value:
                source, target = VALUES[kind]
                state = WidgetState(id=proto.id)
                value = getattr(proto, source)
                if not isinstance(value, (bool, str)):
                    getattr(state, target).data.extend(value)
                elif _present(proto, source):
                    setattr(state, target, value)
                held[proto.id] = state
            elif proto.id in self.widgets:
                held[proto.id] = self.widgets[proto.id]
        self.widgets = held

    async def _read_run(self, started: float, page_name: str) -> Run:
        """The ForwardMsgs of one run, up to its `script_finished`."""
        run = Run(0.0)
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self.socket.recv())
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                run.elements[tuple(forward.metadata.delta_path)] = element
                if element.WhichOneof("type") == "exception" and \
                        not element.exception.is_warning:
                    run.errors.append(f"{element.exception.type}: {element.exception.message}")
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash
                              for p in forward.navigation.app_pages}
                self.page_hash = forward.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query = forward.page_info_changed.query_string
            elif kind == "page_not_found":
                run.errors.append(f"page not found: {page_name!r}")
            elif kind == "script_finished":
                run.seconds = time.perf_counter() - started
                if forward.script_finished not in FINISHED:
                    run.errors.append(f"script finished with status {forward.script_finished}")
                return run


def _present(proto, name: str) -> bool:
    """An optional field is set (an unset `raw_value` is no choice); a plain one always is."""
    try:
        return proto.HasField(name)
    except ValueError:
        return True


# --- the benchmark's sessions_20 row ---------------------------------------------------------

# Links a session opens (filters in the link, as an official's bookmark); the pages it goes
# to next, each drawing charts for any district; and departments with the page that has their
# figures (the department ticked, the session switches to that page).
LINKS = [("", ""), ("leaders_walk", "dept=zz_admin_approval"), ("flu", ""),
         ("projects", "lang=en"), ("winter_relief", "district=lusong"), ("", "lang=en"),
         ("sources", "")]
PAGES = ["", "leaders_walk", "winter_relief", "flu"]
DEPARTMENTS = [("zz_civil_affairs", "winter_relief"), ("zz_cdc", "flu"),
               ("zz_admin_approval", "leaders_walk"), ("lusong_gov", "projects"),
               ("zz_hrss", "")]
STEPS = 6  # open a link, district, page, all districts, department, page


async def official(base: str, rounds: int, offset: int) -> tuple[list[Run], list[str]]:
    """What one official does, `rounds` times: open a link, choose a district, switch page,
    go back to all districts, tick a department, switch to its page. Each step's run, and
    the errors."""
    runs: list[Run] = []
    errors: list[str] = []
    for n in range(rounds):
        step = offset + n
        session = Session(base)
        try:
            page, query = LINKS[step % len(LINKS)]
            runs.append(await session.open(page, query))
            districts = session.last.widget("f_district").options
            runs.append(await session.set(
                "f_district", string_value=districts[step % len(districts)]))
            runs.append(await session.switch(PAGES[step % len(PAGES)]))
            runs.append(await session.set("f_district"))  # no value: all districts
            department, its_page = DEPARTMENTS[step % len(DEPARTMENTS)]
            runs.append(await session.set(f"dept_{department}", bool_value=True))
            runs.append(await session.switch(its_page))
        except Exception as error:  # noqa: BLE001 - counted: the row says 0 errors or not
            errors.append(f"{type(error).__name__}: {error}"[:200])
        finally:
            await session.close()
    return runs, errors + [error for run in runs for error in run.errors]


async def measure(base: str, n: int, rounds: int):
    """Times of one official alone, then of `n` at once, on a warm server; and all errors."""
    await official(base, 1, 0)  # warm: the catalog read once, the pages' modules loaded
    alone, alone_errors = await official(base, rounds * 2, 0)
    started = time.perf_counter()
    results = await asyncio.gather(*[official(base, rounds, i) for i in range(n)])
    wall = time.perf_counter() - started
    together = [run for runs, _ in results for run in runs]
    errors = alone_errors + [e for _, errors in results for e in errors]
    return alone, together, errors, wall


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 \
        else values[0]


def sessions_row(seed_url: str, work: Path, quick: bool):
    """The `sessions_20` row: 20 officials at once on one server vs one alone."""
    from bench import REPO, Row, unmeasured
    from bench_browser import Server

    rounds = 1 if quick else 3
    target = "0 errors; p95 ≤ 5×"
    server = Server(REPO / "dashboard.py", seed_url, work / "sessions.log")
    try:
        asyncio.run(server.healthy())
        alone, together, errors, wall = asyncio.run(measure(server.base, 20, rounds))
    except Exception as error:  # noqa: BLE001 - the row says why, never a made-up number
        return unmeasured("sessions_20", target, "seed", f"the sessions failed: {error!r}"[:300])
    finally:
        server.stop()
    if not together:
        return unmeasured("sessions_20", target, "seed", f"no step finished: {errors[:3]}")
    alone_s = [run.seconds for run in alone]
    together_s = [run.seconds for run in together]
    charts = sum(run.count("plotly_chart") for run in together)
    shown = "; ".join(sorted(set(errors)))[:300]
    return Row(
        "sessions_20", percentile(together_s, 95), percentile(alone_s, 95), target,
        f"seed, 20 × {rounds * STEPS} steps",
        f"20 sessions at once from a client of Streamlit's websocket protocol "
        f"(scripts/bench_client.py: one asyncio process, no browser; BackMsg rerun_script, "
        f"timed to script_finished), each opening a link with filters, then choosing a "
        f"district, switching page, going back to all districts, ticking a department and "
        f"switching to its page, with no pause ({len(together)} steps in {wall:.1f} s, "
        f"{charts} Plotly charts received); p50 {percentile(together_s, 50):.2f} s, p95 "
        f"{percentile(together_s, 95):.2f} s vs one session alone p50 "
        f"{percentile(alone_s, 50):.2f} s, p95 {percentile(alone_s, 95):.2f} s "
        f"({len(alone)} steps); {len(errors)} errors" + (f" ({shown})" if errors else ""))
