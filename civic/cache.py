"""The Streamlit-cached store: the only `civic` module that imports streamlit.

Each rerun asks the store for its data version (one cheap query) and rebuilds the catalog only
when that changed, so a write by any process (the CLI, another dashboard server) shows on the
next rerun without a restart. The first run migrates the store and fills it from `data/` when
it is empty.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from civic import database, reads, store
from civic.catalog import DEFAULT_DATA_DIR, Catalog

if TYPE_CHECKING:  # read only when a report is uploaded: the first page opens without it
    from civic import extraction

DATA_DIR_ENV = "CIVIC_DATA_DIR"
"""The folder an empty store is filled from; `data/` unless set."""


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return database.connect(url)


@st.cache_resource(show_spinner=False)
def _prepared(url: str, seed: str) -> bool:
    # Not cached when it raises: an unreachable store is tried again on the next rerun.
    store.prepare(_engine(url), seed)
    return True


# One entry: versions only grow, so an older one is never asked for again, and each catalog of
# a large store is hundreds of MB (with editors saving every few seconds, four kept 4× that).
@st.cache_resource(show_spinner=False, max_entries=1)
def _catalog(url: str, version: int) -> Catalog:
    catalog = Catalog.read(_engine(url))
    catalog.frames.figures  # build the frames once, not on the first page that asks
    catalog.histories  # and every series' changes, which the first cards need
    _LIVE[id(catalog)] = catalog
    return catalog


_LIVE: weakref.WeakValueDictionary[int, Catalog] = weakref.WeakValueDictionary()
"""Catalogs still in use: the cached one and any an older run still holds."""


def forget_idle(seconds: float) -> int:
    """What no session asked for in the last `seconds` dropped from every live catalog
    (`Catalog.forget_idle`); how many entries."""
    return sum(catalog.forget_idle(seconds) for catalog in list(_LIVE.values()))


def data_dir() -> Path:
    return Path(os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)


def engine() -> Engine:
    """The store's engine, one per process: for sign-in and writes."""
    return _engine(database.database_url())


def digest(content: str | bytes) -> str:
    return hashlib.sha256(content.encode() if isinstance(content, str) else content).hexdigest()


@st.cache_data(show_spinner=False, max_entries=4)
def _report(key: str, name: str, _content: bytes) -> extraction.Report:
    from civic import extraction

    return extraction.read_report_bytes(name, _content)


def report(name: str, content: bytes) -> extraction.Report:
    """An uploaded report read once per content, not on every rerun; raises ReportError."""
    return _report(digest(content), name, content)


@st.cache_data(show_spinner=False, max_entries=4)
def _extracted(key: str, date: dt.date, version: int, url: str,
               _text: str) -> extraction.Extraction:
    from civic import extraction

    return extraction.extract(_text, reads.dataset(_engine(url)), date)


def extracted(text: str, date: dt.date) -> extraction.Extraction:
    """A report's figures, extracted once per text (by its digest), date and data version:
    a rerun of the page does not read it again. Raises ReportTooLarge."""
    url = database.database_url()
    return _extracted(digest(text), date, reads.version(_engine(url)), url, text)


def catalog() -> Catalog:
    """The store's catalog as of its data version; raises `database.StoreError` or
    `store.Refused` (the seed folder's problems) with a message for the page."""
    url = database.database_url()
    try:
        _prepared(url, str(data_dir()))
        return _catalog(url, reads.version(_engine(url)))
    except DBAPIError as error:  # raised by a read outside reads' guard
        raise database.failure(url, error) from None
