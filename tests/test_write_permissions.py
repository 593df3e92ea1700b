"""Who may change what, on SQLite and PostgreSQL: an editor changes (and undoes) a record of any
kind only where one of their departments owns it; figures only of programs their departments
lead or take part in; account and bulk batches are refused by undo, clearly, writing nothing."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest
from conftest import fresh_database, prepared, run_civic

from civic import accounts, intake, reads, store, uploads
from civic.accounts import Account
from civic.frames import Frames
from civic.loading import Origin
from civic.models import RECORD_KINDS, Commentary, Frozen, LocalText, Target

ADMIN = Account("root", "admin")
# 行政审批服务局: leads 一把手走流程 only; takes no part in the flu program.
OUTSIDER = Account("li", "editor", ("zz_admin_approval",))
HEADER = "program,metric,reported,period,department,group_zh,group_en,locator,note"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def filled_store(request, tmp_path_factory) -> Iterator[Any]:
    """A store holding data/ for the module, on each engine; every test leaves it as it was."""
    if request.param == "sqlite":
        with prepared(f"sqlite:///{tmp_path_factory.mktemp('perm') / 'c.sqlite3'}") as found:
            yield found
        return
    with fresh_database(request.getfixturevalue("postgres_url")) as url, prepared(url) as found:
        yield found


def departments(filled_store) -> Any:
    return Frames(reads.dataset(filled_store, with_figures=False)).departments


def revised(text: LocalText) -> LocalText:
    return LocalText(zh=text.zh + "（修订）", en=text.en + " (revised)")


def first(kind: str, where: Callable[[Any], bool]) -> Callable[[Any], Frozen]:
    return lambda dataset: next(r for r in getattr(dataset, kind) if where(r))


def flu(record: Any) -> bool:
    return getattr(record, "program", None) == "flu_advisory"


# Each kind: the stored record an admin revises, the revision, and the department that owns it
# (None: admins only). A target and a commentary are new: the store holds none.
KINDS: dict[str, tuple[Callable[[Any], Frozen | None], Callable[[Any], Frozen], str | None]] = {
    "sources": (first("sources", lambda r: r.id == "zzrb_20231115_flu"),
                lambda r: r.model_copy(update={"title": r.title + "（修订）"}), "zz_cdc"),
    "districts": (first("districts", lambda r: True),
                  lambda r: r.model_copy(update={"name": revised(r.name)}), None),
    "departments": (first("departments", lambda r: r.id == "zz_cdc"),
                    lambda r: r.model_copy(update={"name": revised(r.name)}), "zz_cdc"),
    "metrics": (first("metrics", lambda r: r.id == "protection_onset"),
                lambda r: r.model_copy(update={"label": revised(r.label)}), None),
    "programs": (first("programs", lambda r: r.id == "flu_advisory"),
                 lambda r: r.model_copy(update={"name": revised(r.name)}), "zz_cdc"),
    "figures": (first("figures", flu),
                lambda r: r.model_copy(update={"locator": "修订后的定位"}), "zz_cdc"),
    "projects": (first("projects", lambda r: r.program == "bowei_expansion"),
                 lambda r: r.model_copy(update={"name": revised(r.name)}), "bowei_new_energy"),
    "advisories": (first("advisories", flu),
                   lambda r: r.model_copy(update={"phase": revised(r.phase)}), "zz_cdc"),
    "relief_actions": (first("relief_actions", lambda r: True),
                       lambda r: r.model_copy(update={"open_list": not r.open_list}),
                       "zz_civil_affairs"),
    "relief_measures": (first("relief_measures", lambda r: True),
                        lambda r: r.model_copy(update={"measure": revised(r.measure)}),
                        "zz_civil_affairs"),
    "events": (first("events", lambda r: r.program == "community_games"),
               lambda r: r.model_copy(update={"title": revised(r.title)}),
               "hunan_sports_bureau"),
    "cases": (first("cases", lambda r: r.program == "community_help"),
              lambda r: r.model_copy(update={"subject": revised(r.subject)}),
              "yanggulao_community"),
    "targets": (lambda dataset: None,
                lambda _: Target(program="flu_advisory", metric="protection_onset", value=2,
                                 period="2024", source="zzrb_20231115_flu"), None),
    "commentaries": (lambda dataset: None,
                     lambda _: Commentary(program="flu_advisory", metric="protection_onset",
                                          period="2023-11-15", department="zz_cdc",
                                          zh="示例说明：接种后约两周产生保护。"), "zz_cdc"),
}


NOT_YOURS = {"department_not_yours", "program_not_yours", "program_not_led", "source_not_yours",
             "admins_only", "target_only_admins"}


def refusal_codes(refused: store.Refused) -> set[str]:
    """The codes of a refusal's problems, each of which says it in both languages."""
    for problem in refused.problems:
        assert problem.say("zh") != problem.say("en") and "problem." not in problem.say("zh")
    return {problem.code for problem in refused.problems}


def test_every_record_kind_has_a_case() -> None:
    assert set(KINDS) == set(RECORD_KINDS)


def stored_documents(filled_store) -> dict[str, list[dict[str, Any]]]:
    dataset = reads.dataset(filled_store)
    return {kind: [r.model_dump(mode="json") for r in getattr(dataset, kind)]
            for kind in RECORD_KINDS}


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_editor_changes_or_undoes_a_record_only_where_their_department_owns_it(filled_store, kind):
    pick, change, owner = KINDS[kind]
    dataset = reads.dataset(filled_store)
    record = change(pick(dataset))
    frame = departments(filled_store)
    before = stored_documents(filled_store)
    incoming = [(kind, record, Origin("test", None, kind))]
    # An editor of another department can neither make the change nor undo an admin's.
    with pytest.raises(store.Refused) as refused:
        store.write(filled_store, incoming, who="editor:li", why="test",
                    guard=intake.department_guard(OUTSIDER, frame))
    assert refusal_codes(refused.value) <= NOT_YOURS
    assert stored_documents(filled_store) == before
    written = store.write(filled_store, incoming, who="editor:root", why="admin's revision",
                          guard=intake.department_guard(ADMIN, frame))
    assert written.batch and len(written.changes) == 1
    revised_store = stored_documents(filled_store)
    with pytest.raises(store.Refused) as refused:
        store.undo(filled_store, written.batch, who="editor:li", why="undo",
                   guard=intake.department_guard(OUTSIDER, frame))
    assert refusal_codes(refused.value) <= NOT_YOURS
    assert stored_documents(filled_store) == revised_store
    # The owning department's editor may undo it; of a shared kind, only an admin.
    undoer = ADMIN if owner is None else Account("own", "editor", (owner,))
    store.undo(filled_store, written.batch, who="editor:own", why="undo",
               guard=intake.department_guard(undoer, frame))
    assert stored_documents(filled_store) == before


def test_an_editor_adds_figures_only_to_programs_their_department_takes_part_in(filled_store):
    """A figure under the editor's own department, on a program it takes no part in (the flu
    program's page), is refused in the preview and again inside the write."""
    line = "flu_advisory,protection_onset,3周,2023-10,zz_admin_approval,,,测试3周,"
    sheet = uploads.read("up.csv", f"{HEADER}\n{line}".encode(), intake.FIGURE_COLUMNS)
    frame = departments(filled_store)
    checked = intake.check(filled_store, sheet, "zzrb_20231115_flu", OUTSIDER, frame)
    assert not checked.rows and [r.number for r in checked.refused] == [2]
    assert [(p.row, p.code) for p in checked.refusals] == [(2, "program_not_yours")]
    assert "program flu_advisory" in intake.problems_text(checked, OUTSIDER)[0]
    figures_before = len(reads.figure_frame(filled_store))
    with pytest.raises(store.Refused) as refused:
        intake.save(filled_store, [r.figure for r in checked.refused], "zzrb_20231115_flu",
                    account=OUTSIDER, departments=frame, why="test")
    assert [(p.code, p.params["value"]) for p in refused.value.problems] == [
        ("program_not_yours", "flu_advisory")]
    assert "flu_advisory" in refused.value.problems[0].located("zh")
    assert len(reads.figure_frame(filled_store)) == figures_before
    # Their own program takes it.
    own = "leaders_walk,experiences,4000人次,2021/2023-10,zz_admin_approval,,,测试4000人次,"
    sheet = uploads.read("up.csv", f"{HEADER}\n{own}".encode(), intake.FIGURE_COLUMNS)
    checked = intake.check(filled_store, sheet, "zzrb_20231115_walk", OUTSIDER, frame)
    assert [r.number for r in checked.rows] == [2]
    saved = intake.save(filled_store, [r.figure for r in checked.rows], "zzrb_20231115_walk",
                        account=OUTSIDER, departments=frame, why="test")
    store.undo(filled_store, saved.batch, who="editor:li", why="undo",
               guard=intake.department_guard(OUTSIDER, frame))


def test_an_editor_undoes_their_own_upload_with_its_new_source(filled_store):
    line = "leaders_walk,experiences,3900人次,2021/2023-09,zz_admin_approval,,,测试3900人次,"
    sheet = uploads.read("up.csv", f"{HEADER}\n{line}".encode(), intake.FIGURE_COLUMNS)
    frame = departments(filled_store)
    source = intake.new_source("测试通报", reads.dataset(filled_store).sources[0].edition_date)
    checked = intake.check(filled_store, sheet, source, OUTSIDER, frame)
    saved = intake.save(filled_store, [r.figure for r in checked.rows], source, account=OUTSIDER,
                        departments=frame, why="test")
    assert source.id in {s.id for s in reads.dataset(filled_store).sources}
    undone = store.undo(filled_store, saved.batch, who="editor:li", why="undo",
                        guard=intake.department_guard(OUTSIDER, frame))
    assert undone.counts() == {"insert": 0, "update": 0, "delete": 2}
    assert source.id not in {s.id for s in reads.dataset(filled_store).sources}


def last_batch(filled_store, table: str) -> str:
    return reads.history(filled_store, table=table).iloc[-1]["batch"]


def civic_undo(capsys, filled_store, batch: str) -> tuple[int, str, str]:
    """`civic history undo` of `batch`: exit code, output, errors."""
    return run_civic(capsys, "history", "undo", batch, "--database",
                     filled_store.url.render_as_string(hide_password=False))


def test_undoing_an_account_batch_is_refused_clearly_and_writes_nothing(capsys, filled_store):
    accounts.add(filled_store, "zhao", "a long enough secret", "editor", ["zz_cdc"], who="cli:test")
    added = last_batch(filled_store, "accounts")
    accounts.authenticate(filled_store, "zhao", "a long enough secret")
    signed_in = last_batch(filled_store, "accounts")
    audited = len(reads.history(filled_store))
    for batch in (added, signed_in):
        with pytest.raises(store.Refused) as refused:
            store.undo(filled_store, batch, who="editor:root", why="undo")
        assert refusal_codes(refused.value) == {"undo_not_records"}
        code, _, err = civic_undo(capsys, filled_store, batch)
        assert code == 1 and "is not undone here" in err, err
        assert "Traceback" not in err and "KeyError" not in err
    assert len(reads.history(filled_store)) == audited
    assert accounts.current(filled_store, "zhao") is not None


def test_undoing_a_subscription_batch_is_refused_and_writes_nothing(filled_store):
    """Subscriptions (and their alerts) are no records of the dataset: undo leaves them to
    `civic subscribe`, as it leaves accounts to `civic user`."""
    from civic import subscriptions
    from civic.catalog import Catalog

    added = subscriptions.add(filled_store, Catalog.read(filled_store), view="dept=zz_cdc",
                              document="digest", every="daily", at="08:00", who="cli:test",
                              email="ops@example.org")
    batch = last_batch(filled_store, subscriptions.TABLE)
    audited = len(reads.history(filled_store))
    with pytest.raises(store.Refused) as refused:
        store.undo(filled_store, batch, who="editor:root", why="undo")
    assert refusal_codes(refused.value) == {"undo_not_records"}
    assert "subscriptions" in refused.value.problems[0].say("zh")
    assert len(reads.history(filled_store)) == audited
    assert added.id in {s.id for s in subscriptions.listed(filled_store)}
    subscriptions.remove(filled_store, added.id, who="cli:test")


def test_undoing_a_bulk_batch_is_refused_not_reported_done(capsys, filled_store):
    import pandas as pd

    rows = pd.DataFrame([{"program": "leaders_walk", "metric": "experiences",
                          "reported": f"{n}人次", "period": f"2021/2023-{n:02}",
                          "department": "zz_admin_approval", "source": "zzrb_20231115_walk",
                          "locator": "生成数据", "group_zh": None, "group_en": None}
                         for n in (7, 8)])
    store.write_figures(filled_store, rows, who="system:test", why="generated")
    batch = last_batch(filled_store, "figures")
    with pytest.raises(store.Refused) as refused:
        store.undo(filled_store, batch, who="editor:root", why="undo")
    assert refusal_codes(refused.value) == {"undo_bulk"}
    code, out, err = civic_undo(capsys, filled_store, batch)
    assert code == 1 and "bulk path" in err and "0 changes" not in out
    # Leave the store as it was: the generated figures removed through the store.
    keys = [f"leaders_walk/experiences/2021/2023-{n:02}/" for n in (7, 8)]
    store.write(filled_store, [], who="system:test", why="clean up",
                deletes=[("figures", key) for key in keys])
