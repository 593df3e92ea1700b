"""The store: records, typed figures, the audit trail and the data version.

Revision ID: 0001_store
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_store"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("program", sa.String(length=48), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_records_kind_key")),
    )
    op.create_index(op.f("ix_records_program"), "records", ["program"])
    op.create_table(
        "figures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("program", sa.String(length=48), nullable=False),
        sa.Column("metric", sa.String(length=48), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("value_max", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("qualifier", sa.String(length=32), nullable=False),
        sa.Column("reported", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("date_end", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=48), nullable=False),
        sa.Column("source", sa.String(length=48), nullable=False),
        sa.Column("locator", sa.String(length=40), nullable=True),
        sa.Column("group_zh", sa.Text(), nullable=True),
        sa.Column("group_en", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figures")),
        sa.UniqueConstraint("key", name=op.f("uq_figures_key")),
    )
    op.create_index(op.f("ix_figures_program"), "figures", ["program"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=200), nullable=False),
        sa.Column("table_name", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("batch", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
    )
    op.create_index(op.f("ix_audit_at"), "audit", ["at"])
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.execute(sa.text("INSERT INTO data_version (id, version, changed_at) "
                       "VALUES (1, 0, CURRENT_TIMESTAMP)"))


def downgrade() -> None:
    op.drop_table("data_version")
    op.drop_index(op.f("ix_audit_at"), table_name="audit")
    op.drop_table("audit")
    op.drop_index(op.f("ix_figures_program"), table_name="figures")
    op.drop_table("figures")
    op.drop_index(op.f("ix_records_program"), table_name="records")
    op.drop_table("records")
