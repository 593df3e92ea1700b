"""The attention pages in the dashboard (AppTest), in both languages: the overview's first
section (status words, the solve rate, no counts about the data), the data page's counts, the
indicator page (a link's `?indicator=`, definitions, reports and commentaries, written by the
owning department through the store), the targets page (admins; audited) and the department
home."""

from __future__ import annotations

import pytest
from test_app import open_app, plain
from test_data_entry_app import signed_in_app

from civic import database, reads
from civic.accounts import Account

ADMIN = Account("zhao", "admin", ())
RELIEF = Account("li", "editor", ("zz_civil_affairs",))  # the relief station's bureau
CDC = Account("chen", "editor", ("zz_cdc",))

WORDS = {"zh": ("未设目标", "仅一次报告", "好转"), "en": ("No target", "One report", "Improving")}


def count_labels(lang: str) -> list[str]:
    from civic.i18n import t
    return [t("count.figures", lang), t("count.sources", lang)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_overview_leads_with_attention(lang, new_store):
    at = open_app(lang=lang)
    assert [] == [e.value for e in at.exception]
    first = [m.value for m in at.markdown[:20]]
    assert any(WORDS[lang][0] in m and WORDS[lang][1] in m for m in first)  # status by word
    assert any(WORDS[lang][2] in m for m in first)  # and the trend of the annual output
    headline = {"zh": "重点指标1/1项好转或持平", "en": "1 of 1 critical indicators improved"}
    assert any(headline[lang] in plain(m) for m in first)
    overdue = {"zh": "逾期报告：8个部门共19份", "en": "Reports overdue: 19 from 8 departments"}
    assert any(overdue[lang] in plain(m) for m in first)
    # The critical tiles come first: the solve rate among them, with the date it is for.
    critical = [m for m in at.metric[:7]]
    rate = next(m for m in critical if m.value == "76.4%")
    assert {"zh": "问题解决率", "en": "Solution rate"}[lang] in plain(rate.label)
    computed = {"zh": "按2023-11-15的报告计算", "en": "Computed for 2023-11-15"}[lang]
    assert any(computed in plain(c.value) for c in at.caption)
    labels = " ".join(plain(m.label) for m in at.metric)
    assert not any(word in labels for word in count_labels(lang))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_counts_about_the_data_are_on_the_data_page(lang, new_store):
    at = open_app("sources", lang=lang)
    labels = [plain(m.label) for m in at.metric]
    for word in count_labels(lang):
        assert any(label.startswith(word) for label in labels)
    assert {"zh": "10项", "en": "10"}[lang] == at.metric[0].value


@pytest.mark.parametrize("lang, title, says", [
    ("zh", "“一把手走流程” · 问题解决率",
     ["口径：计算值：解决问题 ÷ 查找问题 × 100", "期望方向：越高越好", "负责部门：株洲市行政审批服务局"]),
    ("en", "Department heads walk the process · Solution rate",
     ["How it is obtained: Calculated: Problems solved ÷ Problems found × 100",
      "Desired direction: higher is better", "Owner: Zhuzhou Administrative Approval"]),
])
def test_the_indicator_page_opens_on_the_indicator_a_link_names(lang, title, says, new_store):
    at = open_app("indicator", lang=lang, indicator="leaders_walk/solution_rate")
    assert [] == [e.value for e in at.exception]
    assert title == plain(at.subheader[0].value)
    shown = [plain(m.value) for m in at.markdown]
    for said in says:
        assert any(said in m for m in shown), said
    (reports,) = (t.value for t in at.table)
    assert reports.iloc[0].tolist()[:2] == ["2021–2023\\-11\\-15", "76\\.4%"]
    assert "indicator" in at.query_params
    # Anyone may read it; no one signed in writes a commentary.
    assert not at.text_area


def test_a_bad_indicator_in_a_link_falls_back_to_the_first(new_store):
    at = open_app("indicator", indicator="nothing/here")
    assert [] == [e.value for e in at.exception]
    assert at.selectbox(key="indicator_pick").value == "leaders_walk/experiences"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_owning_department_writes_a_commentary_audited(lang, new_store):
    at = signed_in_app("indicator", RELIEF, lang=lang)
    at.selectbox(key="indicator_pick").set_value("winter_relief/persons_taken_in").run()
    assert [] == [e.value for e in at.exception]
    at.text_area[0].input("寒潮前加密夜间巡查，接回人数随之增加。")
    at.text_area[1].input("Night patrols were stepped up before the cold wave.")
    save = {"zh": "保存说明", "en": "Save the commentary"}[lang]
    next(b for b in at.button if b.label == save).click().run()
    assert [] == [e.value for e in at.exception]
    assert at.success, [e.value for e in at.error]
    engine = database.connect(new_store)
    trail = reads.history(engine, table="commentaries")
    assert [("editor:li", "winter_relief/persons_taken_in/2023-11-11")] == list(
        trail[["who", "key"]].itertuples(index=False, name=None))
    (reports,) = (t.value for t in at.table)
    said = {"zh": "寒潮前加密夜间巡查", "en": "Night patrols were stepped up"}[lang]
    assert said in plain(reports.iloc[0].iloc[-1])


def test_another_department_may_not_write_the_commentary(new_store):
    at = signed_in_app("indicator", CDC, lang="en")
    at.selectbox(key="indicator_pick").set_value("winter_relief/persons_taken_in").run()
    assert not at.text_area
    assert any("written by the owning department" in plain(i.value) for i in at.info)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_admin_sets_a_target_through_the_store(lang, new_store):
    at = signed_in_app("targets", ADMIN, lang=lang)
    assert [] == [e.value for e in at.exception]
    at.selectbox(key="target_program").set_value("leaders_walk").run()
    at.selectbox(key="target_metric_leaders_walk").set_value("solution_rate").run()
    at.text_input(key="target_period").input("2024").run()
    at.text_input(key="target_value").input("80%").run()
    at.selectbox(key="target_plan_id").set_value("zzrb_20231115_walk").run()
    at.text_input(key="target_why").input("the 2024 work plan").run()
    at.button(key="target_save").click().run()
    assert [] == [e.value for e in at.exception]
    assert at.success, [e.value for e in at.error]
    engine = database.connect(new_store)
    trail = reads.history(engine, table="targets")
    assert [("editor:zhao", "leaders_walk/solution_rate/2024", "the 2024 work plan")] == list(
        trail[["who", "key", "why"]].itertuples(index=False, name=None))
    assert trail["after"].iloc[0]["value"] == 80 and trail["after"].iloc[0]["unit"] == "percent"
    # The overview now says where the solve rate stands: 76.4% misses 80% by under a tenth.
    at.switch_page("app_pages/overview.py")
    at.run()
    risk = {"zh": "有风险", "en": "At risk"}[lang]
    assert any(risk in m.value for m in at.markdown[:20])
    # Its page charts the single report beside the target, and lists the target and its plan.
    at.session_state["indicator_pick"] = "leaders_walk/solution_rate"
    at.switch_page("app_pages/indicator.py")
    at.run()
    assert at.get("plotly_chart")
    (goals,) = (d.value for d in at.dataframe if "2024" in d.value.to_string())
    assert risk in goals.to_string() and "76.4%" in goals.to_string()


def test_an_editor_has_no_targets_page(new_store):
    at = signed_in_app("overview", RELIEF)
    at.switch_page("app_pages/targets.py")  # not listed for an editor; a bookmark says why
    at.run()
    assert not at.exception and "请以管理员账户登录" in at.error[0].value
    assert not [b for b in at.button if (b.key or "").startswith("target")]


@pytest.mark.parametrize("lang, owned, due", [
    ("zh", "2023年“寒冬送温暖”专项救助行动 · 接回受助人员", "逾期1份"),
    ("en", "2023 Winter Warmth relief campaign · Persons taken into the station", "overdue: 1"),
])
def test_a_department_home(lang, owned, due, new_store):
    at = signed_in_app("department_home", RELIEF, lang=lang)
    assert [] == [e.value for e in at.exception]
    assert [owned] == [plain(m.label) for m in at.metric]
    assert any(due in plain(e.label) for e in at.expander)
    awaiting = {"zh": "本部门待审核的提交：0 项", "en": "Pending review for these departments: 0"}
    assert any(awaiting[lang] in c.value for c in at.caption)


def test_an_admin_chooses_the_department_to_look_at(new_store):
    at = signed_in_app("department_home", ADMIN, lang="en")
    at.selectbox(key="home_department").set_value("zz_admin_approval").run()
    assert [] == [e.value for e in at.exception]
    assert "Department heads walk the process · Solution rate · Calculated" in [
        plain(m.label) for m in at.metric]
