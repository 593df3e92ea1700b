"""The History page reads the audit trail a page at a time from SQL (AppTest), on a trail much
longer than a page: no statement reads the audit whole, pages and filters show what they say,
and the page's CSV download holds every change the filters keep."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import Engine, event
from test_data_entry_app import signed_in_app

from civic import database, history
from civic.accounts import Account

ADMIN = Account("wang", "admin")
ROWS = 1_234  # generated audit rows: 124 batches of up to ten


@pytest.fixture
def long_trail(new_store: str) -> str:
    import datetime as dt
    import uuid

    from sqlalchemy import insert

    from civic.schema import audit

    signed_in_app("overview", ADMIN)  # the store made, filled and given its admin
    engine = database.connect(new_store)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    with engine.begin() as connection:
        connection.execute(insert(audit), [
            {"at": start + dt.timedelta(minutes=n), "who": f"editor:gen{n % 3}",
             "table_name": "figures", "key": f"generated/{n}", "action": "insert",
             "before": None, "after": {"department": "zz_cdc" if n % 2 else "zz_drc"},
             "why": "generated audit rows", "batch": str(uuid.UUID(int=n // 10))}
            for n in range(ROWS)])
    engine.dispose()
    return new_store


def audit_reads(statements: list[str]) -> list[str]:
    return [s for s in statements if "FROM audit" in s and s.lstrip().startswith("SELECT")]


def test_the_history_page_reads_the_audit_a_page_at_a_time(long_trail):
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        at = signed_in_app("history", ADMIN, lang="en")
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert not at.exception
    reads = audit_reads(statements)
    assert reads
    # Each read is a page (LIMIT), an aggregate, or the rows of the page's batches alone.
    whole = [s for s in reads if "LIMIT" not in s and "count(" not in s and "DISTINCT" not in s
             and "audit.batch IN (" not in s]
    assert whole == []
    batches, changes = (frame.value for frame in at.dataframe)
    assert len(batches) == len(changes) == history.PAGE
    total = history.count_batches(database.connect(long_trail))
    pages = -(-total // history.PAGE)
    assert f"Page 1 of {pages} · {total} in all" in [c.value for c in at.caption]
    assert set(changes["Record"].head(3)) == {f"generated/{n}" for n in (ROWS - 1, ROWS - 2,
                                                                           ROWS - 3)}


def test_pages_and_filters_show_what_they_say(long_trail):
    at = signed_in_app("history", ADMIN, lang="en")
    at.number_input(key="batch_page").set_value(2).run()
    batches = at.dataframe[0].value
    first = history.batches(database.connect(long_trail), page=1)
    assert list(batches["Batch"]) == list(first["batch"])
    at.selectbox(key="history_editor").set_value("editor:gen1").run()
    at.selectbox(key="history_department").set_value("zz_cdc").run()
    changes = at.dataframe[1].value
    assert set(changes["Who"]) == {"editor:gen1"}
    trail = history.Trail(editor="editor:gen1", department="zz_cdc")
    count = history.count_changes(database.connect(long_trail), trail)
    assert count == len([n for n in range(ROWS) if n % 3 == 1 and n % 2])
    assert any(f"· {count} in all" in c.value for c in at.caption)
    assert at.get("download_button")


def test_the_csv_download_holds_every_change_the_filters_keep(long_trail):
    engine = database.connect(long_trail)
    trail = history.Trail(department="zz_drc")
    text = history.csv_bytes(engine, trail).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == history.count_changes(engine, trail) >= ROWS // 2  # and the seed's
    assert {"at", "who", "table", "key", "action", "why", "batch", "before",
            "after"} == set(rows[0])


def test_the_trail_is_paged_filtered_and_written_the_same_on_each_engine(filled_store):
    """The page's queries on SQLite and PostgreSQL: the department read from the record's JSON
    (after the change, else before it), batches by their newest change, the CSV in chunks."""
    import datetime as dt
    import uuid

    from sqlalchemy import insert

    from civic.schema import audit

    start = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    with filled_store.begin() as connection:
        connection.execute(insert(audit), [
            {"at": start + dt.timedelta(minutes=n), "who": f"editor:gen{n % 3}",
             "table_name": "figures", "key": f"generated/{n}", "action": "delete",
             "before": {"department": "zz_cdc" if n % 2 else "zz_drc"}, "after": None,
             "why": "generated audit rows", "batch": str(uuid.UUID(int=n // 10))}
            for n in range(250)])
    since = history.Trail(since=start.date())
    assert history.count_changes(filled_store, since) == 250
    assert history.count_batches(filled_store, since) == 25
    newest = history.batches(filled_store, since)
    assert list(newest["batch"].head(2)) == [str(uuid.UUID(int=24)), str(uuid.UUID(int=23))]
    assert list(newest["count"].head(2)) == [10, 10]
    second = history.changes(filled_store, since, page=1)
    assert list(second["key"].head(2)) == ["generated/149", "generated/148"]
    mine = history.Trail(editor="editor:gen1", department="zz_cdc", since=start.date())
    assert history.count_changes(filled_store, mine) == len([n for n in range(250)
                                                       if n % 3 == 1 and n % 2])
    assert {"editor:gen0", "editor:gen1", "editor:gen2"} <= set(history.editors(filled_store))
    text = history.csv_bytes(filled_store, history.Trail(department="zz_drc",
                                                   since=start.date())).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 125 and {row["before"] for row in rows} == {'{"department": "zz_drc"}'}


def test_a_page_read_again_is_kept_until_the_trail_grows(filled_store):
    """A rerun that changes nothing reads the trail's size alone; a row added afterwards, even
    one whose id is below the newest (as when ids commit out of order on PostgreSQL), is shown
    at once; and a page changing the frame it was given changes nothing kept."""
    import datetime as dt

    from sqlalchemy import func, insert, select

    from civic.schema import audit

    def add(connection, row_id: int, at: dt.datetime) -> None:
        connection.execute(insert(audit), [{
            "id": row_id, "at": at, "who": "editor:late", "table_name": "figures",
            "key": f"late/{row_id}", "action": "insert", "before": None, "after": None,
            "why": "a row of this test", "batch": f"late-{row_id}"}])

    trail = history.Trail()
    first = history.batches(filled_store, trail)
    count = history.count_changes(filled_store, trail)
    statements: list[str] = []

    def executed(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(filled_store, "before_cursor_execute", executed)
    try:
        again = history.batches(filled_store, trail)
        assert count == history.count_changes(filled_store, trail)
    finally:
        event.remove(filled_store, "before_cursor_execute", executed)
    assert 2 == len(audit_reads(statements))  # the trail's size, once a read
    assert all("count(" in s and "GROUP BY" not in s for s in audit_reads(statements))
    assert list(first["batch"]) == list(again["batch"])
    again.loc[0, "why"] = "changed by the page"
    assert first.loc[0, "why"] == history.batches(filled_store, trail).loc[0, "why"]

    with filled_store.begin() as connection:
        newest = connection.execute(select(func.max(audit.c.id))).scalar_one()
        add(connection, newest + 10, dt.datetime(2031, 1, 1, tzinfo=dt.UTC))
    assert count + 1 == history.count_changes(filled_store, trail)
    assert f"late-{newest + 10}" == history.batches(filled_store, trail).loc[0, "batch"]
    with filled_store.begin() as connection:  # committed after it, with a lower id and time
        add(connection, newest + 5, dt.datetime(2030, 6, 1, tzinfo=dt.UTC))
    assert count + 2 == history.count_changes(filled_store, trail)
    assert f"late-{newest + 5}" in set(history.batches(filled_store, trail)["batch"])
    assert "editor:late" in history.editors(filled_store)
