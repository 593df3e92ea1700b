"""What a view shows, found once per view: the programs with anything under the filters, each
program's newest date, the latest figure of each program's metric, and a digest of its figures.

Pages ask for these per program and per card, hundreds of times a run; asked of the frames
each time, every answer was a pass over them (50–300 µs however few their rows).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from functools import cached_property

import pandas as pd

from civic.metrics import latest_figures

DATED = {
    "events": ("date", None),
    "cases": ("date", "date_end"),
    "milestones": ("start", "end"),
    "relief_actions": ("date", "date_end"),
    "advisories": ("date", None),
}
"""Record frames and the columns that date them (start, end)."""


class ViewIndex:
    """Lookups over a view's figures and dated records (`DATED`), each built on first use."""

    def __init__(self, figures: pd.DataFrame, dated: Mapping[str, pd.DataFrame],
                 as_of: dt.date | None):
        self.figures = figures
        self.dated = dated
        self.as_of = as_of

    @cached_property
    def shown(self) -> frozenset[str]:
        """Programs with a figure or a dated record in the view."""
        found = {str(p) for p in self.figures["program"].unique()}
        for frame in self.dated.values():
            found |= {str(p) for p in frame["program"].unique()}
        return frozenset(found)

    @cached_property
    def latest(self) -> dict[tuple[str, str], object]:
        """(program, metric) → the newest ungrouped figure (a figures-frame row)."""
        latest = latest_figures(self.figures).reset_index(drop=True)
        return {(str(row.program), str(row.metric)): row for row in latest.itertuples()}

    @cached_property
    def latest_dates(self) -> dict[str, pd.Timestamp]:
        """Program → the newest date its reports refer to (planned milestones excluded), no
        later than the edition: a period such as "2023" ends on 31 December, and the reports
        cannot see past their edition."""
        parts = [self.figures[["program", "date_end"]].set_axis(["program", "date"], axis=1)]
        for kind, (start, _) in DATED.items():
            frame = self.dated[kind]
            if kind == "milestones":
                frame = frame[frame["status"] == "done"]
            parts.append(frame[["program", start]].set_axis(["program", "date"], axis=1))
        parts = [p.astype({"program": str}) for p in parts if len(p)]
        if not parts:
            return {}
        dates = pd.concat(parts)
        newest = dates.groupby("program", sort=False)["date"].max()
        as_of = pd.Timestamp(self.as_of) if self.as_of else None
        return {program: min(date, as_of) if as_of else date
                for program, date in newest.items()}

    @cached_property
    def digest(self) -> str:
        """A digest of the figures' content: files of views the filters name alike still get
        names of their own (a download button asks on every run; CSV text cost 0.3 s at 100k)."""
        hashed = pd.util.hash_pandas_object(self.figures, index=False).to_numpy()
        return hashlib.sha256(hashed.tobytes()).hexdigest()
