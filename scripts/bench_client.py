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

`sessions_rows` are the benchmark's `sessions_20` and `sessions_20_burst` rows (scripts/bench.py
runs them): officials who open a link, choose a district, switch page, go back to all
districts, open a department's group, tick the department and switch to its page, each step
timed from the BackMsg sent to its `script_finished`, one official alone and twenty at once.
In `sessions_20` the twenty work as officials do: each starts at a moment of its own within the
first reading time and reads every page before the next step; in `sessions_20_burst` all send
every step at once with no pause, the worst case.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from dataclasses import dataclass, field

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
    """One script run as the client received it: the page's elements (and the expanders that
    are widgets), by their delta path."""

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

    def __init__(self, base: str, source: str | None = None):
        self.url = base.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
        self.source = source  # the loopback address it connects from (nginx hashes on it)
        self.socket = None
        self.query = ""
        self.page_hash = ""
        self.pages: dict[str, str] = {}  # url path ("" for the default page) → page hash
        self.widgets: dict[str, WidgetState] = {}  # widget id → its value, as a browser holds
        self.last: Run | None = None
        self.session_id = ""  # the server's id of this session (uploads are sent under it)

    async def open(self, page: str = "", query: str = "") -> Run:
        """A new session on the link `/{page}?{query}`, as a browser opening it."""
        self.socket = await connect(self.url, subprotocols=["streamlit"], max_size=None,
                                    open_timeout=STEP_TIMEOUT_S,
                                    **({"local_addr": (self.source, 0)} if self.source else {}))
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

    async def submit(self, button: str, **values: dict) -> Run:
        """Fill a form and press its submit button in one rerun, as a browser sends a form:
        `values` maps each widget's key to its value (`{"string_value": "…"}`)."""
        for key, value in values.items():
            state = WidgetState(id=self.last.widget(key).id, **value)
            self.widgets[state.id] = state
        trigger = WidgetState(id=self.last.widget(button).id, trigger_value=True)
        return await self._rerun(page_hash=self.page_hash, changed=trigger)

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
            if kind == "delta" and forward.delta.WhichOneof("type") == "add_block" and \
                    forward.delta.add_block.expandable.id:  # an expander a click opens
                run.elements[tuple(forward.metadata.delta_path)] = forward.delta.add_block
            elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                element = forward.delta.new_element
                run.elements[tuple(forward.metadata.delta_path)] = element
                if element.WhichOneof("type") == "exception" and \
                        not element.exception.is_warning:
                    run.errors.append(f"{element.exception.type}: {element.exception.message}")
            elif kind == "navigation":
                self.pages = {p.url_pathname: p.page_script_hash
                              for p in forward.navigation.app_pages}
                self.page_hash = forward.navigation.page_script_hash
            elif kind == "new_session":
                self.session_id = forward.new_session.initialize.session_id
            elif kind == "page_info_changed":
                self.query = forward.page_info_changed.query_string
            elif kind == "page_not_found":
                run.errors.append(f"page not found: {page_name!r}")
            elif kind == "script_finished":
                if forward.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the script asked for a rerun (st.rerun): it follows at once
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
DEPARTMENTS = [("zz_civil_affairs", "city", "winter_relief"), ("zz_cdc", "city", "flu"),
               ("zz_admin_approval", "city", "leaders_walk"),
               ("lusong_gov", "district", "projects"), ("zz_hrss", "city", "")]
STEPS = 7  # open a link, district, page, all districts, the department's group, it, its page
QUICK_STEPS = 3  # open a link, district, page
READING_S = (3.0, 12.0)  # how long an official reads a page before the next step (seeded)


def source_address(official: int) -> str:
    """The loopback address official number `official` connects from: 127.0.0.2, 127.0.0.3, …
    (Linux answers on all of 127.0.0.0/8), so that nginx's `hash $remote_addr` tells them apart
    as it tells apart officials' machines."""
    return f"127.0.0.{2 + official}"


async def official(base: str, rounds: int, offset: int, steps: int = STEPS,
                   pause: tuple[float, float] = (0, 0), own_address: bool = False
                   ) -> tuple[list[Run], list[str]]:
    """What one official does, `rounds` times: open a link, choose a district, switch page,
    go back to all districts, open a department's group (a closed one draws no department),
    tick the department, switch to its page (the first `steps` of these), reading each page
    for a time drawn from `pause` before the next step. With a pause, the official starts at a
    moment drawn from the first reading time (0 to its longest), so twenty do not all open at
    the same instant. With `own_address`, it connects from a loopback address of its own
    (`source_address`). Each step's run, and the errors."""
    runs: list[Run] = []
    errors: list[str] = []
    reading = random.Random(offset)
    await asyncio.sleep(reading.uniform(0, pause[1]))
    for n in range(rounds):
        step = offset + n
        session = Session(base, source_address(offset) if own_address else None)
        page, query = LINKS[step % len(LINKS)]
        department, group, its_page = DEPARTMENTS[step % len(DEPARTMENTS)]

        def district():
            options = session.last.widget("f_district").options
            return session.set("f_district", string_value=options[step % len(options)])

        actions = [lambda: session.open(page, query), district,
                   lambda: session.switch(PAGES[step % len(PAGES)]),
                   lambda: session.set("f_district"),  # no value: all districts
                   lambda: session.set(f"dept_group_{group}", bool_value=True),
                   lambda: session.set(f"dept_{department}", bool_value=True),
                   lambda: session.switch(its_page)]
        try:
            for index, action in enumerate(actions[:steps]):
                if index or n:
                    await asyncio.sleep(reading.uniform(*pause))
                runs.append(await action())
        except Exception as error:  # noqa: BLE001 - counted: the row says 0 errors or not
            errors.append(f"{type(error).__name__}: {error}"[:200])
        finally:
            await session.close()
    return runs, errors + [error for run in runs for error in run.errors]


@dataclass
class Measured:
    alone: list[Run]
    together: list[Run]
    errors: list[str]
    wall_s: float  # the n sessions, from first step sent to last step finished
    client_cpu_s: float  # this process's CPU over those seconds
    server_cpu_s: float


async def warm(base: str, rounds: int, steps: int, own_address: bool = False) -> None:
    """The twenty officials' steps once, all at once, so that every view they ask for is made:
    one official alone, measured next, then meets a server as warm as the burst after it does
    (warmed by one official's first link only, its later links made their views while timed)."""
    await asyncio.gather(*[official(base, rounds, i, steps, own_address=own_address)
                           for i in range(20)])


async def measure(server, n: int, rounds: int, steps: int = STEPS,
                  pause: tuple[float, float] = (0, 0), alone: list[Run] | None = None,
                  own_address: bool = False) -> Measured:
    """Runs of one official alone (unless given), then of `n` at once, on a warm server."""
    alone_errors = []
    if alone is None:
        await official(server.base, 1, 0, steps, own_address=own_address)  # warm: the catalog
        alone, alone_errors = await official(server.base, max(2 * rounds, 12 // steps), 0,
                                             steps, own_address=own_address)
    started, cpu, server_cpu = time.perf_counter(), time.process_time(), server.cpu_s()
    results = await asyncio.gather(*[official(server.base, rounds, i, steps, pause, own_address)
                                     for i in range(n)])
    return Measured(alone, [run for runs, _ in results for run in runs],
                    alone_errors + [e for _, errors in results for e in errors],
                    time.perf_counter() - started, time.process_time() - cpu,
                    server.cpu_s() - server_cpu)


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 \
        else values[0]


async def sessions_rows(server, quick: bool, wanted) -> list:
    """The `sessions_20` row (officials who start apart and read between steps) and the
    `sessions_20_burst` row (every step sent at once), both against one official alone on the
    server warmed by the same officials (`warm`)."""
    from bench import unmeasured

    rounds, steps = (1, QUICK_STEPS) if quick else (2, STEPS)
    burst_rounds = 1 if quick else 3
    names = [name for name in ("sessions_20", "sessions_20_burst") if wanted(name)]
    try:
        await warm(server.base, burst_rounds, steps)
        alone = await measure(server, 0, burst_rounds, steps)  # one official, no pause
        rows = []
        if "sessions_20" in names:
            paced = await measure(server, 20, rounds, steps, READING_S, alone.alone)
            rows.append(_row("sessions_20", paced, alone, rounds * steps, READING_S))
        if "sessions_20_burst" in names:
            burst = await measure(server, 20, burst_rounds, steps, alone=alone.alone)
            rows.append(_row("sessions_20_burst", burst, alone, burst_rounds * steps, None))
        return rows
    except Exception as error:  # noqa: BLE001 - the row says why, never a made-up number
        return [unmeasured(name, TARGET, "seed", f"the sessions failed: {error!r}"[:300])
                for name in names]


TARGET = "0 errors; p95 ≤ 5×"


async def nginx_burst_row(fleet, quick: bool):
    """`sessions_20_burst_nginx`: the burst of `sessions_20_burst`, through nginx in front of
    several dashboard processes (scripts/serve.py), each official from a loopback address of
    its own; against one official alone through the same nginx. Every process is warmed first
    as the one-process rows' server is (`warm`): the two burst rows then differ only in the
    processes and nginx (warmed by one step each, the processes built the other steps' views
    during the burst and it took 3.4 s of CPU where the one process took 2.2 s)."""
    from bench import unmeasured

    name = "sessions_20_burst_nginx"
    rounds, steps = 1 if quick else 3, QUICK_STEPS if quick else STEPS
    try:
        await warm(fleet.base, rounds, steps, own_address=True)
        alone = await measure(fleet, 0, rounds, steps, own_address=True)
        burst = await measure(fleet, 20, rounds, steps, alone=alone.alone, own_address=True)
        row = _row(name, burst, alone, rounds * steps, None)
        spread = fleet.sessions_by_process()
        row.note = (f"through nginx (deploy/nginx-civic.conf) in front of {len(spread)} "
                    f"dashboard processes (scripts/serve.py), each official from its own "
                    f"loopback address (127.0.0.2 …); websockets per process "
                    f"{sorted(spread.values(), reverse=True)}; " + row.note
                    .replace("CPU: server", "CPU: all processes")
                    .replace("the server warmed", "every process warmed"))
        return row
    except Exception as error:  # noqa: BLE001 - the row says why, never a made-up number
        return unmeasured(name, TARGET, "seed", f"the sessions failed: {error!r}"[:300])


def _row(name: str, measured: Measured, alone: Measured, steps: int,
         pause: tuple[float, float] | None):
    """A row of 20 sessions at once against one alone, its note saying how they were driven."""
    from bench import Row, unmeasured

    errors = alone.errors + measured.errors
    if not measured.together or not alone.alone:
        return unmeasured(name, TARGET, "seed", f"no step finished: {errors[:3]}")
    alone_s = [run.seconds for run in alone.alone]
    together_s = [run.seconds for run in measured.together]
    charts = sum(run.count("plotly_chart") for run in measured.together)
    shown = "; ".join(sorted(set(errors)))[:300]
    done = ("choosing a district and switching page" if steps % STEPS else
            "choosing a district, switching page, going back to all districts, opening a "
            "department's group, ticking the department and switching to its page")
    driven = (f"each starting at a random moment within the first {pause[1]:.0f} s and "
              f"reading each page {pause[0]:.0f}–{pause[1]:.0f} s (seeded random) before the "
              "next step" if pause else
              "all sending every step at the same instant, with no pause (the worst case)")
    return Row(
        name, percentile(together_s, 95), percentile(alone_s, 95), TARGET,
        f"seed, 20 × {steps} steps",
        f"20 sessions open at once from a client of Streamlit's websocket protocol "
        f"(scripts/bench_client.py: one asyncio process, no browser; BackMsg rerun_script, "
        f"timed from sending a step to its script_finished), each opening a link with "
        f"filters, then {done}, {driven} ({len(measured.together)} steps in "
        f"{measured.wall_s:.1f} s, {charts} Plotly charts received; CPU: server "
        f"{measured.server_cpu_s:.1f} s, client {measured.client_cpu_s:.1f} s), the server "
        f"warmed first by the same officials' steps, all at once; p50 "
        f"{percentile(together_s, 50):.2f} s, p95 {percentile(together_s, 95):.2f} s vs one "
        f"session alone p50 {percentile(alone_s, 50):.2f} s, p95 "
        f"{percentile(alone_s, 95):.2f} s ({len(alone.alone)} steps); {len(errors)} errors"
        + (f" ({shown})" if errors else ""))
