"""What a save would do to the dashboard, shown before Save: each KPI it touches before → after
(derived values included: 问题解决率 76.4% → 80.0%), and the reports far outside their series.

Both are computed from the stored figures of the programs the rows name, as the dashboard's
own frames and rules compute them, with the rows written over them (a row of a stored figure's
key replaces it); nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from civic import reads, rows, rules
from civic.frames import Frames
from civic.i18n import format_quantity, name, t
from civic.models import Dataset, Figure


@dataclass(frozen=True)
class Effect:
    """A KPI (a program's metric, a group of it) as the dashboard shows it now and after."""

    program: str
    metric: str
    group: str
    derived: bool
    before: object | None  # a figures-frame row, or None where it has no value yet
    after: object | None


@dataclass(frozen=True)
class Jump:
    """A row far outside its series: its value and the report before it."""

    number: int
    code: str
    params: dict


def _latest(figures: pd.DataFrame) -> dict[tuple[str, str, str], object]:
    grouped = figures.assign(group_zh=figures["group_zh"].astype(object))
    latest = grouped.sort_values("date_end", kind="stable").groupby(
        ["program", "metric", grouped["group_zh"].fillna("")], observed=True,
        sort=False).tail(1)
    return {(str(r.program), str(r.metric), r.group_zh if isinstance(r.group_zh, str) else ""): r
            for r in latest.itertuples(index=False)}


def effects(engine: Engine, figures: Sequence[Figure], dataset: Dataset) -> list[Effect]:
    """Each KPI the figures change (their metrics, and the derived metrics of those), before
    and after they are written over the store."""
    if not figures:
        return []
    programs = {f.program for f in figures}
    stored = reads.figure_frame(engine, programs)
    keys = {rows.figure_key(f) for f in figures}
    stored_keys = (stored["program"].astype(str) + "/" + stored["metric"].astype(str) + "/"
                   + stored["period"].astype(str) + "/" + stored["group_zh"].fillna("").astype(str))
    inputs = {f.metric for f in figures}
    touched = inputs | {m.id for m in dataset.metrics if set(m.derived_inputs) & inputs}
    before = _latest(Frames(dataset, [], stored).figures)
    after = _latest(Frames(dataset, list(figures), stored[~stored_keys.isin(keys)]).figures)
    found = []
    for key in dict.fromkeys([*before, *after]):
        program, metric, group = key
        if program not in programs or metric not in touched:
            continue
        old, new = before.get(key), after.get(key)
        if old is not None and new is not None and _same(old, new):
            continue
        derived = str((new or old).basis) == "derived"
        found.append(Effect(program, metric, group, derived, old, new))
    return found


def _same(old: object, new: object) -> bool:
    return all(str(getattr(old, c)) == str(getattr(new, c))
               for c in ("value", "value_max", "unit", "qualifier", "period"))


def jumps(engine: Engine, numbered: Sequence[tuple[int, Figure]]) -> list[Jump]:
    """The rows (number, figure) more than 10× the report before them in their series, or under
    its tenth (`civic.rules.warnings`)."""
    if not numbered:
        return []
    stored = reads.figure_frame(engine, {f.program for _, f in numbered})
    stored = stored[stored["metric"].isin({f.metric for _, f in numbered})]
    stored = stored.assign(new=False).set_axis([-1 - i for i in range(len(stored))])
    incoming = rules.figure_frame([f for _, f in numbered], [n for n, _ in numbered])
    columns = ["program", "metric", "group_zh", "date", "date_end", "period", "value", "new"]
    frame = pd.concat([stored[columns], incoming[columns]])
    return [Jump(found.row, found.code, found.params) for found in rules.warnings(frame)
            if found.row >= 0]


def _shown(row: object | None, lang: str, nouns: Mapping[str, str]) -> str:
    if row is None:
        return "—"
    value_max = getattr(row, "value_max")
    text = format_quantity(float(getattr(row, "value")), str(getattr(row, "unit")),
                           str(getattr(row, "qualifier")), lang,
                           None if pd.isna(value_max) else float(value_max),
                           noun=nouns.get(str(getattr(row, "metric"))))
    date = pd.Timestamp(getattr(row, "date_end")).date().isoformat()
    return f"{text}（{date}）" if lang == "zh" else f"{text} ({date})"


def frame(found: Sequence[Effect], dataset: Dataset, lang: str,
          after: str = "effects.after") -> pd.DataFrame:
    """The effects as the preview shows them: program, KPI, group, now, and after (the save,
    or for a reviewer, publishing: `after` is that column's catalogue key)."""
    programs = {p.id: name(p.name, lang) for p in dataset.programs}
    labels = {m.id: name(m.label, lang) for m in dataset.metrics}
    nouns = {m.id: name(m.noun, lang) for m in dataset.metrics if m.noun}
    derived = f" · {t('basis.derived', lang)}"
    keys = ["column.program", "effects.kpi", "column.group_zh", "effects.before", after]
    return pd.DataFrame([{
        t(keys[0], lang): programs.get(e.program, e.program),
        t(keys[1], lang): labels.get(e.metric, e.metric) + (derived if e.derived else ""),
        t(keys[2], lang): e.group,
        t(keys[3], lang): _shown(e.before, lang, nouns),
        t(keys[4], lang): _shown(e.after, lang, nouns),
    } for e in found], columns=[t(k, lang) for k in keys])


def lines(found: Sequence[Effect], dataset: Dataset, lang: str) -> list[str]:
    """The effects one to a line, for the command line: 问题解决率: 76.4% → 80.0%."""
    return [f"{program} · {kpi}{f' · {group}' if group else ''}: {before} → {after}"
            for program, kpi, group, before, after in frame(found, dataset, lang).itertuples(
                index=False)]
