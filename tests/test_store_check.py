"""A write is judged on what it touches, read by SQL, and must come out exactly as if it were
judged against the whole store: the same problems, in the same order, with the same file,
record and field. Each case is a write into the store holding data/, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
from conftest import prepared
from sqlalchemy import select

from civic import database, reads, rows, store
from civic.loading import Origin
from civic.models import Dataset, Department, Figure, Metric, Program, Source, Target
from civic.schema import figures
from civic.store import checks

SOLVED = "leaders_walk/problems_solved/2021/2023-11-15/"
FOUND = "leaders_walk/problems_found/2021/2023-11-15/"


@pytest.fixture
def loaded(db_url, data_dir):
    with prepared(db_url, data_dir) as engine:
        pass
    engine = database.connect(db_url)
    later = Source(id="zzrb_20231115_later", publication={"zh": "株洲日报", "en": "Zhuzhou Daily"},
                   edition_date="2023-11-20", title="测试后续报道", title_en="A later test report")
    store.write(engine, [("sources", later, Origin("test", None, "source"))], who=store.SEED,
                why="a later report of these tests")
    yield engine
    engine.dispose()


def walk(**changes) -> Figure:
    """A figure of the leaders' walk, by default a revision of its problems solved."""
    fields = {"program": "leaders_walk", "metric": "problems_solved", "reported": "500个",
              "period": "2021/2023-11-15", "department": "zz_admin_approval",
              "source": "zzrb_20231115_walk", "locator": "解决问题500个"}
    return Figure.model_validate({**fields, **changes})


def entry(*records) -> list:
    """Records as the data-entry page gives them: kind, model, where each came from."""
    return [(kind, record, Origin("entry.csv", i, f"{kind} {i}"))
            for i, (kind, record) in enumerate(records)]


def stored(ds: Dataset, kind: str, key: str):
    return next(r for r in getattr(ds, kind) if getattr(r, "id", None) == key)


def walk_program(ds: Dataset, **changes) -> Program:
    return Program.model_validate({**stored(ds, "programs", "leaders_walk").model_dump(),
                                   **changes})


Write = Callable[[Dataset], tuple[list, list]]

# (name, the write as incoming records and deletes, whether it must be refused)
CASES: list[tuple[str, Write, bool]] = [
    ("a revised figure", lambda ds: (entry(("figures", walk())), []), False),
    ("a new figure of a new day", lambda ds: (entry(("figures", walk(
        metric="menu_items", reported="101项", period="2023-11-14",
        locator="事项101项"))), []), False),
    ("a running total continued", lambda ds: (entry(("figures", walk(
        metric="experiences", reported="4100人次", period="2021/2023-11-16",
        source="zzrb_20231115_later", locator="体验4100人次"))), []), False),
    ("a running total broken by a single date", lambda ds: (entry(("figures", walk(
        reported="80个", period="2023-11-14", locator="整改80个"))), []), True),
    ("a running total broken on purpose, with a note", lambda ds: (entry(("figures", walk(
        reported="80个", period="2023-11-14", locator="整改80个",
        correction="县级通报，单日数"))), []), False),
    ("a running total that falls", lambda ds: (entry(("figures", walk(
        reported="400个", period="2021/2023-11-16", source="zzrb_20231115_later",
        locator="解决问题400个"))), []), True),
    ("a report before the stored one, larger than it", lambda ds: (entry(("figures", walk(
        reported="500个", period="2021/2023-06-30", locator="解决问题500个"))), []), True),
    ("a figure after the report it cites", lambda ds: (entry(("figures", walk(
        metric="menu_items", reported="101项", period="2023-11-16",
        locator="事项101项"))), []), True),
    ("a new program and its figure", lambda ds: (entry(
        ("programs", walk_program(ds, id="second_walk")),
        ("figures", walk(program="second_walk"))), []), False),
    ("a metric relabelled", lambda ds: (entry(("metrics", Metric.model_validate(
        {**stored(ds, "metrics", "experiences").model_dump(),
         "label": {"zh": "体验", "en": "Experiences"}}))), []), False),
    ("a target", lambda ds: (entry(("targets", Target(
        program="leaders_walk", metric="problems_solved", value=600, period="2024",
        source="zzrb_20231115_walk"))), []), False),
    ("a figure deleted", lambda ds: ([], [("figures", "leaders_walk/menu_items/2023-11-15/")]),
     False),
    ("the found figure deleted", lambda ds: ([], [("figures", FOUND)]), False),
    ("a figure deleted and written back", lambda ds: (entry(("figures", walk(
        reported="488个", locator="解决问题488个"))), [("figures", SOLVED)]), False),
    ("data/ written again", lambda ds: ([
        (kind, record, Origin("data", None, kind)) for kind in type(ds).model_fields
        for record in getattr(ds, kind)], []), False),
    ("solved exceed found", lambda ds: (entry(("figures", walk(
        reported="700个", locator="解决问题700个"))), []), True),
    ("found lowered below the stored solved", lambda ds: (entry(("figures", walk(
        metric="problems_found", reported="100个", locator="问题100个"))), []), True),
    ("a later found of the same period end, below the stored solved", lambda ds: (entry(
        ("figures", walk(metric="problems_found", reported="100个", period="2023-11-15",
                         locator="问题100个"))), []), True),
    ("ids that do not exist", lambda ds: (entry(
        ("figures", walk(program="no_program")),
        ("figures", walk(metric="no_metric", period="2023-11-16")),
        ("figures", walk(department="no_department", period="2023-11-17")),
        ("figures", walk(source="no_source", period="2023-11-18"))), []), True),
    ("tonnes for person-times", lambda ds: (entry(("figures", walk(
        metric="experiences", reported="5吨", period="2023-11-16", locator="5吨"))), []), True),
    ("a metric's dimension changed under stored figures", lambda ds: (entry(
        ("metrics", Metric.model_validate({**stored(ds, "metrics", "experiences").model_dump(),
                                           "dimension": "count"}))), []), True),
    ("a program led by an unknown department", lambda ds: (entry(
        ("programs", walk_program(ds, lead="no_department",
                                  participants=["zz_drc", "no_partner"]))), []), True),
    ("a department of an unknown district and parent", lambda ds: (entry(
        ("departments", Department.model_validate(
            {**stored(ds, "departments", "zz_drc").model_dump(), "id": "new_bureau",
             "district": "no_district", "parent": "no_parent"}))), []), True),
    ("a source of an unknown department", lambda ds: (entry(("sources", Source.model_validate(
        {**stored(ds, "sources", "zzrb_20231115_walk").model_dump(), "id": "new_source",
         "department": "no_department"}))), []), True),
    ("the same figure twice", lambda ds: (entry(("figures", walk()), ("figures", walk())), []),
     True),
    ("one id twice", lambda ds: (entry(("programs", walk_program(ds, id="second_walk")),
                                       ("programs", walk_program(ds, id="second_walk"))), []),
     True),
    ("good and bad together, of several kinds", lambda ds: (entry(
        ("figures", walk(reported="650个", locator="解决问题650个")),
        ("metrics", Metric.model_validate({**stored(ds, "metrics", "problems_found").model_dump(),
                                           "dimension": "persons"})),
        ("programs", walk_program(ds, id="second_walk", source="no_source")),
        ("figures", walk(program="second_walk", metric="problems_found", reported="1个",
                         locator="问题1个")),
        ("figures", walk(program="second_walk"))), [("figures", FOUND)]), True),
    ("a department deleted that others refer to", lambda ds: (
        [], [("departments", "zz_admin_approval")]), True),
]


@pytest.mark.parametrize("write, refused", [(w, r) for _, w, r in CASES],
                         ids=[name for name, _, _ in CASES])
def test_a_write_judged_on_what_it_touches_as_against_the_whole_store(loaded, write, refused):
    incoming, deletes = write(reads.dataset(loaded))
    with loaded.connect() as connection:
        touched = checks.touched(connection, incoming, deletes)
        targeted = checks.check(connection, incoming, deletes)
        whole = checks.check(connection, incoming, deletes, whole=True)
    assert whole[1] == targeted[1]
    assert refused == bool(whole[1]), [str(p) for p in whole[1]]
    if touched is None:  # a delete of what others refer to: the whole store, said so
        assert any(kind == "departments" for kind, _ in deletes)
    else:
        assert targeted[0] == touched and len(touched) <= len(whole[0])
        if len(incoming) + len(deletes) < 10:  # a few records: a part of the store
            assert len(touched) < len(whole[0]) / 2
    for key in [*((k, rows.key(k, r)) for k, r, _ in incoming), *deletes]:
        assert (key in whole[0]) == (key in targeted[0])


def test_a_write_reads_only_its_program_and_period_end_at_scale(loaded, repo_dir):
    """In a store of generated figures, a revision of one reads the figures of its program and
    period end and the few records they name; the refusal names the same problems."""
    url = loaded.url.render_as_string(hide_password=False)
    subprocess.run([sys.executable, "scripts/scale_data.py", "--figures", "3000", "--database",
                    url], cwd=repo_dir, check=True, capture_output=True, timeout=300)
    with loaded.connect() as connection:
        row = connection.execute(select(figures).order_by(figures.c.id.desc()).limit(1)).one()
        same_end = set(connection.execute(select(figures.c.key).where(
            figures.c.program == row.program, figures.c.date_end == row.date_end)).scalars())
        figure = Figure.model_validate(rows.figure_document(row))
        incoming = entry(("figures", figure.model_copy(update={"locator": "改写"})),
                         ("figures", figure.model_copy(update={"department": "no_department"})))
        touched = checks.touched(connection, incoming, [])
        held, problems = checks.check(connection, incoming, [], whole=True)
        assert problems == checks.check(connection, incoming, [])[1]
    assert same_end == {key for kind, key in touched if kind == "figures"}
    assert 1 < len(same_end) and len(touched) < 100 < 3000 < len(held)
    assert {"department", "period"} == {p.field for p in problems}


def test_of_two_stored_found_figures_of_one_period_end_the_later_counts_in_both(loaded):
    """Stored in id order, the targeted check sees the later found figure as the whole one does."""
    store.write(loaded, entry(("figures", walk(metric="problems_found", reported="500个",
                                               period="2023-11-15", locator="问题500个",
                                               correction="另一口径的当日数"))),
                who="editor:test", why="a later count")
    incoming = entry(("figures", walk(reported="550个", locator="解决问题550个")))
    with loaded.connect() as connection:
        whole = checks.check(connection, incoming, [], whole=True)[1]
        assert whole == checks.check(connection, incoming, [])[1]
    assert ["550 problems_solved exceed the 500 problems_found of the same date"] == [
        p.message for p in whole]
