"""The Streamlit-cached loader: the only `civic` module that imports streamlit.

The catalog is rebuilt when any data file changes (its names, sizes or modification times),
so an edited figure shows up on the next rerun without restarting the server.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from civic.catalog import DEFAULT_DATA_DIR, Catalog
from civic.loading import data_version

DATA_DIR_ENV = "CIVIC_DATA_DIR"


@st.cache_resource(show_spinner=False, max_entries=4)
def _catalog(data_dir: str, version: tuple[tuple[str, int, int], ...]) -> Catalog:
    catalog = Catalog.load(data_dir)
    catalog.frames.figures  # build the frames once, not on the first page that asks
    return catalog


def data_dir() -> Path:
    return Path(os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)


def catalog() -> Catalog:
    directory = data_dir()
    return _catalog(str(directory), data_version(directory))
