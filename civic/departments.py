"""Departments as officials look for them: grouped, each unit under its parent, found by name.

A parent stands for its units (民政局 ⊃ 救助管理站): choosing it in a filter includes them.
A search finds a department by the start of its name, not by any run of characters inside
it, so 民政 finds 民政局 and not every 人民政府.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from civic.catalog import Catalog

# How the selector groups departments, by the top of their tree, in this order.
GROUPS = ("city", "district", "enterprise", "province")
# Place names that open a department's name; a search may start after them (株洲市|民政局).
_PLACES = ("湖南省", "株洲市", "湖南", "株洲", "市")


def with_units(frame: pd.DataFrame, chosen: list[str] | tuple[str, ...]) -> set[str]:
    """The chosen departments and every unit under them, however deep."""
    found = set(chosen)
    while True:
        units = set(frame.loc[frame["parent"].isin(found), "department"]) - found
        if not units:
            return found
        found |= units


def city_wide(frame: pd.DataFrame) -> set[str]:
    """Departments that work for the whole city (or province): neither they nor a parent
    belong to one district."""
    district = dict(zip(frame["department"], frame["district"]))
    parent = dict(zip(frame["department"], frame["parent"]))

    def local(dept: str | None) -> bool:
        seen = set()
        while isinstance(dept, str) and dept not in seen:
            if isinstance(district.get(dept), str):
                return True
            seen.add(dept)
            dept = parent.get(dept)
        return False

    return {d for d in frame["department"] if not local(d)}


@dataclass(frozen=True)
class Entry:
    """A department's line in the selector: its group, depth under its parent, parent."""

    department: str
    group: str
    depth: int
    parent: str | None


@dataclass(frozen=True)
class Directory:
    """The departments frame (`catalog.frames.departments`) in the selector's order."""

    frame: pd.DataFrame
    districts: tuple[tuple[str, str], ...] = ()
    """(id, Chinese name) of each district in data order; district departments follow it."""

    @classmethod
    def of(cls, catalog: Catalog) -> Directory:
        """The directory of a data version, made once for it (the picker runs on every rerun)."""
        return catalog.kept("directory", lambda: cls(
            catalog.frames.departments, tuple((d.id, d.name.zh) for d in catalog.dataset.districts)))

    @cached_property
    def entries(self) -> list[Entry]:
        """Every department once: groups in `GROUPS` order, each unit right under its parent."""
        rows = {r.department: r for r in self.frame.itertuples()}
        children: dict[str | None, list[str]] = {}
        for r in rows.values():
            parent = r.parent if isinstance(r.parent, str) and r.parent in rows else None
            children.setdefault(parent, []).append(r.department)
        district_rank = {d: i for i, (d, _) in enumerate(self.districts)}

        def group(root: str) -> str:
            row = rows[root]
            if row.level in ("province", "enterprise"):
                return str(row.level)
            return "district" if isinstance(row.district, str) else "city"

        def rank(root: str) -> tuple[int, int]:
            district = rows[root].district
            return (GROUPS.index(group(root)),
                    district_rank.get(district, len(district_rank))
                    if isinstance(district, str) else -1)

        entries: list[Entry] = []

        def add(dept: str, root_group: str, depth: int, parent: str | None) -> None:
            entries.append(Entry(dept, root_group, depth, parent))
            for unit in children.get(dept, []):
                add(unit, root_group, depth + 1, dept)

        for root in sorted(children.get(None, []), key=rank):  # sorted() keeps data order
            add(root, group(root), 0, None)
        return entries

    @cached_property
    def _made(self) -> dict[object, object]:
        return {}

    def _once(self, key: object, make: Callable[[], Any]) -> Any:  # the directory is kept per data version: so is this
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]

    def included(self, chosen: list[str] | tuple[str, ...]) -> frozenset[str]:
        """`with_units` of a choice, worked out once per choice: the picker asks on every rerun."""
        return self._once(("included", tuple(chosen)),
                          lambda: frozenset(with_units(self.frame, chosen)))

    def names(self, lang: str) -> dict[str, str]:
        """Each department's name in a language."""
        return self._once(("names", lang), lambda: dict(zip(self.frame["department"],
                                                            self.frame[f"name_{lang}"])))

    def units(self, department: str) -> list[str]:
        """A department's own units (one level down), in the selector's order."""
        found = self._once("units", lambda: _units_of(self.entries))
        return found.get(department, [])

    def groups(self, only: set[str] | None = None) -> list[tuple[str, list[Entry]]]:
        """Entries by group, in order; `only` keeps those departments (and empty groups go)."""
        found: dict[str, list[Entry]] = {}
        for entry in self.entries:
            if only is None or entry.department in only:
                found.setdefault(entry.group, []).append(entry)
        return [(g, found[g]) for g in GROUPS if g in found]

    def ancestors(self, department: str) -> list[str]:
        """Parent, grandparent, … of a department."""
        parents = {e.department: e.parent for e in self.entries}
        found: list[str] = []
        while (department := parents.get(department)) and department not in found:
            found.append(department)
        return found

    def search(self, query: str) -> list[str]:
        """Departments whose Chinese or English name begins with `query` (after a place name
        such as 株洲市, or at an English word); only when none does, those that contain it."""
        text = query.strip().casefold()
        if not text:
            return [e.department for e in self.entries]
        names = dict(zip(self.frame["department"],
                         zip(self.frame["name_zh"].str.casefold(),
                             self.frame["name_en"].str.casefold())))
        places = {*_PLACES, *(zh for _, zh in self.districts)}
        starts, contains = [], []
        for entry in self.entries:
            zh, en = names[entry.department]
            beginnings = {zh, *(zh[len(p):] for p in places if zh.startswith(p)),
                          *(en[m.start():] for m in re.finditer(r"\b\w", en))}
            if any(b.startswith(text) for b in beginnings):
                starts.append(entry.department)
            elif text in zh or text in en:
                contains.append(entry.department)
        return starts or contains


def _units_of(entries: list[Entry]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for entry in entries:
        if entry.parent is not None:
            found.setdefault(entry.parent, []).append(entry.department)
    return found
