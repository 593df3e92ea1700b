"""Shared fixtures: the shipped data folder, writable copies of it, a folder broken on purpose,
a throwaway PostgreSQL server with a fresh database per test, the system Chromium, and a store
with an editor account."""

from __future__ import annotations

import atexit
import functools
import gc
import os
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import markers
import pgserver
import pytest
import yaml
from browsing import CHROMIUM_ARGS, find_chromium

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_b818e08297bbd78c.txt"


def dump_yaml(path: Path, content: Any) -> Path:
    """Write `content` as YAML (UTF-8, keys in the given order), creating folders as needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return path


def read_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def change_yaml(path: Path, change: Callable[[Any], None]) -> Any:
    """Load a YAML file, let `change` edit it in place, write it back; returns the content."""
    content = read_yaml(path)
    change(content)
    dump_yaml(path, content)
    return content


# Markdown that, if rendered, would be bold, a live link, an external image and maths.
HOSTILE = "**粗体**[链接](https://evil.example/login)![图](https://evil.example/p.png)$x$"


def write_hostile_data(folder: Path) -> Path:
    """Markdown in program names, metric labels, aims, departments, events, advice and source
    titles of a copy of the data; it stays valid data."""
    bad = {"zh": f"甲{HOSTILE}", "en": f"A{HOSTILE}"}

    def walk(content: Any) -> None:
        content["program"]["name"] = bad
        content["program"]["aims"][0] = bad

    def games(content: Any) -> None:
        content["program"]["name"] = bad
        for event in content.get("events", []):
            event["title"] = bad
            event["venue"] = bad

    def flu(content: Any) -> None:
        advisory = content["advisories"][0]
        advisory["recommendations"][0] = bad
        advisory["dominant_strain"] = bad

    def metrics(content: Any) -> None:
        for metric in content["metrics"]:
            if metric["id"] in ("experiences", "problems_found"):
                metric["label"] = bad

    def departments(content: Any) -> None:
        for department in content["departments"]:
            if department["id"] == "zz_admin_approval":
                department["name"] = bad

    def sources(content: Any) -> None:
        for source in content["sources"]:
            source["title"] = f"甲{HOSTILE}"

    for name, change in [("programs/leaders_walk.yaml", walk),
                         ("programs/community_games.yaml", games),
                         ("programs/flu_advisory.yaml", flu), ("metrics.yaml", metrics),
                         ("departments.yaml", departments), ("sources.yaml", sources)]:
        change_yaml(folder / name, change)
    return folder


def pytest_configure(config: pytest.Config) -> None:
    markers.register(config)


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Marks a case whose call failed, for fixtures that keep evidence (a screenshot) of it."""
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects and xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    markers.classify(config, items)


# Young objects collected after 10,000 allocations, not 700, and older ones less often.
YOUNG_COLLECTIONS = (10_000, 20, 20)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The collector's cost in each test process, cut: what collection imported and built (the
    libraries, every test item) is frozen out of the collector's scans, and young objects are
    collected less often. The suite builds many short-lived frames and figures; `make check`'s
    processes spent 13.8 s of CPU collecting garbage, 5.7 s after (docs/performance.md, fix
    54). Cycles are still freed, a little later."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*YOUNG_COLLECTIONS)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("apptest"):
        scan_components_once()
        wait_for_scripts_without_polling()


@functools.cache
def scan_components_once() -> None:
    """Each new AppTest's first run scans every installed distribution's metadata for Streamlit
    components (0.3–0.5 s here, a third of a short AppTest case), as a server does once when it
    starts. The installed packages do not change while the suite runs, so a worker scans once
    and every AppTest registers what that scan found (test_app.py holds Streamlit to calling it
    this way)."""
    from streamlit.components.v2 import manifest_scanner

    manifest_scanner.scan_component_manifests = functools.cache(
        manifest_scanner.scan_component_manifests)


@functools.cache
def wait_for_scripts_without_polling() -> None:
    """AppTest waits for a run's script thread by waking every millisecond to look for its
    end; each wake takes the GIL from the script it waits for (its 1 ms sleeps last 3–4 ms).
    Waiting on the thread itself (it ends with the run) gives the same result and the same
    error on a timeout: an AppTest module took a fifth less CPU in one worker
    (docs/performance.md, fix 53). test_app.py holds Streamlit to running scripts this way."""
    from streamlit.testing.v1 import local_script_runner

    def require_widgets_deltas(runner: Any, timeout: float = 3) -> None:
        thread = runner._script_thread
        if thread is not None:
            thread.join(timeout)
        if runner.script_stopped():
            return
        runner.request_stop()
        runner.join()
        raise RuntimeError(f"AppTest script run timed out after {timeout}(s)")

    local_script_runner.require_widgets_deltas = require_widgets_deltas


@pytest.fixture(scope="session", autouse=True)
def shipped_hasher() -> Iterator[Any]:
    """Passwords hashed with argon2id at its least work in this process (the suite hashes and
    verifies hundreds: 60 ms each with the shipped parameters); the shipped hasher is yielded,
    for the test that holds it to argon2's recommended parameters. A server or command the
    tests start runs with the shipped one."""
    from argon2 import PasswordHasher

    from civic import accounts

    shipped = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    accounts._decoy.cache_clear()
    yield shipped
    accounts._hasher = shipped
    accounts._decoy.cache_clear()


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The repository's own `data/` folder: read it, never write to it."""
    return DATA


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The source edition's text, or a skip where the shared seed folder is absent."""
    if not SEED.is_file():
        pytest.skip(f"source edition text not found at {SEED}")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_counts() -> dict[str, int]:
    """How many records of each kind `data/` holds, and in all: what a first load writes."""
    from civic.loading import load

    dataset = load(DATA).dataset
    counts = {kind: len(getattr(dataset, kind)) for kind in type(dataset).model_fields}
    return counts | {"all": sum(counts.values())}


@pytest.fixture
def tmp_data(tmp_path: Path) -> Path:
    """A private, writable copy of `data/`."""
    return Path(shutil.copytree(DATA, tmp_path / "data"))


@pytest.fixture
def write_yaml() -> Callable[[Path, Any], Path]:
    """`write_yaml(path, content)`: write a data file from Python objects."""
    return dump_yaml


@pytest.fixture
def edit_yaml() -> Callable[[Path, Callable[[Any], None]], Any]:
    """`edit_yaml(path, change)`: change a data file through its parsed content."""
    return change_yaml


# ---------------------------------------------------------------------------------------------
# A copy of data/ with many independent faults, shared by the loading and the CLI tests.


@dataclass(frozen=True)
class Expected:
    """One problem the broken folder must produce."""

    file: str
    record: str
    field: str
    message: str  # a substring of the problem's message
    why: str  # what was broken, for test ids


@dataclass(frozen=True)
class Broken:
    path: Path
    expected: list[Expected]
    shipped_figures: list[tuple[str, str, str]]  # (program, metric, text as printed) of data/

    def by_why(self, why: str) -> Expected:
        return next(e for e in self.expected if e.why == why)


def _figure_label(metric: str, index: int) -> str:
    return f"figures {metric}[{index}]"


def _append_figure(path: Path, figure: dict[str, Any]) -> int:
    """Append a figure record to a program file; returns its index in the file's list."""
    index: list[int] = []

    def change(content: dict[str, Any]) -> None:
        figures = content.setdefault("figures", [])
        figures.append(figure)
        index.append(len(figures) - 1)

    change_yaml(path, change)
    return index[0]


def build_broken(root: Path) -> Broken:
    """Copy data/ to `root` and break it in nine different ways, in eight different files."""
    from civic.loading import load

    shipped = [(f.program, f.metric, f.text) for f in load(DATA).dataset.figures]
    data = Path(shutil.copytree(DATA, root))
    programs = data / "programs"
    expected: list[Expected] = []

    # 1. Not YAML at all: an unclosed flow sequence.
    (programs / "missing_person_search.yaml").write_text(
        "program:\n  id: missing_person_search\nfigures: [\n  {metric: search_duration\n",
        encoding="utf-8",
    )
    expected.append(Expected("programs/missing_person_search.yaml", "", "", "not valid YAML",
                             "yaml_syntax"))

    # 2. A figure of a program that does not exist.
    at = _append_figure(programs / "skills_masters.yaml", {
        "program": "no_such_program", "metric": "masters", "reported": "5位",
        "locator": "5位技能大师",
    })
    expected.append(Expected("programs/skills_masters.yaml", _figure_label("masters", at),
                             "program", "unknown program 'no_such_program'", "unknown_program"))

    # 3. Tonnes for a count of persons.
    at = _append_figure(programs / "winter_relief.yaml", {
        "metric": "persons_taken_in", "reported": "5吨", "period": "2023-11-12",
        "locator": "接回3名",
    })
    expected.append(Expected("programs/winter_relief.yaml", _figure_label("persons_taken_in", at),
                             "reported", "does not fit the metric", "unit_mismatch"))

    # 4. A field no model has.
    at = _append_figure(programs / "community_games.yaml", {
        "metric": "finalists", "reported": "630多名", "period": "2023-11-15",
        "locator": "630多名运动员参与", "remark": "typo of a field name",
    })
    expected.append(Expected("programs/community_games.yaml", _figure_label("finalists", at),
                             "remark", "no such field", "unknown_field"))

    # 5. A reported figure with no number in it.
    at = _append_figure(programs / "municipal_reading.yaml", {
        "metric": "reflections", "reported": "很多条", "locator": "读书感言",
    })
    expected.append(Expected("programs/municipal_reading.yaml", _figure_label("reflections", at),
                             "reported", "no number", "unparseable_reported"))

    # 6. More problems solved than found.
    solved_at: list[int] = []

    def more_solved_than_found(content: dict[str, Any]) -> None:
        for i, figure in enumerate(content["figures"]):
            if figure["metric"] == "problems_solved":
                figure["reported"] = "700个"
                solved_at.append(i)

    change_yaml(programs / "leaders_walk.yaml", more_solved_than_found)
    expected.append(Expected("programs/leaders_walk.yaml",
                             _figure_label("problems_solved", solved_at[0]), "reported",
                             "700 problems_solved exceed the 639 problems_found",
                             "solved_exceeds_found"))

    # 7. The same district twice.
    content = change_yaml(data / "districts.yaml", lambda c: c["districts"].append(
        {"id": "liling", "name": {"zh": "醴陵(重复)", "en": "Liling again"}}))
    expected.append(Expected("districts.yaml", f"districts liling[{len(content['districts']) - 1}]",
                             "id", "duplicate id, first in districts.yaml", "duplicate_id"))

    # 8. A misspelt record list.
    change_yaml(data / "metrics.yaml", lambda c: c.update({"metrix": []}))
    expected.append(Expected("metrics.yaml", "metrix", "", "unknown record list", "unknown_key"))

    # 9. Milestones listed newest first.
    change_yaml(programs / "bowei_expansion.yaml",
                lambda c: c["projects"][0]["milestones"].reverse())
    expected.append(Expected("programs/bowei_expansion.yaml", "projects bowei_expansion[0]",
                             "(record)", "milestones must be in date order", "milestones_order"))

    return Broken(data, expected, shipped)


@pytest.fixture(scope="session")
def broken_data(tmp_path_factory: pytest.TempPathFactory) -> Broken:
    """A copy of data/ with nine faults; read-only for the tests that share it."""
    return build_broken(tmp_path_factory.mktemp("broken") / "data")


# ---------------------------------------------------------------------------------------------
# PostgreSQL: one throwaway server per test session, a fresh database per test.


def under_ci() -> bool:
    """True when the environment says CI (`CI` set, and not "0" or "false")."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing_requirement(reason: str) -> None:
    """Skip a test whose system requirement is missing; under CI, fail it instead."""
    if under_ci():
        pytest.fail(f"{reason} (under CI a missing requirement fails the test)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL of a PostgreSQL server's `postgres` database, for the whole session.

    CIVIC_TEST_DATABASE_URL when set (its user must be allowed to create databases); otherwise a
    throwaway server started from Debian's `postgresql` binaries and removed at the end.
    """
    given = os.environ.get("CIVIC_TEST_DATABASE_URL")
    if given:
        yield given
        return
    reason = pgserver.missing()
    if reason:
        missing_requirement(reason)
    with pgserver.PostgresServer() as server:
        yield server.url()


def _admin_connection(url: str):
    """An autocommit psycopg connection to `url` (a SQLAlchemy URL), for CREATE/DROP DATABASE."""
    try:
        import psycopg
        from sqlalchemy.engine import make_url
    except ImportError as error:
        missing_requirement(f"{error.name} is not installed (pip install -e '.[dev]')")
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(libpq, autocommit=True)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of `server_url`, dropped on leaving; its URL."""
    from sqlalchemy.engine import make_url

    name = f"civic_test_{uuid.uuid4().hex[:12]}"
    with _admin_connection(server_url) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with _admin_connection(server_url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_database(request: pytest.FixtureRequest, postgres_url: str) -> Iterator[str]:
    """SQLAlchemy URL of a new, empty PostgreSQL database of this test alone; dropped after it."""
    markers.require(request.node, "postgres")
    with fresh_database(postgres_url) as url:
        yield url


# ---------------------------------------------------------------------------------------------
# End-to-end: the servers of tests/servers.py, and the system Chromium driven by Playwright
# (never a downloaded browser).


@contextmanager
def started(process):
    """A server of tests/servers.py started, and stopped on leaving; one that fails to start
    fails the test with its log."""
    try:
        process.start()
    except RuntimeError as error:
        pytest.fail(str(error))
    with process:
        yield process


@pytest.fixture(scope="module")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        missing_requirement("Chromium not found (install Debian's `chromium`, e.g. "
                            "`make system-deps`); browser tests never download a browser")
    return path


@pytest.fixture(scope="module")
def browser(chromium_path: str):
    try:
        from playwright import sync_api
    except ImportError:
        missing_requirement("the `playwright` package is not installed (pip install -e '.[dev]')")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS,
        )
        try:
            yield launched
        finally:
            launched.close()


# ---------------------------------------------------------------------------------------------
# The store: every test run has its own SQLite file, never the project's var/ one.


@pytest.fixture
def new_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty store of this test alone: the dashboard migrates and fills it on first run."""
    url = f"sqlite:///{tmp_path / 'store' / 'civic.sqlite3'}"
    monkeypatch.setenv("CIVIC_DATABASE_URL", url)
    return url


@pytest.fixture(scope="session", autouse=True)
def session_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """CIVIC_DATABASE_URL for the whole run: a SQLite file the dashboard fills from data/."""
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'civic.sqlite3'}"
    before = os.environ.get("CIVIC_DATABASE_URL")
    os.environ["CIVIC_DATABASE_URL"] = url
    yield url
    if before is None:
        os.environ.pop("CIVIC_DATABASE_URL", None)
    else:
        os.environ["CIVIC_DATABASE_URL"] = before


@pytest.fixture(scope="session")
def store_url(session_store: str) -> str:
    """The session's store, migrated and holding data/: read it, never write to it."""
    from civic import database, store

    engine = database.connect(session_store)
    store.prepare(engine, DATA)
    engine.dispose()
    return session_store


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of this test alone, on each engine the store supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'civic.sqlite3'}"
    return request.getfixturevalue("pg_database")


# ---------------------------------------------------------------------------------------------
# Accounts: a migrated store holding the data, and an editor in it.

PASSWORD = "a long enough secret"  # every test account's


def run_civic(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The `civic` command run in this process: its exit code, what it printed and its errors."""
    from civic.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@functools.cache
def _seeded_sqlite() -> Path:
    """A SQLite store migrated and filled from data/, made once per test process: a new store
    of data/ is a copy of it (5 ms, where migrating and filling one takes 200 ms)."""
    from civic import database, store

    folder = Path(tempfile.mkdtemp(prefix="civic-seeded-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "civic.sqlite3"
    engine = database.connect(f"sqlite:///{path}")
    try:
        store.prepare(engine, DATA)
    finally:
        engine.dispose()  # the last connection closed: the write-ahead log is in the file
    return path


@contextmanager
def prepared(url: str, data: Path = DATA) -> Iterator[Any]:
    """An engine on the store at `url`, migrated and holding `data`; disposed on leaving. A new
    SQLite store of data/ starts as a copy of one prepared so (`_seeded_sqlite`)."""
    from civic import database, store

    path = Path(url.removeprefix("sqlite:///"))
    if url.startswith("sqlite:///") and Path(data).resolve() == DATA and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_seeded_sqlite(), path)
    engine = database.connect(url)
    try:
        store.prepare(engine, data)
        yield engine
    finally:
        engine.dispose()


def add_editor(filled_store: Any, departments: tuple[str, ...] = ("zz_civil_affairs",),
               email: str | None = "Wang@Example.org") -> Any:
    """The editor "wang" (password PASSWORD) of `departments`, added as the command line does."""
    from civic import accounts

    return accounts.add(filled_store, "wang", PASSWORD, "editor", list(departments), email=email,
                        who="cli:test")


@pytest.fixture
def filled_store(db_url: str, data_dir: Path) -> Iterator[Any]:
    """The store of this test alone on each engine, migrated and holding the data."""
    with prepared(db_url, data_dir) as found:
        yield found


@pytest.fixture
def editor(filled_store: Any) -> Any:
    """The editor "wang" of the civil affairs bureau, in the store of the test's `filled_store`."""
    return add_editor(filled_store)
