"""The README stays true to the code: commands, options, record kinds, pages and modules."""

import argparse
import re
from pathlib import Path

import pytest

from civic.cli import build_parser
from civic.i18n import t
from civic.models import RECORD_KINDS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")


def cli_words():
    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    words = []
    for name, sub in commands.choices.items():
        words.append(f"civic {name}")
        words += [opt for action in sub._actions for opt in action.option_strings
                  if opt.startswith("--") and opt != "--help"]
    return words


@pytest.mark.parametrize("word", cli_words())
def test_readme_documents_every_command_and_option(word):
    assert word in README


@pytest.mark.parametrize("kind", sorted(set(RECORD_KINDS) - {"sources", "districts",
                                                              "departments", "metrics",
                                                              "programs"}))
def test_readme_documents_every_record_list(kind):
    assert f"`{kind}`" in README


@pytest.mark.parametrize("key", [f"page.{page}" for page in (
    "overview", "leaders_walk", "projects", "winter_relief", "flu", "community", "compare",
    "sources", "data_entry", "history")] + ["indicator.page", "home.page", "targets.page",
                                            "subscribe.page"])
def test_readme_lists_every_page(key):
    assert f"| {t(key, 'zh')} · {t(key, 'en')} |" in README


def module_map() -> list[str]:
    """The paths the README's map of the code (the first block of *Development*) lists, in
    order, one per line."""
    block = README.split("## Development", 1)[1].split("```", 2)[1]
    return re.findall(r"(?m)^(\S+)", block)


@pytest.mark.parametrize("module", sorted(
    p.relative_to(ROOT / "civic").as_posix() for p in (ROOT / "civic").rglob("*.py")
    if p.name != "__init__.py" and "migrations" not in p.parts))
def test_readme_maps_every_module(module):
    assert f"civic/{module}" in module_map()


@pytest.mark.parametrize("package", sorted(
    p.parent.name for p in (ROOT / "civic").glob("*/__init__.py") if p.parent.name != "migrations"))
def test_readme_maps_every_package(package):
    assert f"civic/{package}/" in module_map()


def test_readme_maps_each_path_once():
    listed = module_map()
    assert [] == sorted({path for path in listed if listed.count(path) > 1})


def test_readme_maps_only_paths_that_exist():
    assert [] == [path for path in module_map() if not (ROOT / path).exists()]


@pytest.mark.parametrize("command", ["make run", "make test"])
def test_readme_starts_with_the_two_commands(command):
    assert command in README.split("## The command line")[0]


def test_deploy_doc_shows_the_shipped_nginx_config():
    """docs/deploy.md shows deploy/nginx-civic.conf as it is, the file the deployment test runs."""
    doc = (ROOT / "docs" / "deploy.md").read_text("utf-8")
    shipped = (ROOT / "deploy" / "nginx-civic.conf").read_text("utf-8")
    assert f"```nginx\n{shipped}```" in doc


@pytest.mark.parametrize("name, language", [("civic-deliver.service", "ini"),
                                            ("civic-deliver.timer", "ini"),
                                            ("civic-deliver.cron", "cron")])
def test_deploy_doc_shows_the_shipped_delivery_timer(name, language):
    """docs/deploy.md shows the systemd units and the cron line of `civic deliver` as shipped."""
    doc = (ROOT / "docs" / "deploy.md").read_text("utf-8")
    shipped = (ROOT / "deploy" / name).read_text("utf-8")
    assert f"```{language}\n{shipped}```" in doc
