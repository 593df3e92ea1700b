"""Export files named and typed: a name that says which view a download holds, the MIME type
of each format."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from civic.view import View

MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}

NAMED_DEPARTMENTS = 3  # department ids spelled out in a file name; more are counted


def file_stem(view: View, what: str) -> str:
    """A file name (without extension) that says which view a download holds.

    `what` (briefing, a chart's key, …), the language, the departments or district, category
    and dates chosen, and the data's as-of date are spelled out; a short digest of the filters,
    the figures and the day of export tells apart any two files these leave alike, so two
    different briefings never get the same name.
    """
    today = dt.date.today()
    return view.kept(("file_stem", what, today), lambda: _file_stem(view, what, today))


def _file_stem(view: View, what: str, today: dt.date) -> str:
    chosen = view.filters
    departments = list(chosen.departments[:NAMED_DEPARTMENTS])
    if len(chosen.departments) > NAMED_DEPARTMENTS:
        departments.append(f"{len(chosen.departments) - NAMED_DEPARTMENTS}more")
    dates = [d.isoformat() if d else "" for d in (chosen.date_from, chosen.date_to)]
    parts = [what, view.lang, "+".join(departments) or ("" if chosen.district else "all"),
             chosen.district or "", chosen.category or "",
             "to".join(dates) if any(dates) else "",
             f"asof{view.catalog.as_of.isoformat()}" if view.catalog.as_of else ""]
    digest = hashlib.sha256("\n".join([
        repr(chosen), today.isoformat(), view.index.digest,
    ]).encode("utf-8")).hexdigest()[:8]
    stem = "_".join(part for part in [*parts, digest] if part)
    return re.sub(r"[^A-Za-z0-9+._-]", "-", stem)


def html_lang(lang: str) -> str:
    """The `lang` attribute of an exported page."""
    return "zh-CN" if lang == "zh" else "en"
