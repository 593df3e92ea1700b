"""Delivered to officials: subscriptions, the deliveries made or tried, the alerts raised, the
indicator readings they are raised against and the data version those were last compared at.

Revision ID: 0005_delivery
Revises: 0004_figure_corrections
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_delivery"
down_revision = "0004_figure_corrections"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("account", sa.String(length=64), nullable=True),
        sa.Column("webhook", sa.String(length=64), nullable=True),
        sa.Column("view", sa.Text(), nullable=False),
        sa.Column("document", sa.String(length=16), nullable=False),
        sa.Column("every", sa.String(length=16), nullable=False),
        sa.Column("at", sa.String(length=5), nullable=False),
        sa.Column("alerts", sa.Boolean(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("created_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subscription", sa.Integer(), nullable=False),
        sa.Column("alert", sa.String(length=300), nullable=True),
        sa.Column("slot", _TZ, nullable=False),
        sa.Column("recipient", sa.String(length=300), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("document", sa.String(length=16), nullable=False),
        sa.Column("view", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt", _TZ, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", _TZ, nullable=False),
        sa.Column("claimed_at", _TZ, nullable=True),
        sa.Column("sent_at", _TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("key", name=op.f("uq_deliveries_key")),
    )
    op.create_index(op.f("ix_deliveries_subscription"), "deliveries", ["subscription"])
    op.create_index(op.f("ix_deliveries_status_next_attempt"), "deliveries",
                    ["status", "next_attempt"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("program", sa.String(length=48), nullable=False),
        sa.Column("metric", sa.String(length=48), nullable=False),
        sa.Column("department", sa.String(length=48), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("detected_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("key", name=op.f("uq_alerts_key")),
    )
    op.create_table(
        "alert_state",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("indicator", sa.String(length=100), nullable=False),
        sa.Column("reading", sa.JSON(), nullable=False),
        sa.Column("seen_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_state")),
        sa.UniqueConstraint("indicator", name=op.f("uq_alert_state_indicator")),
    )
    op.create_table(
        "alert_checks",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("checked_at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_checks")),
    )


def downgrade() -> None:
    op.drop_table("alert_checks")
    op.drop_table("alert_state")
    op.drop_table("alerts")
    op.drop_index(op.f("ix_deliveries_status_next_attempt"), table_name="deliveries")
    op.drop_index(op.f("ix_deliveries_subscription"), table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_table("subscriptions")
