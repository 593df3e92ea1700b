"""Read a data folder into validated models and pandas frames, reporting every problem at once.

A bad record never stops the load: it is left out of the dataset and reported with its file,
record and field, so that a page can still show everything else and say what was skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from pydantic import ValidationError

from civic import rules
from civic.derived import derived_frame
from civic.models import (
    RECORD_KINDS,
    Commentary,
    Dataset,
    Figure,
    Frozen,
    Metric,
    Program,
    Source,
    Target,
    owning_department,
)
from civic.problems import MAX_PROBLEM_TEXT, Coded, Problem, from_pydantic
from civic.quantities import UNITS
from civic.text import shorten

__all__ = ["MAX_PROBLEM_TEXT", "Problem"]  # where the loader's users find them

try:  # the C loader is several times faster where PyYAML was built with it
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

PROGRAM_DIR = "programs"
# Bounds on what one data file may make the loader do, whoever wrote it: its size on disk, the
# nodes of its document with every alias expanded (an "alias bomb" of 700 bytes expands to
# billions), and the length of any text a problem repeats from it.
MAX_FILE_BYTES = 2_000_000
MAX_NODES = 200_000


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """The safe loader, whose dates and integers that do not parse (2023-02-30, 5000 digits)
    become YAML errors located at their line, like any other mistake in the file."""

    def _located(self, node: yaml.Node, construct: Any, what: str) -> Any:
        try:
            return construct(self, node)
        except (ValueError, OverflowError) as exc:
            problem = f"{what} {shorten(str(node.value), 40)!r} does not parse ({shorten(str(exc), 80)})"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None

    def construct_timestamp(self, node: yaml.Node) -> Any:
        return self._located(node, yaml.constructor.SafeConstructor.construct_yaml_timestamp,
                             "date")

    def construct_int(self, node: yaml.Node) -> Any:
        return self._located(node, yaml.constructor.SafeConstructor.construct_yaml_int,
                             "integer")


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_int)


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """Nodes of the document with every alias expanded, counted without expanding them (each
    node once, its size kept), stopping as soon as the count passes `limit`."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        if children_done or not children:
            size = 1 + sum(sizes[id(child)] for child in children)
            if size > limit:
                return size
            sizes[id(node)] = size
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


class DataError(Exception):
    """Raised by `load_dataset(strict=True)`; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Origin:
    file: str
    index: int | None
    label: str

    @property
    def record(self) -> str:
        kind_at = f"[{self.index}]" if self.index is not None else ""
        return f"{self.label}{kind_at}".strip()


@dataclass
class Loaded:
    """The valid part of a data folder, with the problems of the rest."""

    dataset: Dataset
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _data_files(data_dir: Path) -> list[Path]:
    files = sorted(data_dir.glob("*.yaml")) + sorted((data_dir / PROGRAM_DIR).glob("*.yaml"))
    return [f for f in files if f.is_file()]


def _field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(record)"


def _record_label(kind: str, raw: Any) -> str:
    if isinstance(raw, dict):
        key = raw.get("id") or raw.get("metric")
        if isinstance(key, str | int | float) and key:
            return f"{kind} {shorten(str(key), 60)}"
    return kind


def _validation_problems(exc: ValidationError, file: str, record: str) -> list[Problem]:
    return [Problem(file, record, _field_path(err["loc"]), *from_pydantic(err))
            for err in exc.errors(include_url=False)]


def _validate(
    kind: str, raw: Any, file: str, index: int | None, defaults: dict[str, Any]
) -> tuple[Frozen | None, Origin, list[Problem]]:
    model = RECORD_KINDS[kind]
    origin = Origin(file, index, _record_label(kind, raw))
    if not isinstance(raw, dict):
        return None, origin, [Problem(file, origin.record, "", "mapping")]
    data = {k: v for k, v in defaults.items() if k in model.model_fields and k not in raw}
    data.update(raw)
    try:
        return model.model_validate(data), origin, []
    except ValidationError as exc:
        return None, origin, _validation_problems(exc, file, origin.record)
    except Exception as exc:  # noqa: BLE001 - whatever a record holds, it is reported, not raised
        return None, origin, [Problem(file, origin.record, "", "unreadable",
                                             {"reason": repr(exc)})]


def parse_bounded(text: str) -> Any:
    """The document, refused before it is built when its aliases expand past `MAX_NODES`."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, MAX_NODES) > MAX_NODES:
            raise Coded("aliases", limit=MAX_NODES)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _read_yaml(path: Path, rel: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        if (size := path.stat().st_size) > MAX_FILE_BYTES:
            return None, [Problem(rel, "", "", "file_too_large",
                                  {"size": size, "limit": MAX_FILE_BYTES})]
        content = parse_bounded(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [Problem(rel, "", "", "removed")]
    except OSError as exc:
        return None, [Problem(rel, "", "", "unreadable", {"reason": exc.strerror or exc})]
    except UnicodeDecodeError as exc:
        return None, [Problem(rel, "", "", "not_utf8", {"reason": exc.reason})]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        if mark is None:
            return None, [Problem(rel, "", "", "yaml", {"reason": problem})]
        return None, [Problem(rel, "", "", "yaml_at", {"line": mark.line + 1,
                                                       "column": mark.column + 1,
                                                       "reason": problem})]
    except Coded as exc:
        return None, [Problem(rel, "", "", exc.code, exc.params)]
    except (ValueError, RecursionError, MemoryError) as exc:
        return None, [Problem(rel, "", "", "not_loaded", {"reason": exc})]
    if content is None:
        return {}, []
    if not isinstance(content, dict):
        return None, [Problem(rel, "", "", "top")]
    return content, []


def _read_file(
    path: Path, rel: str, in_program_dir: bool
) -> tuple[list[tuple[str, Frozen, Origin]], list[Problem]]:
    content, problems = _read_yaml(path, rel)
    if content is None:
        return [], problems
    defaults = content.pop("defaults", None) or {}
    if not isinstance(defaults, dict):
        return [], [Problem(rel, "defaults", "", "defaults")]
    records: list[tuple[str, Frozen, Origin]] = []
    if in_program_dir:
        raw_program = content.pop("program", None)
        if raw_program is None:
            problems.append(Problem(rel, "program", "", "program_file"))
        else:
            program, origin, errs = _validate("programs", raw_program, rel, None, {})
            problems += errs
            if isinstance(program, Program):
                records.append(("programs", program, origin))
            if isinstance(raw_program, dict) and "id" in raw_program:
                # Records of an invalid program then fail as "unknown program", not "missing".
                defaults = {"program": raw_program["id"], **defaults}
    for kind, raw_list in content.items():
        if kind not in RECORD_KINDS:
            known = ", ".join(sorted(RECORD_KINDS))
            problems.append(Problem(rel, shorten(str(kind), 60), "", "record_list",
                                    {"known": known}))
            continue
        if not isinstance(raw_list, list):
            problems.append(Problem(rel, kind, "", "list"))
            continue
        for index, raw in enumerate(raw_list):
            record, origin, errs = _validate(kind, raw, rel, index, defaults)
            problems += errs
            if record is not None:
                records.append((kind, record, origin))
    return records, problems


class _Index:
    """Ids of the records read so far, with where each came from."""

    def __init__(self, records: list[tuple[str, Frozen, Origin]]):
        self.ids: dict[str, set[str]] = {}
        for kind, record, _ in records:
            if hasattr(record, "id"):
                self.ids.setdefault(kind, set()).add(record.id)

    def has(self, kind: str, key: str) -> bool:
        return key in self.ids.get(kind, set())


# Which fields of which record kind refer to which other kind.
_REFERENCES: dict[str, list[tuple[str, str]]] = {
    "sources": [("department", "departments")],
    "metrics": [("derived_inputs", "metrics"), ("at_most", "metrics"), ("owner", "departments")],
    "departments": [("district", "districts"), ("parent", "departments")],
    "programs": [("lead", "departments"), ("participants", "departments"), ("source", "sources"),
                 ("cards", "metrics"), ("funnel", "metrics"), ("breakdown", "metrics")],
    "figures": [
        ("program", "programs"),
        ("metric", "metrics"),
        ("department", "departments"),
        ("source", "sources"),
        ("derived_from", "metrics"),
    ],
    "projects": [("program", "programs"), ("district", "districts"), ("source", "sources")],
    "advisories": [("program", "programs"), ("department", "departments"), ("source", "sources")],
    "relief_actions": [
        ("program", "programs"),
        ("department", "departments"),
        ("source", "sources"),
    ],
    "relief_measures": [
        ("program", "programs"),
        ("department", "departments"),
        ("source", "sources"),
    ],
    "events": [("program", "programs"), ("organizer", "departments"), ("source", "sources")],
    "cases": [
        ("program", "programs"),
        ("department", "departments"),
        ("participants", "departments"),
        ("source", "sources"),
    ],
    "targets": [("program", "programs"), ("metric", "metrics"), ("source", "sources")],
    "commentaries": [("program", "programs"), ("metric", "metrics"),
                     ("department", "departments")],
}


REFERRED = frozenset(target for fields in _REFERENCES.values() for _, target in fields)
"""The kinds that other records refer to by id."""


def references(kind: str, record: Frozen) -> list[tuple[str, str, str]]:
    """(field, kind referred to, id) of each id a record refers to."""
    found = []
    for field_name, target in _REFERENCES.get(kind, []):
        value = getattr(record, field_name)
        for key in value if isinstance(value, list) else [value]:
            if key is not None:
                found.append((field_name, target, key))
    return found


def _reference_problems(kind: str, record: Frozen, origin: Origin, index: _Index) -> list[Problem]:
    return [Problem(origin.file, origin.record, field_name, "unknown",
                    {"kind": target[:-1], "value": key})
            for field_name, target, key in references(kind, record)
            if not index.has(target, key)]


def _duplicate_problems(records: list[tuple[str, Frozen, Origin]]) -> dict[int, Problem]:
    """Second and later records with an id already taken, by position."""
    seen: dict[tuple[str, str], Origin] = {}
    problems = {}
    for position, (kind, record, origin) in enumerate(records):
        key = getattr(record, "id", None)
        if key is None:
            continue
        if (kind, key) in seen:
            first = seen[(kind, key)]
            problems[position] = Problem(origin.file, origin.record, "id", "duplicate_id",
                                         {"file": first.file})
        else:
            seen[(kind, key)] = origin
    return problems


def _derivation_problems(records: list[tuple[str, Frozen, Origin]]) -> dict[int, Problem]:
    """A derived metric is calculated from reported ones: none of its inputs is derived."""
    derived = {r.id for k, r, _ in records if isinstance(r, Metric) and r.derived}
    return {position: Problem(origin.file, origin.record, "derived", "derived_of_derived",
                              {"metric": record.id, "inputs": ", ".join(inner)})
            for position, (_, record, origin) in enumerate(records)
            if isinstance(record, Metric) and (inner := [m for m in record.derived_inputs
                                                         if m in derived])}


def _indicator_problems(records: list[tuple[str, Frozen, Origin]]) -> dict[int, Problem]:
    """A target's unit fits its metric; a commentary is written by the department that owns the
    indicator (`owning_department`)."""
    programs = {r.id: r for k, r, _ in records if isinstance(r, Program)}
    metrics = {r.id: r for k, r, _ in records if isinstance(r, Metric)}
    found = {}
    for position, (_, record, origin) in enumerate(records):
        metric = metrics.get(getattr(record, "metric", ""))
        if metric is None:
            continue
        if isinstance(record, Target) and record.unit is not None \
                and UNITS[record.unit].dimension != metric.dimension:
            found[position] = Problem(origin.file, origin.record, "unit", "target_unit",
                                      {"metric": metric.id, "unit": record.unit})
        if isinstance(record, Commentary) and record.program in programs:
            owner = owning_department(programs[record.program], metric)
            if record.department != owner:
                found[position] = Problem(origin.file, origin.record, "department",
                                          "commentary_owner",
                                          {"owner": owner, "value": record.department})
    return found


def cross_record_problems(
    records: list[tuple[str, Frozen, Origin]], new: set[int] | None = None,
) -> tuple[set[int], list[Problem]]:
    """Cross-record rules; returns the positions of records to leave out, and why.

    Ids exist and are unique here; the figures' rules are `civic.rules`, which judge pairs of
    figures only where one of them is at a position of `new` (None: every record is new).
    """
    index = _Index(records)
    duplicates = (_duplicate_problems(records) | _derivation_problems(records)
                  | _indicator_problems(records))
    bad: set[int] = set(duplicates)
    problems = list(duplicates.values())
    figures: list[tuple[int, Figure]] = []
    for position, (kind, record, origin) in enumerate(records):
        errs = _reference_problems(kind, record, origin, index)
        if isinstance(record, Figure):  # unknown ids do not hide the rules' own problems
            figures.append((position, record))
        if errs:
            bad.add(position)
            problems += errs
    known = rules.Known.of((r for k, r, _ in records if isinstance(r, Metric)),
                           (r for k, r, _ in records if isinstance(r, Source)))
    frame = rules.figure_frame([f for _, f in figures], [p for p, _ in figures])
    if new is not None:
        frame["new"] = frame.index.isin(list(new))
    for found in rules.problems(frame, known):
        _, _, origin = records[found.row]
        bad.add(found.row)
        problems.append(Problem(origin.file, origin.record, found.field, found.code,
                                found.params))
    return bad, problems


def load(data_dir: str | Path) -> Loaded:
    """Read every data file; keep the valid records and report the rest."""
    root = Path(data_dir)
    if not root.is_dir():
        empty = Dataset(sources=[], districts=[], departments=[], metrics=[], programs=[], figures=[])
        return Loaded(empty, [Problem(str(root), "", "", "no_folder")])
    records: list[tuple[str, Frozen, Origin]] = []
    problems: list[Problem] = []
    files = _data_files(root)
    if not files:
        problems.append(Problem(str(root), "", "", "no_files"))
    for path in files:
        rel = path.relative_to(root).as_posix()
        got, errs = _read_file(path, rel, in_program_dir=path.parent != root)
        records += got
        problems += errs
    bad, errs = cross_record_problems(records)
    problems += errs
    lists: dict[str, list[Frozen]] = {kind: [] for kind in RECORD_KINDS}
    for position, (kind, record, _) in enumerate(records):
        if position not in bad:
            lists[kind].append(record)
    return Loaded(Dataset(**lists), problems)


def load_dataset(data_dir: str | Path) -> Dataset:
    """The whole dataset, or a `DataError` listing every problem."""
    loaded = load(data_dir)
    if loaded.problems:
        raise DataError(loaded.problems)
    return loaded.dataset


def data_version(data_dir: str | Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times: changes whenever a data file does."""
    root = Path(data_dir)
    version = []
    for path in _data_files(root) if root.is_dir() else []:
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed since it was listed: left out, as on the next look
            continue
        version.append((path.relative_to(root).as_posix(), stat.st_size, stat.st_mtime_ns))
    return tuple(version)


class Frames:
    """The dataset as pandas frames, one per record kind, built once and shared."""

    def __init__(self, dataset: Dataset, figures: list[Figure] | None = None,
                 stored: pd.DataFrame | None = None):
        """`stored`: figure rows read from the store, shown ahead of `figures`."""
        self.dataset = dataset
        self._figures = dataset.figures if figures is None else figures
        self._stored = stored

    @cached_property
    def departments(self) -> pd.DataFrame:
        rows = [
            {
                "department": d.id,
                "name_zh": d.name.zh,
                "name_en": d.name.en,
                "level": str(d.level),
                "district": d.district,
                "parent": d.parent,
            }
            for d in self.dataset.departments
        ]
        return _frame(rows, ["department", "name_zh", "name_en", "level", "district", "parent"])

    @cached_property
    def programs(self) -> pd.DataFrame:
        rows = [
            {
                "program": p.id,
                "name_zh": p.name.zh,
                "name_en": p.name.en,
                "category": str(p.category),
                "lead": p.lead,
                "participants": list(p.participants),
                "start": p.start.start if p.start else None,
                "status": str(p.status),
                "source": p.source,
            }
            for p in self.dataset.programs
        ]
        columns = ["program", "name_zh", "name_en", "category", "lead", "participants", "start",
                   "status", "source"]
        frame = _frame(rows, columns)
        frame["start"] = pd.to_datetime(frame["start"])
        return frame

    @cached_property
    def participation(self) -> pd.DataFrame:
        """One row per program and department taking part (lead or participant)."""
        rows = [
            {"program": p.id, "department": d, "role": "lead" if d == p.lead else "participant"}
            for p in self.dataset.programs
            for d in p.departments
        ]
        return _frame(rows, ["program", "department", "role"])

    @cached_property
    def derived(self) -> pd.DataFrame:
        """The values the catalogue's derived metrics give over the reported figures
        (`civic.derived.COLUMNS`, their formulas in English beside)."""
        return derived_frame(self._reported, self.dataset.metrics)

    @cached_property
    def _reported(self) -> pd.DataFrame:
        """The input metrics' reported figures, dates as datetimes: what values derive from."""
        inputs = {m for metric in self.dataset.metrics for m in metric.derived_inputs}
        parts = [_frame([{
            "program": f.program, "metric": f.metric, "value": f.value, "unit": f.unit,
            "qualifier": str(f.qualifier), "date": f.period.start, "date_end": f.period.end,
            "period": f.period.text, "department": f.department,
            "group_zh": f.group.zh if f.group else None,
            "group_en": f.group.en if f.group else None, "source": f.source,
            "basis": str(f.basis)} for f in self._figures if f.metric in inputs],
            _INPUT_COLUMNS)]
        if self._stored is not None:
            parts.insert(0, self._stored.loc[self._stored["metric"].isin(inputs), _INPUT_COLUMNS])
        given = [part for part in parts if len(part)]
        frame = pd.concat(given, ignore_index=True) if given else parts[-1]
        return frame.assign(date=pd.to_datetime(frame["date"]),
                            date_end=pd.to_datetime(frame["date_end"]))

    @cached_property
    def formulas(self) -> dict[tuple[str, str, str, pd.Timestamp], dict[str, str]]:
        """How each derived value was calculated, by language: (program, metric, group, period
        end) → {zh: 488/639, en: 488/639}."""
        return {(r.program, r.metric, r.group_zh or "", pd.Timestamp(r.date_end)):
                {"zh": r.reported, "en": r.formula_en}
                for r in self.derived.itertuples(index=False)}

    @cached_property
    def figures(self) -> pd.DataFrame:
        """The tidy frame of figures, reported and derived: one row per figure, ids as
        categoricals."""
        rows = [
            {
                "program": f.program,
                "metric": f.metric,
                "value": f.value,
                "value_max": f.value_max,
                "unit": f.unit,
                "qualifier": str(f.qualifier),
                "reported": f.text,
                "date": f.period.start,
                "date_end": f.period.end,
                "period": f.period.text,
                "department": f.department,
                "group_zh": f.group.zh if f.group else None,
                "group_en": f.group.en if f.group else None,
                "source": f.source,
                "locator": f.locator,
                "basis": str(f.basis),
            }
            for f in self._figures
        ]
        frame = _frame(rows, STORED_FIGURE_COLUMNS)
        if self._stored is not None:
            stored = self._stored[STORED_FIGURE_COLUMNS]
            frame = (pd.concat([stored, frame], ignore_index=True).infer_objects() if len(frame)
                     else stored.copy())
        for column in ("date", "date_end"):
            frame[column] = pd.to_datetime(frame[column])
        derived = self.derived
        if len(derived):
            frame = pd.concat([frame, derived[STORED_FIGURE_COLUMNS]], ignore_index=True)
        districts = {d.id: d.district for d in self.dataset.departments}
        categories = {p.id: str(p.category) for p in self.dataset.programs}
        frame["district"] = frame["department"].map(districts)
        frame["category"] = frame["program"].map(categories)
        frame = frame[FIGURE_COLUMNS]
        for column in ("value", "value_max"):
            frame[column] = frame[column].astype("Float64")
        for column in ("date", "date_end"):
            frame[column] = pd.to_datetime(frame[column])
        for column in ("program", "department", "metric", "unit", "qualifier", "category",
                       "district", "basis"):
            frame[column] = frame[column].astype("category")
        return frame

    @cached_property
    def projects(self) -> pd.DataFrame:
        """Projects with their key figures pivoted alongside (value in the canonical unit)."""
        rows = [
            {
                "project": p.id,
                "program": p.program,
                "name_zh": p.name.zh,
                "name_en": p.name.en,
                "developer_zh": p.developer.zh,
                "developer_en": p.developer.en,
                "district": p.district,
                "site_zh": p.site.zh,
                "site_en": p.site.en,
                "source": p.source,
            }
            for p in self.dataset.projects
        ]
        frame = _frame(rows, ["project", "program", "name_zh", "name_en", "developer_zh",
                              "developer_en", "district", "site_zh", "site_en", "source"])
        figures = self.figures
        for metric in (m.id for m in self.dataset.metrics if m.project is not None):
            # The latest figure of a metric describes the project (e.g. current, not past, output).
            rows = figures[(figures["metric"] == metric) & figures["group_zh"].isna()]
            latest = rows.sort_values("date").groupby("program", observed=True).last()
            frame[metric] = frame["program"].map(latest["value"]).astype("Float64")
            frame[f"{metric}_qualifier"] = frame["program"].map(latest["qualifier"].astype(str))
        return frame

    @cached_property
    def milestones(self) -> pd.DataFrame:
        rows = [
            {
                "project": p.id,
                "program": p.program,
                "start": m.period.start,
                "end": m.period.end,
                "period": m.period.text,
                "label_zh": m.label.zh,
                "label_en": m.label.en,
                "status": str(m.status),
            }
            for p in self.dataset.projects
            for m in p.milestones
        ]
        return _frame(rows, ["project", "program", "start", "end", "period", "label_zh",
                             "label_en", "status"],
                      dates=("start", "end"))

    @cached_property
    def relief_actions(self) -> pd.DataFrame:
        rows = [
            {
                "action": a.id,
                "program": a.program,
                "date": a.period.start,
                "date_end": a.period.end,
                "period": a.period.text,
                "kind": str(a.kind),
                "department": a.department,
                "places_zh": [p.zh for p in a.places],
                "places_en": [p.en for p in a.places],
                "supplies_zh": [s.zh for s in a.supplies],
                "supplies_en": [s.en for s in a.supplies],
                "open_list": a.open_list,
                "source": a.source,
            }
            for a in self.dataset.relief_actions
        ]
        return _frame(rows, ["action", "program", "date", "date_end", "period", "kind",
                             "department", "places_zh", "places_en", "supplies_zh",
                             "supplies_en", "open_list", "source"],
                      dates=("date", "date_end"))

    @cached_property
    def relief_measures(self) -> pd.DataFrame:
        rows = [
            {
                "measure": m.id,
                "program": m.program,
                "group_zh": m.group.zh,
                "group_en": m.group.en,
                "measure_zh": m.measure.zh,
                "measure_en": m.measure.en,
                "department": m.department,
                "source": m.source,
            }
            for m in self.dataset.relief_measures
        ]
        return _frame(rows, ["measure", "program", "group_zh", "group_en", "measure_zh",
                             "measure_en", "department", "source"])

    @cached_property
    def advisories(self) -> pd.DataFrame:
        rows = [
            {
                "advisory": a.id,
                "program": a.program,
                "date": a.date,
                "department": a.department,
                "trend": str(a.trend),
                "strain_zh": a.dominant_strain.zh,
                "strain_en": a.dominant_strain.en,
                "phase_zh": a.phase.zh,
                "phase_en": a.phase.en,
                "source": a.source,
            }
            for a in self.dataset.advisories
        ]
        return _frame(rows, ["advisory", "program", "date", "department", "trend",
                             "strain_zh", "strain_en", "phase_zh", "phase_en", "source"],
                      dates=("date",))

    @cached_property
    def events(self) -> pd.DataFrame:
        rows = [
            {
                "event": e.id,
                "program": e.program,
                "date": e.date,
                "title_zh": e.title.zh,
                "title_en": e.title.en,
                "venue_zh": e.venue.zh,
                "venue_en": e.venue.en,
                "organizer": e.organizer,
                "items": len(e.items),
                "source": e.source,
            }
            for e in self.dataset.events
        ]
        return _frame(rows, ["event", "program", "date", "title_zh", "title_en", "venue_zh",
                             "venue_en", "organizer", "items", "source"],
                      dates=("date",))

    @cached_property
    def cases(self) -> pd.DataFrame:
        rows = [
            {
                "case": c.id,
                "program": c.program,
                "date": c.period.start,
                "date_end": c.period.end,
                "period": c.period.text,
                "department": c.department,
                "subject_zh": c.subject.zh,
                "subject_en": c.subject.en,
                "action_zh": c.action.zh,
                "action_en": c.action.en,
                "outcome_zh": c.outcome.zh,
                "outcome_en": c.outcome.en,
                "participants": list(c.participants),
                "source": c.source,
            }
            for c in self.dataset.cases
        ]
        return _frame(rows, ["case", "program", "date", "date_end", "period", "department",
                             "subject_zh", "subject_en", "action_zh", "action_en",
                             "outcome_zh", "outcome_en", "participants", "source"],
                      dates=("date", "date_end"))

    @cached_property
    def sources(self) -> pd.DataFrame:
        rows = [
            {
                "source": s.id,
                "publication_zh": s.publication.zh,
                "publication_en": s.publication.en,
                "edition_date": s.edition_date,
                "title": s.title,
                "title_en": s.title_en,
                "page": s.page,
                "page_en": s.page_en,
                "subheading": s.subheading,
                "date_reported": s.date_reported,
                "reporters": "、".join(s.reporters),
                "correspondents": "、".join(s.correspondents),
                "department": s.department,
            }
            for s in self.dataset.sources
        ]
        return _frame(rows, ["source", "publication_zh", "publication_en", "edition_date",
                             "title", "title_en", "page", "page_en", "subheading",
                             "date_reported", "reporters",
                             "correspondents", "department"],
                      dates=("edition_date", "date_reported"))


FIGURE_COLUMNS = [
    "program", "metric", "value", "value_max", "unit", "qualifier", "reported", "date",
    "date_end", "period", "department", "district", "category", "group_zh", "group_en",
    "source", "locator", "basis",
]

STORED_FIGURE_COLUMNS = [c for c in FIGURE_COLUMNS if c not in ("district", "category")]
"""What a figure holds itself; district and category follow from its department and program."""

_INPUT_COLUMNS = ["program", "metric", "value", "unit", "qualifier", "date", "date_end", "period",
                  "department", "group_zh", "group_en", "source", "basis"]

def _frame(rows: list[dict[str, Any]], columns: list[str],
           dates: tuple[str, ...] = ()) -> pd.DataFrame:
    """A frame with the given columns even when there are no rows; `dates` become datetimes."""
    frame = pd.DataFrame(rows, columns=columns)
    for column in dates:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def edition_date(dataset: Dataset) -> dt.date | None:
    """The newest edition date among the sources: 'as of' for the whole dashboard."""
    return max((s.edition_date for s in dataset.sources), default=None)
