"""Every problem is a code with its values, said in the reader's language from the catalogue
(civic/locales/problems.*.yaml): every code of the catalogue renders in both languages, every
code the source raises is in it, and an uploaded row's problems never reach the page in another
language. Rows here are made up for the tests."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pydantic import ValidationError

from civic import database, intake, reads, uploads
from civic import problems as problems_module
from civic.accounts import Account
from civic.extraction import ReportError, read_report_bytes
from civic.frames import Frames
from civic.i18n import catalogue
from civic.loading import Problem, load
from civic.problems import render

HEADER = "program,metric,reported,period,department,group_zh,group_en,locator,note"
# Reported values the parser refuses, each for another reason.
BAD_REPORTED = ["700镑", "约700至600个", "-700个", "700-600个", "700 0个", "七百零零零个", "百分之x",
                "700多余个", "约700多个", "至700个", "700至个", "700个至800人", "700至800个至900个",
                "700个/800个", "700.个", "个", "7" * 400 + "个"]
# Other fields wrong: an id too long, a group in one language only, a period upside down.
BAD_OTHER = ["leaders_walk,problems_found,700个,2030-01,zz_admin_approval,甲,,测试,",
             f"{'a' * 60},problems_found,700个,2030-02,zz_admin_approval,,,测试,",
             "leaders_walk,problems_found,700个,2030-03-09/2030-02,zz_admin_approval,,,测试,"]
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
FIELDS = {"reported", "period", "locator", "metric", "department", "program", "batch", "id",
          "derived", "history", "upload", "loc", "reason", "review"}
"""Files, fields and keys that stand where a code may (`Problem("upload", record, "period",
code)`)."""


@pytest.fixture(scope="module")
def problems(store_url: str) -> list[intake.RowProblem]:
    rows = [f"leaders_walk,problems_found,{value},20{10 + i // 12}-{1 + i % 12:02d},"
            "zz_admin_approval,,,测试,"
            for i, value in enumerate(BAD_REPORTED)] + BAD_OTHER
    sheet = uploads.read("up.csv", "\n".join([HEADER, *rows]).encode(), intake.FIGURE_COLUMNS)
    engine = database.connect(store_url)
    try:
        departments = Frames(reads.dataset(engine, with_figures=False)).departments
        return intake.check(engine, sheet, "zzrb_20231115_walk", Account("wang", "admin"),
                            departments).problems
    finally:
        engine.dispose()


def test_every_row_has_its_problem(problems):
    assert len(BAD_REPORTED) + len(BAD_OTHER) == len({p.row for p in problems})


def test_every_problem_is_said_from_the_catalogue(problems):
    for problem in problems:
        assert f"problem.{problem.code}" in catalogue("en"), problem.code


def test_chinese_messages_hold_no_english_words(problems):
    for problem in problems:
        said = problem.message("zh")
        # The value as written stays; the words around it are Chinese.
        words = LATIN_WORD.findall(re.sub(r"'[^']*'", "", said))
        assert not words, said
        assert said in problem.text("zh")


def _codes() -> list[str]:
    return sorted(key.removeprefix("problem.") for key in catalogue("en")
                  if key.startswith("problem."))


@pytest.mark.parametrize("code", _codes())
def test_every_code_renders_in_both_languages(code):
    """Each language names the same values, and Chinese holds no English words of its own."""
    names = {lang: set(re.findall(r"{(\w+)}", catalogue(lang)[f"problem.{code}"]))
             for lang in ("zh", "en")}
    assert names["zh"] == names["en"], code
    values = dict.fromkeys(names["en"], "'值'")
    for lang in ("zh", "en"):
        said = render(code, values, lang)
        assert said and "{" not in said and "problem." not in said, (code, lang, said)
    chinese = render(code, values, "zh")
    # Codes, ids and formats that are the same in both languages may stay: YAML, UTF-8, per_area
    allowed = {"YAML", "UTF", "START", "END", "http", "https", "done", "planned", "expected",
               "per", "area", "unit", "defaults", "program", "name", "true", "false", "yaml"}
    assert not set(LATIN_WORD.findall(chinese)) - allowed, chinese


_RAISED = re.compile(r"""(?:Coded|QuantityError|_error\([^,]+,|Problem\([^)]*?|Found\([^)]*?|"""
                     r"""RowProblem\([^)]*?)\s*["']([a-z_]+)["']""")


def test_every_code_the_source_raises_is_in_the_catalogue(repo_dir):
    codes = set(_codes())
    raised = {code for path in (repo_dir / "civic").glob("*.py")
              for code in _RAISED.findall(path.read_text(encoding="utf-8"))}
    raised |= {code for code, _ in problems_module._PYDANTIC.values()}
    assert len(raised) > 50
    assert not raised - codes - FIELDS, sorted(raised - codes - FIELDS)


@pytest.mark.parametrize("lang, expected", [
    ("zh", "upload：zz_x/leaders_walk / department：您无权录入该部门的数据：zz_x"),
    ("en", "upload: zz_x/leaders_walk / department: not a department you write for: zz_x")])
def test_a_refused_saves_problems_are_said_where_they_are(lang, expected):
    """A save the store refuses (here by the department guard) names where, in the reader's
    language."""
    problem = Problem("upload", "zz_x/leaders_walk", "department", "department_not_yours",
                      {"account": "li", "value": "zz_x"})
    assert problem.located(lang) == expected


@pytest.mark.parametrize("lang, expected", [
    ("zh", "来源有误（链接（可选））：链接应以 http:// 或 https:// 开头，且不含空格"),
    ("en", "The source is not valid (Link (optional)): a link starts with http:// or https:// "
           "and has no spaces")])
def test_a_new_sources_problems_are_said_with_the_forms_labels(lang, expected):
    with pytest.raises(ValidationError) as error:
        intake.new_source("季度通报", dt.date(2024, 2, 1), "测试局", "example.org/q3")
    assert intake.source_problems(error.value, lang) == [expected]


@pytest.mark.parametrize("lang, start", [("zh", "简报.pdf 无法作为 .pdf 文件读取，读取程序报告："),
                                         ("en", "简报.pdf cannot be read as a .pdf file; the "
                                                "reader says: ")])
def test_an_unreadable_report_is_introduced_in_the_readers_language(lang, start):
    with pytest.raises(ReportError) as error:
        read_report_bytes("简报.pdf", b"not a pdf")
    said = error.value.message(lang)
    assert said.startswith(start) and len(said) > len(start)
    assert ReportError("简报.rtf", ".rtf").message(lang).startswith("简报.rtf")


@pytest.mark.parametrize("lang, names, expected", [
    ("zh", {"problems_found": "查找问题"}, "单位“%”与指标“查找问题”不符"),
    ("en", {"problems_found": "Problems found"},
     "the unit “%” does not fit the metric “Problems found”"),
    ("zh", None, "单位“%”与指标“problems_found”不符")])  # no names at hand: the id
def test_a_unit_that_does_not_fit_is_said_by_the_names(lang, names, expected):
    problem = Problem("upload", "row 2", "reported", "unit",
                      {"unit": "percent", "metric": "problems_found"})
    assert problem.say(lang, names) == expected


def test_a_data_folders_problems_are_said_where_they_are(tmp_path):
    """The loader's problems keep file, record and field; what is wrong is said in the reader's
    language, the YAML parser's reason kept after its line and column."""
    (tmp_path / "a.yaml").write_text("figures:\n  - {metric: x, program: y, reported: 7个,\n"
                                     "     period: 2024, department: z, source: s, extra: 1}\n"
                                     "  - 7\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("foo: []\nmetrics: {}\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("figures: [\n", encoding="utf-8")
    problems = load(tmp_path).problems
    known = "advisories, cases, commentaries, departments, districts, events, figures, metrics, " \
            "programs, projects, relief_actions, relief_measures, sources, targets"
    assert [p.located("zh") for p in problems] == [
        "a.yaml：figures x[0] / extra：没有这个字段（请检查拼写）",
        "a.yaml：figures[1]：应为“字段: 值”的映射",
        f"b.yaml：foo：未知的记录列表；可用的：{known}",
        "b.yaml：metrics：应为记录列表",
        "c.yaml：不是有效的 YAML：第2行第1列有误，读取程序报告：did not find expected node content"]
    assert [p.located("en") for p in problems] == [
        "a.yaml: figures x[0] / extra: no such field (check its spelling)",
        "a.yaml: figures[1]: expected a mapping of fields (field: value)",
        f"b.yaml: foo: unknown record list; known: {known}",
        "b.yaml: metrics: expected a list of records",
        "c.yaml: not valid YAML: line 2, column 1 is wrong; the reader says: did not find "
        "expected node content"]
