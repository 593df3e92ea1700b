"""What every run sends before the dashboard imports its data libraries: the tab's title and
icon, and a start on the chart library in the browser.

Streamlit loads Plotly's 4.6 MB bundle only when a chart reaches the page, and a browser then
spends 1–1.5 s compiling and running it before it draws the chart. On a session's first page
that chart comes last, after the server has imported pandas and SQLAlchemy, read the catalog
and built the page (1.5–2.5 s on a server just started), time in which the browser sits idle.
Asking for the bundle first lets the browser load it in that time: the chart is then drawn as
soon as it arrives. This module imports Streamlit alone, so that it is sent at once.
"""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

TITLE = "株洲民生指标 · Zhuzhou KPIs"
# An emoji, drawn by the browser: a Material icon here would be fetched from Google's servers,
# which the shipped CSP (and a city's network) refuses.
ICON = "📊"
# Streamlit's own bundles, under the names its build gave them (a content hash per release).
BUNDLES = Path(st.__file__).parent / "static" / "static" / "js"


@functools.cache
def plotly_bundle() -> str | None:
    """The file name of this Streamlit's Plotly chart bundle; None where it has no single one
    by that name (a release that renamed it: the page then loads it when a chart comes, as
    before, and a test says so)."""
    found = sorted(BUNDLES.glob("PlotlyChart.*.js"))
    return found[0].name if len(found) == 1 else None


def start() -> None:
    """Set the page up and have the browser load the chart bundle.

    The element is a module script from the dashboard's own address, under the name
    Streamlit's chart asks for, so the browser keeps the one module for both and a
    `script-src 'self'` policy (deploy/nginx-civic.conf) lets it run. It is sent on every
    run, an empty line above the title: sent once, the page would move up by that line on the
    next run. A tab that has the module already takes it from memory."""
    bundle = plotly_bundle()
    if bundle is not None:
        # Relative, as Streamlit's index.html names its bundles: right under a base URL path.
        st.html(f'<script type="module" src="./static/js/{bundle}"></script>',
                unsafe_allow_javascript=True)
    # After the script: an emoji icon has Streamlit load its emoji catalogue (0.05–0.1 s).
    st.set_page_config(page_title=TITLE, page_icon=ICON, layout="wide")
