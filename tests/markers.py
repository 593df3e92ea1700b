"""Each test's kind, found from what it uses, so that `make check` can leave the slow kinds out
without any test having to say which kind it is.

A test is
- `browser` when it starts a browser (the system Chromium, through Playwright or the exports, or
  a broken stand-in named by BROWSER_PATH, which the export tests wait on) or a dashboard
  served by `streamlit run`;
- `apptest` when it runs the dashboard in Streamlit's AppTest;
- `postgres` when it needs a PostgreSQL server;
- `deploy` when it puts nginx in front of dashboard servers.

What a test uses is read from the fixtures it requests (directly or through other fixtures), the
values of its parameters, and the names (and identifier-like strings) in its code and in the
code of the test-suite functions,
classes and fixtures it reaches (followed through this folder's modules, never into `civic` or a
library). A marker written by hand (`pytestmark = pytest.mark.browser`) counts as well.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import sys
import types
from pathlib import Path
from typing import Iterable, Iterator

import pytest

TESTS = Path(__file__).resolve().parent

KINDS = {
    "browser": "starts a browser (Chromium, or a stand-in named by BROWSER_PATH) or a "
               "`streamlit run` server",
    "apptest": "runs the dashboard in Streamlit's AppTest",
    "postgres": "needs a PostgreSQL server (tests/pgserver.py starts a throwaway one)",
    "deploy": "puts nginx in front of dashboard servers",
}
# What `make check` runs: every test of none of these kinds.
CHECK = " and ".join(f"not {kind}" for kind in KINDS)

# A fixture in a test's closure → the kind it makes the test.
FIXTURES = {"browser": "browser", "chromium_path": "browser", "postgres_url": "postgres",
            "pg_database": "postgres"}
# A name (or string) in the code a test reaches → the kind.
NAMES = {"sync_playwright": "browser", "StreamlitServer": "browser", "print_pdf": "browser",
         "BROWSER_PATH": "browser", "AppTest": "apptest", "PostgresServer": "postgres",
         "pgserver": "postgres", "NginxProxy": "deploy"}
# A parameter's value (of a fixture such as `db_url`, or of the test) → the kind.
PARAMETERS = {"postgresql": "postgres"}


def register(config: pytest.Config) -> None:
    for kind, what in KINDS.items():
        config.addinivalue_line("markers", f"{kind}: {what}")


# Every collected test's kinds, as this run found them before `-m` left any out (by node id).
COLLECTED = pytest.StashKey[dict[str, list[str]]]()


def classify(config: pytest.Config, items: Iterable[pytest.Item]) -> None:
    """Mark each test with the kinds it has and is not marked with yet, and keep what each got
    in `config.stash[COLLECTED]`, where tests/test_markers.py reads it."""
    collected = config.stash.setdefault(COLLECTED, {})
    for item in items:
        if not isinstance(item, pytest.Function):
            continue
        have = {mark.name for mark in item.iter_markers()}
        for kind in sorted(kinds(item) - have):
            item.add_marker(kind)
        collected[item.nodeid] = sorted({mark.name for mark in item.iter_markers()} & set(KINDS))


def kinds(item: pytest.Function) -> set[str]:
    found = {FIXTURES[name] for name in item.fixturenames if name in FIXTURES}
    params = getattr(getattr(item, "callspec", None), "params", {})
    found |= {PARAMETERS[value] for value in params.values()
              if isinstance(value, str) and value in PARAMETERS}
    code = [item.function, *(fixture.func for fixture in _fixtures(item)),
            *(value for value in params.values() if isinstance(value, types.FunctionType))]
    names = set().union(*(_reached(function) for function in code))
    return found | {NAMES[name] for name in names if name in NAMES}


def require(node: pytest.Item, kind: str) -> None:
    """Fail a test that reaches what `kind` names without carrying the marker: `make check`
    would otherwise run it."""
    if isinstance(node, pytest.Item) and node.get_closest_marker(kind) is None:
        pytest.fail(f"{node.nodeid} needs what `{kind}` tests need but is not marked so: tests/"
                    f"markers.py did not see it; mark it `@pytest.mark.{kind}`", pytrace=False)


def _fixtures(item: pytest.Function) -> Iterator[pytest.FixtureDef]:
    for name in item.fixturenames:
        definitions = item._fixtureinfo.name2fixturedefs.get(name)  # noqa: SLF001
        if definitions:
            yield definitions[-1]


@functools.cache
def _in_tests(filename: str) -> bool:
    return Path(filename).resolve().is_relative_to(TESTS)


def _ours(function: object) -> bool:
    code = getattr(function, "__code__", None)
    return code is not None and _in_tests(code.co_filename)


# The names this folder's modules can be imported by.
_MODULE_NAMES = frozenset(path.stem for path in TESTS.glob("*.py"))


@functools.cache
def _module(name: str) -> types.ModuleType | None:
    """The module of this folder called `name`, if there is one."""
    if name in sys.modules:
        return sys.modules[name] if _ours_module(sys.modules[name]) else None
    if "." in name or name not in _MODULE_NAMES:  # no search of the path for every name
        return None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None or not _in_tests(spec.origin):
        return None
    return importlib.import_module(name)


def _codes(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


_REACHED: dict[object, frozenset[str]] = {}


def _reached(start: object) -> frozenset[str]:
    """Every name and identifier-like string in the code of `start` and of the functions and
    classes of this folder that it refers to, followed to the end."""
    start = inspect.unwrap(start)
    if start in _REACHED:
        return _REACHED[start]
    names: set[str] = set()
    words: set[str] = set()  # strings, never followed
    seen: set[object] = set()
    todo = [start]
    while todo:
        function = inspect.unwrap(todo.pop())
        if function in seen or not _ours(function):
            continue
        seen.add(function)
        own: set[str] = set()
        spaces = [function.__globals__]
        for code in _codes(function.__code__):
            own.update(code.co_names)
            words.update(const for const in code.co_consts
                         if isinstance(const, str) and const.isidentifier())
        # Modules of this folder named in the code: imported inside it (`from test_app import
        # open_app` puts `test_app` among the names too) or at the top of its module.
        spaces += [vars(module) for module in map(_module, own) if module is not None]
        spaces += [vars(found) for found in map(function.__globals__.get, own)
                   if isinstance(found, types.ModuleType) and _ours_module(found)]
        names |= own
        for name in own:
            for space in spaces:
                found = space.get(name)
                if inspect.isclass(found) and _ours_module(sys.modules.get(found.__module__)):
                    todo.extend(member for member in vars(found).values()
                                if isinstance(member, (types.FunctionType, staticmethod,
                                                       classmethod)))
                elif isinstance(found, types.FunctionType):
                    todo.append(found)
    _REACHED[start] = frozenset(names | words)
    return _REACHED[start]


def _ours_module(module: types.ModuleType | None) -> bool:
    origin = getattr(module, "__file__", None)
    return origin is not None and _in_tests(origin)
