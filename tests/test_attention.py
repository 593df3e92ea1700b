"""What needs attention: where an indicator stands against its target, which way it moves, the
MMR-style headline, what moved, the reports overdue by department, the brief's text, the digest's
critical indicators, the department home, targets and commentaries as records.

Targets and later reports here are written for these tests (temporary copies of data/); the
shipped data has no target.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from conftest import add_editor, prepared
from test_metrics import PLAN, PLAN_SOURCE
from test_trends import WALK, later_reports  # noqa: F401 - a fixture

from civic import digest, intake, store
from civic.attention import Attention, Trend, trend_of
from civic.catalog import Catalog
from civic.export.brief import LIMITS, brief_html
from civic.filters import Filters
from civic.home import Home
from civic.loading import Origin, load
from civic.metrics import Standing, standing, target_for
from civic.models import Commentary, Target
from civic.view import View

TODAY = dt.date(2026, 12, 5)


def target(value, at_least=True, unit=None, period="2024"):
    return Target(program="p", metric="m", value=value, at_least=at_least, unit=unit,
                  period=period, source="plan_2024")


@pytest.mark.parametrize("value, goal, expected", [
    (80, target(80), Standing.ON_TRACK),
    (73, target(80), Standing.AT_RISK),  # within a tenth of it
    (71, target(80), Standing.OFF_TRACK),
    (90, target(100, at_least=False), Standing.ON_TRACK),
    (108, target(100, at_least=False), Standing.AT_RISK),
    (120, target(100, at_least=False), Standing.OFF_TRACK),
    (80, None, Standing.NO_TARGET),
])
def test_standing_against_a_target(value, goal, expected):
    assert expected == standing(value, goal)


def test_a_target_in_another_unit_of_the_same_kind_converts():
    assert Standing.ON_TRACK == standing(1.3e9, target(1.2e9, unit="CNY"), "CNY")
    assert Standing.ON_TRACK == standing(8, target(100, unit="mu"), "ha")  # 8 ha = 120 mu
    assert Standing.NO_TARGET == standing(8, target(100, unit="mu"), "person")


def test_the_target_in_force_is_the_goal_ahead_of_a_report():
    goals = [target(70, period="2024"), target(80, period="2025"), target(90, period="2026")]
    assert 80 == target_for(goals, dt.date(2025, 3, 31)).value
    assert 70 == target_for(goals, dt.date(2023, 11, 15)).value
    assert 90 == target_for(goals, dt.date(2027, 1, 1)).value  # past them all: the last
    assert target_for([], dt.date(2025, 1, 1)) is None


@pytest.mark.parametrize("change, share, higher, expected", [
    (None, None, True, Trend.SINGLE),
    (10, 10.0, True, Trend.IMPROVING),
    (-10, -10.0, True, Trend.WORSENING),
    (-10, -10.0, False, Trend.IMPROVING),
    (0.5, 0.5, True, Trend.STABLE),  # within 1%
    (10, 10.0, None, Trend.CHANGED),
])
def test_which_way_an_indicator_moves(change, share, higher, expected):
    from types import SimpleNamespace

    from civic.models import Metric

    row = SimpleNamespace(change=float("nan") if change is None else change,
                          change_pct=float("nan") if share is None else share)
    metric = Metric(id="m", label={"zh": "甲", "en": "A"}, dimension="count",
                    higher_is_better=higher)
    assert expected == trend_of(row, metric)


@pytest.fixture
def planned(later_reports):
    """The later reports of test_trends, a plan and targets for the solution rate (80% by 2024:
    85.7% of 2024-06-30 meets it) and for experiences (6000 by 2024: 5600 is within a tenth)."""
    path = later_reports / "targets.yaml"
    path.write_text(yaml.safe_dump({"sources": [PLAN_SOURCE], "targets": [
        {"program": "leaders_walk", "metric": "solution_rate", "value": 80, **PLAN},
        {"program": "leaders_walk", "metric": "experiences", "value": 6000, **PLAN},
    ]}, allow_unicode=True), encoding="utf-8")
    return later_reports


def test_critical_indicators_stand_and_move_and_the_headline_counts_them(planned):
    catalog = Catalog.load(planned)
    assert catalog.loaded.ok, catalog.loaded.problems
    attention = Attention.of(View(catalog, Filters(lang="en")), TODAY)
    shown = {(i.program, i.metric): i for i in attention.indicators}
    rate = shown[("leaders_walk", "solution_rate")]
    assert (rate.standing, rate.trend) == (Standing.ON_TRACK, Trend.IMPROVING)
    assert rate.card.note == "Computed for 2024-06-30"
    walk = shown[("leaders_walk", "experiences")]
    assert (walk.standing, walk.trend) == (Standing.AT_RISK, Trend.IMPROVING)
    assert attention.indicators[0] is walk  # at risk comes before the rest
    assert attention.headline() == (
        "3 of 3 critical indicators improved or stable (7 in all); 4 with one report; 1 of 2 "
        "with a target on track")
    zh = Attention.of(View(catalog, Filters(lang="zh")), TODAY)
    assert zh.headline().startswith("重点指标3/3项好转或持平（共7项）；4项仅一次报告")
    assert "设有目标的2项中1项达标" in zh.headline()


def test_what_moved_is_ranked_by_share_each_with_its_period(planned):
    attention = Attention.of(View(Catalog.load(planned), Filters(lang="en")), TODAY)
    # 900% for the annual output, -35.1% for the problems not reported solved (151 → 100) …
    assert [m.metric for m in attention.moved][:2] == ["annual_output",
                                                      "problems_not_reported_solved"]
    first = attention.moved[0]
    assert (first.period, first.change) == ("2022", "about +CNY 180 million (+900%)")
    assert all(m.period and m.change for m in attention.moved)
    # Up to a date before the later reports, they did not move yet.
    early = Attention.of(View(Catalog.load(planned), Filters(date_to=dt.date(2023, 12, 31))),
                         TODAY)
    assert [m.metric for m in early.moved] == ["annual_output"]


def test_the_reports_overdue_by_department_say_how_late(data_dir):
    attention = Attention.of(View(Catalog.load(data_dir), Filters(lang="en")), TODAY)
    first = attention.by_department[0]
    assert (first.department, first.overdue, first.most_late) == ("bowei_new_energy", 2, 1330)
    assert attention.department_line(first) == (
        "overdue: 2 (the oldest 1,330 days late); last report 2023-11-15 (about 3 years ago)")
    assert attention.due_summary().startswith("Reports overdue: 19 from 8 departments")
    assert "2023-11-15 (about 3 years ago)" in attention.due_summary()
    narrowed = Attention.of(View(Catalog.load(data_dir), Filters(departments=("zz_cdc",))), TODAY)
    assert ["zz_cdc"] == [d.department for d in narrowed.by_department]
    # The view's end date is the day judged by: nothing was due on the edition's day but
    # Bowei's first quarter.
    edition = Attention.of(View(Catalog.load(data_dir),
                                Filters(date_to=dt.date(2023, 11, 15))), TODAY)
    assert [("bowei_new_energy", 1)] == [(d.department, d.overdue)
                                         for d in edition.by_department]


def test_the_digest_lists_the_critical_indicators(data_dir):
    view = View(Catalog.load(data_dir), Filters())
    found = [(h.card.program, h.card.metric) for h in digest.headlines(view)]
    assert ("leaders_walk", "solution_rate") in found
    assert ("leaders_walk", "problems_found") not in found  # a headline, not critical
    critical = {m.id for m in view.catalog.dataset.metrics if m.critical}
    assert {metric for _, metric in found} == critical


@pytest.mark.parametrize("lang, says", [
    ("zh", ["领导简报", "问题解决率", "76.4%", "按2023-11-15的报告计算", "逾期报告：8个部门共19份",
            "各计划一览", "附录"]),
    ("en", ["Leader&#39;s brief", "Solution rate", "76.4%", "Computed for 2023-11-15",
            "Reports overdue: 19 from 8 departments", "Programs at a glance", "Appendix"]),
])
def test_the_brief_leads_with_attention_and_gives_every_value_its_period(data_dir, lang, says):
    view = View(Catalog.load(data_dir), Filters(lang=lang))
    document = brief_html(view, today=TODAY)
    for said in says:
        assert said in document
    for item in Attention.of(view, TODAY).indicators:
        assert f'<span class="nowrap">{item.card.period}</span>' in document
    assert document.index(says[3]) < document.index(says[5])  # attention before programs


def test_the_brief_escapes_data_and_says_what_it_leaves_out(tmp_data):
    from conftest import change_yaml

    def tag(content):
        content["program"]["name"] = {"zh": "<b>走流程</b>", "en": "<script>x</script>"}

    change_yaml(tmp_data / WALK, tag)
    for lang, raw in (("zh", "<b>走流程</b>"), ("en", "<script>x</script>")):
        document = brief_html(View(Catalog.load(tmp_data), Filters(lang=lang)), LIMITS[-1],
                              today=TODAY)
        assert raw not in document and raw.replace("<", "&lt;").replace(">", "&gt;") in document
    assert "另有" in brief_html(View(Catalog.load(tmp_data), Filters()), LIMITS[-1],
                              today=TODAY)  # the tightest limits cut lists, and say so


def test_targets_and_commentaries_are_records_the_loader_checks(tmp_data):
    (tmp_data / "targets.yaml").write_text(yaml.safe_dump({"sources": [PLAN_SOURCE],
        "targets": [{"program": "leaders_walk", "metric": "solution_rate", "value": 80,
                     "unit": "ha", **PLAN},
                    {"program": "leaders_walk", "metric": "experiences", "value": 5000,
                     "period": "2025", "source": "no_such_plan"}],
        "commentaries": [{"program": "leaders_walk", "metric": "experiences",
                          "period": "2021/2023-11-15", "department": "zz_drc", "zh": "说明"},
                         {"program": "leaders_walk", "metric": "experiences",
                          "period": "2021/2023-11-15", "department": "zz_admin_approval"}]},
        allow_unicode=True), encoding="utf-8")
    said = sorted((p.field, p.code) for p in load(tmp_data).problems)
    assert said == [("(record)", "commentary_empty"), ("department", "commentary_owner"),
                    ("source", "unknown"), ("unit", "target_unit")]


def test_a_commentary_is_written_by_the_owning_department_through_the_store(tmp_path, data_dir):
    with prepared(f"sqlite:///{tmp_path / 'c.sqlite3'}", data_dir) as engine:
        catalog = Catalog.read(engine)
        departments = catalog.frames.departments
        said = Commentary(program="winter_relief", metric="persons_taken_in",
                          period="2023-11-11", department="zz_relief_station",
                          zh="寒潮来临前加密巡查。")
        record = [("commentaries", said, Origin("test", None, "commentary"))]
        other = add_editor(engine, ("zz_cdc",))
        with pytest.raises(store.Refused) as refused:
            store.write(engine, record, who="editor:wang", why="test",
                        guard=intake.department_guard(other, departments))
        # zz_cdc neither takes part in the program nor is the department the commentary names.
        assert {"department_not_yours", "program_not_yours"} == {
            p.code for p in refused.value.problems}
        from civic import accounts
        owner = accounts.add(engine, "li", "a long enough secret", "editor",
                             ["zz_civil_affairs"], who="cli:test")  # the station's bureau
        written = store.write(engine, record, who="editor:li", why="November's report",
                              guard=intake.department_guard(owner, departments))
        assert ["insert"] == [c.action for c in written.changes]
        from civic import reads
        trail = reads.history(engine, table="commentaries")
        assert [("editor:li", "winter_relief/persons_taken_in/2023-11-11")] == list(
            trail[["who", "key"]].itertuples(index=False, name=None))
        with pytest.raises(store.Refused):  # another department may not sign for the owner
            store.write(engine, [("commentaries", said.model_copy(update={"department":
                                                                          "zz_civil_affairs"}),
                                  Origin("test", None, "commentary"))],
                        who="editor:li", why="test",
                        guard=intake.department_guard(owner, departments))


def test_targets_are_for_admins_alone(tmp_path, data_dir):
    from civic import accounts, reads, targets

    with prepared(f"sqlite:///{tmp_path / 'c.sqlite3'}", data_dir) as engine:
        departments = Catalog.read(engine).frames.departments
        goal = targets.make("leaders_walk", "solution_rate", "2024", "80%", True,
                            "zzrb_20231115_walk")
        assert (goal.value, goal.unit) == (80, "percent")
        editor = add_editor(engine, ("zz_admin_approval",))
        with pytest.raises(store.Refused) as refused:
            targets.save(engine, goal, editor, departments, why="test")
        assert {"target_only_admins"} == {p.code for p in refused.value.problems}
        admin = accounts.add(engine, "zhao", "a long enough secret", "admin", who="cli:test")
        written = targets.save(engine, goal, admin, departments, why="the 2024 work plan")
        assert written.batch and reads.history(engine, table="targets")["why"].tolist() == [
            "the 2024 work plan"]
        bare = targets.make("leaders_walk", "solution_rate", "2025", "85", True,
                            "zzrb_20231115_walk")
        assert bare.unit is None  # a bare number is in the figures' unit
        with pytest.raises(Exception, match="range|区间"):
            targets.make("leaders_walk", "solution_rate", "2025", "80%至90%", True, "x")
        targets.remove(engine, "leaders_walk/solution_rate/2024", admin, departments, why="x")
        assert [] == Catalog.read(engine).dataset.targets


def test_a_department_home_holds_what_its_departments_own(data_dir):
    attention = Attention.of(View(Catalog.load(data_dir), Filters()), TODAY)
    home = Home.of(attention, ["zz_civil_affairs"])
    assert "zz_relief_station" in home.departments  # a bureau's home includes its units
    assert [("winter_relief", "persons_taken_in")] == [(i.program, i.metric)
                                                      for i in home.indicators]
    assert ["persons_taken_in"] == list(home.due["metric"])
    walk = Home.of(attention, ["zz_admin_approval"])
    assert {"experiences", "solution_rate", "problems_found"} <= {i.metric for i in walk.indicators}


def test_the_history_chart_draws_each_target_over_its_period(planned):
    from civic import panels

    view = View(Catalog.load(planned), Filters())
    panel = panels.history(view, "leaders_walk", "solution_rate", least=1)
    (goal,) = [trace for trace in panel.figure.data if trace.name == "目标"]
    assert list(goal.y) == [80, 80] and goal.line.dash == "dash"
    assert [str(x)[:10] for x in goal.x] == ["2024-01-01", "2024-12-31"]
    assert panel.unit == "%"  # the caption's unit, not the metric's name
