"""Civic: KPI dashboard of Chinese city data, every figure traceable to its source."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("civic")  # pyproject.toml's, as installed; CHANGELOG.md says what changed
except PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"
