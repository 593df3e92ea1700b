"""Review before publishing: an editor's save becomes a submission (pending); an approver of its
departments, or an admin, publishes it (published) or returns it with a comment (returned).

A submission holds the validated records of one save, outside the published tables, so every
read of the dashboard, the exports and the CLI sees published data only, and the data version
changes on publish, not on submit. It is checked as a dry run of the write when submitted, and
checked again by the write itself when approved: the approval publishes it through
`store.write_in` and audits the review step in the same transaction. Nobody reviews their own
submission. An editor's undo of a published batch is a submission too (kind `undo`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update

from civic import project_intake, reads, rows, store
from civic.accounts import ADMIN, Account
from civic.catalog import Catalog
from civic.i18n import t
from civic.intake import Row, department_guard, incoming
from civic.intake import who as writer
from civic.loading import Loaded, Origin
from civic.models import RECORD_KINDS, Dataset, Figure, Frozen, Project
from civic.problems import Problem
from civic.schema import figures as figure_table
from civic.schema import records as record_table
from civic.schema import submissions

PENDING, PUBLISHED, RETURNED = "pending", "published", "returned"
STATUSES = (PENDING, PUBLISHED, RETURNED)
UNDO = "undo"
TABLE = "submissions"
# Audit actions of the review steps (the audit's action holds 8 characters).
SUBMIT, APPROVE, RETURN = "submit", "approve", "return"
# Labels of submissions that come from no file, said in the reader's language.
REPORT_TEXT, ONE_FIGURE = ":report", ":form"


@dataclass(frozen=True)
class Submission:
    batch: str
    kind: str
    status: str
    submitter: str
    departments: tuple[str, ...]
    records: tuple[tuple[str, dict[str, Any]], ...]
    replace: tuple[tuple[str, str], ...]
    undo: str | None
    label: str
    why: str
    rows: int
    reviewer: str | None
    comment: str | None
    published: str | None
    created_at: dt.datetime
    reviewed_at: dt.datetime | None

    @classmethod
    def of(cls, row: Any) -> Submission:
        return cls(row.batch, row.kind, row.status, row.submitter, tuple(row.departments),
                   tuple((kind, document) for kind, document in row.records),
                   tuple((kind, key) for kind, key in row.replace), row.undo, row.label,
                   row.why, row.rows, row.reviewer, row.comment, row.published,
                   reads.utc(row.created_at),
                   reads.utc(row.reviewed_at) if row.reviewed_at else None)

    def models(self) -> list[tuple[str, Frozen, Origin]]:
        """The records as the write takes them, validated again by their models."""
        found = []
        for kind, document in self.records:
            record = RECORD_KINDS[kind].model_validate(document)
            found.append((kind, record, Origin("submission", None,
                                               f"{kind} {rows.key(kind, record)}")))
        return found

    def figures(self) -> list[Figure]:
        """The figures it would publish (none for an undo)."""
        if self.kind == UNDO:
            return []
        return [Figure.model_validate(document) for kind, document in self.records
                if kind == rows.FIGURES]

    def public(self) -> dict[str, Any]:
        """As `civic review list --format json` prints it."""
        return {"batch": self.batch, "kind": self.kind, "status": self.status,
                "submitter": self.submitter, "departments": list(self.departments),
                "label": self.label, "why": self.why, "rows": self.rows, "undo": self.undo,
                "records": [{"kind": kind, **document} for kind, document in self.records],
                "reviewer": self.reviewer, "comment": self.comment,
                "published": self.published,
                "created_at": self.created_at.isoformat(timespec="seconds"),
                "reviewed_at": self.reviewed_at.isoformat(timespec="seconds")
                if self.reviewed_at else None}


def _departments_of(changes: Iterable[store.Change], dataset: Dataset) -> list[str]:
    """The departments changed records belong to: the one a record names, else the lead of its
    program (a project, an advisory …)."""
    leads = {p.id: p.lead for p in dataset.programs}
    found: set[str] = set()
    for change in changes:
        for document in (change.before, change.after):
            if not document or change.table == "sources":
                continue
            if document.get("department"):
                found.add(document["department"])
            elif document.get("program") in leads:
                found.add(leads[document["program"]])
    return sorted(found)


def _insert(engine: Engine, account: Account, kind: str, written: store.Written,
            records: list[tuple[str, dict[str, Any]]], replace: Collection[tuple[str, str]],
            label: str, why: str, undo: str | None = None) -> Submission:
    """The submission, and its audit row, in one transaction."""
    dataset = reads.dataset(engine, with_figures=False)
    batch = str(uuid.uuid4())
    values = {"batch": batch, "kind": kind, "status": PENDING, "submitter": account.name,
              "departments": _departments_of(written.changes, dataset),
              "records": [list(r) for r in records], "replace": [list(r) for r in replace],
              "undo": undo, "label": label, "why": why,
              "rows": sum(1 for c in written.changes if c.table != "sources"),
              "created_at": dt.datetime.now(dt.UTC)}

    def work(connection: Connection) -> Submission:
        connection.execute(insert(submissions).values(**values))
        summary = {k: values[k] for k in ("kind", "status", "label", "rows", "departments",
                                          "undo")}
        store.audit_changes(connection, [store.Change(TABLE, batch, SUBMIT, None, summary)],
                            who=writer(account), why=why, batch=batch)
        return _one(connection, batch)

    return store.transaction(engine, work)


def submit(engine: Engine, incoming: Sequence[tuple[str, Frozen, Origin]], *, account: Account,
           departments: pd.DataFrame, why: str, label: str,
           replace: Collection[tuple[str, str]] = (), needs: str | None = None) -> Submission | None:
    """`incoming` held for review: checked now as the write would check it (the store's rules
    and the account's departments; `Refused` lists every problem), nothing published. None when
    it would change nothing."""
    written = store.write(engine, incoming, who=writer(account), why=why, dry_run=True,
                          guard=department_guard(account, departments), replace=replace,
                          needs=needs)
    if not written.changes:
        return None
    changed = {(c.table, c.key) for c in written.changes}
    records = [(kind, rows.plain(record)) for kind, record, _ in incoming
               if (kind, rows.key(kind, record)) in changed]
    kept = [pair for pair in replace if pair in changed]
    kind = needs or next((k for k, _ in records if k != "sources"), rows.FIGURES)
    return _insert(engine, account, kind, written, records, kept, label, why)


def submit_save(engine: Engine, kind: str, records: Sequence[Any], source: Any, *,
                account: Account, departments: pd.DataFrame, why: str, label: str,
                replace: Collection[str] = ()) -> Submission | None:
    """A save of figures or projects citing `source` (written with them when new) held for
    review: what `intake.save` and `project_intake.save` would write."""
    return submit(engine, incoming(kind, records, source), account=account,
                  departments=departments, why=why, label=label,
                  replace={(kind, key) for key in replace}, needs=kind)


def submit_undo(engine: Engine, batch: str, *, account: Account, departments: pd.DataFrame,
                why: str) -> Submission:
    """An editor's undo of a published batch, held for review: checked as a dry run of the undo
    (`Refused` when it cannot be undone or touches another department's records)."""
    written = store.undo(engine, batch, who=writer(account), why=why, dry_run=True,
                         guard=department_guard(account, departments))
    records = [(c.table, document) for c in written.changes
               if (document := c.before or c.after) is not None]
    return _insert(engine, account, UNDO, written, records, (), f"undo {batch}", why, undo=batch)


def _one(connection: Connection, batch: str, lock: bool = False) -> Submission:
    query = select(submissions).where(submissions.c.batch == batch)
    if lock and connection.dialect.name != "sqlite":
        query = query.with_for_update()
    row = connection.execute(query).one_or_none()
    if row is None:
        raise store.Refused([Problem("review", batch, "batch", "no_submission")])
    return Submission.of(row)


def get(engine: Engine, batch: str) -> Submission:
    with engine.connect() as connection:
        return _one(connection, batch)


def listed(engine: Engine, status: str | None = None, submitter: str | None = None,
           departments: Collection[str] | None = None) -> list[Submission]:
    """Submissions, newest first: of a status, by a submitter, or touching any of
    `departments`."""
    query = select(submissions).order_by(submissions.c.id.desc())
    if status:
        query = query.where(submissions.c.status == status)
    if submitter:
        query = query.where(submissions.c.submitter == submitter)
    with engine.connect() as connection:
        found = [Submission.of(row) for row in connection.execute(query)]
    if departments is not None:
        wanted = set(departments)
        found = [s for s in found if set(s.departments) & wanted]
    return found


def reviewable(account: Account, submission: Submission, departments: pd.DataFrame) -> bool:
    """Whether `account` may publish or return it: an admin any, an approver those whose every
    department is one of theirs (units included), nobody their own."""
    if not account.reviews or submission.submitter == account.name:
        return False
    return account.role == ADMIN or set(submission.departments) <= account.writable(departments)


def queue(engine: Engine, account: Account, departments: pd.DataFrame) -> list[Submission]:
    """The pending submissions this account may review, newest first."""
    return [s for s in listed(engine, PENDING) if reviewable(account, s, departments)]


def _refusals(account: Account, submission: Submission,
              departments: pd.DataFrame) -> list[Problem]:
    def no(code: str, **params: Any) -> list[Problem]:
        return [Problem("review", submission.batch, "batch", code,
                        {"account": account.name, **params})]

    if submission.status != PENDING:
        return no("not_pending", status=submission.status)
    if submission.submitter == account.name:
        return no("own_submission")
    if not account.reviews:
        return no("not_reviewer")
    if not reviewable(account, submission, departments):
        return no("review_not_yours", departments=", ".join(submission.departments))
    return []


def _reviewed(connection: Connection, submission: Submission, account: Account, action: str,
              status: str, why: str, comment: str | None = None,
              published: str | None = None) -> Submission:
    now = dt.datetime.now(dt.UTC)
    connection.execute(update(submissions).where(submissions.c.batch == submission.batch)
                       .values(status=status, reviewer=account.name, comment=comment,
                               published=published, reviewed_at=now))
    store.audit_changes(connection, [store.Change(
        TABLE, submission.batch, action, {"status": submission.status},
        {"status": status, "comment": comment, "published": published})],
        who=writer(account), why=why, at=now)
    return _one(connection, submission.batch)


def approve(engine: Engine, batch: str, *, account: Account, departments: pd.DataFrame,
            why: str = "") -> tuple[Submission, store.Written]:
    """Publish a pending submission: written (or, for an undo, undone) as the submitter's
    change, checked again by the store's rules and the approver's departments, with the review
    step audited, in one transaction; `Refused` when it may not be or no longer can be."""
    def work(connection: Connection) -> tuple[Submission, store.Written]:
        submission = _one(connection, batch, lock=True)
        if refused := _refusals(account, submission, departments):
            raise store.Refused(refused)
        author = writer(Account(submission.submitter, "editor"))
        said = f"{submission.why} (approved by {account.name})"
        guard = department_guard(account, departments)
        if submission.kind == UNDO:
            assert submission.undo is not None  # an undo's submission names the batch it undoes
            written = store.undo_in(connection, submission.undo, who=author, why=said,
                                    guard=guard)
        else:
            written = store.write_in(connection, submission.models(), who=author, why=said,
                                     guard=guard, replace=set(submission.replace),
                                     needs=submission.kind)
        done = _reviewed(connection, submission, account, APPROVE, PUBLISHED,
                         why or "approved", published=written.batch)
        return done, written

    return store.locked_transaction(engine, work)


def send_back(engine: Engine, batch: str, *, account: Account, departments: pd.DataFrame,
              comment: str) -> Submission:
    """Return a pending submission to its submitter with a comment saying what to correct;
    nothing is published."""
    comment = (comment or "").strip()

    def work(connection: Connection) -> Submission:
        submission = _one(connection, batch, lock=True)
        refused = _refusals(account, submission, departments)
        if not comment:
            refused.append(Problem("review", batch, "comment", "comment_required"))
        if refused:
            raise store.Refused(refused)
        return _reviewed(connection, submission, account, RETURN, RETURNED, comment, comment)

    return store.locked_transaction(engine, work)


def label(submission: Submission, lang: str) -> str:
    """What a submission is, in `lang`: its file's name, "report text", "one figure", or the
    batch an undo restores."""
    if submission.kind == UNDO:
        return t("review.label_undo", lang, batch=submission.undo)
    if submission.label in (REPORT_TEXT, ONE_FIGURE):
        return t(f"review.label{submission.label.replace(':', '_')}", lang)
    return submission.label


def shown_rows(engine: Engine, submission: Submission) -> list[Any]:
    """Its figures or projects as the data-entry preview shows them (`intake.Row`,
    `project_intake.Row`), each with what the store holds now in its place."""
    models: list[Any] = [record for kind, record, _ in submission.models()
                         if kind == submission.kind]  # all figures, or all projects
    with engine.connect() as connection:
        if submission.kind == rows.FIGURES:
            keys = [rows.key(rows.FIGURES, f) for f in models]
            held = dict(connection.execute(select(figure_table.c.key, figure_table.c.reported)
                                           .where(figure_table.c.key.in_(keys))).all())
            return [Row(number, f, stored=held.get(rows.key(rows.FIGURES, f)))
                    for number, f in enumerate(models, 1)]
        if submission.kind == "projects":
            ids = [p.id for p in models]
            held = {row.key: row.body for row in connection.execute(
                select(record_table.c.key, record_table.c.body).where(
                    record_table.c.kind == "projects", record_table.c.key.in_(ids)))}
            return [project_intake.Row(number, p, stored=Project.model_validate(held[p.id])
                                       if p.id in held else None)
                    for number, p in enumerate(models, 1)]
    return []


def visible_pending(engine: Engine, account: Account,
                    departments: pd.DataFrame) -> list[Submission]:
    """The pending submissions an account may preview: those touching its departments (an
    admin's: all), oldest first, as they would be published."""
    pending = listed(engine, PENDING)
    if account.role != ADMIN:
        mine = account.writable(departments)
        pending = [s for s in pending if set(s.departments) & mine]
    return list(reversed(pending))


def with_pending(catalog: Catalog, pending: Sequence[Submission]) -> Catalog:
    """The catalog as it would read with `pending` published (undos aside): a preview for
    editors and approvers, never stored and never cached; the pages mark it unpublished."""
    dataset = catalog.dataset
    lists = {kind: list(getattr(dataset, kind)) for kind in RECORD_KINDS if kind != rows.FIGURES}
    new_rows = []
    for submission in pending:
        if submission.kind == UNDO:
            continue
        for kind, record, _ in submission.models():
            if kind == rows.FIGURES:
                new_rows.append(rows.figure_row(cast(Figure, record)))
            else:
                lists[kind] = [r for r in lists[kind] if rows.key(kind, r)
                               != rows.key(kind, record)] + [record]
    stored = catalog.stored
    if new_rows and stored is not None:
        added = pd.DataFrame(new_rows).assign(basis="reported")
        same = ["program", "metric", "period", "group_zh"]
        replaced = stored[same].fillna("").apply(tuple, axis=1).isin(
            set(added[same].fillna("").apply(tuple, axis=1)))
        added = added[list(stored.columns)].astype(stored.dtypes.to_dict(), errors="ignore")
        stored = pd.concat([stored[~replaced], added], ignore_index=True)
    return Catalog(Loaded(dataset.model_copy(update=lists)), stored, catalog.history, None)
