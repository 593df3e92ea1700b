"""The dashboard as Streamlit runs it (AppTest): pages, filters, links, languages, bad input."""

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from app_pages.components import GROUP_KEY
from civic import database, store
from civic.cache import DATA_DIR_ENV

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
PAGES = ["overview", "leaders_walk", "projects", "winter_relief", "flu", "community", "compare",
         "indicator",
         "sources"]


def open_app(page="overview", timeout=60, **params):
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    return at


def open_group(at, group):
    """Opens a department group in the sidebar, as an official's click does: AppTest cannot
    click an expander, so the value the click sends is set under the expander's key."""
    at.session_state[f"{GROUP_KEY}{group}"] = True
    return at.run()


def test_apptests_share_one_scan_for_components():
    """conftest.scan_components_once: a new AppTest's first run takes the worker's one scan of
    the installed packages. Were Streamlit to stop calling the scan this way, each AppTest would
    scan again (slower, not wrong), and this fails to say so."""
    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    before = scan.cache_info()
    open_app("sources")
    open_app("sources")
    after = scan.cache_info()
    calls = after.hits + after.misses - before.hits - before.misses
    assert (calls, after.misses) == (2, 1)


def test_apptests_wait_on_the_script_thread(monkeypatch):
    """conftest.wait_for_scripts_without_polling: each run waits on its script's thread. Were
    Streamlit to stop waiting through `require_widgets_deltas`, AppTest would poll again (slower,
    not wrong), and this fails to say so; a script that outlasts its timeout still fails as
    AppTest's own wait fails it."""
    from streamlit.testing.v1 import local_script_runner

    waits = []
    wait = local_script_runner.require_widgets_deltas
    assert wait.__qualname__.startswith("wait_for_scripts_without_polling")
    monkeypatch.setattr(local_script_runner, "require_widgets_deltas",
                        lambda runner, timeout: waits.append(timeout) or wait(runner, timeout))
    at = AppTest.from_string("import streamlit as st\nst.write('ran')", default_timeout=5)
    assert at.run().markdown[0].value == "ran" and waits == [5]
    slow = AppTest.from_string("import time\ntime.sleep(1)", default_timeout=0.2)
    with pytest.raises(RuntimeError, match=r"timed out after 0\.2\(s\)"):
        slow.run()


def plain(text):
    """Markdown-escaped text as the reader sees it."""
    return re.sub(r"\\(.)", r"\1", text)


def metric_values(at):
    return [m.value for m in at.metric]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_both_languages(page, lang):
    at = open_app(page, lang=lang)
    assert [] == [e.value for e in at.exception]
    assert at.title, "each page has a title"
    assert (lang == "zh") == any("\u4e00" <= ch <= "\u9fff" for ch in at.title[0].value)


@pytest.mark.parametrize("lang, expected", [
    ("zh", ["4023人次", "639个", "488个", "76.4%", "151个", "22家", "100项"]),
    ("en", ["4,023 person-times", "639", "488", "76.4%", "151", "22 organizations", "100"]),
])
def test_leaders_walk_shows_the_reported_figures_and_the_derived_rate(lang, expected):
    at = open_app("leaders_walk", lang=lang)
    assert expected == metric_values(at)[:7]
    derived = {"zh": "计算值", "en": "Calculated"}[lang]
    labels = {m.value: m.label for m in at.metric}
    assert derived in labels["76.4%"] and derived not in labels[expected[0]]
    assert "488/639" in plain(at.metric[3].proto.help)


@pytest.mark.parametrize("lang, aims", [("zh", "减材料 · 减时间 · 减程序 · 减跑动"),
                                        ("en", "Fewer documents · Less time")])
def test_leaders_walk_states_the_four_reductions(lang, aims):
    at = open_app("leaders_walk", lang=lang)
    assert any(aims in m.value for m in at.markdown)


def test_every_kpi_names_its_source():
    at = open_app("leaders_walk")
    assert all("株洲日报" in m.proto.help for m in at.metric[:7])


def programs_counted(at) -> str:
    """The data page's count of programs in the view (the counts about the data live there)."""
    at.switch_page("app_pages/sources.py")
    at.run()
    return at.metric[0].value


def test_choosing_a_department_changes_what_pages_show():
    at = open_app("sources")
    programs_everywhere = at.metric[0].value
    open_group(at, "city").checkbox(key="dept_zz_cdc").check().run()
    assert ("10项", "1项") == (programs_everywhere, at.metric[0].value)
    assert ["zz_cdc"] == at.query_params["dept"] if isinstance(at.query_params["dept"], list) \
        else ["zz_cdc"] == [at.query_params["dept"]]
    at.switch_page("app_pages/projects.py")
    at.run()
    assert [] == metric_values(at)
    assert at.info and at.button(key="clear_filters_empty")


def test_a_link_reopens_the_filtered_view_and_survives_page_changes():
    at = open_app(lang="en", dept="zz_drc", category="government_services")
    assert at.checkbox(key="dept_zz_drc").value and not at.checkbox(key="dept_zz_cdc").value
    assert "government_services" == at.selectbox(key="f_category").value
    assert "Overview" == at.title[0].value
    at.switch_page("app_pages/leaders_walk.py")
    at.run()
    assert {"lang": "en", "dept": "zz_drc", "category": "government_services"} == dict(
        at.query_params)
    assert "4,023 person-times" == at.metric[0].value


@pytest.mark.parametrize("params, fragment", [
    ({"dept": "no_such_dept"}, "no_such_dept"),
    ({"district": "atlantis"}, "atlantis"),
    ({"category": "space"}, "space"),
    ({"from": "2023-02-30"}, "2023-02-30"),
    ({"lang": "fr"}, "fr"),
])
def test_bad_link_values_give_a_notice_not_a_crash(params, fragment):
    at = open_app(**params)
    assert [] == [e.value for e in at.exception]
    assert any(fragment in plain(w.value) for w in at.warning)
    assert "10项" == programs_counted(at)


def test_an_empty_view_says_so_and_offers_to_clear_the_filters():
    at = open_app(**{"from": "2030-01-01"})
    assert at.info and not at.metric
    at.button(key="clear_filters_empty").click().run()
    assert not at.info
    assert "10项" == programs_counted(at)
    assert "from" not in at.query_params


def test_switching_language_in_the_sidebar():
    at = open_app("flu")
    assert "2–4周" == at.metric[0].value
    at.segmented_control(key="lang").set_value("en").run()
    assert ("2–4 weeks", "en") == (at.metric[0].value, at.query_params["lang"]
                                   if isinstance(at.query_params["lang"], str)
                                   else at.query_params["lang"][0])


@pytest.fixture
def broken_data(data_dir, tmp_path, monkeypatch, new_store):
    folder = tmp_path / "data"
    shutil.copytree(data_dir, folder)
    walk = folder / "programs" / "leaders_walk.yaml"
    content = yaml.safe_load(walk.read_text("utf-8"))
    content["figures"][0]["reported"] = "好多人次"
    content["figures"].append({"metric": "problems_found", "reported": "50%", "period": "2030-01",
                               "locator": "测试50%"})
    walk.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    (folder / "programs" / "flu_advisory.yaml").write_text("program: [unclosed", encoding="utf-8")
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    return folder


@pytest.mark.parametrize("page", ["overview", "sources"])
def test_broken_data_files_are_refused_whole_and_named(broken_data, new_store, page):
    at = open_app(page)
    assert [] == [e.value for e in at.exception]
    assert "数据文件未能载入" == at.title[0].value
    problems = "\n".join(t.value for t in at.text)
    assert "programs/leaders_walk.yaml" in problems and "reported" in problems
    assert "programs/flu_advisory.yaml" in problems
    assert not at.metric
    assert store.is_empty(database.connect(new_store))


@pytest.mark.parametrize("lang, said", [
    ("zh", [("programs/leaders_walk.yaml：figures experiences[0] / reported：",
             "'好多人次' 中没有数字"),
            ("programs/leaders_walk.yaml：figures problems_found[",
             "reported：单位“%”与指标“查找问题”不符"),
            ("programs/flu_advisory.yaml：不是有效的 YAML：第2行第", "列有误")]),
    ("en", [("programs/leaders_walk.yaml: figures experiences[0] / reported: ",
             "no number in '好多人次'"),
            ("programs/leaders_walk.yaml: figures problems_found[",
             "reported: the unit “%” does not fit the metric “Problems found”"),
            ("programs/flu_advisory.yaml: not valid YAML: line 2, column ", "is wrong")])])
def test_broken_data_files_are_said_in_the_readers_language(broken_data, new_store, lang, said):
    """Each problem keeps its file, record and field; what is wrong is said in the reader's
    language, a metric by its name."""
    at = open_app("overview", lang=lang)
    assert [] == [e.value for e in at.exception]
    problems = "\n".join(t.value for t in at.text).splitlines()
    for start, message in said:
        assert any(line.startswith(start) and message in line for line in problems), problems


def test_a_link_notice_shows_once_not_on_every_rerun():
    at = open_app(dept="no_such_dept")
    assert any("no_such_dept" in plain(w.value) for w in at.warning)
    at.run()
    assert not any("no_such_dept" in w.value for w in at.warning)


def test_community_events_list_examples_and_name_no_unreported_organizer():
    at = open_app("community", lang="en")
    texts = [plain(m.value) for m in at.markdown]
    assert any("Industries of those taking part: Rail transit, Aero engines, Automotive, etc."
               in t for t in texts)
    assert any("Stars around the moon, Creative Lego building, etc." in t for t in texts)
    (skills,) = [t for t in texts if "2nd stop" in t]
    assert "Organizer" not in skills
    shown = " ".join(plain(c.value) for c in at.caption)
    assert "罗跃龙 Luo Yuelong (" in shown and "(by –)" not in shown


def test_cases_are_set_in_full():
    at = open_app("leaders_walk", lang="en")
    (cases,) = [t for t in at.table if "Outcome" in t.value.columns]
    assert ["Subject", "Action", "Outcome"] == list(cases.value.columns[:3])


def query_values(at, key):
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def captions(at):
    return [c.value for c in at.caption]


def all_text(at):
    """Every piece of text the run put on screen, widget labels included."""
    parts = [e.value for kind in ("markdown", "caption", "warning", "info", "title", "subheader",
                                  "text") for e in getattr(at, kind)]
    parts += [w.label for kind in ("checkbox", "text_input", "date_input", "selectbox",
                                   "button", "metric") for w in getattr(at, kind)]
    parts += [str(w.placeholder) for w in at.text_input]
    return "\n".join(str(p) for p in parts)


def test_searching_a_department_finds_it_not_every_name_holding_the_letters():
    at = open_app()
    at.text_input(key="dept_search").input("民政").run()
    shown = {c.key for c in at.checkbox}
    assert "dept_zz_civil_affairs" in shown
    assert not {"dept_lusong_gov", "dept_lukou_gov", "dept_zz_cdc"} & shown
    # No widget whose built-in words are English ("Select 3 matches") stands in for it.
    assert not at.multiselect
    assert "Select" not in all_text(at) and "match" not in all_text(at)
    at.checkbox(key="dept_zz_civil_affairs").check().run()
    assert ["zz_civil_affairs"] == query_values(at, "dept")
    assert "1项" == programs_counted(at)


def test_a_search_that_finds_nothing_says_so():
    at = open_app(lang="en")
    at.text_input(key="dept_search").input("Ministry of Magic").run()
    assert not at.checkbox
    assert any("Ministry of Magic" in c for c in captions(at))


def test_departments_are_grouped_and_a_parent_brings_its_units():
    at = open_app()
    groups = [e.label for e in at.expander]
    assert any(g.startswith("市直部门和单位") for g in groups)
    assert any(g.startswith("区县") for g in groups) and any(g.startswith("企业") for g in groups)
    unit = open_group(at, "city").checkbox(key="dept_zz_relief_station")
    assert unit.label.startswith("└ ") and not unit.value
    at.checkbox(key="dept_zz_civil_affairs").check().run()
    unit = at.checkbox(key="dept_zz_relief_station")
    assert unit.value and unit.disabled
    assert "株洲市民政局（含下属单位）" in captions(at)[0]
    # The link names the parent only; reopening it brings the units again.
    assert ["zz_civil_affairs"] == query_values(at, "dept")
    again = open_app(dept="xiangshiling_street")
    assert again.checkbox(key="dept_yanggulao_community").value
    assert "1项" == programs_counted(again)  # the help program its community leads


def test_a_closed_group_draws_no_department_and_one_opened_stays_open():
    """The sidebar runs on every step: a closed group's checkboxes are not drawn at all. A
    group opens for a department chosen in it, for a search hit, or by the official's click,
    and stays open when its last department is unticked (its title changes then)."""
    at = open_app()
    assert not at.checkbox and {False} == {at.session_state[f"{GROUP_KEY}{group}"]
                                           for group in ("city", "district", "enterprise")}
    open_group(at, "district")
    assert at.checkbox(key="dept_lusong_gov") and not at.checkbox(key="dept_lusong_gov").value
    assert not [c for c in at.checkbox if c.key == "dept_zz_cdc"]  # the city's stay closed
    at.checkbox(key="dept_lusong_gov").check().run()
    assert any("已选1个" in e.label for e in at.expander)
    at.checkbox(key="dept_lusong_gov").uncheck().run()
    assert not any("已选" in e.label for e in at.expander)
    assert not at.checkbox(key="dept_lusong_gov").value  # still drawn: the group stayed open
    linked = open_app(dept="zz_cdc")
    assert linked.checkbox(key="dept_zz_cdc").value
    assert not [c for c in linked.checkbox if c.key == "dept_lusong_gov"]


def test_a_search_opens_the_groups_it_finds_in_once():
    """A new search opens the groups holding its hits; one the official then closes stays
    closed while the search stands, and the next search opens it again."""
    at = open_app()
    at.text_input(key="dept_search").input("芦淞").run()
    assert at.checkbox(key="dept_lusong_gov") and at.session_state[f"{GROUP_KEY}district"]
    at.session_state[f"{GROUP_KEY}district"] = False  # the official closes it
    at.run()
    assert not [c for c in at.checkbox if c.key == "dept_lusong_gov"]
    at.run()  # any other step: it stays closed
    assert not [c for c in at.checkbox if c.key == "dept_lusong_gov"]
    at.text_input(key="dept_search").input("芦淞区").run()
    assert at.checkbox(key="dept_lusong_gov")


def test_a_link_with_departments_round_trips_through_the_checkboxes():
    at = open_app(lang="en", dept=["zz_drc", "zz_cdc"], district="lusong")
    assert at.checkbox(key="dept_zz_drc").value and at.checkbox(key="dept_zz_cdc").value
    at.checkbox(key="dept_zz_cdc").uncheck().run()
    assert {"lang": "en", "dept": "zz_drc", "district": "lusong"} == dict(at.query_params)


def test_a_district_filter_keeps_the_city_wide_flu_advisory():
    at = open_app("flu", district="lusong")
    assert "2–4周" == at.metric[0].value
    assert "全市性项目" in at.selectbox(key="f_district").help
    assert any("芦淞区（含全市性项目）" in c for c in captions(at))


@pytest.mark.parametrize("lang, label", [("zh", "统计期："), ("en", "Period: ")])
@pytest.mark.parametrize("page", ["overview", "leaders_walk", "projects", "winter_relief", "flu",
                                  "community"])
def test_every_kpi_shows_the_period_it_covers(page, lang, label):
    at = open_app(page, lang=lang)
    periods = [c for c in captions(at) if c.startswith(label)]
    assert at.metric and len(periods) == len(at.metric)
    if page == "leaders_walk":
        assert f"{label}2021–2023-11-15" in periods


def test_a_running_total_is_not_shown_as_the_chosen_years_value():
    at = open_app("community", **{"from": "2019-01-01", "to": "2019-12-31"})
    assert "571期" in metric_values(at)
    assert "统计期：2018-05–2023-11-15（⚠ 超出所选日期）" in captions(at)
    assert any(c.startswith("日期筛选保留统计期与所选日期有交集的数据") for c in captions(at))


@pytest.mark.parametrize("lang, params, label, value", [
    ("zh", {}, "总投资（2个项目合计）", "20亿元"),
    ("zh", {"from": "2023-11-14", "to": "2023-11-15"}, "总投资（2个项目中的1个）", "10亿元"),
    ("en", {"from": "2023-11-14", "to": "2023-11-15"}, "Total investment (1 of 2 projects)",
     "CNY 1 billion"),
])
def test_a_total_says_how_many_parts_it_sums(lang, params, label, value):
    at = open_app("sources", lang=lang, **params)
    cards = {plain(m.label): m.value for m in at.metric}
    assert value == next(v for k, v in cards.items() if k.startswith(label))


def test_a_reversed_date_range_explains_itself_in_the_main_area_and_can_be_swapped():
    at = open_app()
    at.date_input(key="f_from").set_value(dt.date(2023, 11, 30)).run()
    at.date_input(key="f_to").set_value(dt.date(2023, 11, 1)).run()
    assert any("2023-11-01" in w.value and "2023-11-30" in w.value for w in at.main.warning)
    assert at.info  # the pages are empty, and say so
    at.button(key="swap_dates").click().run()
    assert (dt.date(2023, 11, 1), dt.date(2023, 11, 30)) == (
        at.date_input(key="f_from").value, at.date_input(key="f_to").value)
    assert not at.main.warning and at.metric


def test_the_date_pickers_open_on_the_data_not_today():
    at = open_app()
    picker = at.date_input(key="f_from")
    assert (dt.date(2017, 1, 1), dt.date(2024, 2, 29)) == (picker.min, picker.max)
    far = open_app(**{"from": "2030-01-01"})  # a link may still ask for any date
    assert dt.date(2030, 1, 1) == far.date_input(key="f_from").value


def test_an_empty_data_folder_says_so(tmp_path, monkeypatch, new_store):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "empty"))
    (tmp_path / "empty").mkdir()
    at = open_app()
    assert [] == [e.value for e in at.exception]
    assert any("文件夹中没有数据文件" in t.value for t in at.text)
    assert any("no data files" in t.value for t in open_app(lang="en").text)


def test_under_a_district_filter_a_card_names_a_city_wide_figure():
    at = open_app("overview", lang="en", district="lusong")
    assert [] == [e.value for e in at.exception]
    labels = [plain(m.label) for m in at.metric]
    assert "Service experiences · City-wide" in labels  # the review is the city's
    assert "Total investment" in labels  # Longquan is Lusong's own
    zh = open_app("overview", district="lusong")
    assert "全流程体验 · 全市" in [plain(m.label) for m in zh.metric]


REAP_IN_A_RUN = """
import streamlit as st

from app_pages import sessions

st.text(f"shut down {sessions.reap()}")
"""


def test_the_closed_sessions_janitor_does_nothing_in_apptest_and_does_not_wait():
    """In a process running AppTest (the tests, the benchmark's page rows), the janitor's
    thread may find AppTest's stand-in runtime, which has no event loop: it leaves at once
    instead of waiting a minute for a callback that never runs."""
    at = AppTest.from_string(REAP_IN_A_RUN, default_timeout=10)
    at.run()
    assert not at.exception
    assert [text.value for text in at.text] == ["shut down 0"]
