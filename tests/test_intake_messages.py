"""Every problem an uploaded row can have is said in the reader's language: the model's and the
quantity parser's English never reaches the page as it is. Rows here are made up for the tests."""

from __future__ import annotations

import re

import pytest

from civic import database, intake, reads, uploads
from civic.accounts import Account
from civic.loading import Frames

HEADER = "program,metric,reported,period,department,group_zh,group_en,locator,note"
# Reported values the parser refuses, each for another reason.
BAD_REPORTED = ["700斤", "约700至600个", "-700个", "700-600个", "700 0个", "七百零零零个", "百分之x",
                "700多余个", "约700多个", "至700个", "700至个", "700个至800人", "700至800个至900个",
                "700个/800个", "700.个", "个", "7" * 400 + "个"]
# Other fields wrong: an id too long, a group in one language only, a period upside down.
BAD_OTHER = ["leaders_walk,problems_found,700个,2030-01,zz_admin_approval,甲,,测试,",
             f"{'a' * 60},problems_found,700个,2030-02,zz_admin_approval,,,测试,",
             "leaders_walk,problems_found,700个,2030-03-09/2030-02,zz_admin_approval,,,测试,"]
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


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
        assert intake.say(problem.message, "en") != problem.message, problem.message


def test_chinese_messages_hold_no_english_words(problems):
    for problem in problems:
        said = intake.say(problem.message, "zh")
        # The value as written stays; the words around it are Chinese.
        words = LATIN_WORD.findall(re.sub(r"'[^']*'", "", said))
        assert not words, said
        assert said in problem.text("zh")
