"""The dashboard as Streamlit runs it (AppTest): pages, filters, links, languages, bad input."""

import re
import shutil
from pathlib import Path

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from civic.cache import DATA_DIR_ENV

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
PAGES = ["overview", "leaders_walk", "projects", "winter_relief", "flu", "community", "sources"]


def open_app(page="overview", timeout=60, **params):
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    return at


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
    derived = {"zh": "推算值", "en": "Derived"}[lang]
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


def test_choosing_a_department_changes_what_pages_show():
    at = open_app()
    programs_everywhere = at.metric[0].value
    at.multiselect(key="f_dept").set_value(["zz_cdc"]).run()
    assert ("10项", "1项") == (programs_everywhere, at.metric[0].value)
    assert ["zz_cdc"] == at.query_params["dept"] if isinstance(at.query_params["dept"], list) \
        else ["zz_cdc"] == [at.query_params["dept"]]
    at.switch_page("app_pages/projects.py")
    at.run()
    assert [] == metric_values(at)
    assert at.info and at.button(key="clear_filters_empty")


def test_a_link_reopens_the_filtered_view_and_survives_page_changes():
    at = open_app(lang="en", dept="zz_drc", category="government_services")
    assert ["zz_drc"] == at.multiselect(key="f_dept").value
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
    assert "10项" == at.metric[0].value


def test_an_empty_view_says_so_and_offers_to_clear_the_filters():
    at = open_app(**{"from": "2030-01-01"})
    assert at.info and not at.metric
    at.button(key="clear_filters_empty").click().run()
    assert not at.info
    assert "10项" == at.metric[0].value
    assert "from" not in at.query_params


def test_switching_language_in_the_sidebar():
    at = open_app("flu")
    assert "2–4周" == at.metric[0].value
    at.segmented_control(key="lang").set_value("en").run()
    assert ("2–4 weeks", "en") == (at.metric[0].value, at.query_params["lang"]
                                   if isinstance(at.query_params["lang"], str)
                                   else at.query_params["lang"][0])


@pytest.fixture
def broken_data(data_dir, tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(data_dir, folder)
    walk = folder / "programs" / "leaders_walk.yaml"
    content = yaml.safe_load(walk.read_text("utf-8"))
    content["figures"][0]["reported"] = "好多人次"
    walk.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    (folder / "programs" / "flu_advisory.yaml").write_text("program: [unclosed", encoding="utf-8")
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    return folder


@pytest.mark.parametrize("page", PAGES)
def test_broken_data_files_are_named_and_the_rest_still_shows(broken_data, page):
    at = open_app(page)
    assert [] == [e.value for e in at.exception]
    problems = "\n".join(t.value for t in at.text)
    assert "programs/leaders_walk.yaml" in problems and "reported" in problems
    assert "programs/flu_advisory.yaml" in problems
    if page == "leaders_walk":
        assert "639个" in metric_values(at) and "4023人次" not in metric_values(at)


def test_a_link_notice_shows_once_not_on_every_rerun():
    at = open_app(dept="no_such_dept")
    assert any("no_such_dept" in plain(w.value) for w in at.warning)
    at.run()
    assert not any("no_such_dept" in w.value for w in at.warning)


def test_an_empty_data_folder_says_so_on_every_page(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    for page in PAGES:
        at = open_app(page)
        assert [] == [e.value for e in at.exception]
        assert any("no data files" in t.value for t in at.text)
        assert at.info
