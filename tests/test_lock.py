"""The locked install: what `make run`/`make test` install is requirements/*.txt, each file
checked against its hash, and the environment the tests run in holds exactly those versions."""

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)")


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text("utf-8")
    return {normal(m.group(1)): m.group(2) for line in text.splitlines() if (m := PIN.match(line))}


@pytest.mark.parametrize("lock", ["run.txt", "dev.txt"])
def test_every_pin_has_a_hash(lock):
    text = (ROOT / "requirements" / lock).read_text("utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1])
    pins = [b for b in blocks if PIN.match(b)]
    assert pins and all("--hash=sha256:" in b for b in pins)


def test_installed_versions_are_the_locked_ones():
    expected = locked("dev.txt")
    installed = {name: _version(name) for name in expected}
    assert {n: v for n, v in expected.items() if installed[n] != v} == {}


@pytest.mark.parametrize("extra", ["", "dev"])
def test_the_lock_holds_every_declared_dependency(extra):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    declared = project["optional-dependencies"][extra] if extra else project["dependencies"]
    pins = locked("dev.txt" if extra else "run.txt")
    for requirement in map(Requirement, declared):
        assert normal(requirement.name) in pins
        assert requirement.specifier.contains(pins[normal(requirement.name)], prereleases=True)


def test_the_run_lock_is_part_of_the_dev_lock():
    run, dev = locked("run.txt"), locked("dev.txt")
    assert {n: v for n, v in run.items() if dev.get(n) != v} == {}


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def test_civic_says_its_version(capsys):
    from civic import __version__
    from civic.cli import main

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert capsys.readouterr().out.strip() == f"civic {project['version']}" == f"civic {__version__}"
    assert f"## {project['version']}" in (ROOT / "CHANGELOG.md").read_text("utf-8")
