"""Dates and periods as officials write them, read by one parser: in data files, uploads (CSV
and Excel's date cells), the one-figure form and the command line; the same period written two
ways is the same figure; a message quotes the whole input."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from civic import intake, uploads
from civic.dates import ascii_digits, parse_date, parse_period
from civic.models import Figure, Period
from civic.problems import Coded
from civic.rows import figure_key

D = dt.date


@pytest.mark.parametrize("written, start, end, text", [
    ("2024-01-31", D(2024, 1, 31), D(2024, 1, 31), "2024-01-31"),
    ("2024/1/31", D(2024, 1, 31), D(2024, 1, 31), "2024-01-31"),
    ("2024.1.31", D(2024, 1, 31), D(2024, 1, 31), "2024-01-31"),
    ("2024年1月31日", D(2024, 1, 31), D(2024, 1, 31), "2024-01-31"),
    ("2024年1月31号", D(2024, 1, 31), D(2024, 1, 31), "2024-01-31"),
    ("2024-1-5", D(2024, 1, 5), D(2024, 1, 5), "2024-01-05"),
    ("2024年1月", D(2024, 1, 1), D(2024, 1, 31), "2024-01"),
    ("2024/2", D(2024, 2, 1), D(2024, 2, 29), "2024-02"),
    ("2024年", D(2024, 1, 1), D(2024, 12, 31), "2024"),
    ("2024-01-31 00:00:00", D(2024, 1, 31), D(2024, 1, 31), "2024-01-31"),  # an Excel cell
    ("２０２４－０６", D(2024, 6, 1), D(2024, 6, 30), "2024-06"),  # full-width
    ("٢٠٢٤-٠٦", D(2024, 6, 1), D(2024, 6, 30), "2024-06"),  # Arabic-Indic digits
    (" 2024 / 1 / 31 ", D(2024, 1, 31), D(2024, 1, 31), "2024-01-31"),
    # periods: `/` between two whole dates, or 至, 到, –, —, ~, -
    ("2021/2024-06-30", D(2021, 1, 1), D(2024, 6, 30), "2021/2024-06-30"),
    ("2021至2024-06-30", D(2021, 1, 1), D(2024, 6, 30), "2021/2024-06-30"),
    ("2021年至2024年6月30日", D(2021, 1, 1), D(2024, 6, 30), "2021/2024-06-30"),
    ("2021到2024/6/30", D(2021, 1, 1), D(2024, 6, 30), "2021/2024-06-30"),
    ("2021–2024-06-30", D(2021, 1, 1), D(2024, 6, 30), "2021/2024-06-30"),
    ("2023-07/2023-11-15", D(2023, 7, 1), D(2023, 11, 15), "2023-07/2023-11-15"),
    ("2024/1/1/2024/1/31", D(2024, 1, 1), D(2024, 1, 31), "2024-01-01/2024-01-31"),
    ("2021-2023", D(2021, 1, 1), D(2023, 12, 31), "2021/2023"),
    ("2021-2023年", D(2021, 1, 1), D(2023, 12, 31), "2021/2023"),
])
def test_a_period_as_people_write_it(written, start, end, text):
    assert parse_period(written) == (start, end, text)
    assert Period.model_validate(written) == Period(start=start, end=end, text=text)


@pytest.mark.parametrize("written, code", [
    ("1/31", "period_format"), ("2024/1/31/5", "period_format"), ("31.1.2024", "period_format"),
    ("2023-02-30", "date_invalid"), ("2024年13月", "date_invalid"),
    ("2024/2021", "period_order"), ("yesterday", "period_format"), ("", "period_format"),
])
def test_what_is_not_a_period_is_said_quoting_the_whole_input(written, code):
    with pytest.raises(Coded) as caught:
        parse_period(written)
    assert caught.value.code == code
    assert f"'{written.strip()}'" in str(caught.value)  # never a part of it ('1/31' of 2024/1/31)


def test_a_day_is_one_day():
    assert parse_date("2024年1月31日") == parse_date("2024/1/31") == D(2024, 1, 31)
    assert parse_date(dt.datetime(2024, 1, 31, 0, 0)) == D(2024, 1, 31)
    with pytest.raises(Coded, match="'2024-01'"):
        parse_date("2024-01")


def test_digits_of_any_script_are_read_as_ascii():
    assert ascii_digits("２０２４年٦月") == "2024年6月"
    assert ascii_digits("2024") == "2024"


def test_the_same_period_written_two_ways_is_the_same_figure():
    """Keys are made of the one written form: a full-width period is not a second figure."""
    fields = {"program": "p", "metric": "m", "reported": "7个", "department": "d",
              "source": "s", "locator": "七个"}
    keys = {figure_key(Figure.model_validate({**fields, "period": written}))
            for written in ("2024-06", "２０２４-０６", "2024年6月", "2024/6", "٢٠٢٤-٠٦")}
    assert keys == {"p/m/2024-06/"}


def test_an_excel_date_cell_is_a_day():
    book = Workbook()
    book.active.append(list(intake.FIGURE_COLUMNS[:8]))
    book.active.append(["leaders_walk", "menu_items", "101项", dt.datetime(2023, 11, 14),
                        "zz_admin_approval", None, None, "高频事项101项"])
    buffer = io.BytesIO()
    book.save(buffer)
    sheet = uploads.read("a.xlsx", buffer.getvalue(), intake.FIGURE_COLUMNS)
    assert Period.model_validate(sheet.rows[0][1]["period"]).text == "2023-11-14"


def test_a_source_date_may_be_written_as_officials_write_it():
    from civic.models import Source
    source = Source(id="s", publication={"zh": "报", "en": "Paper"}, edition_date="2024年7月2日",
                    title="t", title_en="t")
    assert source.edition_date == D(2024, 7, 2)
