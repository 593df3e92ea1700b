"""Read a data folder into validated models, reporting every problem at once (the frames of a
dataset are civic/frames.py).

A bad record never stops the load: it is left out of the dataset and reported with its file,
record and field, so that a page can still show everything else and say what was skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from civic import rules
from civic.kept import Kept
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
    from yaml import SafeLoader as _BaseLoader

PROGRAM_DIR = "programs"
# Bounds on what one data file may make the loader do, whoever wrote it: its size on disk, the
# nodes of its document with every alias expanded (an "alias bomb" of 700 bytes expands to
# billions), and the length of any text a problem repeats from it.
MAX_FILE_BYTES = 2_000_000
MAX_NODES = 200_000


class _Loader(_BaseLoader):
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


def _read_bytes(path: Path, rel: str) -> tuple[bytes | None, list[Problem]]:
    try:
        if (size := path.stat().st_size) > MAX_FILE_BYTES:
            return None, [Problem(rel, "", "", "file_too_large",
                                  {"size": size, "limit": MAX_FILE_BYTES})]
        return path.read_bytes(), []
    except FileNotFoundError:
        return None, [Problem(rel, "", "", "removed")]
    except OSError as exc:
        return None, [Problem(rel, "", "", "unreadable", {"reason": exc.strerror or exc})]


def _parse_yaml(data: bytes, rel: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        content = parse_bounded(data.decode("utf-8"))
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
    data, problems = _read_bytes(path, rel)
    if data is None:
        return [], problems
    key = (hashlib.blake2b(data).digest(), rel, in_program_dir)
    read = _KEPT.get(key)
    if read is None:
        read = _records(data, rel, in_program_dir)
        if len(data) <= KEEP_BYTES:
            _KEPT.put(key, read)
    return list(read[0]), list(read[1])


# A file's records and problems, kept by its bytes (small files only, the newest few hundred):
# the records are frozen, and a folder read again (each check of a write, a data folder
# validated after an edit) parses and validates only what changed.
KEEP_BYTES = 256_000
KEEP_FILES = 256
_KEPT: Kept[tuple[tuple[tuple[str, Frozen, Origin], ...], tuple[Problem, ...]]] = Kept(KEEP_FILES)


def _records(
    data: bytes, rel: str, in_program_dir: bool
) -> tuple[tuple[tuple[str, Frozen, Origin], ...], tuple[Problem, ...]]:
    content, problems = _parse_yaml(data, rel)
    if content is None:
        return (), tuple(problems)
    defaults = content.pop("defaults", None) or {}
    if not isinstance(defaults, dict):
        return (), (Problem(rel, "defaults", "", "defaults"),)
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
    return tuple(records), tuple(problems)


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


def edition_date(dataset: Dataset) -> dt.date | None:
    """The newest edition date among the sources: 'as of' for the whole dashboard."""
    return max((s.edition_date for s in dataset.sources), default=None)
