"""A view, its cards and its charts are made once per data version and filters (`View.of`,
`View.kept`) and shared by reruns; a write makes a new data version, hence new views and charts."""

from __future__ import annotations

from pathlib import Path

from conftest import prepared

from civic import export, panels, reads, store, tables
from civic.catalog import Catalog
from civic.filters import Filters
from civic.models import Figure
from civic.rows import figure_document
from civic.view import View


def test_a_view_and_its_charts_are_made_once_per_filters(tmp_path: Path) -> None:
    with prepared(f"sqlite:///{tmp_path / 'civic.sqlite3'}") as engine:
        catalog = Catalog.read(engine)
    view = View.of(catalog, Filters(lang="zh"))
    assert View.of(catalog, Filters(lang="zh")) is view
    assert View.of(catalog, Filters(lang="en")) is not view
    funnel = panels.funnel(view, "leaders_walk")
    assert panels.funnel(view, "leaders_walk") is funnel
    assert funnel.page_figure is funnel.page_figure
    # The page's copy has no title; the kept figure keeps its own, for exports.
    assert funnel.page_figure.layout.title.text == ""
    assert funnel.figure.layout.title.text
    assert view.cards("leaders_walk", ["experiences"]) is \
        view.cards("leaders_walk", ["experiences"])
    other = View.of(catalog, Filters(lang="en"))
    assert panels.funnel(other, "leaders_walk") is not funnel


def test_a_new_data_version_makes_new_charts(tmp_path: Path) -> None:
    with prepared(f"sqlite:///{tmp_path / 'civic.sqlite3'}") as engine:
        before = Catalog.read(engine)
        old = panels.funnel(View.of(before, Filters(lang="zh")), "leaders_walk")
        assert "4023" in str(old.figure.data[0].y) + str(old.figure.data[0].x)
        frame = reads.figure_frame(engine)
        row = next(frame[(frame["program"] == "leaders_walk")
                         & (frame["metric"] == "experiences")].itertuples(index=False))
        document = dict(figure_document(row))
        document["reported"] = "4321人次"
        document["locator"] = str(document["locator"]).replace("4023", "4321")
        store.write(engine, [("figures", Figure.model_validate(document),
                              store.Origin("test", None, "revise"))],
                    who="system:test", why="test: a revised figure")
        after = Catalog.read(engine)
    view = View.of(after, Filters(lang="zh"))
    assert view is not View.of(before, Filters(lang="zh"))
    new = panels.funnel(view, "leaders_walk")
    assert new is not old
    shown = str(new.figure.data[0].y) + str(new.figure.data[0].x)
    assert "4321" in shown and "4023" not in shown


def test_tables_cards_and_lookups_are_made_once_per_view(tmp_path: Path) -> None:
    """What a page without charts shows (its tables, group and headline cards, events) is kept
    with the view like its charts, and equals what a fresh view of the same filters makes."""
    with prepared(f"sqlite:///{tmp_path / 'civic.sqlite3'}") as engine:
        catalog = Catalog.read(engine)
    view = View.of(catalog, Filters(lang="zh"))
    fresh = View(catalog, Filters(lang="zh"))
    assert tables.figures(view) is tables.figures(view)
    assert tables.figures(view).equals(tables.figures(fresh))
    assert tables.cases(view, "leaders_walk") is tables.cases(view, "leaders_walk")
    assert tables.cases(view, "leaders_walk") is not tables.cases(fresh, "leaders_walk")
    assert view.headline_cards() == fresh.headline_cards()
    program = next(p for p in view.program_ids if len(view.records("events").query(
        "program == @p")))
    metrics = view.program_metrics(program)
    assert metrics == fresh.program_metrics(program)
    assert view.group_cards(program, metrics) is view.group_cards(program, metrics)
    assert view.group_cards(program, metrics) == fresh.group_cards(program, metrics)
    assert [e.id for e in view.events(program)] == list(
        view.records("events").query("program == @program")["event"])
    # An argument is part of the key: another program is another table.
    assert not tables.cases(view, program).equals(tables.cases(view, "leaders_walk"))
    assert export.file_stem(view, "a") == export.file_stem(fresh, "a") != \
        export.file_stem(view, "b")


def test_views_nobody_asked_for_are_forgotten_and_made_again(tmp_path: Path) -> None:
    """A view unused for the idle time is dropped with its charts (sessions that have gone do
    not hold memory for as long as the data version is current); one in use stays."""
    with prepared(f"sqlite:///{tmp_path / 'civic.sqlite3'}") as engine:
        catalog = Catalog.read(engine)
    gone = View.of(catalog, Filters(lang="zh", district="lusong"))
    panels.funnel(gone, "leaders_walk")
    assert 0 == catalog.forget_idle(60)  # just asked for: kept
    used = View.of(catalog, Filters(lang="en"))
    for key, entry in catalog.memo.items():
        if key != ("view", used.filters):
            entry[1] -= 120  # asked for two minutes ago
    assert catalog.forget_idle(60) >= 1
    assert View.of(catalog, Filters(lang="en")) is used
    again = View.of(catalog, Filters(lang="zh", district="lusong"))
    assert again is not gone
    assert panels.funnel(again, "leaders_walk").figure == panels.funnel(gone, "leaders_walk").figure
