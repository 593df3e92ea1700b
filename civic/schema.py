"""The store's tables: typed figures, the other records as validated documents, the audit trail,
the data version, the accounts that may write, and what is delivered to officials.

Figures are the rows that grow, so they get typed columns that frames read directly. The other
records (programs, projects with milestones, advisories with age groups, …) are few and nested:
each is one JSON document in `records`, validated by its Pydantic model on the way in.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(naming_convention={
    "pk": "pk_%(table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
})

records = Table(
    "records", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("key", String(200), nullable=False),
    Column("program", String(48), index=True),
    Column("body", JSON, nullable=False),
    UniqueConstraint("kind", "key"),
)

figures = Table(
    "figures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(400), nullable=False, unique=True),
    Column("program", String(48), nullable=False),
    Column("metric", String(48), nullable=False),
    Column("value", Float, nullable=False),
    Column("value_max", Float),
    Column("unit", String(32), nullable=False),
    Column("qualifier", String(32), nullable=False),
    Column("reported", Text, nullable=False),
    Column("date", Date, nullable=False),
    Column("date_end", Date, nullable=False),
    Column("period", String(64), nullable=False),
    Column("department", String(48), nullable=False),
    Column("source", String(48), nullable=False),
    Column("locator", String(40)),
    Column("group_zh", Text),
    Column("group_en", Text),
    Column("correction", Text),  # why a report breaks its running total on purpose
    Index(None, "program", "date_end"),  # a write's check reads a program's period ends
)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("who", String(200), nullable=False),
    Column("table_name", String(32), nullable=False),
    Column("key", String(400), nullable=False),
    Column("action", String(8), nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("why", Text, nullable=False),
    Column("batch", String(36), nullable=False),
    # The History page over a long audit (migration 0008): its editors, the sign-ins, each batch.
    Index(None, "who"),
    Index(None, "action"),
    Index(None, "batch", "action", "id"),
)

data_version = Table(
    "data_version", metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

# Who may write: an argon2id hash, never a password; failures and a lock are stored so that a
# restart does not lift them.
accounts = Table(
    "accounts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("email", String(254), unique=True),
    Column("role", String(8), nullable=False),
    Column("departments", JSON, nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("failures", JSON, nullable=False),
    Column("locked_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

# Delivered to officials: subscriptions (audited like accounts), each delivery made or tried, the
# alerts raised and the readings they were raised against. Channels' addresses and secrets are
# configuration, never rows: a subscription names a webhook, it does not hold its URL.
subscriptions = Table(
    "subscriptions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel", String(8), nullable=False),  # email or webhook
    Column("email", String(254)),
    Column("account", String(64)),
    Column("webhook", String(64)),
    Column("view", Text, nullable=False),  # the dashboard link's query, language included
    Column("document", String(16), nullable=False),
    Column("every", String(16), nullable=False),
    Column("at", String(5), nullable=False),  # HH:MM, Beijing time
    Column("alerts", Boolean, nullable=False),
    Column("metrics", JSON, nullable=False),  # alerts narrowed to these indicators; [] all
    Column("owner", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

deliveries = Table(
    "deliveries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # A digest of what, to whom and for which slot or alert: a second run finds it and sends
    # nothing twice.
    Column("key", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # scheduled or alert
    Column("subscription", Integer, nullable=False, index=True),
    Column("alert", String(300)),
    Column("slot", DateTime(timezone=True), nullable=False),
    Column("recipient", String(300), nullable=False),
    Column("channel", String(8), nullable=False),
    Column("document", String(16), nullable=False),
    Column("view", Text, nullable=False),
    Column("status", String(8), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt", DateTime(timezone=True)),
    Column("error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("claimed_at", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Index(None, "status", "next_attempt"),
)

alerts = Table(
    "alerts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False, unique=True),  # the indicator and the report
    Column("program", String(48), nullable=False),
    Column("metric", String(48), nullable=False),
    Column("department", String(48)),
    Column("reasons", JSON, nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("detail", JSON, nullable=False),
    Column("detected_at", DateTime(timezone=True), nullable=False),
)

alert_state = Table(
    "alert_state", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator", String(100), nullable=False, unique=True),
    Column("reading", JSON, nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

# The data version the readings were last compared at: a run finds the store unchanged with one
# query and reads no figures (a large store takes seconds and hundreds of MB to read).
alert_checks = Table(
    "alert_checks", metadata,
    Column("id", Integer, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("checked_at", DateTime(timezone=True), nullable=False),
)

# What editors submit for review: the validated records of one save (or the batch an undo
# would restore), held here, outside the published tables, until an approver publishes or
# returns it. Every read of the dashboard, the exports and the CLI reads the published tables
# only; the data version changes when a submission is published, not when it is submitted.
submissions = Table(
    "submissions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch", String(36), nullable=False, unique=True),  # the submit step's audit batch
    Column("kind", String(16), nullable=False),  # figures, projects or undo
    Column("status", String(16), nullable=False, index=True),  # pending, published, returned
    Column("submitter", String(64), nullable=False),
    Column("departments", JSON, nullable=False),  # every department its records belong to
    Column("records", JSON, nullable=False),  # [[kind, document], …] as validated
    Column("replace", JSON, nullable=False),  # [[kind, key], …] stored records it replaces
    Column("undo", String(36)),  # for an undo: the published batch it restores
    Column("label", Text, nullable=False),  # what it is: a file's name, "report text", …
    Column("why", Text, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("reviewer", String(64)),
    Column("comment", Text),
    Column("published", String(36)),  # the batch that published it
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("reviewed_at", DateTime(timezone=True)),
)

# A sign-in that survives a refresh: the browser keeps a random token in a cookie, the store only
# its SHA-256, so a copy of the database signs nobody in. Revoked on sign-out, on a new password
# and when the account is disabled; expired tokens are deleted when the next one is issued.
session_tokens = Table(
    "session_tokens", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("digest", String(64), nullable=False, unique=True),  # sha256 hex of the token
    Column("account", String(64), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

TABLES = [records, figures, audit, data_version, accounts, subscriptions, deliveries, alerts,
          alert_state, alert_checks, submissions, session_tokens]
