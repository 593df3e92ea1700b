"""Accounts that may write: name, e-mail for single sign-on, role, departments, an argon2id hash,
the disabled flag, recent failed sign-ins and the lock they set.

Revision ID: 0002_accounts
Revises: 0001_store
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_accounts"
down_revision = "0001_store"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("name", name=op.f("uq_accounts_name")),
        sa.UniqueConstraint("email", name=op.f("uq_accounts_email")),
    )


def downgrade() -> None:
    op.drop_table("accounts")
