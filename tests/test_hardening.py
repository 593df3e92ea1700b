"""Hostile links and data on the pages (AppTest): every data string shown as text, never as
Markdown; notices bounded; a failed export said in the page's language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import HOSTILE, write_hostile_data
from streamlit.testing.v1 import AppTest

from app_pages.components import GROUP_KEY
from civic import export
from civic.cache import DATA_DIR_ENV
from civic.departments import GROUPS
from civic.i18n import t
from civic.text import md

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
PAGES = ["overview", "leaders_walk", "projects", "winter_relief", "flu", "community", "sources"]
# What Markdown would make of HOSTILE if it were not escaped: bold, a link, an image, maths.
LIVE = ("**粗体**", "[链接]", "](", "![", "$x$", "https://", ":red[")


def open_app(page: str = "overview", **params: str | list[str]) -> AppTest:
    """The page with every department group open, so that every department's name is drawn."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    for group in GROUPS:
        at.session_state[f"{GROUP_KEY}{group}"] = True
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    return at


def markdown_texts(at: AppTest) -> list[str]:
    """Every string the page hands to Streamlit's Markdown renderer."""
    texts = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "warning", "info",
                 "error", "success"):
        texts += [element.value for element in at.get(kind)]
    for metric in at.metric:
        texts += [metric.label, metric.proto.help]
    texts += [expander.label for expander in at.expander]
    texts += [checkbox.label for checkbox in at.checkbox]
    for table in at.table:  # st.table renders its text cells as Markdown too
        texts += [cell for cell in table.value.to_numpy().ravel() if isinstance(cell, str)]
    return texts


def unescaped(text: str) -> str:
    """What Markdown would still read as syntax: the text without its escaped characters."""
    return re.sub(r"\\.", "", text)


def shown(text: str) -> str:
    """What the reader sees of escaped text (a word joiner is invisible)."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")


def test_md_escapes_what_markdown_would_format() -> None:
    escaped = md(HOSTILE + " :red[x] :material/home: <b>b</b> # h\n- item")
    assert not any(live in unescaped(escaped) for live in LIVE)
    assert "<b>" not in unescaped(escaped) and "\n" not in escaped
    assert shown(escaped) == " ".join((HOSTILE + " :red[x] :material/home: <b>b</b> # h\n- item")
                                      .split())


@pytest.fixture
def hostile_data(tmp_data: Path, monkeypatch: pytest.MonkeyPatch, new_store: str) -> Path:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_data))
    return write_hostile_data(tmp_data)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_data_markdown_is_shown_as_text(hostile_data: Path, page: str, lang: str) -> None:
    at = open_app(page, lang=lang, dept="zz_admin_approval")
    assert [] == [e.value for e in at.exception]
    assert [] == [problem.value for problem in at.text]  # the data itself is valid
    texts = markdown_texts(at)
    assert [] == [text for text in texts if any(live in unescaped(text) for live in LIVE)]
    assert any(HOSTILE in shown(text) for text in texts)  # it is there, as text


def test_link_markdown_is_shown_as_text_and_short() -> None:
    value = ("[会话已过期，请重新登录](https://evil.example/login)"
             "![x](https://evil.example/p.png)")
    at = open_app(dept=value)
    (warning,) = at.warning
    assert not any(live in unescaped(warning.value) for live in LIVE)
    quoted = shown(warning.value).split("“")[1].split("”")[0]
    assert quoted == value[:39] + "…" and len(quoted) == 40


def test_many_bad_link_values_give_one_notice() -> None:
    at = open_app(dept=[f"**no_such_{n}**" for n in range(1000)])
    assert [] == [e.value for e in at.exception]
    (warning,) = at.warning
    assert "1000" in warning.value and "**" not in unescaped(warning.value)
    at.switch_page("app_pages/sources.py")
    at.run()
    assert "10项" == at.metric[0].value  # every program: the data page counts them


# --- a failed export, in the page's language -----------------------------------------------------

@pytest.fixture
def crashing_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """BROWSER_PATH names a browser that exits at once with code 3."""
    script = tmp_path / "browser.sh"
    script.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(script))
    monkeypatch.setattr(export.browser, "missing_packages", lambda: ())
    export.stop_browser()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", ["briefing", "zip"])
def test_failed_view_export_says_what_happened(crashing_browser, kind: str, lang: str) -> None:
    at = open_app(lang=lang)
    at.button(key=f"make_{kind}").click().run()
    assert [] == [e.value for e in at.exception]
    assert [t("export.failed_crashed", lang)] == [e.value for e in at.error]
    assert not [b for b in at.get("download_button") if b.proto.id.endswith(f"download_{kind}")]
    message = at.error[0].value
    assert "download" not in message.replace("downloads", "") and "choreo" not in message


# --- a data file removed while the dashboard runs ------------------------------------------------

def test_a_data_file_removed_while_running_takes_nothing_from_the_store(
        tmp_data: Path, monkeypatch, new_store: str) -> None:
    """The store, not the folder, is what pages read: a file removed later empties no page."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_data))
    at = open_app("flu")
    before = [m.value for m in at.metric]
    (tmp_data / "programs" / "flu_advisory.yaml").unlink()
    at.run()
    assert [] == [e.value for e in at.exception]
    assert before and before == [m.value for m in at.metric]
    assert not at.info


def test_with_a_filter_set_an_empty_page_still_offers_to_clear_it() -> None:
    at = open_app("flu", dept="zz_drc")
    assert [t("empty.message", "zh")] == [info.value for info in at.info]
    assert at.button(key="clear_filters_empty")


# --- serving ---------------------------------------------------------------------------------

def test_server_listens_on_this_machine_and_hides_tracebacks(repo_dir: Path) -> None:
    import tomllib

    config = tomllib.loads((repo_dir / ".streamlit" / "config.toml").read_text("utf-8"))
    assert "127.0.0.1" == config["server"]["address"]
    assert config["client"]["showErrorDetails"] in ("type", "none")


def test_make_run_listens_on_127_0_0_1_by_default(repo_dir: Path) -> None:
    import subprocess

    done = subprocess.run(["make", "-n", "-W", "pyproject.toml", "run"], cwd=repo_dir,
                          capture_output=True, text=True, timeout=60)
    (line,) = [line for line in done.stdout.splitlines() if "streamlit run" in line]
    assert "--server.address 127.0.0.1" in line


# --- dependencies ----------------------------------------------------------------------------

def requirements(repo_dir: Path) -> list[str]:
    import tomllib

    project = tomllib.loads((repo_dir / "pyproject.toml").read_text("utf-8"))["project"]
    return project["dependencies"] + project["optional-dependencies"]["dev"]


def test_every_dependency_has_a_tested_upper_bound(repo_dir: Path) -> None:
    """A fresh install gets versions below the next major one of those the tests passed with."""
    from importlib.metadata import version

    from packaging.requirements import Requirement

    for line in requirements(repo_dir):
        requirement = Requirement(line)
        assert any(spec.operator == "<" for spec in requirement.specifier), line
        assert requirement.specifier.contains(version(requirement.name)), line
