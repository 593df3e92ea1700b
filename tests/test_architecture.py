"""The layout the project promises: one thin Streamlit module in civic, pages in app_pages/."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CIVIC = sorted(p for p in (ROOT / "civic").rglob("*.py") if "migrations" not in p.parts)


def imports(path):
    tree = ast.parse(path.read_text("utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", CIVIC, ids=lambda p: p.name)
def test_only_the_cache_module_imports_streamlit(path):
    assert ("streamlit" in imports(path)) == (path == ROOT / "civic" / "cache.py")


def test_pages_live_in_app_pages_not_the_legacy_folder():
    assert not (ROOT / "pages").exists()
    assert len(list((ROOT / "app_pages").glob("*.py"))) >= 8


@pytest.mark.parametrize("path", sorted((ROOT / "app_pages").glob("*.py")), ids=lambda p: p.name)
def test_pages_never_pass_html_through(path):
    assert "unsafe_allow_html" not in path.read_text("utf-8")


def test_the_entry_point_never_passes_html_through():
    assert "unsafe_allow_html" not in (ROOT / "dashboard.py").read_text("utf-8")


def test_the_entry_point_sends_its_first_paint_before_importing_the_data_libraries():
    """dashboard.py calls `first_paint.start()` after importing Streamlit and first_paint
    alone (a contract in pyproject.toml keeps first_paint light): a session's first run
    imports pandas and the rest only after the browser has the page's first element."""
    body = ast.parse((ROOT / "dashboard.py").read_text("utf-8")).body
    calls = [i for i, node in enumerate(body) if isinstance(node, ast.Expr)
             and ast.unparse(node.value) == "first_paint.start()"]
    assert len(calls) == 1
    before = {alias.name if isinstance(node, ast.Import) else f"{node.module}.{alias.name}"
              for node in body[:calls[0]] if isinstance(node, (ast.Import, ast.ImportFrom))
              for alias in node.names}
    assert before == {"__future__.annotations", "functools", "logging", "streamlit",
                      "app_pages.first_paint"}


def test_general_modules_name_no_program():
    """Program-specific layout (which cards a page leads with, a funnel's stages, a breakdown's
    chart, a project's key figures) is the catalogue's or the pages', never civic's."""
    programs = [p.stem for p in (ROOT / "data" / "programs").glob("*.yaml")]
    named = {path.relative_to(ROOT).as_posix(): found
             for path in sorted((ROOT / "civic").rglob("*.py"))
             if (found := [p for p in programs if f'"{p}"' in path.read_text("utf-8")])}
    assert {} == named


def test_the_layers_hold():
    """The import contracts of pyproject.toml (pages → view → KPI functions → store → models →
    quantities; streamlit in the cache module only), as `lint-imports` checks them."""
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "0 broken" in run.stdout


@pytest.mark.parametrize("path", sorted((ROOT / "civic").rglob("*.py")),
                         ids=lambda p: p.relative_to(ROOT / "civic").as_posix())
def test_no_module_over_600_lines(path):
    """One job a module: a module that grows past this holds several."""
    assert len(path.read_text("utf-8").splitlines()) <= 600
